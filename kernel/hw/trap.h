/* Exceptions and interrupts taken by Tandem itself: the IDT, and the frame
 * boot/isr.asm builds before calling trap_handler(). */
#ifndef TANDEM_HW_TRAP_H
#define TANDEM_HW_TRAP_H

#include <stdint.h>

/* Pushed by boot/isr.asm: general registers (last pushed first), then the
 * vector and error code, then the CPU's own interrupt frame. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap frame layout");

/** Builds the shared IDT (once, on the boot CPU). */
void idt_init(void);
/** Loads the shared IDT on this CPU. */
void idt_load(void);
/** Called by the assembly stubs for every vector. */
void trap_handler(struct trap_frame *f);

/** This CPU's NMI count: read it before the last look at what a wait is
 * for, and pass it to trap_halt_until_nmi(). */
unsigned long trap_nmi_count(void);
/** Sleeps in HLT, interrupts off, until an NMI, unless one came since
 * @seen was read: an NMI between the comparison and the HLT makes the NMI
 * handler step over the HLT. No wake-up is lost. */
void trap_halt_until_nmi(unsigned long seen);

#endif
