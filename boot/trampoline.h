/* The AP start-up trampoline page (boot/trampoline.asm): code at offset 0,
 * parameters at TRAMPOLINE_DATA_OFFSET, filled in by boot/smp.c before each
 * INIT-SIPI-SIPI. */
#ifndef TANDEM_BOOT_TRAMPOLINE_H
#define TANDEM_BOOT_TRAMPOLINE_H

#include <stdint.h>

#define TRAMPOLINE_DATA_OFFSET 0xe00

struct __attribute__((packed)) trampoline_data {
	uint16_t gdtr_limit; /* lgdt operand: limit, 32-bit base */
	uint32_t gdtr_base;
	uint16_t pad0;
	uint32_t jmp32_offset; /* far pointer into 32-bit code */
	uint16_t jmp32_sel;
	uint16_t pad1;
	uint32_t jmp64_offset; /* far pointer into 64-bit code */
	uint16_t jmp64_sel;
	uint16_t pad2;
	uint32_t cr3;	 /* boot page tables, below 4 GiB */
	uint32_t efer;	 /* EFER bits to set (LME, NXE) */
	uint64_t stack;	 /* the AP's first RSP (virtual) */
	uint64_t entry;	 /* 64-bit entry (virtual) */
	uint64_t gdt[4]; /* null, code64, data, code32 */
};

_Static_assert(sizeof(struct trampoline_data) == 80, "trampoline data layout");

#endif
