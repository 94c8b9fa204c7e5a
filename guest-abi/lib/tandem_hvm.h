/*
 * The ROS side of the Palacios HVM interface (tandem/hvm.h) as C functions
 * of the Tandem guest library: HRT state, invokes, reboot and image
 * replacement, each one 0xf00d downcall through tandem_hvm_call() (and so
 * through the transfer tandem_set_transfer() chose).
 *
 * Addresses are the caller's own pointers (virtual addresses, as in
 * Palacios): Tandem reads and writes them through the caller's page tables
 * at the time of the call, with the rights of the caller's CPL, so an
 * ordinary process can pass its own buffers (kept mapped until the state
 * is IDLE again: an invoke's result slots are written later, by physical
 * address). Tandem answers -1 (TANDEM_HRT_ERROR) to any request it
 * refuses, an unmapped or forbidden page included. May run at any CPL
 * (Tandem does not check the CPL for 0xf00d, as Palacios does not).
 */
#ifndef TANDEM_GUEST_ABI_LIB_TANDEM_HVM_H
#define TANDEM_GUEST_ABI_LIB_TANDEM_HVM_H

#include "tandem_guest.h"
#include "tandem/hvm.h"

/* Tandem's answer to a refused request (Palacios sets RAX to -1). */
#define TANDEM_HRT_ERROR   (-1L)
/* tandem_hrt_wait_idle()/tandem_hrt_call_sync(): still busy at the timeout. */
#define TANDEM_HRT_TIMEOUT (-2L)

/** Null downcall (0x0): 0 whenever Tandem runs, with or without an HRT
 * (as in Palacios), -1 from a cell that is not the ROS. */
long tandem_hvm_null(void);

/** Is there an HRT? Get state (0xf) answers -1 only when there is none. */
bool tandem_hrt_present(void);

/**
 * Transaction state (0xf): returns TANDEM_HRT_IDLE .. TANDEM_HRT_GDTSYNC,
 * and copies the pending ROS event to @ev (RDX); @ev may be NULL (a copy on
 * the stack is used).
 */
long tandem_hrt_state(struct tandem_ros_event *ev);

/**
 * Invoke (0x20): the HRT runs @c on its first core. Returns 0 when the call
 * was started (the state is then TANDEM_HRT_CALL until the HRT reports),
 * -1 when refused (not IDLE, no usable HRT, @c outside the caller's RAM).
 * @c and the result array must stay untouched until the state is IDLE again.
 */
long tandem_hrt_invoke(const struct tandem_hrt_call *c);

/** Parallel invoke (0x21): as tandem_hrt_invoke(), on every HRT core. */
long tandem_hrt_invoke_parallel(const struct tandem_hrt_call *c);

/**
 * Invoke (or @parallel invoke) @c with the completion word @done (RSI):
 * sets *@done to 0 first; Tandem writes TANDEM_HRT_COMPLETED there once
 * every core called done and the state is IDLE again, or
 * TANDEM_HRT_ABORTED when the HRT failed or was rebooted meanwhile. @done
 * must be 8-aligned, writable by the caller, and stay at its physical page
 * until then (a Linux process: locked in memory). Returns as the invoke.
 */
long tandem_hrt_invoke_notify(const struct tandem_hrt_call *c, bool parallel,
			      volatile uint64_t *done);

/**
 * As tandem_hrt_invoke_notify(), and Tandem sends the fixed interrupt
 * @vector (32-255; 0: none) to the calling CPU once it has written
 * *@done. The caller may then halt until it comes
 * (tandem_hrt_wait_done_halted()) instead of spinning. The vector needs
 * a handler that EOIs it (one exit more: the EOI is emulated), and
 * waking costs time (make bench: the hrtirq rows). Returns as the
 * invoke; a vector out of range is refused (-1).
 */
long tandem_hrt_invoke_irq(const struct tandem_hrt_call *c, bool parallel,
			   volatile uint64_t *done, uint8_t vector);

/**
 * CPL 0 only: halt (STI; HLT, with interrupts off between the test and
 * the halt) until *@done is nonzero, and return it; the interrupt flag is
 * as before on return. No timeout: an interrupt must come, the one of
 * tandem_hrt_invoke_irq() or the caller's own timer.
 */
long tandem_hrt_wait_done_halted(volatile uint64_t *done);

/**
 * Wait on memory (no exit) until *@done is nonzero: returns that value
 * (TANDEM_HRT_COMPLETED or TANDEM_HRT_ABORTED), or TANDEM_HRT_TIMEOUT
 * after @timeout_tsc TSC ticks (0: wait forever).
 */
long tandem_hrt_wait_done(volatile uint64_t *done, uint64_t timeout_tsc);

/**
 * Poll the state until IDLE: 0 then (@ev, may be NULL, holds the last ROS
 * event), the state request's error, or TANDEM_HRT_TIMEOUT after
 * @timeout_tsc TSC ticks (0: wait forever).
 */
long tandem_hrt_wait_idle(uint64_t timeout_tsc, struct tandem_ros_event *ev);

/**
 * Invoke @c and wait until the state is IDLE again, on the library's own
 * completion word (one exit: the invoke). Returns 0 when the HRT finished
 * (the results are in place; whether the HRT failed instead shows in the
 * ROS event of tandem_hrt_state()), -1 when the invoke was refused,
 * TANDEM_HRT_TIMEOUT after @timeout_tsc TSC ticks (0: no limit; after a
 * timeout, wait for IDLE with tandem_hrt_wait_idle() before the next call).
 */
long tandem_hrt_call_sync(const struct tandem_hrt_call *c, uint64_t timeout_tsc);

/** The same with a parallel invoke. */
long tandem_hrt_call_sync_parallel(const struct tandem_hrt_call *c,
				   uint64_t timeout_tsc);

/** The same as either, waiting the way Palacios's ROS library does:
 * polling get state (an exit each) until IDLE. */
long tandem_hrt_call_polling(const struct tandem_hrt_call *c, bool parallel,
			     uint64_t timeout_tsc);

/** Reboot the HRT (0x2): 0 when Tandem restarts it, else -1. */
long tandem_hrt_reboot(void);

/**
 * Replace the HRT image (0x8) with the @len bytes at @image (RDX = address,
 * RSI = length; Tandem copies them). 0, or -1 when refused (not an HRT
 * image, outside the caller's RAM, ...).
 */
long tandem_hrt_replace(const void *image, uint64_t len);

#endif
