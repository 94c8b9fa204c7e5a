/* Constants and structure offsets for NASM. Compiled to assembly; the
 * Makefile turns the "->NAME value" markers into build/asm-offsets.inc, so
 * no offset is ever copied by hand. */
#include <stddef.h>
#include "layout.h"
#include "hw/percpu.h"
#include "boot/trampoline.h"
#include "virt/vcpu.h"
#include "virt/leave.h"

#define DEFINE(sym, val) asm volatile("\n->" #sym " %0" : : "i"((long)(val)))

void asm_offsets(void);

void asm_offsets(void)
{
	DEFINE(TANDEM_VIRT_BASE, TANDEM_VIRT_BASE);
	DEFINE(TANDEM_LINK_PHYS, TANDEM_LINK_PHYS);
	DEFINE(TANDEM_LOAD_MIN, TANDEM_LOAD_MIN);
	DEFINE(TANDEM_LOAD_MAX, TANDEM_LOAD_MAX);
	DEFINE(TANDEM_LOAD_ALIGN, TANDEM_LOAD_ALIGN);
	DEFINE(TANDEM_IMAGE_MAX, TANDEM_IMAGE_MAX);
	DEFINE(DIRECT_PML4_INDEX, DIRECT_PML4_INDEX);
	DEFINE(PER_CPU_SIZE, PER_CPU_SIZE);
	DEFINE(BOOT_STACK_SIZE, BOOT_STACK_SIZE);
	DEFINE(GDT_CODE64, GDT_CODE64);
	DEFINE(GDT_DATA, GDT_DATA);
	DEFINE(GDT_CODE32, GDT_CODE32);

	DEFINE(TRAMP_GDTR, offsetof(struct trampoline_data, gdtr_limit));
	DEFINE(TRAMP_JMP32, offsetof(struct trampoline_data, jmp32_offset));
	DEFINE(TRAMP_JMP64, offsetof(struct trampoline_data, jmp64_offset));
	DEFINE(TRAMP_CR3, offsetof(struct trampoline_data, cr3));
	DEFINE(TRAMP_EFER, offsetof(struct trampoline_data, efer));
	DEFINE(TRAMP_STACK, offsetof(struct trampoline_data, stack));
	DEFINE(TRAMP_ENTRY, offsetof(struct trampoline_data, entry));
	DEFINE(TRAMP_GDT, offsetof(struct trampoline_data, gdt));
	DEFINE(TRAMP_DATA_OFFSET, TRAMPOLINE_DATA_OFFSET);

	DEFINE(TRAP_FRAME_SIZE, sizeof(struct trap_frame));
	DEFINE(NS_CR0, offsetof(struct native_state, cr0));
	DEFINE(NS_CR3, offsetof(struct native_state, cr3));
	DEFINE(NS_CR4, offsetof(struct native_state, cr4));
	DEFINE(NS_FS_BASE, offsetof(struct native_state, fs_base));
	DEFINE(NS_GS_BASE, offsetof(struct native_state, gs_base));
	DEFINE(NS_RIP, offsetof(struct native_state, rip));
	DEFINE(NS_RFLAGS, offsetof(struct native_state, rflags));
	DEFINE(NS_RSP, offsetof(struct native_state, rsp));
	DEFINE(NS_CS, offsetof(struct native_state, cs));
	DEFINE(NS_SS, offsetof(struct native_state, ss));
	DEFINE(NS_DS, offsetof(struct native_state, ds));
	DEFINE(NS_ES, offsetof(struct native_state, es));
	DEFINE(NS_FS, offsetof(struct native_state, fs));
	DEFINE(NS_GS, offsetof(struct native_state, gs));
	DEFINE(NS_TR, offsetof(struct native_state, tr));
	DEFINE(NS_LDTR, offsetof(struct native_state, ldtr));
	DEFINE(NS_GDTR, offsetof(struct native_state, gdtr_limit));
	DEFINE(NS_IDTR, offsetof(struct native_state, idtr_limit));
	DEFINE(NS_TR_GDT, offsetof(struct native_state, tr_gdt_limit));
	DEFINE(NS_STACK_TOP, NATIVE_STACK_TOP);
	DEFINE(NS_RAX, offsetof(struct native_state, regs[GPR_RAX]));
	DEFINE(NS_RCX, offsetof(struct native_state, regs[GPR_RCX]));
	DEFINE(NS_RDX, offsetof(struct native_state, regs[GPR_RDX]));
	DEFINE(NS_RBX, offsetof(struct native_state, regs[GPR_RBX]));
	DEFINE(NS_RBP, offsetof(struct native_state, regs[GPR_RBP]));
	DEFINE(NS_RSI, offsetof(struct native_state, regs[GPR_RSI]));
	DEFINE(NS_RDI, offsetof(struct native_state, regs[GPR_RDI]));
	DEFINE(NS_R8, offsetof(struct native_state, regs[GPR_R8]));
	DEFINE(NS_R9, offsetof(struct native_state, regs[GPR_R9]));
	DEFINE(NS_R10, offsetof(struct native_state, regs[GPR_R10]));
	DEFINE(NS_R11, offsetof(struct native_state, regs[GPR_R11]));
	DEFINE(NS_R12, offsetof(struct native_state, regs[GPR_R12]));
	DEFINE(NS_R13, offsetof(struct native_state, regs[GPR_R13]));
	DEFINE(NS_R14, offsetof(struct native_state, regs[GPR_R14]));
	DEFINE(NS_R15, offsetof(struct native_state, regs[GPR_R15]));

	DEFINE(VCPU_RAX, offsetof(struct vcpu, regs[GPR_RAX]));
	DEFINE(VCPU_RCX, offsetof(struct vcpu, regs[GPR_RCX]));
	DEFINE(VCPU_RDX, offsetof(struct vcpu, regs[GPR_RDX]));
	DEFINE(VCPU_RBX, offsetof(struct vcpu, regs[GPR_RBX]));
	DEFINE(VCPU_RSP, offsetof(struct vcpu, regs[GPR_RSP]));
	DEFINE(VCPU_RBP, offsetof(struct vcpu, regs[GPR_RBP]));
	DEFINE(VCPU_RSI, offsetof(struct vcpu, regs[GPR_RSI]));
	DEFINE(VCPU_RDI, offsetof(struct vcpu, regs[GPR_RDI]));
	DEFINE(VCPU_R8, offsetof(struct vcpu, regs[GPR_R8]));
	DEFINE(VCPU_R9, offsetof(struct vcpu, regs[GPR_R9]));
	DEFINE(VCPU_R10, offsetof(struct vcpu, regs[GPR_R10]));
	DEFINE(VCPU_R11, offsetof(struct vcpu, regs[GPR_R11]));
	DEFINE(VCPU_R12, offsetof(struct vcpu, regs[GPR_R12]));
	DEFINE(VCPU_R13, offsetof(struct vcpu, regs[GPR_R13]));
	DEFINE(VCPU_R14, offsetof(struct vcpu, regs[GPR_R14]));
	DEFINE(VCPU_R15, offsetof(struct vcpu, regs[GPR_R15]));
}
