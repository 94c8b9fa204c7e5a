; Leaving virtualization for good (Disable): the last code Tandem runs on a
; CPU. It is copied to a page that is mapped at the same virtual address
; (an unused slot of the lower half) in Tandem's tables and in the guest's
; own, so it keeps running across the switch to the guest's CR3. It loads
; the root guest's state into the real CPU and IRETs to where the guest
; was: the guest continues natively. Entered with RDI = the state block
; (struct native_state, kernel/cell/disable.c), at the same place.
%include "asm-offsets.inc"

section .trampoline progbits alloc noexec nowrite align=16
bits 64
global resume_native_code
global resume_native_code_end
resume_native_code:
	cli
	lgdt [rdi + NS_GDTR]
	lidt [rdi + NS_IDTR]
	; CR4 before CR3: setting CR4.PCIDE needs CR3[11:0] = 0 (SDM Vol. 3A
	; 4.10.1), which Tandem's CR3 has and a guest's (Linux runs every task
	; with a PCID) need not.
	mov rax, [rdi + NS_CR4]
	mov cr4, rax
	mov rax, [rdi + NS_CR3]
	mov cr3, rax			; the guest's tables (and this page)
	mov rax, [rdi + NS_CR0]
	mov cr0, rax

	; LTR on Tandem's copy of the GDT when there is one (see leave.c:
	; the guest's may be read-only), then the guest's GDT again.
	movzx eax, word [rdi + NS_TR]
	test eax, eax
	jz .no_tr
	cmp word [rdi + NS_TR_GDT], 0
	je .own_gdt
	lgdt [rdi + NS_TR_GDT]
	ltr ax
	lgdt [rdi + NS_GDTR]
	jmp .no_tr
.own_gdt:
	ltr ax
.no_tr:
	movzx eax, word [rdi + NS_LDTR]
	lldt ax
	mov ax, [rdi + NS_DS]
	mov ds, ax
	mov ax, [rdi + NS_ES]
	mov es, ax
	mov ax, [rdi + NS_FS]
	mov fs, ax
	mov ax, [rdi + NS_GS]
	mov gs, ax
	; Selector loads reset the bases: set them from the MSRs' values.
	mov ecx, 0xc0000100
	mov eax, [rdi + NS_FS_BASE]
	mov edx, [rdi + NS_FS_BASE + 4]
	wrmsr
	mov ecx, 0xc0000101
	mov eax, [rdi + NS_GS_BASE]
	mov edx, [rdi + NS_GS_BASE + 4]
	wrmsr

	; IRET frame on this page's stack, then every general register.
	lea rsp, [rdi + NS_STACK_TOP]
	push qword [rdi + NS_SS]
	push qword [rdi + NS_RSP]
	push qword [rdi + NS_RFLAGS]
	push qword [rdi + NS_CS]
	push qword [rdi + NS_RIP]
	push qword [rdi + NS_RDI]
	mov rax, [rdi + NS_RAX]
	mov rbx, [rdi + NS_RBX]
	mov rcx, [rdi + NS_RCX]
	mov rdx, [rdi + NS_RDX]
	mov rsi, [rdi + NS_RSI]
	mov rbp, [rdi + NS_RBP]
	mov r8, [rdi + NS_R8]
	mov r9, [rdi + NS_R9]
	mov r10, [rdi + NS_R10]
	mov r11, [rdi + NS_R11]
	mov r12, [rdi + NS_R12]
	mov r13, [rdi + NS_R13]
	mov r14, [rdi + NS_R14]
	mov r15, [rdi + NS_R15]
	pop rdi
	iretq
resume_native_code_end:
