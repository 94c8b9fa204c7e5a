; The hypercall fuzzer's transfer (ros/checks_fuzz.c): every register
; Tandem reads (RAX, RBX, RCX, RDX, RSI, RDI, R8-R11) loaded from a
; struct fuzz_regs, then one transfer: VMMCALL, VMCALL, or a call into the
; hypercall page. At CPL 0 it returns RAX; at CPL 3 (ros_run_user) it
; passes RAX back with int 0x80.
;
; struct fuzz_regs: rax rbx rcx rdx rsi rdi r8 r9 r10 r11 (0..72), how (80,
; enum hc_via: 0 call target, 1 vmmcall, 2 vmcall), target (88).

section .text
bits 64

%macro fuzz_body 0
	push qword [rdi + 88]		; the page slot, called through [rsp]
	mov r12, [rdi + 80]
	mov rax, [rdi + 0]
	mov rbx, [rdi + 8]
	mov rcx, [rdi + 16]
	mov rdx, [rdi + 24]
	mov rsi, [rdi + 32]
	mov r8, [rdi + 48]
	mov r9, [rdi + 56]
	mov r10, [rdi + 64]
	mov r11, [rdi + 72]
	mov rdi, [rdi + 40]
	cmp r12, 0
	je %%page
	cmp r12, 2
	je %%vmcall
	vmmcall
	jmp %%done
%%vmcall:
	vmcall
	jmp %%done
%%page:
	call [rsp]
%%done:
	add rsp, 8
%endmacro

; long ros_fuzz_call(const struct fuzz_regs *r), at CPL 0.
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
