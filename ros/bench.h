/*
 * Bench mode of the ROS (command line word "bench"): instead of the suite,
 * time null hypercalls against bare intercepted CPUIDs and print
 * machine-readable "ros: bench: ..." lines for scripts/bench.sh:
 *
 *   ros: bench: tsc khz=K calib_us=U
 *   ros: bench: hypercall n=N cycles=C total_cycles=T ns=X.Y exits_per_call=E.EE rounds=R min_ns=.. max_ns=.. via=vmmcall
 *   ros: bench: hcpage n=N cycles=C total_cycles=T ns=X.Y exits_per_call=E.EE rounds=R min_ns=.. max_ns=..
 *   ros: bench: cpuid n=N cycles=C total_cycles=T ns=X.Y exits_per_call=E.EE rounds=R min_ns=.. max_ns=..
 *   ros: bench: cellstate n=N ...      (Cell Get State of cell 0, code 6)
 *   ros: bench: hvmnull n=N ...        (0xf00d request 0; "hvmnull no HRT" when -1)
 *   ros: bench: hrtcall n=H ...        (tandem_hrt_call_sync of HRT function 0:
 *                                       waits on the completion word)
 *   ros: bench: hrtpoll n=H ...        (the same, polling get state instead)
 *   ros: bench: hrtpar n=H ...         (hrtcall, parallel on every HRT core)
 *   ros: bench: hrtirq n=H ...         (hrtcall, halted until the completion
 *                                       interrupt, vector ROS_VEC_HRT_DONE)
 *   ros: bench: hrtparirq n=H ...      (hrtirq, parallel on every HRT core)
 *   ros: bench: hrtsync n=H ...        (synchronous calls after merge + 0x28)
 *   ros: bench: pingpong n=H ...       (a shared-memory ping-pong with HRT
 *                                       function 18: the baseline)
 *   ros: bench: merge n=H ...          (merge + unmerge, polled)
 *   ros: bench: event n=H ...          (function 12 forwarding a system call)
 *   ros: bench: signal n=H ...         (0x41 raised by a CPL 3 process for
 *                                       itself and taken; ros/bench_hvm.h)
 *   ros: bench: hrtboot n=3 ... us=U   (tandem_hrt_reboot() until function 0
 *                                       answers; U: median microseconds)
 *   ros: bench: jhcell start_us=S main_us=M timer_hz=H exits_per_irq=E.EE
 *               exits=X irqs=I cpu=C
 *                                      (the jhtest inmate of cells/jh/ in a
 *                                       cell made from its Jailhouse
 *                                       description: us from Cell Start to
 *                                       its first UART line and to its C
 *                                       entry, its x2APIC timer's rate, the
 *                                       exits of its CPU per interrupt;
 *                                       "jhcell failed: ..." otherwise)
 *   ros: bench done
 *
 * N calls of each kind run in R rounds of N/R, the kinds interleaved.
 * cycles and ns are per call in the median round (min_ns/max_ns: the
 * fastest and slowest round), total_cycles the sum of all rounds.
 * exits_per_call is "n/a" when Tandem's exit counters cannot be read;
 * natively the hypercall lines read "ros: bench: hypercall no hypervisor".
 * Options: "bench_n=N" calls per kind (default 5000), "bench_rounds=R"
 * (default 5, at most 16), "bench_hrt_n=H" HRT invokes per kind (default 200).
 * Without an HRT the HRT lines read "ros: bench: hrtcall no HRT" and so on.
 */
#ifndef TANDEM_ROS_BENCH_H
#define TANDEM_ROS_BENCH_H

#include <stdbool.h>

#include "bootinfo.h"
#include "tandem_guest.h"

/** Run the benchmarks, print "ros: bench done" and end the run. */
__attribute__((noreturn)) void ros_bench_run(const struct ros_boot *b,
					     const struct tandem_id *id,
					     bool detected);

#endif
