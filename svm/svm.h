/* SVM backend internals shared by svm.c and svm_exit.c. */
#ifndef TANDEM_SVM_H
#define TANDEM_SVM_H

#include <stdbool.h>
#include <stdint.h>
#include "layout.h"
#include "virt/vcpu.h"
#include "vmcb.h"

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
/* The CPU reports the next RIP on intercepts (CPUID 0x8000000A EDX[3]). */
extern bool svm_nrips;

void svm_run(struct vcpu *v);
void svm_vmrun(struct vcpu *v, uint64_t vmcb_pa, uint64_t host_area_pa);

#endif
