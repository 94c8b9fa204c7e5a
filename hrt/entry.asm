; The HRT's Multiboot2 header with the HRT tag, the 64-bit entry every HRT
; core takes at the same time, the HRT's own GDT, and the interrupt stubs.
;
; Entry state (Palacios HVM, as Tandem gives it): 64-bit mode, paging on
; with Tandem's tables, interrupts off; RAX = 0x36d76289, RBX = virtual
; address of the Multiboot2 boot information, RCX = vCPU id, RDX = index
; among HRT cores, RSP = a stack of Tandem's; CS = 0x8, DS/SS = 0x10.
extern hrt_main
extern hrt_trap
extern hrt_stacks
extern hrt_stack_size
extern hrt_max_cores
extern hrt_entry_phys			; hrt/hrt.ld: hrt_entry - the offset
%if HRT_VERSION == 2
extern hrt_header_phys, hrt_load_phys	; hrt/hrt.ld, for the address tag
extern hrt_load_end_phys, hrt_bss_end_phys
%endif

MB2_MAGIC	equ 0xe85250d6
MB2_ARCH_I386	equ 0
MB2_TAG_OPTIONAL equ 1

; HRT tag (type 0xf00d) payload; tandem/hvm.h struct tandem_mb2_hrt_tag.
HRT_TAG_TYPE	equ 0xf00d
%if HRT_VERSION == 2
HRT_FLAGS	equ 0x10200		; 2 MiB pages; upcalls as the magic #PF
%else
HRT_FLAGS	equ 0x200		; map with 2 MiB pages
%endif
HRT_MAX_MEM	equ 0x200000000		; 8 GiB
HRT_GVA_OFFSET	equ 0xffff800000000000
HRT_GVA_ENTRY	equ 0			; the entry tag, plus the offset
HRT_COMM_PAGE	equ 0x1fffff000		; far above RAM, as Nautilus asks
HRT_VECTOR	equ 0xf0

SEL_CODE	equ 0x08
SEL_DATA	equ 0x10

; Multiboot2 spec 3.1: 8-byte aligned, within the first 32 KiB of the file
; (hrt/hrt.ld puts .mb2 first).
section .mb2 progbits alloc noexec nowrite align=8
align 8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd 0x100000000 - (MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	; Information request (3.1.4), optional: command line, memory map.
	align 8
	dw 1, MB2_TAG_OPTIONAL
	dd 16
	dd 1, 6

%if HRT_VERSION == 2
	; Address (3.1.5), in the layout of Nautilus's HVM_HRT build: the load
	; starts after this header (load_addr above header_addr), so GRUB's
	; rule takes it from the file bytes after the header; the header
	; itself is not loaded. The file maps linearly onto the physical
	; addresses (hrt/hrt.mk links version 2 so, and checks it).
	align 8
	dw 2, 0
	dd 24
	dd hrt_header_phys
	dd hrt_load_phys
	dd hrt_load_end_phys
	dd hrt_bss_end_phys
%endif

	; Entry address (3.1.6): the physical entry.
	align 8
	dw 3, 0
	dd 12
	dd hrt_entry_phys

	; The HRT tag, flags 0 as Nautilus has it.
	align 8
	dw HRT_TAG_TYPE, 0
	dd 56
	dq HRT_FLAGS
	dq HRT_MAX_MEM
	dq HRT_GVA_OFFSET
	dq HRT_GVA_ENTRY
	dq HRT_COMM_PAGE
	db HRT_VECTOR
	times 7 db 0

	; End tag.
	align 8
	dw 0, 0
	dd 8
mb2_header_end:

section .text
bits 64

; Own stack first (index < hrt_max_cores; otherwise Tandem's stays and
; hrt_main() stops the core), then the HRT's own GDT, then C.
global hrt_entry
hrt_entry:
	cli
	cld
	mov r12, rax			; magic
	mov r13, rbx			; boot information
	mov r14, rcx			; vCPU id
	mov r15, rdx			; index among HRT cores
	cmp r15, [rel hrt_max_cores]
	jae .stack_done
	lea rax, [r15 + 1]
	imul rax, [rel hrt_stack_size]
	mov rsp, hrt_stacks
	add rsp, rax
.stack_done:
	lgdt [rel gdt_ptr]
	mov eax, SEL_DATA
	mov ds, eax
	mov es, eax
	mov ss, eax
	xor eax, eax
	mov fs, eax
	mov gs, eax
	lea rax, [rel .reload_cs]
	push SEL_CODE
	push rax
	retfq
.reload_cs:
	xor ebp, ebp
	mov edi, r12d
	mov rsi, r13
	mov rdx, r14
	mov rcx, r15
	call hrt_main
.halt:
	cli
	hlt
	jmp .halt

; Each stub pushes a dummy error code when the CPU pushes none, then the
; vector (SDM Vol. 3A 6.13: 8, 10-14, 17, 21, 29, 30 push an error code).
%macro stub 1
	align 16
isr_stub_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
%else
	push 0
%endif
	push %1
	jmp isr_common
%endmacro

%assign v 0
%rep 256
	stub v
%assign v v + 1
%endrep

; struct trap_frame (hrt/hrt.h), lowest address first: r15 .. rax. The
; upcall vector comes as an external interrupt from Tandem: no APIC has
; to see an EOI, iretq is all.
isr_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	cld
	mov rdi, rsp
	call hrt_trap
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16			; vector, error code
	iretq

section .rodata
align 8
; Stub addresses for hrt/trap.c's IDTs.
global hrt_isr_stubs
hrt_isr_stubs:
%assign v 0
%rep 256
	dq isr_stub_ %+ v
%assign v v + 1
%endrep

; Flat 64-bit code and data, the selectors Tandem's GDT has (CS 0x8, DS
; 0x10), and the same code again at 0x18 (function 17 runs there: an
; upcall then comes through a gate whose selector is not CS); no TSS is
; needed: the HRT never leaves CPL 0 and uses no IST (upcalls nest, and a
; nested IST delivery would reuse the stack of the one it interrupts).
section .data
align 16
gdt:
	dq 0
	dq 0x00af9a000000ffff		; 0x08: 64-bit code, DPL 0
	dq 0x00cf92000000ffff		; 0x10: data, DPL 0
	dq 0x00af9a000000ffff		; 0x18: 64-bit code, DPL 0, again
gdt_end:
align 8
gdt_ptr:
	dw gdt_end - gdt - 1
	dq gdt
