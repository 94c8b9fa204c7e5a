/* Is SVM there, may it be turned on, and does it have what Tandem needs
 * (APM Vol. 2 15.4 enabling, 15.30.1 VM_CR; CPUID Fn8000_000A)? */
#include <tandem/errno.h>
#include "hw/console.h"
#include "lib/cpu.h"
#include "lib/klib.h"
#include "svm.h"
#include "virt/virt_caps.h"

#define CPUID_SVM     (1u << 2)	 /* Fn8000_0001 ECX */
#define CPUID_PAGE_1G (1u << 26) /* Fn8000_0001 EDX */
#define CPUID_NP      (1u << 0)	 /* Fn8000_000A EDX */
#define CPUID_NRIPS   (1u << 3)	 /* Fn8000_000A EDX */

bool svm_nrips;
static bool gpa_1g;

int svm_probe(struct virt_caps *c)
{
	struct cpuid_regs r;

	if (memcmp(c->vendor_id, "AuthenticAMD", 12))
		return -TANDEM_ENODEV;
	c->name = svm_ops.name;
	if (cpuid(0x80000000, 0).eax < 0x8000000a ||
	    !(cpuid(0x80000001, 0).ecx & CPUID_SVM)) {
		virt_caps_log_none(c, "no SVM in CPUID");
		virt_caps_report(
			"no AMD-V (SVM) in this CPU, or a hypervisor below hides it: Tandem cannot run guests");
		return -TANDEM_ENODEV;
	}
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		virt_caps_log_none(c, "SVM disabled by firmware (VM_CR.SVMDIS)");
		virt_caps_report(
			"AMD-V is disabled in the firmware (VM_CR.SVMDIS): Tandem cannot run guests; turn on SVM Mode in the firmware setup");
		return -TANDEM_EIO;
	}
	r = cpuid(0x8000000a, 0);
	c->tlb_tags = r.ebx;
	c->gpa_paging = r.edx & CPUID_NP;
	c->next_rip = r.edx & CPUID_NRIPS;
	/* Nested page tables use the host's formats, 1 GiB pages included;
	 * with them a guest runs unpaged or in real mode as it is (no
	 * paged real mode, 15.19). */
	c->gpa_1g_pages = cpuid(0x80000001, 0).edx & CPUID_PAGE_1G;
	c->unrestricted = c->gpa_paging;
	virt_caps_log(c, "SVM%s, %u ASIDs%s",
		      c->gpa_paging ? " with NPT" : ", no NPT", c->tlb_tags,
		      c->next_rip ? ", NRIPS" : ", no NRIPS");
	if (!c->gpa_paging)
		virt_caps_report(
			"no NPT (nested page tables): Tandem cannot run guests");
	if (!c->next_rip)
		virt_caps_report(
			"no NRIPS: Tandem assumes the plain length of intercepted instructions (CPUID, VMMCALL, RDMSR, ...): a prefixed one would be resumed wrongly");
	if (!c->gpa_paging) {
		pr_err("svm: no nested paging (NPT); cannot run guests");
		return -TANDEM_ENODEV;
	}
	svm_nrips = c->next_rip;
	gpa_1g = c->gpa_1g_pages;
	return 0;
}

bool svm_gpa_1g_pages(void)
{
	return gpa_1g;
}
