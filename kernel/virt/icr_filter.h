/* Who an IPI written to the ICR reaches, and what Tandem does with it:
 * the pure decision behind the xAPIC page and the x2APIC MSRs
 * (virt/apic_emul.c), host-tested in tests/test_icr_filter.c.
 *
 * A partition reaches only the CPUs that run its own vCPUs. Fixed and
 * lowest-priority IPIs go to those (lowest priority: to one of them);
 * INIT and start-up are emulated for them; NMIs to them are absorbed
 * (NMIs are Tandem's kicks and are never passed to guests); SMI and the
 * reserved delivery modes are refused. Every part that would reach a CPU
 * the partition does not own is dropped. */
#ifndef TANDEM_VIRT_ICR_FILTER_H
#define TANDEM_VIRT_ICR_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#define ICR_MAX_CPUS	  64

/* ICR low word (SDM Vol. 3A 11.6.1). */
#define ICR_VECTOR(lo)	  ((lo)&0xffu)
#define ICR_MODE(lo)	  (((lo) >> 8) & 7u)
#define ICR_LOGICAL	  (1u << 11)
#define ICR_LEVEL_ASSERT  (1u << 14)
#define ICR_SHORTHAND(lo) (((lo) >> 18) & 3u)

enum icr_mode {
	ICR_MODE_FIXED = 0,
	ICR_MODE_LOWEST = 1,
	ICR_MODE_SMI = 2,
	ICR_MODE_NMI = 4,
	ICR_MODE_INIT = 5,
	ICR_MODE_STARTUP = 6,
};

/* One physical CPU as the filter sees it. */
struct icr_cpu {
	uint32_t apic_id;
	/* xAPIC logical destination of the guest running there: its LDR
	 * and whether its DFR selects the cluster model (11.6.2.2). */
	uint32_t ldr;
	bool cluster;
	bool own; /* runs a vCPU of the sending partition */
};

struct icr_request {
	uint32_t low;  /* ICR bits 31:0 */
	uint32_t dest; /* xAPIC: ICR bits 63:56; x2APIC: bits 63:32 */
	bool x2apic;   /* written through the x2APIC MSR (32-bit ids) */
	unsigned self; /* index of the sending CPU in the table */
};

enum icr_action {
	ICR_SEND_FIXED, /* send ICR_VECTOR as a fixed IPI to each of `own` */
	ICR_ABSORB,	/* an NMI to own CPUs: nothing is sent */
	ICR_INIT,	/* emulate INIT (level assert) on each of `own` */
	ICR_STARTUP,	/* emulate a start-up IPI on each of `own` */
	ICR_IGNORE,	/* INIT level de-assert: no effect (11.6.1) */
	ICR_REFUSE,	/* SMI or a reserved delivery mode: nothing is sent */
};

struct icr_decision {
	enum icr_action action;
	uint64_t own;	  /* table indices the action applies to */
	uint64_t foreign; /* indices it would have reached: dropped */
};

/** True when the destination of @r (shorthand aside) names @c. */
bool icr_dest_matches(const struct icr_request *r, const struct icr_cpu *c);

/** The x2APIC logical id of x2APIC id @id (11.12.10.2). */
uint32_t icr_x2apic_ldr(uint32_t id);

/** Decides @r over the @n CPUs of @cpus (n <= ICR_MAX_CPUS). */
void icr_decide(const struct icr_cpu *cpus, unsigned n,
		const struct icr_request *r, struct icr_decision *d);

#endif
