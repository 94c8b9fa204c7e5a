/* VMX backend internals shared by the files of vmx/ and the entry stub. */
#ifndef TANDEM_VMX_VMX_H
#define TANDEM_VMX_VMX_H

#include <stdbool.h>
#include <stdint.h>
#include "virt/vcpu.h"
#include "vmcs.h"

/* IA32_FEATURE_CONTROL (SDM Vol. 3C 24.7): VMX outside SMX, once locked. */
#define MSR_FEATURE_CONTROL 0x3a
#define FC_LOCK		    (1ull << 0)
#define FC_VMX_OUTSIDE_SMX  (1ull << 2)

struct vmx_vcpu {
	void *vmcs;
	uint64_t vmcs_pa;
	uint8_t *msr_bitmap; /* 4 KiB */
	uint8_t *io_bitmap;  /* 8 KiB: A and B */
	bool launched;
	uint64_t cr0_shadow, cr4_shadow; /* what the guest believes */
};

static inline struct vmx_vcpu *vmx_of(struct vcpu *v)
{
	return v->backend;
}

/* Capabilities read once, by vmx_probe() (vmx_caps.c). */
struct vmx_caps {
	uint32_t revision;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint32_t pin, proc, proc2, exit, entry; /* the controls we use */
	bool vpid, ept_1g, invept_single;
};
extern struct vmx_caps vmx_caps;

/** vcpu_ops.probe and .gpa_1g_pages (vmx_caps.c). */
int vmx_probe(struct virt_caps *caps);
bool vmx_gpa_1g_pages(void);

/** Sets the read and write exit bits of @msr in the MSR bitmap. */
void vmx_msr_bitmap_set(uint8_t *bm, uint32_t msr, bool rd, bool wr);
/** Intercepts every MSR in a new bitmap (the core opens what passes). */
void vmx_msr_bitmap_init(uint8_t *bm);
/** vcpu_ops.set_msr_intercept: as vmx_msr_bitmap_set, but the MSRs
 * vmx_vendor_msr() answers for stay intercepted. */
void vmx_msr_intercept(uint8_t *bm, uint32_t msr, bool rd, bool wr);
/** vcpu_ops.vendor_msr (vmx_msr.c). */
enum vendor_msr vmx_vendor_msr(struct vcpu *v, uint32_t msr, bool write,
			       uint64_t *val);

/* The CR0/CR4 bits VMX forces on (fixed-0 = 1) that the guest must not
 * see: intercepted through the guest/host masks, shown via the shadows. */
uint64_t vmx_cr0_forced(void);
uint64_t vmx_cr4_forced(void);

void vmx_run(struct vcpu *v);
/** Enters the guest (VMLAUNCH or VMRESUME); 0 after a VM exit, 1 if the
 * instruction itself failed. */
int vmx_vmenter(struct vcpu *v, int launched);
/** Handles exits that are VMX mechanics, not guest events (CR access to
 * the masked bits, XSETBV); true if handled. */
bool vmx_handle_internal(struct vcpu *v, uint32_t reason);

#endif
