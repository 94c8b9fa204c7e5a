; Entering an SVM guest (APM Vol. 2 15.5): load the guest's general
; registers from struct vcpu (RAX and RSP live in the VMCB), VMLOAD, VMRUN,
; VMSAVE, then restore Tandem's own FS/GS/TR/LDTR state with VMLOAD of the
; per-CPU host area and store the guest's registers back.
;
; void svm_vmrun(struct vcpu *v, uint64_t vmcb_pa, uint64_t host_area_pa)
%include "asm-offsets.inc"

section .text
bits 64
global svm_vmrun
svm_vmrun:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdx			; host area
	push rdi			; struct vcpu *
	mov rax, rsi			; VMCB physical address

	mov rcx, [rdi + VCPU_RCX]
	mov rdx, [rdi + VCPU_RDX]
	mov rbx, [rdi + VCPU_RBX]
	mov rbp, [rdi + VCPU_RBP]
	mov rsi, [rdi + VCPU_RSI]
	mov r8,  [rdi + VCPU_R8]
	mov r9,  [rdi + VCPU_R9]
	mov r10, [rdi + VCPU_R10]
	mov r11, [rdi + VCPU_R11]
	mov r12, [rdi + VCPU_R12]
	mov r13, [rdi + VCPU_R13]
	mov r14, [rdi + VCPU_R14]
	mov r15, [rdi + VCPU_R15]
	mov rdi, [rdi + VCPU_RDI]

	clgi
	vmload
	vmrun
	vmsave

	; RAX = VMCB address again (host state), RSP = ours.
	xchg rdi, [rsp]			; RDI = struct vcpu *, guest RDI on stack
	mov [rdi + VCPU_RCX], rcx
	mov [rdi + VCPU_RDX], rdx
	mov [rdi + VCPU_RBX], rbx
	mov [rdi + VCPU_RBP], rbp
	mov [rdi + VCPU_RSI], rsi
	mov [rdi + VCPU_R8], r8
	mov [rdi + VCPU_R9], r9
	mov [rdi + VCPU_R10], r10
	mov [rdi + VCPU_R11], r11
	mov [rdi + VCPU_R12], r12
	mov [rdi + VCPU_R13], r13
	mov [rdi + VCPU_R14], r14
	mov [rdi + VCPU_R15], r15
	pop qword [rdi + VCPU_RDI]

	pop rax				; host area
	vmload
	stgi

	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret
