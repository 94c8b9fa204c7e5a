/* The local APIC a partition sees: the xAPIC page (0xfee00000 is never
 * mapped for a guest, mem_fault.c traps it) and the x2APIC MSRs
 * 0x800-0x8ff (msr_emul.c), both on whichever mode the host APIC runs
 * in. Every ICR write goes through the IPI filter (icr_filter.h): a
 * partition reaches its own CPUs only. Most other registers are the
 * partition's own CPU's physical ones; the ID, LDR, DFR and ICR are the
 * guest's view, and the APIC stays software-enabled. */
#include "boot_info.h"
#include "hw/apic.h"
#include "hw/console.h"
#include "hw/percpu.h"
#include "virt/apic_emul.h"
#include "virt/exits.h"
#include "virt/icr_filter.h"
#include "virt/partition.h"

#define APIC_ID		0x020
#define APIC_EOI	0x0b0
#define APIC_LDR	0x0d0
#define APIC_DFR	0x0e0
#define APIC_SVR	0x0f0
#define APIC_TPR	0x080
#define APIC_DCR	0x3e0
#define APIC_SVR_ENABLE (1u << 8)
#define APIC_ESR	0x280
#define APIC_LVT_CMCI	0x2f0
#define APIC_ICR_LO	0x300
#define APIC_ICR_HI	0x310
#define APIC_LVT_TIMER	0x320
#define APIC_LVT_ERROR	0x370
#define APIC_SELF_IPI	0x3f0

static const char *const mode_names[8] = { "fixed",    "lowest", "SMI",
					   "mode 3",   "NMI",	 "INIT",
					   "start-up", "mode 7" };

/* The CPUs as the filter sees them, with the vCPU each runs (NULL: a CPU
 * Tandem keeps); the ones running @v's partition marked own. */
static unsigned collect(const struct vcpu *v, struct icr_cpu *cpus,
			struct vcpu **who, unsigned *self)
{
	unsigned n = 0;

	*self = ICR_MAX_CPUS;
	for (unsigned i = 0; i < boot_info.possible_cpus && n < ICR_MAX_CPUS;
	     i++) {
		struct per_cpu *pc = per_cpu(i);
		struct vcpu *t;

		if (!pc->online)
			continue;
		t = __atomic_load_n(&pc->vcpu, __ATOMIC_ACQUIRE);
		if (pc == v->cpu)
			*self = n;
		who[n] = t;
		cpus[n++] = (struct icr_cpu){
			.apic_id = pc->apic_id,
			.ldr = t ? t->lapic_ldr : 0,
			.cluster = t && t->lapic_dfr_cluster,
			.own = t && t->cell == v->cell,
		};
	}
	return n;
}

/* INIT and start-up stay Tandem's to carry out: the target vCPU waits for
 * a start-up IPI, which starts it in real mode (run_loop.c). */
static void init_sipi(struct vcpu *v, struct vcpu *t, uint32_t lo)
{
	if (ICR_MODE(lo) == ICR_MODE_INIT) {
		if (t == v) {
			v->sipi_vector = -1;
			v->state = VCPU_WAIT_SIPI;
		} else {
			vcpu_request(t, VCPU_REQ_INIT);
		}
	} else if (t->state == VCPU_WAIT_SIPI) {
		__atomic_store_n(&t->sipi_vector, (int)ICR_VECTOR(lo),
				 __ATOMIC_SEQ_CST);
		vcpu_wake(t);
	}
}

