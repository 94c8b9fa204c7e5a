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

/** Sleeps in HLT, interrupts off, until an NMI. An NMI that comes after
 * the caller's last look at what it waits for but before the HLT makes the
 * HLT a no-op (the NMI handler steps over it): no wake-up is lost. */
void trap_halt_until_nmi(void);

#endif
