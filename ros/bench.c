/*
 * Bench mode (see bench.h): TSC calibration against PIT channel 2, then
 * N null hypercalls by the vendor's own instruction, N through the
 * hypercall page, and N bare CPUID leaf 0 (every CPUID exits to Tandem:
 * the bare intercepted exit), each timed with the TSC and counted with
 * Tandem's exit counter of CPU 0 (CPU Get State, type 1000). The N calls
 * of each kind run in rounds (bench_rounds=, default 5), the kinds
 * interleaved; the median round gives the per-call figures.
 *
 * Integer arithmetic only (the ROS is built with -mgeneral-regs-only).
 */
#include "bench.h"
#include "bench_hvm.h"
#include "cpu.h"
#include "smp.h"
#include "suite.h"
#include "tandem_hvm.h"
#include "trap.h"

#include "../hrt/hrt_funcs.h"

#define BENCH_N_DEFAULT	     5000
#define BENCH_N_MAX	     1000000
#define BENCH_ROUNDS_DEFAULT 5
#define BENCH_ROUNDS_MAX     16
#define CALIB_SHORT_US	     10000
#define CALIB_LONG_US	     50000 /* the difference, 40 ms, is measured */
#define CALIB_TRIES	     3
#define BENCH_HRT_N_DEFAULT  200 /* QEMU: ~5 ms per invoke under load */
#define BENCH_HRT_N_MAX	     100000
#define HRT_CALL_MS	     5000  /* timeout of one invoke */
#define HRT_BOOT_MS	     30000 /* timeout of one HRT boot */
#define HRT_BOOT_REPS	     3

/* The null hypercall: Get Info "number of cells". */
#define NULL_CODE	     TANDEM_HC_HYPERVISOR_GET_INFO
#define NULL_ARG	     TANDEM_INFO_NUM_CELLS

static uint8_t bench_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static bool use_vmmcall;
static uint64_t tsc_khz;

/* HRT call descriptor and results (identity-mapped ROS RAM: physical =
 * virtual, as the HVM interface wants). */
static struct tandem_hrt_call hrt_call;
static uint64_t hrt_results[HRT_MAX_CORES + 1];

/* a * b / c without overflow for a * b up to 2^64 * c (c > 0). */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	return a / c * b + a % c * b / c;
}

/* Value of "NAME=<decimal>" on the command line, or @def. */
static uint64_t cmdline_num(const struct ros_boot *b, const char *name,
			    uint64_t def)
{
	size_t n = strlen(name);

	for (const char *s = b->cmdline; *s;) {
		while (*s == ' ')
			s++;
		if (strncmp(s, name, n) == 0 && s[n] == '=' &&
		    s[n + 1] >= '0' && s[n + 1] <= '9') {
			uint64_t v = 0;

			for (s += n + 1; *s >= '0' && *s <= '9'; s++)
				v = v * 10 + (uint64_t)(*s - '0');
			if (*s == ' ' || *s == 0)
				return v;
			ros_log("bench: %s: not a number, using %lu", name, def);
			return def;
		}
		while (*s && *s != ' ')
			s++;
	}
	return def;
}

static long direct(unsigned code, uint64_t a1, uint64_t a2)
{
	return use_vmmcall ? tandem_vmmcall(code, a1, a2, 0, 0, 0, 0) :
			     tandem_vmcall(code, a1, a2, 0, 0, 0, 0);
}

/* Exits of CPU 0 so far, or -1 when Tandem does not say. */
static long exits_cpu0(bool detected)
{
	if (!detected)
		return -1;
	return direct(TANDEM_HC_CPU_GET_STATE, 0, TANDEM_CPU_STAT_TOTAL);
}

/* TSC cycles over a PIT delay of @us; the fastest of a few tries, since a
 * host that deschedules the emulated CPU only ever adds cycles. */
