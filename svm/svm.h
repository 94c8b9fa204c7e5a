/* SVM backend internals shared by the files of svm/. */
#ifndef TANDEM_SVM_SVM_H
#define TANDEM_SVM_SVM_H

#include <stdbool.h>
#include <stdint.h>
#include "layout.h"
#include "virt/vcpu.h"
#include "vmcb.h"

/* SVM's MSRs (APM Vol. 2 15.30). */
#define EFER_SVME	(1u << 12) /* APM Vol. 2 3.1.7 */
#define MSR_VM_CR	0xc0010114
#define MSR_VM_HSAVE_PA 0xc0010117
#define VM_CR_LOCK	(1u << 3)
#define VM_CR_SVMDIS	(1u << 4)

struct svm_vcpu {
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	uint8_t *msrpm;
	uint8_t *iopm;
};

static inline struct svm_vcpu *svm_of(struct vcpu *v)
{
	return v->backend;
}

extern uint64_t svm_host_area_pa[TANDEM_MAX_CPUS];
/* The CPU reports the next RIP on intercepts (CPUID 0x8000000A EDX[3]);
 * set by svm_probe(). */
extern bool svm_nrips;

/** vcpu_ops.probe and .gpa_1g_pages (svm_probe.c). */
int svm_probe(struct virt_caps *caps);
bool svm_gpa_1g_pages(void);

/** Sets the two intercept bits of @msr in the MSR permission map. */
void svm_msrpm_set(uint8_t *msrpm, uint32_t msr, bool rd, bool wr);
#define MSRPM_PAGES 2
#define MSRPM_SIZE  (MSRPM_PAGES * 4096)

/** Intercepts every MSR in a new map (the core opens what passes). */
void svm_msrpm_init(uint8_t *msrpm);
/** vcpu_ops.set_msr_intercept: as svm_msrpm_set, but the MSRs
 * svm_vendor_msr() answers for stay intercepted. */
void svm_msr_intercept(uint8_t *msrpm, uint32_t msr, bool rd, bool wr);
/** vcpu_ops.vendor_msr (svm_msr.c). */
enum vendor_msr svm_vendor_msr(struct vcpu *v, uint32_t msr, bool write,
			       uint64_t *val);

void svm_run(struct vcpu *v);
void svm_vmrun(struct vcpu *v, uint64_t vmcb_pa, uint64_t host_area_pa);

#endif
