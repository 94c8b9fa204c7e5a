/* Guest RDMSR and WRMSR that exit. The backend answers first for the MSRs
 * it keeps for its own extension (vcpu_ops.vendor_msr); then the
 * partition kind's list decides (virt/msr_wall.h): the MSRs Tandem
 * answers are the hypercall page (Xen hypercall ABI seed), IA32_APIC_BASE,
 * the x2APIC range, IA32_TSC_ADJUST (tsc_emul.c), IA32_DEBUGCTL,
 * IA32_XSS and (for cells and the HRT) IA32_MTRR_DEF_TYPE; a listed read-only MSR refuses
 * writes; anything not listed raises #GP. */
#include <tandem/cpuid.h>
#include "hw/apic.h"
#include "hw/console.h"
#include "virt/apic_emul.h"
#include "virt/exits.h"
#include "virt/hcpage.h"
#include "virt/msr_wall.h"
#include "virt/partition.h"
#include "virt/tsc_emul.h"

#define MSR_APIC_BASE_IDX 0x1b
#define MSR_DEBUGCTL	  0x1d9
#define MSR_XSS		  0xda0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define APIC_BASE_BSP	  (1ull << 8)
#define APIC_BASE_X2APIC  (1ull << 10)
#define APIC_BASE_ENABLE  (1ull << 11)

/* IA32_APIC_BASE as the partition sees it (SDM Vol. 3A 11.4.4): enabled
 * at the usual base, BSP on its first vCPU only, x2APIC mode where the
 * host runs it or the kind shows it. */
static uint64_t apic_base_view(const struct vcpu *v)
{
	uint64_t val = APIC_GUEST_BASE | APIC_BASE_ENABLE;

	if (v->index == 0)
		val |= APIC_BASE_BSP;
	if (v->cell->kind->x2apic_view || apic_is_x2apic())
		val |= APIC_BASE_X2APIC;
	return val;
}

static bool tandem_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	if (msr >= APIC_X2APIC_MSR_FIRST && msr <= APIC_X2APIC_MSR_LAST)
		return apic_emul_msr(v, msr, write, val);
	switch (msr) {
	case TANDEM_MSR_HYPERCALL_PAGE:
		if (write)
			return hcpage_install(v, *val) == 0;
		*val = v->cell->hypercall_page;
		return true;
	case MSR_APIC_BASE_IDX:
		/* Moving, disabling or switching the APIC would take away
		 * the one Tandem signals this CPU through. */
		if (write)
			return *val == apic_base_view(v);
		*val = apic_base_view(v);
		return true;
	case MSR_TSC:
	case MSR_TSC_ADJUST:
		return tsc_emul_msr(v, msr, write, val);
	case MSR_MTRR_DEF_TYPE:
		/* Jailhouse's inmates switch their MTRRs on at start: the
		 * register is the vCPU's own, the host's MTRRs stay. Type in
		 * bits 7:0 (UC, WC, WT, WP, WB), FE bit 10, E bit 11; any
		 * other bit #GP (SDM Vol. 3A 12.11.2.1). */
		if (!write) {
			*val = v->mtrr_def_type;
			return true;
		}
		if ((*val & ~0xcffull) ||
		    ((*val & 0xff) != 0 && (*val & 0xff) != 1 &&
		     ((*val & 0xff) < 4 || (*val & 0xff) > 6)))
			return false;
		v->mtrr_def_type = *val;
		return true;
	case MSR_XSS:
		/* No supervisor state components (CPUID 0xd.1 ECX/EDX show
		 * none): reads 0, takes 0 (SDM Vol. 1 13.3). */
	case MSR_DEBUGCTL:
		/* No branch tracing (to memory or otherwise): reads 0. */
		if (write)
			return *val == 0;
		*val = 0;
		return true;
	}
	return false;
}

static bool access_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	enum msr_how how;

	switch (vcpu_ops->vendor_msr(v, msr, write, val)) {
	case VENDOR_MSR_DONE:
		return true;
	case VENDOR_MSR_GP:
		return false;
	case VENDOR_MSR_NONE:
		break;
	}
	if (!msr_list_find(v->cell->kind->msrs, msr, &how))
		return false;
	if (how == MSR_TANDEM)
		return tandem_msr(v, msr, write, val);
	if (how == MSR_READ_DROP && write)
		return true;
	/* Intercepted while the guest's TSC differs from the CPU's. */
	if (msr == MSR_TSC_DEADLINE)
		return tsc_emul_msr(v, msr, write, val);
	/* A passed-through MSR exits only where the bitmap cannot say
	 * otherwise: refuse rather than touch the CPU's. */
	return false;
}

void handle_msr_read(struct vcpu *v)
{
	uint64_t val;

	if (!access_msr(v, v->exit.msr.index, false, &val)) {
		pr_warn_limited("cell '%s' read MSR 0x%x (RIP 0x%lx): #GP",
				v->cell->name, v->exit.msr.index, v->rip);
		vcpu_inject_gp(v);
		return;
	}
	v->regs[GPR_RAX] = (uint32_t)val;
	v->regs[GPR_RDX] = val >> 32;
	vcpu_skip_insn(v);
}

void handle_msr_write(struct vcpu *v)
{
	uint64_t val = (v->regs[GPR_RDX] << 32) | (uint32_t)v->regs[GPR_RAX];

	if (!access_msr(v, v->exit.msr.index, true, &val)) {
		pr_warn_limited("cell '%s' wrote MSR 0x%x <- 0x%lx (RIP 0x%lx): #GP",
				v->cell->name, v->exit.msr.index, val, v->rip);
		vcpu_inject_gp(v);
		return;
	}
	vcpu_skip_insn(v);
}
