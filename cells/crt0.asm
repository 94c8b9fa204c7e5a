; Start of every test cell (cells/cell_image.h has the layout): the image
; header with its two entries at fixed offsets, the stack, .bss, then C.
;
; Both entries arrive in 32-bit protected mode, flat segments, paging and
; interrupts off (guest-abi/include/tandem/hypercall.h):
;   EAX = TANDEM_CELL_BOOT_MAGIC, EBX = comm region (cell-physical),
;   ECX = cell id; at the restart entry also EDI, ESI, EDX = the three
;   values given to Soft Restart.
; The stack pointer is undefined on entry: nothing is pushed before ESP is
; set. Registers are kept in the C arguments:
;   cell_boot_c(magic, comm, id)
;   cell_restart_c(magic, comm, id, a, b, c)

extern cell_boot_c
extern cell_restart_c
extern __bss_start
extern __bss_end

CELL_STACK_TOP	equ 0x100000		; CELL_STACK_TOP (top of the cell's RAM)

section .cell_head progbits alloc exec nowrite align=16
bits 32
global cell_head
cell_head:
	jmp near boot_entry		; +0x00 reset_entry
	times 0x10 - ($ - cell_head) db 0xcc
	jmp near restart_entry		; +0x10 Soft Restart entry
	times 0x20 - ($ - cell_head) db 0xcc
global cell_image_info
cell_image_info:			; +0x20 struct cell_image_info
	db "TNDMCIMG"
	dd 0xffffffff			; cpu: written by the loader
	times 5 dd 0
	times 0x40 - ($ - cell_head) db 0

section .text
boot_entry:
	cli
	cld
	mov esp, CELL_STACK_TOP
	push ecx			; id
	push ebx			; comm
	push eax			; magic
	call zero_bss
	call cell_boot_c
	jmp halt

restart_entry:
	cli
	cld
	mov esp, CELL_STACK_TOP
	push edx			; c
	push esi			; b
	push edi			; a
	push ecx			; id
	push ebx			; comm
	push eax			; magic
	call zero_bss
	call cell_restart_c
	jmp halt

; Clobbers EAX, ECX, EDI only.
zero_bss:
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	shr ecx, 2
	xor eax, eax
	rep stosd
	ret

global cell_halt
cell_halt:
halt:
	cli
	hlt
	jmp halt
