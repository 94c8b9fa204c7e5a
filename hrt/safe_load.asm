; A load that may fault: hrt_safe_load(addr, out) reads the u64 at virtual
; addr into *out and returns 0, or returns 1 when the load raised #PF (or
; #GP: a non-canonical address)
; (hrt/trap.c sends the fault at hrt_safe_load_insn to
; hrt_safe_load_fixup). Function 11 reads a ROS process's memory through
; the merged lower half with it: after unmerge the same address is not
; mapped, and the call fails cleanly instead of stopping the core.
bits 64
section .text

global hrt_safe_load, hrt_safe_load_insn, hrt_safe_load_fixup
global hrt_safe_store, hrt_safe_store_insn
hrt_safe_load:
hrt_safe_load_insn:
	mov rax, [rdi]
	mov [rsi], rax
	xor eax, eax
	ret
hrt_safe_load_fixup:
	mov eax, 1
	ret

; hrt_safe_store(addr, value): the same for a store (synchronous mode writes
; a result where the ROS process's call says); the same fixup.
hrt_safe_store:
hrt_safe_store_insn:
	mov [rdi], rsi
	xor eax, eax
	ret
