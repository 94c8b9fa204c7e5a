/*
 * The Palacios HVM downcall (RAX = 0xf00d) from 64-bit code, by the
 * vendor's own instruction: one definition for every guest Tandem ships
 * (the ROS, the HRT and the guest library, which adds the hypercall-page
 * and 32-bit transfers). Registers as Palacios reads them: RBX = marker,
 * RCX = request, RDX RSI RDI R8 = arguments; R9-R11 are zeroed (Palacios
 * may read them) and Tandem may change any of these registers. Returns
 * RAX (-1 on error).
 */
#ifndef TANDEM_HVM_CALL_H
#define TANDEM_HVM_CALL_H

#include <stdbool.h>
#include <stdint.h>
#include "hvm.h"

#ifdef __x86_64__
/*
 * One 64-bit 0xf00d transfer through the asm template @insn, with
 * @marker, @request and @a1 .. @a4 in scope and the asm's input operands
 * (at least one) after @insn; evaluates to RAX as a long. The guest
 * library builds its hypercall-page transfer on it too.
 */
#define TANDEM_HVM_CALL64(insn, ...)                                           \
	__extension__({                                                        \
		register uint64_t rax __asm__("rax") = TANDEM_HVM_CALL;        \
		register uint64_t rbx __asm__("rbx") = (marker);               \
		register uint64_t rcx __asm__("rcx") = (request);              \
		register uint64_t rdx __asm__("rdx") = (a1);                   \
		register uint64_t rsi __asm__("rsi") = (a2);                   \
		register uint64_t rdi __asm__("rdi") = (a3);                   \
		register uint64_t r8 __asm__("r8") = (a4);                     \
		register uint64_t r9 __asm__("r9") = 0;                        \
		register uint64_t r10 __asm__("r10") = 0;                      \
		register uint64_t r11 __asm__("r11") = 0;                      \
		__asm__ volatile(insn                                          \
				 : "+r"(rax), "+r"(rbx), "+r"(rcx), "+r"(rdx), \
				   "+r"(rsi), "+r"(rdi), "+r"(r8), "+r"(r9),   \
				   "+r"(r10), "+r"(r11)                        \
				 : __VA_ARGS__                                 \
				 : "memory", "cc");                            \
		(long)rax;                                                     \
	})

/** @amd: VMMCALL (AMD) rather than VMCALL (Intel); @marker is normally
 * TANDEM_HVM_MARKER_64 (anything else is refused with -1). */
static inline long tandem_hvm_call_insn(bool amd, uint64_t marker,
					uint64_t request, uint64_t a1,
					uint64_t a2, uint64_t a3, uint64_t a4)
{
	if (amd)
		return TANDEM_HVM_CALL64("vmmcall", "i"(0));
	return TANDEM_HVM_CALL64("vmcall", "i"(0));
}
#endif

#endif
