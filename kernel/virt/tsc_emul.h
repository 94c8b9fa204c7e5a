/* The guest's IA32_TSC_ADJUST (SDM Vol. 3B 18.17.3): Tandem's own, on any
 * host. The physical TSC is Tandem's clock, so a guest's adjustment moves
 * only its own view of it, through the backend's TSC offset; while that
 * offset is not zero, its TSC_DEADLINE is translated too. */
#ifndef TANDEM_VIRT_TSC_EMUL_H
#define TANDEM_VIRT_TSC_EMUL_H

#include <stdbool.h>
#include <stdint.h>
#include "virt/vcpu.h"

#define MSR_TSC		 0x10
#define MSR_TSC_ADJUST	 0x3b
#define MSR_TSC_DEADLINE 0x6e0

/** RDMSR/WRMSR of the TSC or TSC_ADJUST (the guest's view of both), or of
 * TSC_DEADLINE while it is intercepted (the offset is not zero). False:
 * #GP. */
bool tsc_emul_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val);
/** On the CPU that runs @v, at its creation and at every reset: it reads
 * the CPU's TSC_ADJUST (0 where there is none), its TSC is the CPU's, and
 * TSC_DEADLINE passes through. */
void tsc_emul_reset(struct vcpu *v);
/** Tandem leaves this CPU for good and @v runs on natively: its view of
 * the TSC becomes the CPU's own, and its deadline with it. */
void tsc_emul_leave(struct vcpu *v);

#endif
