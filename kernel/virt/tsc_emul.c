/* IA32_TSC_ADJUST for guests (see tsc_emul.h). A guest that writes it
 * expects its TSC to move by the difference (SDM Vol. 3B 18.17.3); Tandem
 * moves only the guest's view (vcpu_ops->set_tsc_offset) and keeps the
 * CPU's TSC, which its own timeouts and the other partitions' vCPUs on the
 * CPU read. Linux reads TSC_ADJUST on every CPU at boot and trusts the TSC
 * (no clocksource watchdog) only where the feature is present. */
#include "lib/cpu.h"
#include "virt/tsc_emul.h"

/* CPUID 1 ECX 24: without it the MSR does not exist (#GP, in Tandem too). */
static bool have_deadline(void)
{
	return cpuid(1, 0).ecx & (1u << 24);
}

static void set_offset(struct vcpu *v, int64_t offset)
{
	bool was = v->tsc_offset != 0;

	v->tsc_offset = offset;
	vcpu_ops->set_tsc_offset(v, (uint64_t)offset);
	/* The APIC compares TSC_DEADLINE with the CPU's TSC: once the views
	 * differ, the guest's deadlines need translating. */
	if (was != (offset != 0) && have_deadline())
		vcpu_ops->set_msr_intercept(v, MSR_TSC_DEADLINE, offset != 0,
					    offset != 0);
}

/* A guest deadline in the CPU's TSC: 0 stays 0 (disarmed); one before the
 * CPU's TSC began fires at once (1); one past its end never fires. */
static uint64_t deadline_to_cpu(const struct vcpu *v, uint64_t guest)
{
	uint64_t cpu = guest - (uint64_t)v->tsc_offset;

	if (!guest)
		return 0;
	if (v->tsc_offset > 0 && guest < (uint64_t)v->tsc_offset)
		return 1;
	if (v->tsc_offset < 0 && cpu < guest)
		return UINT64_MAX;
	return cpu ? cpu : 1;
}

/* Moves the guest's TSC by @delta, as a write of TSC_ADJUST or of the TSC
 * does (SDM Vol. 3B 18.17.3: either changes the other by the same amount).
 * A deadline armed in the old view keeps the instant it names. */
static void move_view(struct vcpu *v, int64_t delta)
{
	uint64_t d = have_deadline() ? rdmsr(MSR_TSC_DEADLINE) : 0;

	if (d)
		d += (uint64_t)v->tsc_offset;
	set_offset(v, v->tsc_offset + delta);
	v->tsc_adjust += (uint64_t)delta;
	if (d)
		wrmsr(MSR_TSC_DEADLINE, deadline_to_cpu(v, d));
}

bool tsc_emul_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	uint64_t d;

	/* Answered here rather than passed: QEMU's TCG reads IA32_TSC as 0;
	 * a write moves the guest's view only (Nautilus lines up its
	 * cores' TSCs this way), never the CPU's, Tandem's clock. */
	if (msr == MSR_TSC) {
		uint64_t now = rdtsc() + (uint64_t)v->tsc_offset;

		if (write)
			move_view(v, (int64_t)(*val - now));
		else
			*val = now;
		return true;
	}
	if (msr == MSR_TSC_ADJUST) {
		if (write)
			move_view(v, (int64_t)(*val - v->tsc_adjust));
		else
			*val = v->tsc_adjust;
		return true;
	}
	if (msr != MSR_TSC_DEADLINE || !v->tsc_offset || !have_deadline())
		return false;
	if (write) {
		wrmsr(MSR_TSC_DEADLINE, deadline_to_cpu(v, *val));
		return true;
	}
	d = rdmsr(MSR_TSC_DEADLINE);
	*val = d ? d + (uint64_t)v->tsc_offset : 0;
	return true;
}

/* CPUID 7 EBX 1: the CPU has a TSC_ADJUST of its own. */
static bool have_cpu_adjust(void)
{
	return cpuid(7, 0).ebx & (1u << 1);
}

/* The CPU's own TSC_ADJUST where it has one (firmware may have set it). */
static uint64_t cpu_adjust(void)
{
	return have_cpu_adjust() ? rdmsr(MSR_TSC_ADJUST) : 0;
}

void tsc_emul_reset(struct vcpu *v)
{
	v->tsc_adjust = cpu_adjust();
	if (v->tsc_offset)
		set_offset(v, 0);
}

void tsc_emul_leave(struct vcpu *v)
{
	uint64_t d;

	if (!v->tsc_offset)
		return;
	d = have_deadline() ? rdmsr(MSR_TSC_DEADLINE) : 0;
	if (have_cpu_adjust())
		wrmsr(MSR_TSC_ADJUST, v->tsc_adjust); /* moves it by the offset */
	else
		wrmsr(0x10, rdtsc() + (uint64_t)v->tsc_offset);
	if (d)
		wrmsr(MSR_TSC_DEADLINE, d + (uint64_t)v->tsc_offset);
}
