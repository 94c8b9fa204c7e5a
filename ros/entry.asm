; ROS entry: Multiboot2 header, 32-bit protected mode (Multiboot2 spec 3.3)
; to 64-bit long mode on identity-mapped 2 MiB pages, then ros_main().
; Also the AP path: the real-mode trampoline copied below 1 MiB, which
; joins the same 32-bit to 64-bit switch.
;
; The image is linked and loaded at 1 MiB (ros/ros.ld), so addresses are
; absolute. The loader's stack pointer is undefined: nothing is pushed
; before ESP points at our own stack.

extern ros_main
extern ros_ap_main
extern __bss_start
extern __bss_end

MB2_MAGIC	equ 0xe85250d6
MB2_ARCH_I386	equ 0
PTE_P		equ 1
PTE_W		equ 2
PTE_U		equ 4
PTE_PS		equ 0x80
ROS_MAP_GIB	equ 64		; identity-mapped GiB (ros.h ROS_MAP_END)
MSR_EFER	equ 0xc0000080
EFER_LME	equ 1 << 8
CR0_PE		equ 1
CR0_WP		equ 1 << 16
CR0_NW		equ 1 << 29
CR0_CD		equ 1 << 30
CR0_PG		equ 1 << 31
CR4_PAE		equ 1 << 5
SEL_CODE64	equ 0x08
SEL_DATA	equ 0x10
SEL_CODE32	equ 0x18
BSP_STACK_SIZE	equ 0x4000

; Multiboot2 header (spec 3.1): first in the image, within the first
; 32 KiB of the file, 8-byte aligned tags.
section .mb2 progbits alloc noexec nowrite align=8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	align 8
	; Information request (type 1, required): command line 1, modules 3,
	; memory map 6, ACPI old RSDP 14, ACPI new RSDP 15.
.info_req:
	dw 1, 0
	dd .info_req_end - .info_req
	dd 1, 3, 6, 14, 15
.info_req_end:
	align 8
	dw 0, 0			; end tag
	dd 8
mb2_header_end:

section .text
bits 32
global _start
_start:
	cli
	cld
	mov esi, eax			; Multiboot2 magic
	mov ebp, ebx			; information block

	; Zero .bss ourselves (page tables and stack live there).
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	shr ecx, 2
	xor eax, eax
	rep stosd
	mov esp, bsp_stack_top

	; Long mode present? (CPUID 0x80000001 EDX bit 29)
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb no_long_mode
	mov eax, 0x80000001
	cpuid
	bt edx, 29
	jnc no_long_mode

	; PML4[0] -> PDPT[0..ROS_MAP_GIB-1] -> that many PDs of 2 MiB pages:
	; the low ROS_MAP_GIB GiB (RAM above 4 GiB, and Tandem's memory when
	; it lies there), identity, present, writable, user (CPL 3 code of
	; the suite runs here).
	mov dword [ros_pml4], ros_pdpt + PTE_P + PTE_W + PTE_U
	mov edi, ros_pdpt
	mov eax, ros_pd + PTE_P + PTE_W + PTE_U
	mov ecx, ROS_MAP_GIB
.pdpt:
	mov [edi], eax
	add eax, 4096
	add edi, 8
	loop .pdpt
	mov edi, ros_pd
	mov eax, PTE_P + PTE_W + PTE_U + PTE_PS
	xor edx, edx			; high half of the address
	mov ecx, ROS_MAP_GIB * 512
.pd:
	mov [edi], eax
	mov [edi + 4], edx
	add eax, 0x200000
	adc edx, 0
	add edi, 8
	loop .pd

	mov edi, esi			; magic, kept in EDI/EBP through the switch
	mov ebx, 1			; 1: BSP
	jmp enter_long_mode

; APs arrive here from the trampoline, in 32-bit protected mode with the
; ROS GDT loaded (CS = SEL_CODE32).
global ap_entry32
ap_entry32:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor ebx, ebx			; 0: AP
	; fall through

; CR4 = PAE only (firmware may leave other bits, e.g. SMEP, which would
; forbid the user-accessible kernel pages), CR3, EFER.LME, then CR0.PG
; (SDM Vol. 3A 10.8.5).
enter_long_mode:
	mov eax, CR4_PAE
	mov cr4, eax
	mov eax, ros_pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, cr0
	and eax, ~(CR0_CD | CR0_NW)
	or eax, CR0_PG | CR0_WP | CR0_PE
	mov cr0, eax
	lgdt [ros_gdtr]
	jmp SEL_CODE64:long_mode

no_long_mode:
	mov esi, msg_no_long_mode
	mov dx, 0x3f8 + 5
.next:
	in al, dx
	test al, 0x20
	jz .next
	mov al, [esi]
	test al, al
	jz .halt
	mov dx, 0x3f8
	out dx, al
	mov dx, 0x3f8 + 5
	inc esi
	jmp .next
.halt:
	cli
	hlt
	jmp .halt

bits 64
long_mode:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	test ebx, ebx
	jz .ap
	mov rsp, bsp_stack_top
	mov edi, edi			; ros_main(magic, info)
	mov esi, ebp
	call ros_main
	jmp halt64
.ap:
	mov rsp, [rel ap_boot_rsp]
	mov edi, [rel ap_boot_index]
	call ros_ap_main
halt64:
	cli
	hlt
	jmp halt64

; AP start-up trampoline (SDM Vol. 3A 9.4.4): copied to a free page P
; below 1 MiB; the SIPI vector is P >> 12, so the AP starts in real mode
; with CS = P >> 4, IP = 0. Only the GDTR is addressed through DS; the far
; jump goes straight to ap_entry32 in the image (below 4 GiB).
section .rodata
bits 16
global ros_trampoline
global ros_trampoline_end
ros_trampoline:
	cli
	cld
	mov ax, cs
	mov ds, ax
	o32 lgdt [tramp_gdtr - ros_trampoline]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	jmp dword SEL_CODE32:ap_entry32
	align 8
tramp_gdtr:
	dw ros_gdt_end - ros_gdt - 1
	dd ros_gdt
ros_trampoline_end:

msg_no_long_mode:
	db `ros: this CPU has no 64-bit long mode; halting\r\n`, 0

section .data
align 16
; GDT: kernel code/data, the 32-bit code segment the trampoline uses, user
; data/code (DPL 3) and the TSS (16 bytes, filled by ros/trap.c).
global ros_gdt
ros_gdt:
	dq 0
	dq 0x00af9a000000ffff		; 0x08 64-bit code, DPL 0
	dq 0x00cf92000000ffff		; 0x10 data, DPL 0
	dq 0x00cf9a000000ffff		; 0x18 32-bit code, DPL 0
	dq 0x00cff2000000ffff		; 0x20 data, DPL 3
	dq 0x00affa000000ffff		; 0x28 64-bit code, DPL 3
global ros_gdt_tss
ros_gdt_tss:
	dq 0, 0				; 0x30 TSS
ros_gdt_end:
global ros_gdtr
ros_gdtr:
	dw ros_gdt_end - ros_gdt - 1
	dq ros_gdt

; Set by ros/smp.c before each SIPI.
global ap_boot_rsp
global ap_boot_index
align 8
ap_boot_rsp:	dq 0
ap_boot_index:	dd 0

section .bss
align 4096
global ros_pml4
ros_pml4:	resb 4096
ros_pdpt:	resb 4096
ros_pd:		resb ROS_MAP_GIB * 4096
bsp_stack:	resb BSP_STACK_SIZE
bsp_stack_top:
