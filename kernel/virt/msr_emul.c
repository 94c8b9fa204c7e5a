/* Guest RDMSR and WRMSR that exit. The backend answers first for the MSRs
 * it intercepts for its own extension (vcpu_ops.vendor_msr); Tandem's own
 * is the hypercall page MSR (Xen hypercall ABI seed). Any other MSR that
 * exits raises #GP in the guest. */
#include <tandem/cpuid.h>
#include "virt/partition.h"
#include "virt/exits.h"
#include "virt/hcpage.h"

static bool access_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	switch (vcpu_ops->vendor_msr(v, msr, write, val)) {
	case VENDOR_MSR_DONE:
		return true;
	case VENDOR_MSR_GP:
		return false;
	case VENDOR_MSR_NONE:
		break;
	}
	if (msr != TANDEM_MSR_HYPERCALL_PAGE)
		return false;
	if (write)
		return hcpage_install(v, *val) == 0;
	*val = v->cell->hypercall_page;
	return true;
}

void handle_msr_read(struct vcpu *v)
{
	uint64_t val;

	if (!access_msr(v, v->exit.msr.index, false, &val)) {
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
		vcpu_inject_gp(v);
		return;
	}
	vcpu_skip_insn(v);
}