void apic_emul_icr(struct vcpu *v, uint32_t lo, uint32_t dest, bool x2apic)
{
	struct icr_cpu cpus[ICR_MAX_CPUS];
	struct vcpu *who[ICR_MAX_CPUS];
	struct icr_request r = { .low = lo, .dest = dest, .x2apic = x2apic };
	struct icr_decision d;
	unsigned n = collect(v, cpus, who, &r.self);
	/* A broadcast (shorthand or the all-ones ID) meant "every CPU I
	 * have": its foreign part is dropped without a line, as Linux
	 * sends them in normal work (reboot, TLB shootdowns). */
	bool broadcast = ((lo >> 18) & 3) ||
			 dest == (x2apic ? 0xffffffffu : 0xffu);

	icr_decide(cpus, n, &r, &d);
	if (d.action == ICR_REFUSE)
		log_limited(&v->cell->ipi_log, LOG_WARN,
			    "cell '%s': %s IPI (ICR 0x%08x, dest 0x%x) refused",
			    v->cell->name, mode_names[ICR_MODE(lo)], lo, dest);
	else if (d.foreign && !broadcast)
		log_limited(&v->cell->ipi_log, LOG_WARN,
			    "cell '%s': %s IPI (ICR 0x%08x, dest 0x%x%s) to APIC %u, which it does not own: dropped",
			    v->cell->name, mode_names[ICR_MODE(lo)], lo, dest,
			    x2apic ? ", x2APIC" : "",
			    cpus[__builtin_ctzll(d.foreign)].apic_id);
	for (unsigned i = 0; i < n; i++) {
		if (!(d.own & (1ull << i)))
			continue;
		if (d.action == ICR_SEND_FIXED)
			apic_send_ipi(cpus[i].apic_id,
				      APIC_ICR_FIXED | ICR_VECTOR(lo));
		else if (d.action == ICR_INIT || d.action == ICR_STARTUP)
			init_sipi(v, who[i], lo);
	}
}

static bool lvt_has_mode(uint32_t off)
{
	return off == APIC_LVT_CMCI ||
	       (off > APIC_LVT_TIMER && off < APIC_LVT_ERROR);
}

/* The x2APIC registers (SDM Vol. 3A 11.12.1.2, table 11-6): MSR 0x8nn is
 * register 0xnn0; the rest of the range is reserved. */
enum x2_access { X2_NONE, X2_RO, X2_RW, X2_WO };

static enum x2_access x2_access(uint32_t reg)
{
	switch (reg) {
	case 0x02:	    /* ID */
	case 0x03:	    /* version */
	case 0x0a:	    /* PPR */
	case 0x0d:	    /* LDR */
	case 0x10 ... 0x27: /* ISR, TMR, IRR */
	case 0x39:	    /* current count */
		return X2_RO;
	case 0x08:	    /* TPR */
	case 0x0f:	    /* SVR */
	case 0x28:	    /* ESR */
	case 0x2f:	    /* LVT CMCI */
	case 0x30:	    /* ICR, 64 bits */
	case 0x32 ... 0x38: /* LVTs, initial count */
	case 0x3e:	    /* divide configuration */
		return X2_RW;
	case 0x0b: /* EOI */
	case 0x3f: /* SELF IPI */
		return X2_WO;
	}
	return X2_NONE;
}

static uint32_t read_reg(struct vcpu *v, uint32_t off, bool x2apic)
{
	switch (off) {
	case APIC_ID:
		return x2apic ? v->apic_id : v->apic_id << 24;
	case APIC_LDR:
		return x2apic ? icr_x2apic_ldr(v->apic_id) : v->lapic_ldr;
	case APIC_DFR:
		return v->lapic_dfr_cluster ? 0x0fffffffu : 0xffffffffu;
	case APIC_ICR_LO:
		return v->lapic_icr_low & ~(1u << 12); /* sent at once */
	case APIC_ICR_HI:
		return v->lapic_icr_high;
	}
	/* Only the registers x2APIC mode has reach the CPU: in that mode a
	 * RDMSR of any other (APR, RRD, reserved, EOI) would fault in
	 * Tandem. They read 0, whichever mode the host runs in. */
	if (x2_access(off >> 4) != X2_RO && x2_access(off >> 4) != X2_RW)
		return 0;
	return apic_reg_read(off);
}

/* The root's device interrupts come straight from the I/O APIC and MSIs,
 * which may name CPUs by logical destination (SDM Vol. 3A 11.6.2.2): in
 * xAPIC mode its LDR and DFR must be in the CPU's APIC. Every other kind
 * gets none of those, so its CPU's LDR is 0 (matches no logical
 * destination) and the DFR flat. In x2APIC mode the LDR is the CPU's
 * own, read-only (11.12.10). */
void apic_emul_switch(const struct vcpu *v)
{
	bool root = v->cell->kind->root;

	if (apic_is_x2apic())
		return;
	apic_reg_write(APIC_DFR, root && v->lapic_dfr_cluster ? 0x0fffffffu :
								0xffffffffu);
	apic_reg_write(APIC_LDR, root ? v->lapic_ldr : 0);
}

