/*
 * Issuing Tandem's hypercalls from the kernel (guest-abi/ABI.md section 2):
 * RAX = code, RDI RSI RDX R10 R8 = arguments 1-5, result in RAX; RCX, R11
 * and R9 may be clobbered. Either VMCALL or VMMCALL works on either vendor
 * (Tandem catches the other vendor's #UD), but the vendor's own instruction
 * costs one exit instead of an exception first, so tandem_main.c picks it
 * once from the CPU vendor. The hypercall page (ABI section 3) would need
 * an executable mapping of a RAM page the module cannot get cleanly.
 */
#ifndef TANDEM_LINUX_DRIVER_TANDEM_HC_H
#define TANDEM_LINUX_DRIVER_TANDEM_HC_H

#include <linux/types.h>

extern bool tandem_use_vmmcall;

static inline long tandem_hc(unsigned long code, unsigned long a1,
			     unsigned long a2, unsigned long a3,
			     unsigned long a4, unsigned long a5)
{
	register unsigned long r10 asm("r10") = a4;
	register unsigned long r8 asm("r8") = a5;
	unsigned long rax = code;

	if (tandem_use_vmmcall)
		asm volatile("vmmcall"
			     : "+a"(rax), "+D"(a1), "+S"(a2), "+d"(a3),
			       "+r"(r10), "+r"(r8)
			     :
			     : "rcx", "r9", "r11", "memory", "cc");
	else
		asm volatile("vmcall"
			     : "+a"(rax), "+D"(a1), "+S"(a2), "+d"(a3),
			       "+r"(r10), "+r"(r8)
			     :
			     : "rcx", "r9", "r11", "memory", "cc");
	return (long)rax;
}

#define tandem_hc1(code, a1)	 tandem_hc((code), (a1), 0, 0, 0, 0)
#define tandem_hc2(code, a1, a2) tandem_hc((code), (a1), (a2), 0, 0, 0)

#endif
