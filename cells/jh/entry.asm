; Entry of the Jailhouse-contract test inmates (cells/jh/), linked at cell
; address 0 (cells/jh/inmate.ld).
;
; Every CPU of the cell starts here at once, in real mode at CS:IP 0:0
; (cpu_reset_address 0), CR0 = NW|CD|ET, registers 0. Each switches to
; 32-bit protected mode with this GDT, then to 64-bit long mode with the
; identity page tables below (the first 4 GiB in 2 MiB pages). Then, as
; Jailhouse's inmates do, the CPUs draw numbers with LOCK XADD: number 0
; goes on into C (inmate_main), the others record their APIC id and halt
; until the first sends them INIT/SIPI (vector 0: back here). On the way
; each enables its MTRRs (MTRR_DEF_TYPE.E) and XSAVE, as Jailhouse's do. A CPU coming
; back that way finds ap_entry set, takes it and ap_stack (which the
; sender then sees zeroed) and calls ap_entry.

extern inmate_main
extern __bss_start
extern __bss_end

global reset_entry
global ap_entry
global ap_stack
global jh_cpu_ids
global jh_cpus_found
global jh_timer_isr
extern jh_timer_handler

MAX_CPUS	equ 8			; JHT_MAX_CPUS
MSR_EFER	equ 0xc0000080
MSR_MTRR_DEF	equ 0x2ff
MSR_X2APIC_ID	equ 0x802
SEL_CS32		equ 0x08
SEL_DS		equ 0x10
SEL_CS64		equ 0x18
PG_PRESENT_RW	equ 0x3
PG_LARGE	equ 0x80

section .boot.entry progbits alloc exec write align=16
bits 16
reset_entry:
	cli
	o32 lgdt [cs:gdt_ptr]
	mov eax, cr0
	or al, 1			; PE (CD and NW are cleared below)
	mov cr0, eax
	jmp dword SEL_CS32:start32

align 16
gdt:
	dq 0
	dq 0x00cf9b000000ffff		; SEL_CS32: flat 32-bit code
	dq 0x00cf93000000ffff		; DS: flat data
	dq 0x00af9b000000ffff		; SEL_CS64: 64-bit code
gdt_ptr:
	dw gdt_ptr - gdt - 1
	dd gdt

bits 32
start32:
	mov ax, SEL_DS
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, 1 << 5			; PAE
	mov cr4, eax
	mov eax, pml4
	mov cr3, eax
	mov ecx, MSR_MTRR_DEF		; MTRRs on, as Jailhouse's inmates do
	rdmsr
	or eax, 1 << 11
	wrmsr
	mov ecx, MSR_EFER
	rdmsr
	or eax, 1 << 8			; LME
	wrmsr
	mov eax, 0x80010001		; PG | WP | PE; caches on (CD, NW clear)
	mov cr0, eax
	jmp SEL_CS64:start64

section .text
bits 64
start64:
	mov ax, SEL_DS
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	cld
	; Every CPU: XSAVE on and x87 + SSE state in XCR0 where the CPU has
	; XSAVE, as Jailhouse's inmates set up their features.
	mov eax, 1
	cpuid
	bt ecx, 26
	jnc .no_xsave
	mov rax, cr4
	or eax, 1 << 18			; OSXSAVE
	mov cr4, rax
	xor ecx, ecx
	xgetbv
	or eax, 3			; x87, SSE
	xsetbv
.no_xsave:
	xor ebx, ebx
	xchg [ap_entry], rbx		; a CPU sent here by INIT/SIPI?
	test rbx, rbx
	jnz .ap
	mov edi, 1
	lock xadd [cpu_number], edi
	cmp edi, MAX_CPUS
	jae stop
	mov ecx, MSR_X2APIC_ID
	rdmsr
	mov [jh_cpu_ids + rdi * 4], eax
	lock inc dword [jh_cpus_found]
	test edi, edi
	jnz stop
	; The first CPU: .bss (the stacks are not in it), then C.
	mov rdi, __bss_start
	mov rcx, __bss_end
	sub rcx, rdi
	xor eax, eax
	rep stosb
	mov rsp, stack0_top
	call inmate_main
	jmp stop
.ap:
	xor esp, esp
	xchg [ap_stack], rsp		; 0 tells the sender it was taken
	call rbx
stop:
	cli
	hlt
	jmp stop

; The APIC timer's vector: caller-saved registers around the C handler.
; Entry leaves RSP 8 mod 16 (five words pushed on a 16-aligned stack);
; nine pushes make it 0 mod 16 for the call.
jh_timer_isr:
	push rax
	push rcx
	push rdx
	push rsi
	push rdi
	push r8
	push r9
	push r10
	push r11
	call jh_timer_handler
	pop r11
	pop r10
	pop r9
	pop r8
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rax
	iretq

section .data
align 8
ap_entry:	dq 0
ap_stack:	dq 0
cpu_number:	dd 0
jh_cpus_found:	dd 0
jh_cpu_ids:	times MAX_CPUS dd 0

; Identity map of the first 4 GiB, 2 MiB pages (written back with the
; accessed bits: the RAM region is writable).
align 4096
pml4:
	dq pdpt + PG_PRESENT_RW
	times 511 dq 0
pdpt:
	dq pd + PG_PRESENT_RW
	dq pd + 0x1000 + PG_PRESENT_RW
	dq pd + 0x2000 + PG_PRESENT_RW
	dq pd + 0x3000 + PG_PRESENT_RW
	times 508 dq 0
pd:
%assign i 0
%rep 2048
	dq (i << 21) + PG_LARGE + PG_PRESENT_RW
%assign i i + 1
%endrep

section .stacks nobits write align=16
	resb 8192
stack0_top:
