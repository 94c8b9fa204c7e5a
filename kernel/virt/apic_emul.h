/* The local APIC as every partition sees it (virt/apic_emul.c): the xAPIC
 * page and the x2APIC MSRs, both available whatever mode the host APIC
 * runs in, with every IPI filtered to the partition's own CPUs
 * (virt/icr_filter.h) and INIT/start-up emulated for them, so a ROS
 * starts its APs the way it would on bare metal. */
#ifndef TANDEM_VIRT_APIC_EMUL_H
#define TANDEM_VIRT_APIC_EMUL_H

#include <stdbool.h>
#include <stdint.h>
#include "virt/vcpu.h"

/* Where every partition finds the xAPIC page (trapped, never mapped). */
#define APIC_GUEST_BASE	      0xfee00000ull
#define APIC_X2APIC_MSR_FIRST 0x800
#define APIC_X2APIC_MSR_LAST  0x8ff

/** An access of @size bytes to the xAPIC page at @gpa. */
/** Load @v's logical destination into this CPU's APIC (the root's LDR
 * and DFR; 0 for every other kind), as @v starts running here. */
void apic_emul_switch(const struct vcpu *v);

uint64_t apic_emul_read(struct vcpu *v, uint64_t gpa, unsigned size);
void apic_emul_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t value);

/** RDMSR (@write false, result in *@val) or WRMSR of x2APIC MSR @msr;
 * false: the guest gets #GP (reserved register, wrong direction,
 * reserved bits). */
bool apic_emul_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val);

/** An IPI @v wrote: ICR low word @lo to @dest (xAPIC: 8-bit id or MDA;
 * @x2apic: 32-bit), sent only to @v's partition's own CPUs. */
void apic_emul_icr(struct vcpu *v, uint32_t lo, uint32_t dest, bool x2apic);

#endif
