/* Starting the application processors (boot/smp.c). */
#ifndef TANDEM_BOOT_SMP_H
#define TANDEM_BOOT_SMP_H

#include <stdbool.h>
#include <stdint.h>

/**
 * Copies the trampoline to @tramp_phys (a free page below 1 MiB) and starts
 * the logical CPUs 1 .. @ncpus-1 marked in @enabled (per-CPU areas already
 * set up; the others are only possible, not present) one after the other with INIT-SIPI-SIPI. Each AP that answers loads its tables and
 * waits in smp_release(). Returns how many APs answered; one line names
 * every CPU that did not.
 */
unsigned int smp_start_aps(uint64_t tramp_phys, unsigned int ncpus,
			   const bool *enabled);

/** Lets every waiting AP call the hypervisor entry. */
void smp_release(void);

/** Waits until every AP that was released has returned from the entry. */
void smp_wait_entry_done(unsigned int ncpus);

#endif
