/* The ROS's CPUs: local APIC access, AP start-up (INIT-SIPI-SIPI through a
 * real-mode trampoline below 1 MiB) and the PIT delays it needs. */
#ifndef TANDEM_ROS_SMP_H
#define TANDEM_ROS_SMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"
#include "bootinfo.h"
#include "ros.h"

#define ROS_AP_ANSWER_MS  1000

/* The page that carries the suite over a ROS reboot (ros/checks_reboot.c):
 * ROS RAM outside its image (which starts at 1 MiB), kept by a reboot; the
 * AP trampoline never goes there. */
#define ROS_REBOOT_MARKER 0x9000

/* What each CPU reported back (filled by the CPU itself, read by the BSP). */
struct ros_probe {
	volatile int started;  /* reached 64-bit C */
	volatile int answered; /* probe finished, fields below are valid */
	bool detected;	       /* tandem_detect() */
	long info;	       /* Get Info result, if detected */
	int fault;	       /* vector + 1 if the hypercall faulted, else 0 */
};

struct ros_smp {
	size_t ncpus; /* CPU K = 0 is the BSP */
	uint32_t apic_ids[ROS_MAX_CPUS];
	struct ros_probe probes[ROS_MAX_CPUS];
	bool x2apic;
	uint64_t trampoline; /* physical page, 0 if none found */
};

extern struct ros_smp ros_smp;

/** Busy-wait @us microseconds on PIT channel 2 (interrupts stay off). */
void ros_udelay(unsigned us);

/** TSC ticks per millisecond, measured against 20 ms of PIT channel 2. */
uint64_t ros_tsc_khz(void);

/**
 * Number the CPUs of @madt: K = 0 is this CPU (the BSP), then the others in
 * table order. Returns NULL or a warning about the MADT view.
 */
const char *ros_smp_init(const struct ros_madt *madt);

/**
 * Start every AP, one at a time; each runs @probe(K) on its own stack and
 * should set ros_smp.probes[K].answered. Waits up to ROS_AP_ANSWER_MS for
 * each one. Returns NULL, or why no AP could be started at all.
 */
const char *ros_smp_start(const struct ros_boot *b, void (*probe)(unsigned cpu));

/**
 * Take CPU @k (not the BSP) away from the ROS: an INIT IPI, then 10 ms.
 * It then waits for a start-up IPI; under Tandem it no longer runs root
 * code and may be given to another cell.
 */
void ros_smp_park(unsigned k);

/**
 * Start CPU @k again after ros_smp_park() (INIT-SIPI-SIPI through the
 * trampoline ros_smp_start() installed) and let it run @probe(k) as at
 * first start-up. Returns true when it answered within ROS_AP_ANSWER_MS;
 * false also when ros_smp_start() never installed the trampoline.
 */
bool ros_smp_restart(unsigned k, void (*probe)(unsigned cpu));

/** End of interrupt on this CPU's local APIC. */
void ros_apic_eoi(void);

/** Entry of an AP from ros/entry.asm, on ros_ap_stacks[@cpu]. */
void ros_ap_main(unsigned cpu);

#endif
