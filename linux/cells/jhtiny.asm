; jhtiny: the smallest cell written to Jailhouse's x86 start contract
; (guest-abi/ABI.md 12.2-12.4), for `tandemctl cell create` with a
; Jailhouse description (linux/cells/jh-tiny.txt). Loaded at cell address
; 0, where cpu_reset_address 0 starts it: real mode, CS = 0, IP = 0,
; interrupts off, every general register 0.
;
; It reads the JHCOMM region at 0x100000 (where Jailhouse's x86 inmates
; expect it). With signature "JHCOMM" and revision 2 it
;   - writes JHTINY_OK, the region's num_cpus and flags into the first 12
;     bytes of its ROOTSHARED page at 0x10000, which Linux reads;
;   - prints "hello from jhtiny in real mode" with Debug Console Putc
;     (code 8; the description has VIRTUAL_CONSOLE_PERMITTED), using
;     vmmcall on AMD and vmcall elsewhere, as Jailhouse's inmates choose;
;   - sets cell_state 2 (shut down) and halts.
; Otherwise it writes JHTINY_BAD into the page and sets cell_state 4
; (failed-comm-rev), as an inmate that finds the wrong region does.
	bits 16
	org 0

JHTINY_OK	equ 0x4b4f484a	; "JHOK"
JHTINY_BAD	equ 0x4441424a	; "JBAD"
COMM_SEG	equ 0xffff	; ffff:0010 = 0x100000, the comm region
COMM		equ 0x10
SHARED_SEG	equ 0x1000	; 1000:0000 = 0x10000, the ROOTSHARED page
HC_PUTC		equ 8
; struct jh_comm_region (tandem/jailhouse.h)
C_REVISION	equ COMM + 6
C_CELL_STATE	equ COMM + 8
C_FLAGS		equ COMM + 20
C_NUM_CPUS	equ COMM + 66

start:
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x8000
	mov ax, COMM_SEG
	mov es, ax
	mov ax, SHARED_SEG
	mov fs, ax

	cmp dword [es:COMM], 'JHCO'
	jne bad
	cmp word [es:COMM + 4], 'MM'
	jne bad
	cmp word [es:C_REVISION], 2
	jne bad

	movzx eax, word [es:C_NUM_CPUS]
	mov [fs:4], eax
	mov eax, [es:C_FLAGS]
	mov [fs:8], eax
	mov dword [fs:0], JHTINY_OK

	; vmmcall on AMD ("AuthenticAMD": EBX "Auth"), vmcall elsewhere.
	xor eax, eax
	cpuid
	mov byte [amd], 0
	cmp ebx, 'Auth'
	jne .print
	mov byte [amd], 1
.print:
	mov si, msg
.next:
	lodsb
	test al, al
	jz .done
	movzx edi, al
	mov eax, HC_PUTC
	cmp byte [amd], 0
	je .intel
	vmmcall
	jmp .next
.intel:
	vmcall
	jmp .next
.done:
	mov dword [es:C_CELL_STATE], 2	; shut down
	jmp halt

bad:
	mov dword [fs:0], JHTINY_BAD
	mov dword [es:C_CELL_STATE], 4	; failed-comm-rev

halt:
	cli
	hlt
	jmp halt

msg:	db "hello from jhtiny in real mode", 10, 0
amd:	db 0
