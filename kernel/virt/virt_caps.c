/* Detection of VMX (SDM Vol. 3C 24.6, 23.7, App. A) and SVM (APM Vol. 2
 * 15.4, 15.10). */
#include "hw/console.h"
#include "lib/cpu.h"
#include "lib/klib.h"
#include "virt/virt_caps.h"

#define MSR_VMX_BASIC		0x480
#define MSR_VMX_PROCBASED	0x482
#define MSR_VMX_PROCBASED2	0x48b
#define FC_LOCK			(1u << 0)
#define FC_VMX_OUTSIDE_SMX	(1u << 2)
#define VM_CR_SVMDIS		(1u << 4)

static void read_vmx(struct virt_caps *c)
{
	uint64_t fc, proc, proc2;

	if (!(cpuid(1, 0).ecx & (1u << 5))) {
		c->problem = "no VMX in CPUID";
		return;
	}
	fc = rdmsr(MSR_FEATURE_CONTROL);
	if ((fc & FC_LOCK) && !(fc & FC_VMX_OUTSIDE_SMX)) {
		c->problem = "VMX disabled by firmware (IA32_FEATURE_CONTROL locked)";
		return;
	}
	c->vmx = true;
	proc = rdmsr(MSR_VMX_PROCBASED);
	if (proc & (1ull << 63)) {		/* secondary controls allowed */
		proc2 = rdmsr(MSR_VMX_PROCBASED2) >> 32;
		c->ept = proc2 & (1u << 1);
		c->vpid = proc2 & (1u << 5);
		c->unrestricted = proc2 & (1u << 7);
	}
}

static void read_svm(struct virt_caps *c)
{
	struct cpuid_regs r;

	if (cpuid(0x80000000, 0).eax < 0x8000000a ||
	    !(cpuid(0x80000001, 0).ecx & (1u << 2))) {
		c->problem = "no SVM in CPUID";
		return;
	}
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		c->problem = "SVM disabled by firmware (VM_CR.SVMDIS)";
		return;
	}
	c->svm = true;
	r = cpuid(0x8000000a, 0);
	c->asids = r.ebx;
	c->npt = r.edx & (1u << 0);
	c->nrips = r.edx & (1u << 3);
}

void virt_caps_read(struct virt_caps *c)
{
	struct cpuid_regs r = cpuid(0, 0);
	uint32_t sig;

	memset(c, 0, sizeof(*c));
	memcpy(c->vendor_id + 0, &r.ebx, 4);
	memcpy(c->vendor_id + 4, &r.edx, 4);
	memcpy(c->vendor_id + 8, &r.ecx, 4);
	sig = cpuid(1, 0).eax;
	c->family = (sig >> 8) & 0xf;
	c->model = (sig >> 4) & 0xf;
	c->stepping = sig & 0xf;
	if (c->family == 0xf)
		c->family += (sig >> 20) & 0xff;
	if (c->family >= 6)
		c->model |= ((sig >> 16) & 0xf) << 4;

	if (!memcmp(c->vendor_id, "GenuineIntel", 12)) {
		c->vendor = VENDOR_INTEL;
		read_vmx(c);
	} else if (!memcmp(c->vendor_id, "AuthenticAMD", 12)) {
		c->vendor = VENDOR_AMD;
		read_svm(c);
	} else {
		c->problem = "CPU vendor has neither VMX nor SVM";
	}
}

void virt_caps_log(const struct virt_caps *c)
{
	if (c->vmx)
		pr_info("cpu: %s family %u model %u: VMX%s%s%s",
			c->vendor_id, c->family, c->model,
			c->ept ? ", EPT" : ", no EPT",
			c->unrestricted ? ", unrestricted guest" :
					  ", no unrestricted guest",
			c->vpid ? ", VPID" : "");
	else if (c->svm)
		pr_info("cpu: %s family %u model %u: SVM%s, %u ASIDs%s",
			c->vendor_id, c->family, c->model,
			c->npt ? " with NPT" : ", no NPT", c->asids,
			c->nrips ? ", NRIPS" : ", no NRIPS");
	else
		pr_warn("cpu: %s family %u model %u: no hardware virtualization: %s",
			c->vendor_id, c->family, c->model, c->problem);
}
