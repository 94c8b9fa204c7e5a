/*
 * The in-guest test suite, in TAP: first the plan line "1..N", N the number
 * of checks this run will report, counted from the configuration before
 * any check runs (ros_suite_run); then one line per check, numbered from 1
 * ("ok K - name" / "not ok K - name"), the failure's detail on a "ros: "
 * line just before a "not ok". A leading plan, rather than TAP's trailing
 * one, lets the host harness (scripts/boottest.py, "checks" in
 * tests/boot-plan.json) tell a suite that stopped early from one that
 * planned fewer checks. The names live here, in the checks, only.
 */
#ifndef TANDEM_ROS_SUITE_H
#define TANDEM_ROS_SUITE_H

#include <stdbool.h>
#include <stdint.h>

#include "bootinfo.h"
#include "ros.h"
#include "tandem_guest.h"

/* How a check reaches Tandem; always chosen explicitly. */
enum hc_via {
	VIA_PAGE,
	VIA_VMMCALL,
	VIA_VMCALL,
};

/* The outcome of one hypercall attempt. */
struct hc_result {
	long value;	    /* RAX, when called and not faulted */
	int fault;	    /* vector + 1 when the instruction faulted */
	uint64_t fault_rip; /* where it faulted */
	bool not_called;    /* the page slot was not a valid stub */
};

/* A physical range [base, base + size). */
struct ros_range {
	uint64_t base, size;
};

/* State the checks share. */
struct suite {
	const struct ros_boot *boot;
	struct tandem_id id;
	bool detected;			 /* Tandem found on the BSP */
	enum hc_via native_via;		 /* the vendor's own instruction */
	uint8_t *page;			 /* the hypercall page (ROS RAM) */
	long info[TANDEM_INFO_LAST + 1]; /* Get Info types through the page */
	bool info_ok;
	/* From Get Info types 5-10 (checks_getinfo): Tandem's image and
	 * hypervisor memory, and the HRT's memory (size 0: no HRT). When they
	 * do not fit the memory map, mem_ok is false and mem_why says why. */
	struct ros_range tandem_mem[2], hrt_mem;
	bool mem_ok;
	char mem_why[120];
};

/**
 * Report one check. @detail_fmt (may be NULL) is printed as a "ros: " line
 * only when the check fails. Returns @ok.
 */
