; Multiboot2 entry: 32-bit protected mode, paging off (Multiboot2 spec 3.3),
; to 64-bit long mode at Tandem's virtual address, then into C.
;
; GRUB may have placed the image anywhere (relocatable tag), so this code is
; position independent: it takes the load base from the Multiboot2 "load base
; address" tag and addresses everything as base + (symbol - TANDEM_VIRT_BASE).
; The stack pointer GRUB leaves is undefined, so nothing is pushed until the
; boot stack is set up.
%include "asm-offsets.inc"

extern boot_main
extern __bss_start
extern __bss_end

%define OFF(sym) ((sym) - TANDEM_VIRT_BASE)

MB2_BOOT_MAGIC	equ 0x36d76289
MB2_TAG_LOAD_BASE equ 21
PTE_P		equ 1
PTE_W		equ 2
PTE_PS		equ 0x80
EFER		equ 0xc0000080

section .boot progbits alloc exec nowrite align=16
bits 32
global _start
_start:
	cli
	cld
	mov edi, eax			; Multiboot2 magic
	mov esi, ebx			; boot information (physical)

	; Find the load base address tag; without one, the image was not moved.
	mov ebp, TANDEM_LINK_PHYS
	cmp edi, MB2_BOOT_MAGIC
	jne .have_base
	lea edx, [esi + 8]
	mov ecx, [esi]
	add ecx, esi			; end of boot information
.next_tag:
	cmp edx, ecx
	jae .have_base
	mov eax, [edx]
	test eax, eax
	jz .have_base
	cmp eax, MB2_TAG_LOAD_BASE
	je .found_base
	mov eax, [edx + 4]
	cmp eax, 8
	jb .have_base			; malformed: C reports it later
	add eax, 7
	and eax, ~7
	add edx, eax
	jmp .next_tag
.found_base:
	mov ebp, [edx + 8]
.have_base:
	; Refuse to run from an image that is not ours at that base.
	cmp dword [ebp], "TAND"		; image header signature at offset 0
	jne no_image

	lea esp, [ebp + OFF(boot_stack_top)]

	; Long mode present? (CPUID 0x80000001 EDX bit 29)
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb no_long_mode
	mov eax, 0x80000001
	cpuid
	bt edx, 29
	jnc no_long_mode

	; Boot page tables (.bss, zeroed here: never trust the loader for it).
	push edi
	lea edi, [ebp + OFF(boot_pml4)]
	mov ecx, (boot_tables_end - boot_pml4) / 4
	xor eax, eax
	rep stosd
	pop edi

	; PML4[0] and PML4[DIRECT]: identity and direct map of the low 4 GiB.
	lea eax, [ebp + OFF(boot_pdpt_low) + PTE_P + PTE_W]
	mov [ebp + OFF(boot_pml4)], eax
	mov [ebp + OFF(boot_pml4) + DIRECT_PML4_INDEX * 8], eax
	; PML4[511] -> PDPT[511] -> image PD.
	lea eax, [ebp + OFF(boot_pdpt_high) + PTE_P + PTE_W]
	mov [ebp + OFF(boot_pml4) + 511 * 8], eax
	lea eax, [ebp + OFF(boot_pd_image) + PTE_P + PTE_W]
	mov [ebp + OFF(boot_pdpt_high) + 511 * 8], eax

	; Low PDPT: four PDs of 2 MiB pages.
	lea eax, [ebp + OFF(boot_pd_low) + PTE_P + PTE_W]
	lea ebx, [ebp + OFF(boot_pdpt_low)]
	mov ecx, 4
.pdpt_loop:
	mov [ebx], eax
	add eax, 4096
	add ebx, 8
	loop .pdpt_loop

	lea ebx, [ebp + OFF(boot_pd_low)]
	mov eax, PTE_P + PTE_W + PTE_PS
	mov ecx, 2048
.pd_low_loop:
	mov [ebx], eax
	add eax, 0x200000
	add ebx, 8
	loop .pd_low_loop

	; Image PD: the image and its .bss, 2 MiB pages from the load base.
	lea ebx, [ebp + OFF(boot_pd_image)]
	lea eax, [ebp + PTE_P + PTE_W + PTE_PS]
	mov ecx, TANDEM_IMAGE_MAX / 0x200000
