; Interrupt stubs for all 256 vectors, the common path into ros_trap(),
; ros_setjmp() for ros_try(), and the CPL 3 round trip of the suite.
extern ros_trap

SEL_CODE64	equ 0x08
SEL_USER_DATA	equ 0x20 | 3
SEL_USER_CODE	equ 0x28 | 3

section .text
bits 64

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

; struct trap_frame (ros/trap.h), lowest address first: r15 .. rax.
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
	call ros_trap
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

; int ros_setjmp(struct ros_jmp *j): rbx rbp r12-r15, the caller's RSP and
; the return address. ros_trap() resumes there with RAX = vector + 1.
global ros_setjmp
ros_setjmp:
	mov [rdi + 0], rbx
	mov [rdi + 8], rbp
	mov [rdi + 16], r12
	mov [rdi + 24], r13
	mov [rdi + 32], r14
	mov [rdi + 40], r15
	lea rax, [rsp + 8]
	mov [rdi + 48], rax
	mov rax, [rsp]
	mov [rdi + 56], rax
	xor eax, eax
	ret

; uint64_t ros_enter_user(uint64_t rip, uint64_t rsp, uint64_t arg): iretq
; to CPL 3 with IF clear and RDI = arg. The user code's `int 0x80` makes
; ros_trap() resume at ros_user_resume on ros_user_kernel_rsp with the
; user's RAX.
global ros_enter_user
global ros_user_resume
global ros_user_kernel_rsp
ros_enter_user:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	mov [rel ros_user_kernel_rsp], rsp
	push SEL_USER_DATA		; SS
	push rsi			; RSP
	push 0x2			; RFLAGS: IF = 0, IOPL = 0
	push SEL_USER_CODE		; CS
	push rdi			; RIP
	mov rdi, rdx
	iretq
ros_user_resume:
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

; CPL 3 code. Each ends with int 0x80 (a DPL 3 gate) passing RAX back.
; Gives back the complement of its argument.
global ros_user_ping
ros_user_ping:
	mov rax, rdi
	not rax
	int 0x80
	ud2

; Hypervisor Get Info (code 5), type 0, issued from CPL 3.
global ros_user_vmmcall
ros_user_vmmcall:
	mov eax, 5
	xor edi, edi
	vmmcall
	int 0x80
	ud2

global ros_user_vmcall
ros_user_vmcall:
	mov eax, 5
	xor edi, edi
	vmcall
	int 0x80
	ud2

; Calls a C function at CPL 3: RDI points at { fn, arg }; fn(arg) runs on
; the 16-byte aligned user stack, then int 0x80 passes its RAX back.
global ros_user_c
ros_user_c:
	mov rax, [rdi]
	mov rdi, [rdi + 8]
	and rsp, -16
	call rax
	int 0x80
	ud2

; The user-level signal handler of ros/checks_hvm.c, at CPL 3: Tandem
; builds an interrupt-like frame on the registered stack, the code first
; (Palacios HVM); the code goes to ros_signal_got, is dropped, and iretq
; goes back to where the process was.
global ros_user_signal_stub
ros_user_signal_stub:
	push rax
	mov rax, [rsp + 8]
	mov [rel ros_signal_got], rax
	pop rax
	add rsp, 8
	iretq

section .rodata
align 8
; Stub addresses for ros/trap.c's IDT.
global ros_isr_stubs
ros_isr_stubs:
%assign v 0
%rep 256
	dq isr_stub_ %+ v
%assign v v + 1
%endrep

section .bss
align 8
ros_user_kernel_rsp:	resq 1
global ros_signal_got
ros_signal_got:		resq 1
