; The test cell images (build/cells/<name>.bin, cells/cells.mk), embedded
; in the ROS for ros/checks_cells.c, which copies them into the memory it
; gives each cell. ros/ros.mk assembles this file with -I build/cells/.
;
; Also the CPL 3 piece of the cell checks: Cell Create from user mode.

%macro cell_image 1
global ros_cell_%1
global ros_cell_%1_end
align 16
ros_cell_%1:
	incbin %str(%1.bin)
ros_cell_%1_end:
%endmacro

section .rodata
cell_image tiny
cell_image deny
cell_image faulty
cell_image spinner
cell_image prober
cell_image hostile
cell_image hvmhostile
cell_image apicwall

; Cell Create (code 1) at CPL 3 with RDI = the configuration's address, by
; either instruction; back to the kernel with int 0x80 (ros/trap.h,
; ros_run_user) with the result in RAX.
section .text
bits 64
global ros_user_cell_create_vmmcall
ros_user_cell_create_vmmcall:
	mov eax, 1
	vmmcall
	int 0x80
	ud2

global ros_user_cell_create_vmcall
ros_user_cell_create_vmcall:
	mov eax, 1
	vmcall
	int 0x80
	ud2
