; Entering a VMX guest (SDM Vol. 3C 26, 27): HOST_RSP is set to this very
; stack depth before each entry, HOST_RIP points at vmx_exit_stub, so a VM
; exit lands there with the struct vcpu pointer on top of the stack.
;
; int vmx_vmenter(struct vcpu *v, int launched)
%include "asm-offsets.inc"

HOST_RSP	equ 0x6c14

section .text
bits 64
global vmx_vmenter
global vmx_exit_stub
vmx_vmenter:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi			; struct vcpu *
	mov rax, HOST_RSP
	vmwrite rax, rsp

	test esi, esi			; flags survive the MOVs below
	mov rax, [rdi + VCPU_RAX]
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
	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:
	; Entry did not happen (CF or ZF set): nothing of the guest ran.
	pop rdi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	mov eax, 1
	ret

vmx_exit_stub:
	xchg rdi, [rsp]			; RDI = struct vcpu *, guest RDI on stack
	mov [rdi + VCPU_RAX], rax
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
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	xor eax, eax
	ret
