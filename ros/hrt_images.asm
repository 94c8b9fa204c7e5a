; The second HRT image (build/hrt/hrt2.elf, hrt/hrt.mk, HRT_VERSION=2),
; embedded in the ROS for ros/checks_hrt.c, which hands its physical address
; and length to "replace HRT image". ros/ros.mk assembles this file with
; -I build/hrt/.
;
; Also the CPL 3 piece of the HRT checks: a null downcall from user mode.

section .rodata
global ros_hrt2_image
global ros_hrt2_image_end
align 4096
ros_hrt2_image:
	incbin "hrt2.elf"
ros_hrt2_image_end:

; Null downcall (0xf00d, RBX = marker, RCX = 0) at CPL 3 by either
; instruction; back to the kernel with int 0x80 (ros/trap.h, ros_run_user)
; with the result in RAX. RBX is the kernel's to restore (ros_enter_user).
section .text
bits 64
global ros_user_hvm_null_vmmcall
ros_user_hvm_null_vmmcall:
	mov eax, 0xf00d
	mov rbx, 0x6464646464646464
	xor ecx, ecx
	xor edx, edx
	xor esi, esi
	xor edi, edi
	vmmcall
	int 0x80
	ud2

global ros_user_hvm_null_vmcall
ros_user_hvm_null_vmcall:
	mov eax, 0xf00d
	mov rbx, 0x6464646464646464
	xor ecx, ecx
	xor edx, edx
	xor esi, esi
	xor edi, edi
	vmcall
	int 0x80
	ud2

; A CPL 3 0xf00d with every register from struct ros_hvm_regs at RDI
; (ros/checks_hrt.c): request, RDX, RSI, RDI, R8, then a nonzero dword
; for vmmcall (else vmcall). Back to the kernel with int 0x80, RAX the
; result.
global ros_user_hvm_call
ros_user_hvm_call:
	mov rcx, [rdi]
	mov rdx, [rdi + 8]
	mov rsi, [rdi + 16]
	mov r8, [rdi + 32]
	mov r9d, [rdi + 40]
	mov rdi, [rdi + 24]
	mov eax, 0xf00d
	mov rbx, 0x6464646464646464
	test r9d, r9d
	jz .vmcall
	vmmcall
	int 0x80
	ud2
.vmcall:
	vmcall
	int 0x80
	ud2
