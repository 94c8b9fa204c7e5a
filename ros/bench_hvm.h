/*
 * The HVM rows of make bench (ros/bench.c runs and reports them): each a
 * body of @n operations, timed and counted by bench.c, with what it needs
 * set up before a round and undone after it, outside the timing.
 */
#ifndef TANDEM_ROS_BENCH_HVM_H
#define TANDEM_ROS_BENCH_HVM_H

#include <stdbool.h>
#include <stdint.h>

/* Every wait gives up after this many TSC ticks (set by bench.c). */
extern uint64_t bench_hvm_timeout;

/** Invokes of HRT function 0, waiting as Palacios's library does:
 * polling get state (0xf) until IDLE. */
long bench_hvm_polled(uint64_t n);

/** Synchronous mode (0x28 after a merge): @n calls of function 0 through
 * the shared block, no exit. The setup merges and sets up, the teardown
 * tears down and unmerges. */
bool bench_hvm_sync_setup(void);
long bench_hvm_sync(uint64_t n);
void bench_hvm_sync_teardown(void);

/** The baseline of synchronous calls: a plain shared-memory ping-pong of
 * @n rounds with HRT core 0 (function 18), started by one invoke. */
long bench_hvm_pingpong(uint64_t n);

/** @n merges (0x30), each followed by an unmerge (0x31), both waited for
 * by polling get state. */
long bench_hvm_merge(uint64_t n);

/** @n invokes of function 12: the HRT forwards a system call event, the
 * ROS serves it (0x1f), the HRT acknowledges and returns. */
long bench_hvm_event(uint64_t n);

/* ros/checks_hvm.c's CPL 3 process: install its signal handler; rounds of
 * @n signals it raises (0x41) and takes at once; remove the handler. */
bool hvm_bench_signal_setup(bool amd);
long hvm_bench_signal_run(unsigned n);
void hvm_bench_signal_done(void);

#endif
