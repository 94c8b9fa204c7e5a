; The hypercall fuzzer's transfer (ros/checks_fuzz.c). Every register a
; hypercall or downcall reads or must preserve (RAX, RBX, RCX, RDX, RSI,
; RDI, R8-R11, RBP, R12-R15) is loaded from a struct fuzz_regs, then
; `call target`: a slot of the hypercall page, or one of the stubs below
; (VMMCALL, VMCALL; or either from 32-bit compatibility mode). Afterwards
; every one of those registers is stored back into the struct, so that the
; ROS can see what Tandem changed. At CPL 0 the result is returned; at
; CPL 3 (ros_run_user) it goes back with int 0x80.
;
; struct fuzz_regs: in[15] at 0 (rax rbx rcx rdx rsi rdi r8 r9 r10 r11 rbp
; r12 r13 r14 r15), target at 120, out[15] at 128.

SEL_CODE64	equ 0x08
SEL_CODE32	equ 0x18

section .text
bits 64

%macro fuzz_body 0
	push rdi			; the struct, for afterwards
	push qword [rdi + 120]		; the target, called through [rsp]
	mov rax, [rdi + 0]
	mov rbx, [rdi + 8]
	mov rcx, [rdi + 16]
	mov rdx, [rdi + 24]
	mov rsi, [rdi + 32]
	mov r8, [rdi + 48]
	mov r9, [rdi + 56]
	mov r10, [rdi + 64]
	mov r11, [rdi + 72]
	mov rbp, [rdi + 80]
	mov r12, [rdi + 88]
	mov r13, [rdi + 96]
	mov r14, [rdi + 104]
	mov r15, [rdi + 112]
	mov rdi, [rdi + 40]
	call [rsp]
	add rsp, 8
	xchg rdi, [rsp]			; RDI = the struct, [RSP] = RDI after
	mov [rdi + 128], rax
	mov [rdi + 136], rbx
	mov [rdi + 144], rcx
	mov [rdi + 152], rdx
	mov [rdi + 160], rsi
	mov [rdi + 176], r8
	mov [rdi + 184], r9
	mov [rdi + 192], r10
	mov [rdi + 200], r11
	mov [rdi + 208], rbp
	mov [rdi + 216], r12
	mov [rdi + 224], r13
	mov [rdi + 232], r14
	mov [rdi + 240], r15
	pop rax
	mov [rdi + 168], rax
	mov rax, [rdi + 128]
%endmacro

; long ros_fuzz_call(struct fuzz_regs *r), at CPL 0.
global ros_fuzz_call
ros_fuzz_call:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	fuzz_body
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

; The same at CPL 3, RDI = the struct (ros_run_user's argument); the
; kernel side restores its own registers (ros_enter_user).
global ros_user_fuzz
ros_user_fuzz:
	fuzz_body
	int 0x80
	ud2

; The targets other than the page.
global ros_fuzz_vmmcall
ros_fuzz_vmmcall:
	vmmcall
	ret

global ros_fuzz_vmcall
ros_fuzz_vmcall:
	vmcall
	ret

; From 32-bit compatibility mode (CPL 0 only: the ROS has no 32-bit user
; code segment): a far return to SEL_CODE32, the instruction, a far return
; back. The stack is below 4 GiB, as compatibility mode needs.
global ros_fuzz_vmmcall32
ros_fuzz_vmmcall32:
	push qword SEL_CODE32
	push qword .compat
	o64 retf
bits 32
.compat:
	vmmcall
	push dword SEL_CODE64
	push dword .back
	retf
bits 64
.back:
	ret

global ros_fuzz_vmcall32
ros_fuzz_vmcall32:
	push qword SEL_CODE32
	push qword .compat
	o64 retf
bits 32
.compat:
	vmcall
	push dword SEL_CODE64
	push dword .back
	retf
bits 64
.back:
	ret
