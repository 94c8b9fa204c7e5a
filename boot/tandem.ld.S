/* Linker script for the Tandem image (preprocessed with cpp).
 * Virtual addresses start at TANDEM_VIRT_BASE, load addresses at
 * TANDEM_LINK_PHYS; GRUB moves the whole load range (relocatable tag). The
 * image header (.header) must be first: boot/entry.asm finds it at offset 0. */
#include "layout.h"

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(_start)

PHDRS
{
	text PT_LOAD FLAGS(5);		/* R X */
	rodata PT_LOAD FLAGS(4);	/* R */
	data PT_LOAD FLAGS(6);		/* R W */
}

SECTIONS
{
	. = TANDEM_VIRT_BASE;
	__image_start = .;

	.header : AT(TANDEM_LINK_PHYS) { KEEP(*(.header)) } :text
	.text : AT(ADDR(.text) - TANDEM_VIRT_BASE + TANDEM_LINK_PHYS) {
		*(.boot)
		*(.text .text.*)
	} :text

	. = ALIGN(4096);
	.rodata : AT(ADDR(.rodata) - TANDEM_VIRT_BASE + TANDEM_LINK_PHYS) {
		*(.rodata .rodata.*)
		. = ALIGN(16);
		__trampoline_start = .;
		KEEP(*(.trampoline))
		__trampoline_end = .;
	} :rodata

	. = ALIGN(4096);
	.data : AT(ADDR(.data) - TANDEM_VIRT_BASE + TANDEM_LINK_PHYS) {
		*(.data .data.*)
	} :data

	. = ALIGN(4096);
	__bss_start = .;
	.bss : AT(ADDR(.bss) - TANDEM_VIRT_BASE + TANDEM_LINK_PHYS) {
		*(.bss .bss.*)
		*(COMMON)
	} :data
	. = ALIGN(4096);
	__bss_end = .;
	__core_end = .;
	__core_size = __core_end - __image_start;

	/DISCARD/ : { *(.comment) *(.note.*) *(.eh_frame*) }
}

ASSERT(__core_size <= TANDEM_IMAGE_MAX, "image larger than the boot page tables map")
