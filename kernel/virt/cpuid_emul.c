/* CPUID as guests see it: the host's answer with the virtualization
 * extensions, TSC_ADJUST and performance monitoring hidden, OSXSAVE as the guest's CR4 has it, the
 * hypervisor bit set and x2APIC shown where the partition's kind shows
 * x2APIC mode, plus Tandem's leaves at
 * 0x40000000 (Xen hypercall ABI seed). */
#include <tandem/cpuid.h>
#include "lib/cpu.h"
#include "virt/exits.h"
#include "virt/partition.h"

static uint64_t guest_cr4(struct vcpu *v)
{
	uint64_t cr0, cr3, cr4, efer;

	vcpu_ops->get_paging(v, &cr0, &cr3, &cr4, &efer);
	return cr4;
}

void handle_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs[GPR_RAX];
	uint32_t sub = (uint32_t)v->regs[GPR_RCX];
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (leaf >= TANDEM_CPUID_BASE && leaf <= TANDEM_CPUID_BASE + 0xff) {
		switch (leaf) {
		case TANDEM_CPUID_BASE:
			r.eax = TANDEM_CPUID_MAX;
			r.ebx = TANDEM_SIGNATURE_EBX;
			r.ecx = TANDEM_SIGNATURE_ECX;
			r.edx = TANDEM_SIGNATURE_EDX;
			break;
		case TANDEM_CPUID_VERSION:
			r.eax = TANDEM_VERSION_MAJOR << 16 | TANDEM_VERSION_MINOR;
			break;
		case TANDEM_CPUID_HYPERCALL:
			r.eax = TANDEM_HYPERCALL_PAGES;
			r.ebx = TANDEM_MSR_HYPERCALL_PAGE;
			break;
		}
	} else {
		r = cpuid(leaf, sub);
		switch (leaf) {
		case 1:
			r.ecx &= ~(1u << 5); /* VMX */
			/* MONITOR/MWAIT: idle drivers that use them (Linux's
			 * intel_idle) program C-state MSRs that are on no
			 * list; a guest idles with HLT. */
			r.ecx &= ~(1u << 3);
			/* PDCM: PERF_CAPABILITIES, like every performance
			 * monitoring MSR, is on no kind's list. */
			r.ecx &= ~(1u << 15);
			/* OSXSAVE mirrors the guest's CR4, not Tandem's. */
			r.ecx &= ~(1u << 27);
			if (guest_cr4(v) & (1u << 18))
				r.ecx |= 1u << 27;
			r.ecx |= 1u << TANDEM_CPUID_HV_PRESENT_BIT;
			/* x2APIC: the MSRs work for every kind; a kind shows
			 * the bit where its IA32_APIC_BASE shows the mode. */
			if (v->cell->kind->x2apic_view)
				r.ecx |= 1u << 21;
			break;
		case 5: /* MONITOR/MWAIT leaf: hidden with the feature */
			r.eax = r.ebx = r.ecx = r.edx = 0;
			break;
		case 6:
			/* ENERGY_PERF_BIAS: a power control on no list. */
			r.ecx &= ~(1u << 3);
			break;
		case 7:
			/* TSC_ADJUST: Tandem's own (msr_emul.c), on any
			 * host. */
			if (sub == 0)
				r.ebx |= 1u << 1;
			break;
		case 0xa: /* architectural performance monitoring: none */
			r.eax = r.ebx = r.ecx = r.edx = 0;
			break;
		case 0xd:
			/* IA32_XSS is 0 for every guest (msr_emul.c): no
			 * supervisor state components. */
			if (sub == 1)
				r.ecx = r.edx = 0;
			break;
		case 0x80000001:
			r.ecx &= ~(1u << 2); /* SVM */
			break;
		case 0x8000000a: /* SVM features */
			r.eax = r.ebx = r.ecx = r.edx = 0;
			break;
		}
	}
	v->regs[GPR_RAX] = r.eax;
	v->regs[GPR_RBX] = r.ebx;
	v->regs[GPR_RCX] = r.ecx;
	v->regs[GPR_RDX] = r.edx;
	vcpu_skip_insn(v);
}
