/* The Palacios HVM interface between the ROS (root cell) and the HRT
 * partition: 0xf00d downcalls, comm-page upcalls, the transaction state
 * machine, the HRT console (kernel/hvm/hvm.c); booting the HRT (kernel/hvm/hrt.c). */
#ifndef TANDEM_KERNEL_HVM_H
#define TANDEM_KERNEL_HVM_H

#include <stdbool.h>
#include <stdint.h>
#include <tandem/hvm.h>
#include "virt/vcpu.h"

struct cell;

struct hrt {
	struct cell *cell;			/* NULL: no HRT */
	volatile bool failed;			/* crashed: downcalls to it give -1 */
	uint8_t vector;				/* its upcall vector */
	struct tandem_comm_page *comm;		/* Tandem's view of the comm page */
	unsigned int ncores;
	volatile uint32_t trans_state;		/* TANDEM_HRT_* */
	volatile uint32_t trans_count;		/* HRT cores yet to complete */
	struct tandem_ros_event ros_event;	/* pending event for the ROS */
	char console[120];			/* port 0xc0c0 line buffer */
	unsigned int console_len;
};

extern struct hrt hrt;

/** Handles RAX = 0xf00d (any CPL, either cell): the Palacios downcall. */
void hvm_downcall(struct vcpu *v);

/** A byte the HRT wrote to the Palacios debug port 0xc0c0. */
void hvm_console_putc(char c);

/** The HRT failed (called from vcpu_fail): abort any transaction, let a
 * waiting ROS see an HRT_EXCEPTION event. */
void hvm_hrt_failed(uint64_t rip, uint64_t vector);

/* What boot decided for the HRT before the root cell was built. */
struct hrt_plan {
	bool active;			/* an HRT module will boot */
	unsigned int ncpus;
	uint64_t cpu_mask;		/* its logical CPUs (the highest ones) */
	uint64_t mem_base, mem_size;	/* its exclusive memory */
};

extern struct hrt_plan hrt_plan;

/* kernel/hvm/hrt.c */
/** Finds and checks the module tagged "hrt" and picks its CPUs and memory
 * (before the root cell exists); 0 also when there is none. */
int hrt_plan_resources(unsigned int online_cpus);
/** Boots the HRT module, if there is one, on the CPUs and memory chosen at
 * start-up; 0, or a negative errno after one line naming the problem. */
int hrt_start(void);
/** Reloads the HRT image and restarts every HRT core (reboot HRT). */
int hrt_reboot(void);
/** Validates a new HRT image (a private copy from page_alloc) and reboots
 * with it. -EINVAL: refused, the copy is still the caller's; any other
 * result: the copy now belongs to the HRT. */
int hrt_replace(const void *image, uint64_t size);

#define HVM_DEBUG_PORT	0xc0c0

#endif