static void write_reg(struct vcpu *v, uint32_t off, uint32_t val)
{
	switch (off) {
	case APIC_ID:
		return; /* fixed: the physical id */
	case APIC_LDR:
		v->lapic_ldr = val & 0xff000000u;
		apic_emul_switch(v);
		return;
	case APIC_DFR:
		v->lapic_dfr_cluster = (val >> 28) == 0;
		apic_emul_switch(v);
		return;
	case APIC_ICR_HI:
		v->lapic_icr_high = val;
		return;
	case APIC_ICR_LO:
		v->lapic_icr_low = val;
		apic_emul_icr(v, val, v->lapic_icr_high >> 24, false);
		return;
	case APIC_SVR:
		/* Disabled, the APIC would keep what is in its IRR for
		 * the next partition (SDM Vol. 3A 11.4.7.2). */
		val |= APIC_SVR_ENABLE;
		break;
	}
	if (lvt_has_mode(off) && ICR_MODE(val) != ICR_MODE_FIXED &&
	    ICR_MODE(val) != ICR_MODE_NMI && ICR_MODE(val) != 7) {
		/* SMI, INIT and the reserved modes (11.5.1): not for guests. */
		pr_warn_limited("cell '%s' set an LVT entry (0x%x) to %s delivery: dropped",
				v->cell->name, off, mode_names[ICR_MODE(val)]);
		return;
	}
	/* As for reads: writes to registers without an x2APIC form, or
	 * read-only in it, are dropped; EOI and ESR take 0 only (11.12.1.2). */
	if (x2_access(off >> 4) != X2_RW && x2_access(off >> 4) != X2_WO)
		return;
	if (off == APIC_EOI || off == APIC_ESR)
		val = 0;
	else if (off == APIC_TPR)
		val &= 0xff; /* reserved bits: keep WRMSR from faulting */
	else if (off == APIC_SVR)
		val &= 0x13ff;
	else if (off == APIC_DCR)
		val &= 0xb;
	apic_reg_write(off, val);
}

uint64_t apic_emul_read(struct vcpu *v, uint64_t gpa, unsigned size)
{
	uint32_t off = gpa & 0xfff;

	/* Registers are 32 bits at 16-byte aligned offsets (11.4.1). */
	if (size != 4 || (off & 0xf) || off == APIC_SELF_IPI)
		return 0;
	return read_reg(v, off, false);
}

void apic_emul_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t value)
{
	uint32_t off = gpa & 0xfff;

	if (size != 4 || (off & 0xf) || off == APIC_SELF_IPI)
		return;
	write_reg(v, off, (uint32_t)value);
}

bool apic_emul_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	uint32_t reg = msr - APIC_X2APIC_MSR_FIRST, off = reg << 4;
	enum x2_access a = msr >= APIC_X2APIC_MSR_FIRST &&
					   msr <= APIC_X2APIC_MSR_LAST ?
				   x2_access(reg) :
				   X2_NONE;

	if (a == X2_NONE || a == (write ? X2_RO : X2_WO))
		return false;
	if (!write) {
		*val = off == APIC_ICR_LO ? (uint64_t)v->lapic_icr_high << 32 |
						    v->lapic_icr_low :
					    read_reg(v, off, true);
		return true;
	}
	if (off == APIC_ICR_LO) {
		v->lapic_icr_low = (uint32_t)*val;
		v->lapic_icr_high = (uint32_t)(*val >> 32);
		apic_emul_icr(v, v->lapic_icr_low, v->lapic_icr_high, true);
		return true;
	}
	/* Reserved bits set (11.12.1.2): #GP, as for EOI with a non-zero
	 * value and SELF IPI with more than a vector. */
	if ((*val >> 32) || (off == APIC_EOI && *val) ||
	    (off == APIC_SELF_IPI && (*val & ~0xffull)))
		return false;
	if (off == APIC_SELF_IPI) {
		apic_emul_icr(v, (uint32_t)*val | 1u << 18, 0, true);
		return true;
	}
	write_reg(v, off, (uint32_t)*val);
	return true;
}
