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
#include "cpu.h"
#include "smp.h"
#include "suite.h"
#include "trap.h"

#define BENCH_N_DEFAULT		5000
#define BENCH_N_MAX		1000000
#define BENCH_ROUNDS_DEFAULT	5
#define BENCH_ROUNDS_MAX	16
#define CALIB_SHORT_US		10000
#define CALIB_LONG_US		50000	/* the difference, 40 ms, is measured */
#define CALIB_TRIES		3

/* The null hypercall: Get Info "number of cells". */
#define NULL_CODE		TANDEM_HC_HYPERVISOR_GET_INFO
#define NULL_ARG		TANDEM_INFO_NUM_CELLS

static uint8_t bench_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static bool use_vmmcall;

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	/* lfence: rdtsc does not start before earlier instructions are done
	 * (cpuid would serialize too, but it exits to Tandem). */
	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* a * b / c without overflow for a * b up to 2^64 * c (c > 0). */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	return a / c * b + a % c * b / c;
}

/* Value of "NAME=<decimal>" on the command line, or @def. */
static uint64_t cmdline_num(const struct ros_boot *b, const char *name, uint64_t def)
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
	return use_vmmcall ? tandem_vmmcall(code, a1, a2, 0, 0, 0, 0)
			   : tandem_vmcall(code, a1, a2, 0, 0, 0, 0);
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
		uint64_t t0 = rdtsc_ordered(), t1;

		ros_udelay(us);
		t1 = rdtsc_ordered();
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
		return (longc - shortc) / ((CALIB_LONG_US - CALIB_SHORT_US) / 1000);
	return longc / (CALIB_LONG_US / 1000);
}

enum loop_kind { LOOP_DIRECT, LOOP_PAGE, LOOP_CPUID };

static void body(enum loop_kind kind, uint64_t n)
{
	uint32_t r[4];

	switch (kind) {
	case LOOP_DIRECT:
		if (use_vmmcall)
			for (uint64_t i = 0; i < n; i++)
				tandem_vmmcall(NULL_CODE, NULL_ARG, 0, 0, 0, 0, 0);
		else
			for (uint64_t i = 0; i < n; i++)
				tandem_vmcall(NULL_CODE, NULL_ARG, 0, 0, 0, 0, 0);
		break;
	case LOOP_PAGE:
		for (uint64_t i = 0; i < n; i++)
			tandem_call_page(bench_page, NULL_CODE, NULL_ARG, 0, 0, 0, 0, 0);
		break;
	case LOOP_CPUID:
		for (uint64_t i = 0; i < n; i++)
			cpuid(0, 0, r);
		break;
	}
}

/* One kind of loop, measured in rounds interleaved with the others. */
struct loop_stat {
	const char *name;
	enum loop_kind kind;
	const char *suffix;		/* extra text at the end of its line */
	bool on;
	uint64_t cycles[BENCH_ROUNDS_MAX];	/* per round */
	uint64_t exits;			/* sum over rounds, Get State exits removed */
	bool exits_ok;
};

static void run_round(struct loop_stat *l, unsigned round, uint64_t per, bool detected)
{
	uint64_t t0, t1;
	long e0, e1;

	e0 = exits_cpu0(detected);
	t0 = rdtsc_ordered();
	body(l->kind, per);
	t1 = rdtsc_ordered();
	e1 = exits_cpu0(detected);
	l->cycles[round] = t1 - t0;
	/* One Get State exit lies between the two readings (each reading
	 * counts either itself or not, the same way both times). */
	if (e0 >= 0 && e1 > e0)
		l->exits += (uint64_t)(e1 - e0 - 1);
	else
		l->exits_ok = false;
}

