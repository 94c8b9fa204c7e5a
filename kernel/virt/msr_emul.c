/* The MSRs Tandem owns or hides: EFER (SVME is Tandem's), SVM's VM_CR and
 * VM_HSAVE_PA (SVM is hidden), and the hypercall page MSR (Xen hypercall
 * ABI seed). Any other intercepted MSR raises #GP in the guest. */
#include <tandem/cpuid.h>
#include "virt/partition.h"
#include "hw/console.h"
#include "lib/cpu.h"
#include "virt/exits.h"
#include "virt/hcpage.h"

#define MSR_VM_HSAVE_PA		0xc0010117
#define VM_CR_LOCK		(1u << 3)
#define VM_CR_SVMDIS		(1u << 4)
#define EFER_SCE		(1u << 0)
#define EFER_LMA		(1u << 10)
#define EFER_FFXSR		(1u << 14)
#define EFER_TCE		(1u << 15)
#define EFER_GUEST_BITS		(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | \
				 EFER_FFXSR | EFER_TCE)

static bool read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	uint64_t cr0, cr3, cr4, efer;

	switch (msr) {
	case MSR_EFER:
		vcpu_ops->get_paging(v, &cr0, &cr3, &cr4, &efer);
		*val = efer;
		return true;
	case MSR_VM_CR:
		*val = VM_CR_LOCK | VM_CR_SVMDIS;	/* "SVM disabled" */
		return true;
	case MSR_VM_HSAVE_PA:
		*val = 0;
		return true;
	case TANDEM_MSR_HYPERCALL_PAGE:
		*val = v->cell->hypercall_page;
		return true;
	}
	return false;
}

static bool write_efer(struct vcpu *v, uint64_t val)
{
	struct vcpu_state st;

	if (val & ~(uint64_t)EFER_GUEST_BITS)
		return false;
	vcpu_ops->get_state(v, &st);
	st.efer = (val & ~(uint64_t)EFER_LMA) | (st.efer & EFER_LMA);
	vcpu_ops->set_state(v, &st);
	return true;
}

static bool write_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	switch (msr) {
	case MSR_EFER:
		return write_efer(v, val);
	case TANDEM_MSR_HYPERCALL_PAGE:
		return hcpage_install(v, val) == 0;
	}
	return false;
}

void handle_msr_read(struct vcpu *v)
{
	uint64_t val;

	if (!read_msr(v, v->exit.msr.index, &val)) {
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

	if (!write_msr(v, v->exit.msr.index, val)) {
		vcpu_inject_gp(v);
		return;
	}
	vcpu_skip_insn(v);
}