bool check(bool ok, const char *name, const char *detail_fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Issue @code with argument @a1 by @via; faults are caught. */
struct hc_result hc_call(const struct suite *s, enum hc_via via, unsigned code,
			 uint64_t a1);

/** Issue @code with five arguments by the instruction @via (VIA_VMMCALL,
 * else vmcall); faults are caught. */
/** Exits of the boot CPU (logical CPU 0, where the suite runs) so far
 * (CPU Get State, root only); its own exit is counted after it answers. */
long suite_cpu0_exits(void);

struct hc_result hc_native(enum hc_via via, unsigned code, uint64_t a1,
			   uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/** "-22", "fault #UD at 0x...", "not called (bad stub)" into @buf. */
const char *hc_str(struct hc_result r, char *buf, size_t size);

/** True when @r is a plain result equal to @want. */
bool hc_is(struct hc_result r, long want);

/** True when page slot @slot holds the stub for @code and the vendor. */
bool hc_slot_ok(const struct suite *s, unsigned slot, uint32_t code);

/** True for the Get Info types whose value is fixed from boot; the others
 * (pool pages used, cells) may change between two reads. */
bool info_fixed(unsigned type);

/** First plain slot (0..126) that is not its stub, or -1. */
int hc_first_bad_slot(const struct suite *s);

/** Instruction bytes the vendor's stubs use (3 bytes). */
const uint8_t *hc_insn_bytes(const struct suite *s);

/** wrmsr / rdmsr of TANDEM_MSR_HYPERCALL_PAGE with any fault caught:
 * 0, or the vector + 1. */
int hcmsr_write(uint64_t v);
int hcmsr_read(uint64_t *v);

/* The groups of checks, in suite order. */
void checks_cpuid(struct suite *s);
void checks_hcpage(struct suite *s);
void checks_getinfo(struct suite *s);
void checks_unknown(struct suite *s);
void checks_user(struct suite *s);
void checks_msr(struct suite *s);
void checks_tandem_mem(struct suite *s);
/* Memory types of the ROS's map (ros/checks_memtype.c). */
void checks_memtype(struct suite *s);
void checks_smp(struct suite *s);
/* After the SMP checks: the HRT of hrt/ through the HVM downcalls; skipped
 * with one line when there is no HRT (ros/checks_hrt.c). */
void checks_hrt(struct suite *s);
/* What the ROS sees of the HRT (ros/checks_hrt.c: ros_hrt_probe). */
struct ros_hrt_probe {
	bool present;	  /* the null downcall answers 0 */
	bool answers;	  /* a parallel call completed on every core */
	uint64_t boot_id; /* HRT function 7: changes with every (re)boot */
	uint64_t version; /* HRT function 3 */
};
/** Asks the HRT (once checks_hrt() ran); all zero without one. */
void ros_hrt_probe(struct ros_hrt_probe *p);
/** After a ROS reboot (ros/checks_reboot.c), instead of checks_hrt():
 * what ros_hrt_probe() and ros_hrt_answers() need (the TSC rate, the HRT
 * core count). */
void ros_hrt_resume(struct suite *s);
/** Until @timeout_ms: the HRT runs function 0 to completion (waiting for
 * IDLE first); false with what was seen last in @why. */
bool ros_hrt_answers(unsigned timeout_ms, char *why, size_t size);
/** How many checks checks_hrt() will report: 0 without an HRT (asks
 * Tandem with a null downcall). With one, it first waits until every HRT
 * core answers (ros/checks_hrt.c: wait_until_up). */
unsigned checks_hrt_planned(const struct suite *s);
/* The ROS option hrt_boot_fault, instead of the suite (the hrtbootfault
 * scenario, whose HRT faults as it boots; ros/checks_hrt.c). */
void checks_hrt_boot_fault(struct suite *s);
#define HRT_BOOT_FAULT_CHECKS 7
/* After the HRT checks: merge and unmerge from a CPL 3 process, ROS
 * events (ros/checks_hvm.c); none without an HRT. */
void checks_hvm(struct suite *s);
unsigned checks_hvm_planned(const struct suite *s);
/* Then an invoke's completion interrupt (ros/checks_hvm_irq.c). */
void checks_hvm_irq(struct suite *s);
unsigned checks_hvm_irq_planned(const struct suite *s);
/* After the SMP checks: they take the highest AP from the ROS for the test
 * cells and start it again at the end (ros/checks_cells.c). */
void checks_cells(struct suite *s);
/** 71, and one more on a machine with free RAM above 4 GiB (a cell runs
 * there). */
unsigned checks_cells_planned(const struct suite *s);
/**
 * After checks_cells(): run the cell image @start..@end as @name on the
 * cells' CPU (cells_cpu(), parked by the caller) until it leaves the
 * running state or @ms pass, then destroy it. Its last state, or -1 with
 * @why filled (@why also says the state otherwise).
 */
long cells_run_image(const uint8_t *start, const uint8_t *end, const char *name,
		     unsigned ms, char *why, size_t size);
unsigned cells_cpu(void);
/* After the cell checks, on their CPU and memory: Jailhouse cell
 * descriptions through Cell Create, created, destroyed and refused field by
 * field; no cell is started (ros/checks_jh_config.c). */
void checks_jh_config(struct suite *s);
/** How many checks checks_jh_config() will report (0 without Tandem). */
unsigned checks_jh_config_planned(const struct suite *s);

/* Cells created from Jailhouse-format descriptions, running the inmate of
 * cells/jh/ (ros/checks_jh_cells.c): after the walls checks, on
 * cells_cpu() (and a second AP where the ROS has three CPUs). */
void checks_jh_cells(struct suite *s);
unsigned checks_jh_cells_planned(const struct suite *s);
/* Bench mode: jhtest once on the ROS's last AP (never started by bench
 * mode), "ros: bench: jhcell start_us=.. main_us=.. timer_hz=..
 * exits_per_irq=.. exits=.. irqs=.. cpu=.." or "ros: bench: jhcell failed:
 * ..". @tsc_khz: bench mode's calibration (0: measure). */
void jh_cells_bench(const struct ros_boot *b, bool vmmcall, uint64_t tsc_khz);

/* After the cell checks: the interrupt and MSR walls attacked from the
 * ROS, a hostile cell and the HRT (ros/checks_walls.c). */
void checks_walls(struct suite *s);
/** How many checks checks_walls() will report. */
unsigned checks_walls_planned(const struct suite *s);
/* After the cell checks: the hypercall fuzzer (ros/checks_fuzz.c). */
void checks_fuzz(struct suite *s);
/** How many checks checks_fuzz() will report (one more with an HRT). */
unsigned checks_fuzz_planned(const struct suite *s);
/* Reboot ROS and reboot both, across three boots of the ROS, before
 * Disable (ros/checks_reboot.c). The marker page that carries the suite
 * over a reboot is ROS_REBOOT_MARKER (ros/smp.h). */
void checks_reboot(struct suite *s);
/** 11 with Tandem and an HRT, else 0. */
unsigned checks_reboot_planned(const struct suite *s);
/** The phase this boot continues (1 after reboot ROS, 2 after reboot
 * both), from the marker page: the counts of checks reported before the
 * reboot and *@group_start the count when the reboot group began; 0 on a
 * first boot. */
unsigned ros_reboot_phase(unsigned *group_start, unsigned *passed,
			  unsigned *failed);
/** The counts of checks reported so far (ros/suite.c). */
void suite_counts(unsigned *passed, unsigned *failed);
/* Disable, last of all: the ROS continues natively (ros/checks_disable.c). */
void checks_disable(struct suite *s);
/** How many checks checks_disable() will report. */
unsigned checks_disable_planned(const struct suite *s);

/** What each CPU runs once started (SMP checks, and a CPU given back). */
void suite_cpu_probe(unsigned cpu);

/** Run the suite (Tandem found, or forced natively); with Tandem and the
 * option hrt_boot_fault, the HRT boot-fault checks instead. */
void ros_suite_run(const struct ros_boot *b, const struct tandem_id *id,
		   bool detected);

/** The single check of a native boot. */
void ros_suite_native(void);

#endif
