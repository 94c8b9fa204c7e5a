/* Is VMX there, may it be turned on, and does it have what Tandem needs
 * (SDM Vol. 3C 24.6, 24.7; the capability MSRs, Vol. 3D Appendix A)?
 * The MSRs are read once, here; vmx_caps keeps what the backend uses. */
#include <tandem/errno.h>
#include "hw/console.h"
#include "lib/cpu.h"
#include "lib/klib.h"
#include "vmx.h"
#include "virt/virt_caps.h"

#define CPUID_VMX	  (1u << 5)   /* leaf 1 ECX */
#define EPT_WALK_4	  (1ull << 6) /* IA32_VMX_EPT_VPID_CAP (A.10) */
#define EPT_WB		  (1ull << 14)
#define EPT_1G		  (1ull << 17)
#define EPT_INVEPT_SINGLE (1ull << 25)
#define VPID_COUNT	  0xffff /* 16 bits, 0 is VMX root's */

struct vmx_caps vmx_caps;

/* Allowed-0 bits must be 1, allowed-1 bits may be 1 (SDM Vol. 3D A.3). */
static uint32_t adjust(uint64_t cap, uint32_t want, uint32_t need,
		       const char *what, bool *ok)
{
	uint32_t must = (uint32_t)cap, may = cap >> 32;

	if ((need & may) != need) {
		pr_err("vmx: %s control bits 0x%x missing (allowed 0x%x)", what,
		       need & ~may, may);
		*ok = false;
	}
	return (want | need | must) & may;
}

/* The controls Tandem uses, from the allowed settings; false (after a
 * line saying which) if one it needs is missing. */
static bool choose_controls(uint64_t basic, uint64_t proc_cap, uint64_t proc2_cap)
{
	struct vmx_caps *c = &vmx_caps;
	bool tru = basic & VMX_BASIC_TRUE_CTLS, ok = true;
	uint64_t ept_cap;

	c->revision = basic & 0x7fffffff;
	c->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	c->pin = adjust(rdmsr(tru ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED),
			0, PIN_NMI_EXITING, "pin-based", &ok);
	c->proc = adjust(tru ? rdmsr(MSR_VMX_TRUE_PROCBASED) : proc_cap, 0,
			 PROC_TSC_OFFSET | PROC_IO_BITMAPS | PROC_MSR_BITMAPS |
				 PROC_SECONDARY,
			 "processor-based", &ok);
	c->proc &= ~(PROC_CR3_LOAD | PROC_CR3_STORE | PROC_HLT);
	c->proc2 = adjust(proc2_cap,
			  PROC2_RDTSCP | PROC2_VPID | PROC2_INVPCID | PROC2_XSAVES,
			  PROC2_EPT | PROC2_UNRESTRICTED, "secondary", &ok);
	c->exit = adjust(rdmsr(tru ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT),
			 EXIT_SAVE_PAT | EXIT_LOAD_PAT,
			 EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER,
			 "VM-exit", &ok);
	c->entry = adjust(rdmsr(tru ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY),
			  ENTRY_LOAD_PAT, ENTRY_LOAD_EFER, "VM-entry", &ok);
	c->entry &= ~ENTRY_IA32E;
	c->vpid = c->proc2 & PROC2_VPID;
	ept_cap = rdmsr(MSR_VMX_EPT_VPID_CAP);
	c->ept_1g = ept_cap & EPT_1G;
	c->invept_single = ept_cap & EPT_INVEPT_SINGLE;
	if (!(ept_cap & EPT_WALK_4) || !(ept_cap & EPT_WB)) {
		pr_err("vmx: EPT lacks 4-level walks or write-back tables");
		ok = false;
	}
	return ok;
}

int vmx_probe(struct virt_caps *c)
{
	uint64_t fc, basic, proc_cap, proc2_cap = 0;
	uint32_t proc2_may;

	if (memcmp(c->vendor_id, "GenuineIntel", 12))
		return -TANDEM_ENODEV;
	c->name = vmx_ops.name;
	if (!(cpuid(1, 0).ecx & CPUID_VMX)) {
		virt_caps_log_none(c, "no VMX in CPUID");
		virt_caps_report(
			"no VT-x (VMX) in this CPU, or a hypervisor below hides it: Tandem cannot run guests");
		return -TANDEM_ENODEV;
	}
	fc = rdmsr(MSR_FEATURE_CONTROL);
	if ((fc & FC_LOCK) && !(fc & FC_VMX_OUTSIDE_SMX)) {
		virt_caps_log_none(c,
				   "VMX disabled by firmware (IA32_FEATURE_CONTROL locked)");
		virt_caps_report(
			"VT-x is disabled in the firmware (IA32_FEATURE_CONTROL locked without VMX): Tandem cannot run guests; turn on Intel Virtualization Technology in the firmware setup");
		return -TANDEM_EIO;
	}

	basic = rdmsr(MSR_VMX_BASIC);
	proc_cap = rdmsr(MSR_VMX_PROCBASED);
	if ((proc_cap >> 32) & PROC_SECONDARY)
		proc2_cap = rdmsr(MSR_VMX_PROCBASED2);
	proc2_may = proc2_cap >> 32;
	c->gpa_paging = proc2_may & PROC2_EPT;
	c->unrestricted = proc2_may & PROC2_UNRESTRICTED;
	c->tlb_tags = (proc2_may & PROC2_VPID) ? VPID_COUNT : 0;
	c->next_rip = true; /* the VM-exit instruction length */
	virt_caps_log(c, "VMX%s%s%s", c->gpa_paging ? ", EPT" : ", no EPT",
		      c->unrestricted ? ", unrestricted guest" :
					", no unrestricted guest",
		      c->tlb_tags ? ", VPID" : "");
	if (!c->gpa_paging)
		virt_caps_report(
			"no EPT (extended page tables): Tandem cannot run guests");
	if (!c->unrestricted)
		virt_caps_report(
			"no unrestricted guest (VMX real mode): Tandem cannot run guests");
	if (!c->tlb_tags)
		virt_caps_report(
			"no VPID: guests' TLB entries are flushed on every VM exit and entry (slower)");
	if (!c->gpa_paging || !c->unrestricted) {
		pr_err("vmx: %s missing; cannot run guests",
		       !c->gpa_paging ? "EPT" : "unrestricted guest");
		return -TANDEM_ENODEV;
	}
	if (!choose_controls(basic, proc_cap, proc2_cap))
		return -TANDEM_EIO;
	c->gpa_1g_pages = vmx_caps.ept_1g;
	return 0;
}

bool vmx_gpa_1g_pages(void)
{
	return vmx_caps.ept_1g;
}
