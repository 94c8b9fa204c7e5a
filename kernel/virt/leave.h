/* Leaving virtualization on a CPU for good (Disable). */
#ifndef TANDEM_VIRT_LEAVE_H
#define TANDEM_VIRT_LEAVE_H

#include <stdbool.h>
#include <stdint.h>
#include "virt/vcpu.h"

/* The root guest's state as the resume code loads it (boot/resume_native.asm;
 * offsets generated into asm-offsets.inc). */
struct native_state {
	uint64_t cr0, cr3, cr4;
	uint64_t fs_base, gs_base;
	uint64_t rip, rflags, rsp;
	uint64_t cs, ss;
	uint64_t regs[GPR_COUNT];
	uint16_t ds, es, fs, gs, tr, ldtr;
	uint16_t gdtr_limit;
	uint64_t gdtr_base;
	uint16_t idtr_limit;
	uint64_t idtr_base;
	/* A copy of the guest's GDT for LTR (limit 0: none, LTR uses the
	 * guest's own): LTR sets the busy bit of the TSS descriptor, and the
	 * guest's GDT may be mapped read-only (Linux's is). */
	uint16_t tr_gdt_limit;
	uint64_t tr_gdt_base;
} __attribute__((packed));

#define NATIVE_GDT_COPY	    0x400 /* offset of the GDT copy in the state page */
#define NATIVE_GDT_COPY_MAX 0x800
#define NATIVE_STACK_TOP    0xff0 /* within the state page */

/** True when a root vCPU in state @st can continue natively (64-bit mode
 * with 4-level paging whose top table is root RAM). */
bool vcpu_can_leave(const struct vcpu_state *st);

/** Called by a CPU's loop for VCPU_REQ_DISABLE: turns virtualization off
 * here; a running root vCPU continues natively, any other CPU halts (the
 * caller sends it INIT). Never returns. */
__attribute__((noreturn)) void disable_this_cpu(struct vcpu *v);

#endif