.pd_image_loop:
	mov [ebx], eax
	add eax, 0x200000
	add ebx, 8
	loop .pd_image_loop

	; CR4.PAE, CR3, EFER.LME, then CR0.PG (SDM Vol. 3A 10.8.5).
	mov eax, cr4
	or eax, 1 << 5
	mov cr4, eax
	lea eax, [ebp + OFF(boot_pml4)]
	mov cr3, eax
	mov ecx, EFER
	rdmsr
	or eax, 1 << 8
	wrmsr
	mov eax, cr0
	and eax, ~(3 << 29)		; caches on (CD, NW clear)
	or eax, (1 << 31) | (1 << 16) | 1
	mov cr0, eax

	lea eax, [ebp + OFF(boot_gdt)]
	mov [ebp + OFF(boot_gdtr) + 2], eax
	mov dword [ebp + OFF(boot_gdtr) + 6], 0
	lgdt [ebp + OFF(boot_gdtr)]
	lea eax, [ebp + OFF(long_mode_low)]
	push dword GDT_CODE64
	push eax
	retf

bits 64
long_mode_low:
	mov rax, long_mode_high
	jmp rax
long_mode_high:
	mov rax, boot_gdt
	mov [rel boot_gdtr + 2], rax
	lgdt [rel boot_gdtr]
	mov ax, GDT_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	lea rsp, [rel boot_stack_top]
	; boot_main(magic, boot info physical address, load base)
	mov edi, edi
	mov esi, esi
	mov edx, ebp
	call boot_main
	jmp halt_forever

bits 32
; 32-bit failure paths: one line on COM1 without touching memory (we may not
; know where we are), then halt.
%macro serial_puts 1
	%strlen %%len %1
	%assign %%i 1
	%rep %%len
		%substr %%c %1 %%i
		mov dx, 0x3f8 + 5
	%%wait %+ %%i:
		in al, dx
		test al, 0x20
		jz %%wait %+ %%i
		mov dx, 0x3f8
		mov al, %%c
		out dx, al
		%assign %%i %%i + 1
	%endrep
%endmacro
no_image:
	serial_puts `tandem: image header not found at the load base; halting\r\n`
	jmp halt32
no_long_mode:
	serial_puts `tandem: this CPU has no 64-bit long mode; halting\r\n`
halt32:
	cli
	hlt
	jmp halt32

bits 64
global halt_forever
halt_forever:
	cli
	hlt
	jmp halt_forever

section .data
align 16
; Shared GDT: the per-CPU GDTs (kernel/gdt.c) copy these descriptors.
global boot_gdt
boot_gdt:
	dq 0
	dq 0x00af9a000000ffff		; 0x08 64-bit code
	dq 0x00cf92000000ffff		; 0x10 data
	dq 0x00cf9a000000ffff		; 0x18 32-bit code
boot_gdt_end:
global boot_gdtr
boot_gdtr:
	dw boot_gdt_end - boot_gdt - 1
	dq 0

section .bss nobits alloc noexec write align=4096
global boot_pml4
global boot_pdpt_low
boot_pml4:	resb 4096
boot_pdpt_low:	resb 4096
boot_pdpt_high:	resb 4096
boot_pd_image:	resb 4096
boot_pd_low:	resb 4 * 4096
boot_tables_end:
global boot_stack_top
boot_stack:	resb BOOT_STACK_SIZE
boot_stack_top:

; First 64-bit code of an application processor, reached from the
; trampoline on the boot page tables with RSP at the top of its per-CPU
; stack: switch to Tandem's virtual GDT and go to C.
extern ap_main
section .text
bits 64
global ap_entry64
ap_entry64:
	lgdt [rel boot_gdtr]
	mov ax, GDT_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	push GDT_CODE64
	lea rax, [rel .reload_cs]
	push rax
	retfq
.reload_cs:
	call ap_main
	jmp halt_forever