/* "X.Y" nanoseconds per call of @cycles over @calls calls. */
static void fmt_ns(char *buf, size_t size, uint64_t cycles, uint64_t calls, uint64_t khz)
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
static void report(const struct loop_stat *l, unsigned rounds, uint64_t per, uint64_t khz)
{
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
	med = rounds % 2 ? sorted[rounds / 2]
			 : (sorted[rounds / 2 - 1] + sorted[rounds / 2]) / 2;
	fmt_ns(ns, sizeof(ns), med, per, khz);
	fmt_ns(lo, sizeof(lo), sorted[0], per, khz);
	fmt_ns(hi, sizeof(hi), sorted[rounds - 1], per, khz);
	if (l->exits_ok) {
		uint64_t hundredths = (l->exits * 100 + n / 2) / n;

		ksnprintf(epc, sizeof(epc), "%lu.%02lu", hundredths / 100, hundredths % 100);
	} else {
		ksnprintf(epc, sizeof(epc), "n/a");
	}
	ros_log("bench: %s n=%lu cycles=%lu total_cycles=%lu ns=%s exits_per_call=%s"
		" rounds=%u min_ns=%s max_ns=%s%s",
		l->name, n, (med + per / 2) / per, total, ns, epc, rounds, lo, hi,
		l->suffix);
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

void ros_bench_run(const struct ros_boot *b, const struct tandem_id *id,
		   bool detected)
{
	uint64_t n = cmdline_num(b, "bench_n", BENCH_N_DEFAULT);
	uint64_t rounds = cmdline_num(b, "bench_rounds", BENCH_ROUNDS_DEFAULT);
	uint64_t khz, per, warm;
	struct loop_stat loops[] = {
		{ .name = "hypercall", .kind = LOOP_DIRECT,
		  .suffix = id->amd ? " via=vmmcall" : " via=vmcall" },
		{ .name = "hcpage", .kind = LOOP_PAGE, .suffix = "" },
		{ .name = "cpuid", .kind = LOOP_CPUID, .suffix = "" },
	};
	const size_t nloops = sizeof(loops) / sizeof(loops[0]);
	long r;

	if (rounds == 0 || rounds > BENCH_ROUNDS_MAX) {
		ros_log("bench: bench_rounds=%lu out of range 1..%u, using %u", rounds,
			BENCH_ROUNDS_MAX, BENCH_ROUNDS_DEFAULT);
		rounds = BENCH_ROUNDS_DEFAULT;
	}
	if (n < rounds || n > BENCH_N_MAX) {
		ros_log("bench: bench_n=%lu out of range %lu..%u, using %u", n, rounds,
			BENCH_N_MAX, BENCH_N_DEFAULT);
		n = BENCH_N_DEFAULT;
	}
	per = n / rounds;
	warm = per / 10 < 100 ? (per / 10 ? per / 10 : 1) : 100;
	use_vmmcall = id->amd;
	ros_log("bench: mode %s, n=%lu in %lu rounds", detected ? "tandem" : "native",
		per * rounds, rounds);

	khz = calibrate_khz();
	ros_log("bench: tsc khz=%lu calib_us=%u", khz, CALIB_LONG_US - CALIB_SHORT_US);

	for (size_t i = 0; i < nloops; i++)
		loops[i].exits_ok = detected;
	if (detected) {
		r = direct(NULL_CODE, NULL_ARG, 0);
		if (r < 0)
			ros_log("bench: hypercall: null call returned %ld", r);
		else
			loops[0].on = true;
		loops[1].on = install_page();
		if (exits_cpu0(true) < 0) {
			ros_log("bench: CPU Get State type %u of CPU 0 not answered: "
				"no exit counts", TANDEM_CPU_STAT_TOTAL);
			for (size_t i = 0; i < nloops; i++)
				loops[i].exits_ok = false;
		}
	} else {
		ros_log("bench: hypercall no hypervisor");
		ros_log("bench: hcpage no hypervisor");
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
				run_round(&loops[i], round, per, detected);
	for (size_t i = 0; i < nloops; i++)
		if (loops[i].on)
			report(&loops[i], (unsigned)rounds, per, khz);
	ros_log("bench done");
	ros_exit();
}
