; AP start-up trampoline (SDM Vol. 3A 9.4.4). boot/smp.c copies this code to
; a free page P below 1 MiB, fills struct trampoline_data at P +
; TRAMP_DATA_OFFSET and sends INIT-SIPI-SIPI with vector P >> 12. The AP
; starts in real mode at P:0, goes through protected mode into long mode on
; the boot page tables, and jumps to the 64-bit entry with its stack set.
; Everything here is addressed relative to P: the code runs at any page.
%include "asm-offsets.inc"

section .trampoline progbits alloc noexec nowrite align=16

%define D(field) (TRAMP_DATA_OFFSET + field)

bits 16
global trampoline_code
trampoline_code:
	cli
	cld
	mov ax, cs
	mov ds, ax
	xor ebx, ebx
	mov bx, ax
	shl ebx, 4			; EBX = P, kept through every mode
	lgdt [D(TRAMP_GDTR)]
	mov eax, cr0
	or eax, 1
	mov cr0, eax
	jmp dword far [D(TRAMP_JMP32)]

bits 32
global trampoline_pm
trampoline_pm:
	mov ax, GDT_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, 1 << 5			; PAE
	mov cr4, eax
	mov eax, [ebx + D(TRAMP_CR3)]
	mov cr3, eax
	mov ecx, 0xc0000080
	rdmsr
	or eax, [ebx + D(TRAMP_EFER)]
	wrmsr
	mov eax, cr0
	and eax, ~(3 << 29)
	or eax, (1 << 31) | (1 << 16)	; PG, WP
	mov cr0, eax
	jmp far [ebx + D(TRAMP_JMP64)]

bits 64
global trampoline_lm
trampoline_lm:
	mov rsp, [rbx + D(TRAMP_STACK)]
	mov rax, [rbx + D(TRAMP_ENTRY)]
	jmp rax
global trampoline_code_end
trampoline_code_end:
