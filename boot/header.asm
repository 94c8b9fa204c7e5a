; The first bytes of the Tandem image: the hypervisor image header (Jailhouse
; bootstrap seed) followed by the Multiboot2 header GRUB looks for in the
; first 32 KiB of the file.
%include "asm-offsets.inc"

extern __core_size
extern tandem_entry
extern _start

section .header progbits alloc noexec nowrite align=8

; Hypervisor image header (kernel/header.h, struct tandem_header).
; Signature, core size, per-CPU size and entry are preset here; boot/ fills in
; the possible and online CPU counts before it calls the entry on each CPU.
global tandem_header
tandem_header:
	db "TANDEMHV"
	dq __core_size
	dq PER_CPU_SIZE
	dq tandem_entry
	dd 0			; possible CPUs
	dd 0			; online CPUs
	dd 0, 0			; reserved

; Multiboot2 header (Multiboot2 spec 3.1). Tags are 8-byte aligned.
MB2_MAGIC	equ 0xe85250d6
MB2_ARCH_I386	equ 0
	align 8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	align 8
	; Information request (type 1), optional so an older loader still boots
	; us: command line, modules, memory map, framebuffer, ACPI old and new
	; RSDP, load base address.
.info_req:
	dw 1, 1
	dd .info_req_end - .info_req
	dd 1, 3, 6, 8, 14, 15, 21
.info_req_end:

	align 8
	; Console flags (type 4): EGA text supported, no console required.
	dw 4, 0
	dd 12
	dd 2

	align 8
	; Framebuffer (type 5, 3.1.9), optional: on UEFI, where there is no
	; text mode, GRUB hands over its linear framebuffer and Tandem draws
	; its log on it (VGA text where a loader gives none: our ISO under
	; BIOS). 0x0x0: the mode is GRUB's choice.
	dw 5, 1
	dd 20
	dd 0, 0, 0

	align 8
	; Relocatable (type 10, 3.1.10): anywhere 2 MiB aligned between 16 MiB
	; and 4 GiB, as high as possible, out of the way of guests linked low.
	dw 10, 0
	dd 24
	dd TANDEM_LOAD_MIN
	dd TANDEM_LOAD_MAX
	dd TANDEM_LOAD_ALIGN
	dd 2			; preference: highest

	align 8
	dw 0, 0			; end tag
	dd 8
mb2_header_end:
