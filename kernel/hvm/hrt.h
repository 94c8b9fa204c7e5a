/* The HRT partition: planning its CPUs and memory at boot, booting,
 * rebooting and replacing its image (kernel/hvm/hrt.c). */
#ifndef TANDEM_HVM_HRT_H
#define TANDEM_HVM_HRT_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/cpumask.h"

/* What boot decided for the HRT before the root cell was built. */
struct hrt_plan {
	bool active; /* an HRT module will boot */
	unsigned int ncpus;
	struct cpumask cpu_mask;     /* its logical CPUs (the highest ones) */
	uint64_t mem_base, mem_size; /* its exclusive memory */
};

extern struct hrt_plan hrt_plan;

/** Finds and checks the module tagged "hrt" and picks its CPUs and memory
 * (before the root cell exists); 0 also when there is none. */
int hrt_plan_resources(unsigned int online_cpus);
/** Boots the HRT module, if there is one, on the CPUs and memory chosen at
 * start-up; 0, or a negative errno after one line naming the problem. */
int hrt_start(void);
/** The HRT was started and not abandoned. */
bool hrt_running(void);
/** After hrt_start(), while its cores make their control structures (the
 * ROS not started yet): waits up to @timeout_us for each; false when one
 * could not be made. */
bool hrt_cores_created(uint64_t timeout_us);
/** Before the ROS starts: stops every HRT core (each CPU goes back to its
 * root vCPU, none yet) and takes the HRT away; its CPUs and memory are
 * then free for the root cell. */
void hrt_abandon(void);
/** Reloads the HRT image and restarts every HRT core (reboot HRT). Only
 * from an HVM_EXCLUSIVE request (hvm/hvm.c): it waits for the HRT's CPUs,
 * so it must not hold the HVM lock they may be waiting for. */
int hrt_reboot(void);
/** Validates a new HRT image (a private copy from page_alloc) and reboots
 * with it. -EINVAL: refused, the copy is still the caller's; any other
 * result: the copy now belongs to the HRT. */
int hrt_replace(const void *image, uint64_t size);

#endif
