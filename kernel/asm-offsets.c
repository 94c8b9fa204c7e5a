/* Constants and structure offsets for NASM. Compiled to assembly; the
 * Makefile turns the "->NAME value" markers into build/asm-offsets.inc, so
 * no offset is ever copied by hand. */
#include <stddef.h>
#include "layout.h"
#include "percpu.h"
#include "trampoline.h"

#define DEFINE(sym, val) \
	asm volatile("\n->" #sym " %0" : : "i"((long)(val)))

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
}