static uint64_t cycles_over(unsigned us)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < CALIB_TRIES; i++) {
		uint64_t t0 = rdtsc(), t1;

		ros_udelay(us);
		t1 = rdtsc();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

static uint64_t calibrate_khz(void)
{
	uint64_t shortc = cycles_over(CALIB_SHORT_US);
	uint64_t longc = cycles_over(CALIB_LONG_US);

	/* The difference cancels the fixed cost of programming the PIT. */
	if (longc > shortc)
		return (longc - shortc) /
		       ((CALIB_LONG_US - CALIB_SHORT_US) / 1000);
	return longc / (CALIB_LONG_US / 1000);
}

enum loop_kind {
	LOOP_DIRECT,
	LOOP_PAGE,
	LOOP_CPUID,
	LOOP_CELLSTATE,
	LOOP_HVMNULL,
	LOOP_HRTCALL,
	LOOP_HRTPAR,
	LOOP_HRTIRQ,
	LOOP_HRTPARIRQ,
	LOOP_HRTPOLL,
	LOOP_HRTSYNC,
	LOOP_PINGPONG,
	LOOP_MERGE,
	LOOP_EVENT,
	LOOP_SIGNAL,
};

static uint64_t hrt_timeout(unsigned ms)
{
	return tsc_khz ? tsc_khz * ms : 1000000ull * ms; /* else assume 1 GHz */
}

/* The completion word of the halting rows; the PIC masks they keep. */
static volatile uint64_t irq_done __attribute__((aligned(8)));
static uint16_t pic_masks;

/* The halting rows take interrupts: the PIC's are masked meanwhile. */
static bool irq_setup(void)
{
	pic_masks = ros_pic_mask_all();
	return true;
}

static void irq_teardown(void)
{
	ros_pic_restore(pic_masks);
}

static void hrt_prepare(void)
{
	memset(&hrt_call, 0, sizeof(hrt_call));
	hrt_call.func = HRT_FN_NULL;
	hrt_call.result_gpa = (uint64_t)(uintptr_t)hrt_results;
}

/* @n calls of @kind: 0, or the first failed call's answer (HRT kinds). */
static long body(enum loop_kind kind, uint64_t n)
{
	uint32_t r[4];
	long v;

	switch (kind) {
	case LOOP_DIRECT:
		if (use_vmmcall)
			for (uint64_t i = 0; i < n; i++)
				tandem_vmmcall(NULL_CODE, NULL_ARG, 0, 0, 0, 0,
					       0);
		else
			for (uint64_t i = 0; i < n; i++)
				tandem_vmcall(NULL_CODE, NULL_ARG, 0, 0, 0, 0, 0);
		break;
	case LOOP_PAGE:
		for (uint64_t i = 0; i < n; i++)
			tandem_call_page(bench_page, NULL_CODE, NULL_ARG, 0, 0,
					 0, 0, 0);
		break;
	case LOOP_CPUID:
		for (uint64_t i = 0; i < n; i++)
			cpuid(0, 0, r);
		break;
	case LOOP_CELLSTATE:
		for (uint64_t i = 0; i < n; i++)
			direct(TANDEM_HC_CELL_GET_STATE, 0, 0);
		break;
	case LOOP_HVMNULL:
		for (uint64_t i = 0; i < n; i++)
			tandem_hvm_null();
		break;
	case LOOP_HRTCALL:
	case LOOP_HRTPAR:
		hrt_prepare();
		for (uint64_t i = 0; i < n; i++) {
			v = kind == LOOP_HRTCALL ?
				    tandem_hrt_call_sync(&hrt_call,
							 hrt_timeout(HRT_CALL_MS)) :
				    tandem_hrt_call_sync_parallel(&hrt_call,
								  hrt_timeout(
									  HRT_CALL_MS));
			if (v)
				return v;
		}
		break;
	case LOOP_HRTIRQ:
	case LOOP_HRTPARIRQ:
		hrt_prepare();
		for (uint64_t i = 0; i < n; i++) {
			v = tandem_hrt_invoke_irq(&hrt_call,
						  kind == LOOP_HRTPARIRQ,
						  &irq_done, ROS_VEC_HRT_DONE);
			if (v)
				return v;
			v = tandem_hrt_wait_done_halted(&irq_done);
			if (v != TANDEM_HRT_COMPLETED)
				return TANDEM_HRT_ERROR;
		}
		break;
	case LOOP_HRTPOLL:
		return bench_hvm_polled(n);
	case LOOP_HRTSYNC:
		return bench_hvm_sync(n);
	case LOOP_PINGPONG:
		return bench_hvm_pingpong(n);
	case LOOP_MERGE:
		return bench_hvm_merge(n);
	case LOOP_EVENT:
		return bench_hvm_event(n);
	case LOOP_SIGNAL:
		return hvm_bench_signal_run((unsigned)n);
	}
	return 0;
}

static bool signal_setup(void)
{
	return hvm_bench_signal_setup(use_vmmcall);
}

/* One kind of loop, measured in rounds interleaved with the others. */
struct loop_stat {
	const char *name;
	enum loop_kind kind;
	const char *suffix; /* extra text at the end of its line */
	bool on;
	uint64_t per;			   /* calls per round */
	long failed;			   /* a call's error: the kind stops */
	uint64_t cycles[BENCH_ROUNDS_MAX]; /* per round */
	uint64_t exits; /* sum over rounds, Get State exits removed */
	bool exits_ok;
	/* Run around each round, outside its timing (NULL: nothing); a
	 * false setup stops the kind. */
	bool (*setup)(void);
	void (*teardown)(void);
};

static void run_round(struct loop_stat *l, unsigned round, bool detected)
{
	uint64_t t0, t1;
	long e0, e1, v;

	if (l->setup && !l->setup()) {
		ros_log("bench: %s failed: its set-up in round %u", l->name,
			round + 1);
		l->failed = TANDEM_HRT_ERROR;
		l->on = false;
		return;
	}
	e0 = exits_cpu0(detected);
	t0 = rdtsc();
	v = body(l->kind, l->per);
	t1 = rdtsc();
	e1 = exits_cpu0(detected);
	if (l->teardown)
		l->teardown();
	if (v) {
		ros_log("bench: %s failed: a call in round %u returned %ld",
			l->name, round + 1, v);
		l->failed = v;
		l->on = false;
		return;
	}
	l->cycles[round] = t1 - t0;
	/* One Get State exit lies between the two readings (each reading
	 * counts either itself or not, the same way both times). */
	if (e0 >= 0 && e1 > e0)
		l->exits += (uint64_t)(e1 - e0 - 1);
	else
		l->exits_ok = false;
}

/* "X.Y" nanoseconds per call of @cycles over @calls calls. */
static void fmt_ns(char *buf, size_t size, uint64_t cycles, uint64_t calls,
		   uint64_t khz)
{
	uint64_t tenths;

	if (!khz) {
		ksnprintf(buf, size, "n/a");
		return;
	}
	/* tenths of a nanosecond for all calls, then per call */
	tenths = (mul_div(cycles, 10000000, khz) + calls / 2) / calls;
	ksnprintf(buf, size, "%lu.%lu", tenths / 10, tenths % 10);
}

/* Print one "ros: bench: NAME ..." line: the median round, per call. */
static void report(const struct loop_stat *l, unsigned rounds, uint64_t khz)
{
	uint64_t per = l->per;
	uint64_t sorted[BENCH_ROUNDS_MAX], total = 0, med, n = per * rounds;
	char ns[32], lo[32], hi[32], epc[32];

	for (unsigned i = 0; i < rounds; i++) {
		uint64_t v = l->cycles[i];
		unsigned j = i;

		total += v;
		for (; j > 0 && sorted[j - 1] > v; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = v;
	}
	med = rounds % 2 ? sorted[rounds / 2] :
			   (sorted[rounds / 2 - 1] + sorted[rounds / 2]) / 2;
	fmt_ns(ns, sizeof(ns), med, per, khz);
	fmt_ns(lo, sizeof(lo), sorted[0], per, khz);
	fmt_ns(hi, sizeof(hi), sorted[rounds - 1], per, khz);
	if (l->exits_ok) {
		uint64_t hundredths = (l->exits * 100 + n / 2) / n;

		ksnprintf(epc, sizeof(epc), "%lu.%02lu", hundredths / 100,
			  hundredths % 100);
	} else {
		ksnprintf(epc, sizeof(epc), "n/a");
	}
	ros_log("bench: %s n=%lu cycles=%lu total_cycles=%lu ns=%s exits_per_call=%s"
		" rounds=%u min_ns=%s max_ns=%s%s",
		l->name, n, (med + per / 2) / per, total, ns, epc, rounds, lo,
		hi, l->suffix);
}

/* Install the hypercall page; true when the null call's stub is there. */
static bool install_page(void)
{
	const uint8_t *p = bench_page + NULL_CODE * TANDEM_HC_STUB_SIZE;
	uint32_t code;
	int fault = hcmsr_write((uint64_t)(uintptr_t)bench_page);

	if (fault) {
		ros_log("bench: hcpage: installing the page gave %s",
			ros_vector_name((unsigned)fault - 1));
		return false;
	}
	memcpy(&code, p + 1, 4);
	if (p[0] != 0xb8 || code != NULL_CODE || p[8] != 0xc3) {
		ros_log("bench: hcpage: slot %u is not a stub for code %u",
			NULL_CODE, NULL_CODE);
		return false;
	}
	return true;
}

/* Spin about @us microseconds on the TSC (no exit). */
static void tsc_pause(unsigned us)
{
	uint64_t t0 = rdtsc(), d = hrt_timeout(1) * us / 1000;

	while (rdtsc() - t0 < d)
		__asm__ volatile("pause");
}

/*
 * Until @timeout_ms: wait for IDLE, invoke function 0, wait for IDLE, until
 * the HRT has answered 0. 0 then, else the last error (or TANDEM_HRT_TIMEOUT).
 */
static long hrt_poll_ready(unsigned timeout_ms)
{
	uint64_t t0 = rdtsc(), limit = hrt_timeout(timeout_ms), spent;
	long v = TANDEM_HRT_TIMEOUT;

	do {
		v = tandem_hrt_state(NULL);
		if (v != TANDEM_HRT_IDLE) {
			tsc_pause(20);
			continue;
		}
		hrt_prepare();
		hrt_results[0] = ~0ull;
		v = tandem_hrt_invoke(&hrt_call);
		if (v) {
			tsc_pause(20);
			continue;
		}
		spent = rdtsc() - t0;
		v = tandem_hrt_wait_idle(spent < limit ? limit - spent : 1, NULL);
		if (v == 0 && hrt_results[0] == 0)
			return 0;
		if (v == 0)
			v = (long)hrt_results[0];
		tsc_pause(20);
	} while (rdtsc() - t0 < limit);
	return v ? v : TANDEM_HRT_TIMEOUT;
}

/* HRT boot: reboot, then poll until function 0 answers; one round each. */
static void run_hrtboot(struct loop_stat *l, unsigned reps, bool detected)
{
	for (unsigned round = 0; round < reps; round++) {
		uint64_t t0, t1;
		long e0, e1, v;

		e0 = exits_cpu0(detected);
		t0 = rdtsc();
		v = tandem_hrt_reboot();
		if (v == 0)
			v = hrt_poll_ready(HRT_BOOT_MS);
		t1 = rdtsc();
		e1 = exits_cpu0(detected);
		if (v) {
			ros_log("bench: %s failed: reboot %u: %ld", l->name,
				round + 1, v);
			l->on = false;
			return;
		}
		l->cycles[round] = t1 - t0;
		if (e0 >= 0 && e1 > e0)
			l->exits += (uint64_t)(e1 - e0 - 1);
		else
			l->exits_ok = false;
	}
}

void ros_bench_run(const struct ros_boot *b, const struct tandem_id *id,
		   bool detected)
{
	uint64_t n = cmdline_num(b, "bench_n", BENCH_N_DEFAULT);
	uint64_t hn = cmdline_num(b, "bench_hrt_n", BENCH_HRT_N_DEFAULT);
	uint64_t rounds = cmdline_num(b, "bench_rounds", BENCH_ROUNDS_DEFAULT);
	uint64_t khz, per, hper, warm;
	static char boot_suffix[48];
	struct loop_stat loops[] = {
		{ .name = "hypercall",
		  .kind = LOOP_DIRECT,
		  .suffix = id->amd ? " via=vmmcall" : " via=vmcall" },
		{ .name = "hcpage", .kind = LOOP_PAGE, .suffix = "" },
		{ .name = "cpuid", .kind = LOOP_CPUID, .suffix = "" },
		{ .name = "cellstate", .kind = LOOP_CELLSTATE, .suffix = "" },
		{ .name = "hvmnull", .kind = LOOP_HVMNULL, .suffix = "" },
	};
	struct loop_stat hloops[] = {
		{ .name = "hrtcall", .kind = LOOP_HRTCALL, .suffix = "" },
		{ .name = "hrtpoll", .kind = LOOP_HRTPOLL, .suffix = "" },
		{ .name = "hrtpar", .kind = LOOP_HRTPAR, .suffix = "" },
		{ .name = "hrtirq",
		  .kind = LOOP_HRTIRQ,
		  .suffix = "",
		  .setup = irq_setup,
		  .teardown = irq_teardown },
		{ .name = "hrtparirq",
		  .kind = LOOP_HRTPARIRQ,
		  .suffix = "",
		  .setup = irq_setup,
		  .teardown = irq_teardown },
		{ .name = "hrtsync",
		  .kind = LOOP_HRTSYNC,
		  .suffix = "",
		  .setup = bench_hvm_sync_setup,
		  .teardown = bench_hvm_sync_teardown },
		{ .name = "pingpong", .kind = LOOP_PINGPONG, .suffix = "" },
		{ .name = "merge", .kind = LOOP_MERGE, .suffix = "" },
		{ .name = "event", .kind = LOOP_EVENT, .suffix = "" },
		{ .name = "signal",
		  .kind = LOOP_SIGNAL,
		  .suffix = "",
		  .setup = signal_setup,
		  .teardown = hvm_bench_signal_done },
	};
	struct loop_stat hboot = { .name = "hrtboot",
				   .suffix = boot_suffix,
				   .per = 1 };
	const size_t nloops = sizeof(loops) / sizeof(loops[0]);
	const size_t nhloops = sizeof(hloops) / sizeof(hloops[0]);
	bool hrt = false;
	long r;

	if (rounds == 0 || rounds > BENCH_ROUNDS_MAX) {
		ros_log("bench: bench_rounds=%lu out of range 1..%u, using %u",
			rounds, BENCH_ROUNDS_MAX, BENCH_ROUNDS_DEFAULT);
		rounds = BENCH_ROUNDS_DEFAULT;
	}
	if (n < rounds || n > BENCH_N_MAX) {
		ros_log("bench: bench_n=%lu out of range %lu..%u, using %u", n,
			rounds, BENCH_N_MAX, BENCH_N_DEFAULT);
		n = BENCH_N_DEFAULT;
	}
	if (hn < rounds || hn > BENCH_HRT_N_MAX) {
		ros_log("bench: bench_hrt_n=%lu out of range %lu..%u, using %u",
			hn, rounds, BENCH_HRT_N_MAX, BENCH_HRT_N_DEFAULT);
		hn = BENCH_HRT_N_DEFAULT;
	}
	per = n / rounds;
	hper = hn / rounds;
	warm = per / 10 < 100 ? (per / 10 ? per / 10 : 1) : 100;
	use_vmmcall = id->amd;
	ros_log("bench: mode %s, n=%lu in %lu rounds",
		detected ? "tandem" : "native", per * rounds, rounds);

	khz = calibrate_khz();
	tsc_khz = khz;
	bench_hvm_timeout = hrt_timeout(HRT_CALL_MS);
	ros_log("bench: tsc khz=%lu calib_us=%u", khz,
		CALIB_LONG_US - CALIB_SHORT_US);

	for (size_t i = 0; i < nloops; i++) {
		loops[i].exits_ok = detected;
		loops[i].per = per;
	}
	for (size_t i = 0; i < nhloops; i++) {
		hloops[i].exits_ok = detected;
		hloops[i].per = hper;
	}
	hboot.exits_ok = detected;
	if (detected) {
		r = direct(NULL_CODE, NULL_ARG, 0);
		if (r < 0)
			ros_log("bench: hypercall: null call returned %ld", r);
		else
			loops[0].on = true;
		loops[1].on = install_page();
		r = direct(TANDEM_HC_CELL_GET_STATE, 0, 0);
		if (r != TANDEM_CELL_RUNNING)
			ros_log("bench: cellstate: Cell Get State of cell 0 returned %ld",
				r);
		else
			loops[3].on = true;
		r = tandem_hvm_null();
		if (!tandem_hrt_present()) {
			ros_log("bench: hvmnull no HRT");
			for (size_t i = 0; i < nhloops; i++)
				ros_log("bench: %s no HRT", hloops[i].name);
			ros_log("bench: hrtboot no HRT");
		} else {
			if (r != 0)
				ros_log("bench: hvmnull: null downcall returned %ld",
					r);
			loops[4].on = true;
			/* The HRT may still be booting: wait until it answers. */
			r = hrt_poll_ready(HRT_BOOT_MS);
			if (r) {
				ros_log("bench: hrtcall: the HRT never answered function 0 "
					"(%ld)",
					r);
			} else {
				hrt = true;
				for (size_t i = 0; i < nhloops; i++)
					hloops[i].on = true;
				hboot.on = true;
			}
		}
		if (exits_cpu0(true) < 0) {
			ros_log("bench: CPU Get State type %u of CPU 0 not answered: "
				"no exit counts",
				TANDEM_CPU_STAT_TOTAL);
			for (size_t i = 0; i < nloops; i++)
				loops[i].exits_ok = false;
			for (size_t i = 0; i < nhloops; i++)
				hloops[i].exits_ok = false;
			hboot.exits_ok = false;
		}
	} else {
		ros_log("bench: hypercall no hypervisor");
		ros_log("bench: hcpage no hypervisor");
		ros_log("bench: cellstate no hypervisor");
		ros_log("bench: hvmnull no hypervisor");
		for (size_t i = 0; i < nhloops; i++)
			ros_log("bench: %s no hypervisor", hloops[i].name);
		ros_log("bench: hrtboot no hypervisor");
	}
	loops[2].on = true;

	/* Warm caches (and TCG's code cache), then the rounds, interleaved so
	 * that a slow stretch of the host hits every kind alike. */
	for (size_t i = 0; i < nloops; i++)
		if (loops[i].on)
			body(loops[i].kind, warm);
	for (unsigned round = 0; round < rounds; round++)
		for (size_t i = 0; i < nloops; i++)
			if (loops[i].on)
				run_round(&loops[i], round, detected);
	for (size_t i = 0; i < nloops; i++)
		if (loops[i].on)
			report(&loops[i], (unsigned)rounds, khz);

	/* HRT invokes: fewer calls (each is a cross-CPU round trip). */
	if (hrt) {
		for (size_t i = 0; i < nhloops; i++)
			if (!hloops[i].setup && body(hloops[i].kind, 3))
				hloops[i].on = false;
		for (unsigned round = 0; round < rounds; round++)
			for (size_t i = 0; i < nhloops; i++)
				if (hloops[i].on)
					run_round(&hloops[i], round, detected);
		for (size_t i = 0; i < nhloops; i++)
			if (hloops[i].on)
				report(&hloops[i], (unsigned)rounds, khz);
	}

	/* HRT boot last: each reboot restarts the HRT. */
	if (hboot.on) {
		run_hrtboot(&hboot, HRT_BOOT_REPS, detected);
		if (hboot.on) {
			uint64_t c[HRT_BOOT_REPS];

			for (unsigned i = 0; i < HRT_BOOT_REPS; i++) {
				unsigned j = i;

				for (; j > 0 && c[j - 1] > hboot.cycles[i]; j--)
					c[j] = c[j - 1];
				c[j] = hboot.cycles[i];
			}
			if (khz)
				ksnprintf(boot_suffix, sizeof(boot_suffix),
					  " us=%lu",
					  mul_div(c[HRT_BOOT_REPS / 2], 1000,
						  khz));
			else
				ksnprintf(boot_suffix, sizeof(boot_suffix),
					  " us=n/a");
			report(&hboot, HRT_BOOT_REPS, khz);
		}
	}
	/* A Jailhouse-format cell (ros/checks_jh_cells.c): last, since it
	 * takes the AP away and back. */
	if (detected)
		jh_cells_bench(b, id->amd, khz);
	else
		ros_log("bench: jhcell no hypervisor");
	ros_log("bench done");
	ros_exit();
}
