/* User-level signals into a process of a partition (the Palacios HVM's
 * "ROS signal", requests 0x40 and 0x41): a process registers a handler
 * and a stack; a raised code is delivered to it when one of the
 * partition's vCPUs next enters the guest at CPL 3 with that process's
 * CR3, as an interrupt-like frame on the registered stack (from low to
 * high: code, RIP, CS, RFLAGS, RSP, SS) with RIP = the handler, which
 * ends with iretq after dropping the code. Until then it stays pending;
 * one code at a time. */
#ifndef TANDEM_VIRT_USER_SIGNAL_H
#define TANDEM_VIRT_USER_SIGNAL_H

#include <stdint.h>

#include "lib/spinlock.h"

struct vcpu;

struct user_signal {
	volatile uint64_t code; /* 0: none pending */
	uint64_t cr3, handler, stack;
	struct spinlock lock; /* install and raise */
};

/** Installs (@handler and @stack, both nonzero user addresses below
 * 2^47) or removes (both 0) the handler of the process whose CR3 is @cr3.
 * 0, or -1 (TANDEM_HRT_ERROR) when a code is pending, when a handler is
 * installed and this is not a removal, or for other addresses. */
long user_signal_install(struct user_signal *s, uint64_t cr3, uint64_t handler,
			 uint64_t stack);
/** Raises @code (nonzero) for the installed handler: 0, or -1 for a
 * zero code, no handler, or one already pending. */
long user_signal_raise(struct user_signal *s, uint64_t code);
/** Drops the handler and any pending code (the partition rebooted). */
void user_signal_reset(struct user_signal *s);
/** Before @v enters its guest with s->code set: delivers it if @v is at
 * CPL 3 with the registered CR3. A frame that cannot be written (the
 * stack not mapped writable for the process) loses the code, with one
 * line. */
void user_signal_deliver(struct vcpu *v, struct user_signal *s);

#endif
