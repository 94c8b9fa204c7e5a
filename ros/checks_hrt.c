/*
 * HRT checks (Palacios HVM seed, guest-abi/include/tandem/hvm.h): the ROS's
 * side of the hybrid runtime of hrt/, through the downcalls of
 * guest-abi/lib/tandem_hvm.h. They run after the SMP checks and before the
 * cell checks.
 *
 * The ROS does not see the HRT: Tandem hides its CPUs and memory. How many
 * cores the HRT has comes from the command line, "hrt_cores=N" (default 2).
 * Without Tandem, or when the null downcall answers -1 (Tandem without an
 * HRT module), one line "ros: hrt: no HRT" replaces the checks.
 *
 * Order matters: the HRT is made to fail (function 4 triple-faults), then
 * rebooted, made to fail by bad port accesses (function 10) and rebooted
 * after each, then replaced by the hrt2.elf that ros/hrt_images.asm
 * embeds; it is left running that image.
 *
 * Every pointer a request takes is a virtual address of the caller
 * (Palacios): the ROS identity-maps its RAM, so most checks pass the
 * physical address of a call descriptor or result array in .bss; the
 * virtual-pointer checks (check_virtual) map pages of their own where the
 * two differ. Arguments of HRT functions (function 1's array) are the
 * HRT's business: physical addresses.
 * Timeouts use the TSC, measured against 20 ms of the PIT.
 */
#include "cpu.h"
#include "smp.h"
#include "suite.h"
#include <tandem/hvm_call.h>
#include "tandem_hvm.h"
#include "trap.h"

#include "../hrt/hrt_funcs.h"

#define HRT_CORES_DEFAULT 2
#define CALL_MS		  2000	/* invoke until IDLE again */
#define TICKS_WAIT_MS	  3000	/* for every HRT core's timer to tick */
#define FAIL_MS		  2000	/* triple fault until IDLE again */
#define RECOVER_MS	  5000	/* reboot or replace until calls work */
#define BOOT_MS		  20000 /* until every core of the first boot answers */
#define SETTLE_MS	  20	/* for Tandem's line from the HRT's CPU */
#define NUM_INVOKES	  10000
#define SUM_COUNT	  1000
#define SUM_WANT	  500500ull
#define PAR_ARG		  7
#define SPIN_US		  50000
#define CR8_AFTER_US	  50000		   /* function 14 */
#define BAD_DESC	  0xfffff000000ull /* far beyond the ROS's RAM */
#define GARBAGE_SIZE	  4096
#define UNKNOWN_REQUEST	  0x99
#define WRONG_MARKER	  0x6464646464646400ull
#define UNSET		  0x5555555555555555ull /* no result written */
#define REBOOTS		  10	/* in a row, each with a parallel invoke */
#define REBOOTS_MIN	  3	/* ... at least, when they take long */
#define REBOOTS_MS	  60000 /* time for more than REBOOTS_MIN */
#define LOOP_SPIN_US	  20000 /* the call some reboots interrupt */
#define PATTERN		  0xa5
#define EDGE		  40	 /* bytes of an 80-byte buffer inside RAM */
#define MAGIC_SPIN_US	  100000 /* function 14 in check_magic_pf */
#define REAL_FAULT_VA	  0x00007ff000000000ull /* the HRT maps nothing there */

extern const uint8_t ros_hrt2_image[], ros_hrt2_image_end[];

/* CPL 3 null downcalls (ros/hrt_images.asm). */
void ros_user_hvm_null_vmmcall(void);
void ros_user_hvm_null_vmcall(void);

/* A CPL 3 downcall with these registers (ros/hrt_images.asm). */
struct ros_hvm_regs {
	uint64_t rcx, rdx, rsi, rdi, r8;
	uint32_t amd;
};
void ros_user_hvm_call(void);

static struct tandem_hrt_call call, busy;
static uint64_t results[HRT_MAX_CORES + 1], busy_results[HRT_MAX_CORES + 1];
static uint64_t numbers[SUM_COUNT];
static uint8_t garbage[GARBAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t user_stack[PAGE_SIZE] __attribute__((aligned(16)));
static struct tandem_ros_event event;

static struct {
	const struct suite *s;
	unsigned cores; /* hrt_cores= */
	uint64_t khz;	/* TSC ticks per ms */
} hs;

/* ---- results ---- */

static bool called(struct hc_result r)
{
	return !r.fault && !r.not_called;
}

static bool is(struct hc_result r, long want)
{
	return called(r) && r.value == want;
}

/* A result as text, in a buffer that lives until the end of the statement;
 * the library's own codes are named. */
static const char *res_str(struct hc_result r, char *buf, size_t size)
{
	if (called(r) && r.value == TANDEM_HRT_ERROR)
		ksnprintf(buf, size, "-1 (refused)");
	else if (called(r) && r.value == TANDEM_HRT_TIMEOUT)
		ksnprintf(buf, size, "timeout (state not back to IDLE)");
	else
		hc_str(r, buf, size);
	return buf;
}

#define S(r) res_str((r), (char[64]){ 0 }, 64)

/* The HVM call with any RBX (the library always sends the marker). */
static long hvm_raw(uint64_t marker, uint64_t request)
{
	return tandem_hvm_call_insn(hs.s->id.amd, marker, request, 0, 0, 0, 0);
}

/* ---- time ---- */

static uint64_t ms_ticks(unsigned ms)
{
	return hs.khz * ms;
}

static uint64_t ticks_ms(uint64_t ticks)
{
	return hs.khz ? ticks / hs.khz : 0;
}

/* ---- calls with faults caught ---- */

/* What caught() issues; a and b are its arguments. */
enum op {
	OP_NULL,       /* tandem_hvm_null() */
	OP_STATE,      /* tandem_hrt_state(&event) */
	OP_INVOKE,     /* tandem_hrt_invoke(a) */
	OP_PAR_INVOKE, /* tandem_hrt_invoke_parallel(a) */
	OP_NOTIFY,     /* tandem_hrt_invoke_irq(a, false, b, VEC_HRT_DONE) */
	OP_SYNC,       /* tandem_hrt_call_sync(a, b ms) */
	OP_SYNC_PAR,   /* tandem_hrt_call_sync_parallel(a, b ms) */
	OP_WAIT,       /* tandem_hrt_wait_idle(a ticks, &event) */
	OP_REBOOT,     /* tandem_hrt_reboot() */
	OP_REPLACE,    /* tandem_hrt_replace(a, b) */
	OP_HVM,	       /* tandem_hvm_call(a, b, 0, 0, 0) */
	OP_RAW,	       /* hvm_raw(a = RBX, b = request) */
};

/* Issue @o with any fault caught. */
static struct hc_result caught(enum op o, uint64_t a, uint64_t b)
{
	const struct tandem_hrt_call *c = (const struct tandem_hrt_call *)a;
	struct hc_result r = { 0 };
	int fault = ros_try(ROS_ANY_VECTOR);

	if (fault == 0) {
		long v;

		switch (o) {
		case OP_NULL:
			v = tandem_hvm_null();
			break;
		case OP_STATE:
			v = tandem_hrt_state(&event);
			break;
		case OP_INVOKE:
			v = tandem_hrt_invoke(c);
			break;
		case OP_PAR_INVOKE:
			v = tandem_hrt_invoke_parallel(c);
			break;
		case OP_NOTIFY:
			v = tandem_hrt_invoke_irq(c, false,
						  (volatile uint64_t *)b,
						  ROS_VEC_HRT_DONE);
			break;
		case OP_SYNC:
			v = tandem_hrt_call_sync(c, ms_ticks((unsigned)b));
			break;
		case OP_SYNC_PAR:
			v = tandem_hrt_call_sync_parallel(c,
							  ms_ticks((unsigned)b));
			break;
		case OP_WAIT:
			v = tandem_hrt_wait_idle(a, &event);
			break;
		case OP_REBOOT:
			v = tandem_hrt_reboot();
			break;
		case OP_REPLACE:
			v = tandem_hrt_replace((const void *)a, b);
			break;
		case OP_HVM:
			v = tandem_hvm_call(a, b, 0, 0, 0);
			break;
		case OP_RAW:
		default:
			v = hvm_raw(a, b);
			break;
		}
		ros_untry();
		r.value = v;
	} else {
		r.fault = fault;
		r.fault_rip = ros_last_fault()->rip;
	}
	return r;
}

/* ---- setup ---- */

/* "hrt_cores=N" (1 .. HRT_MAX_CORES), else the default. */
static unsigned hrt_cores(const struct ros_boot *b)
{
	static const char key[] = "hrt_cores=";
	const size_t n = sizeof(key) - 1;

	for (const char *p = b->cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, n) == 0) {
			unsigned v = 0;
			const char *q = p + n;

			while (*q >= '0' && *q <= '9' && v <= HRT_MAX_CORES)
				v = v * 10 + (unsigned)(*q++ - '0');
			if ((*q == ' ' || *q == 0) && q > p + n && v >= 1 &&
			    v <= HRT_MAX_CORES)
				return v;
			ros_log("hrt: hrt_cores: want a number from 1 to %u; using %u",
				HRT_MAX_CORES, HRT_CORES_DEFAULT);
			return HRT_CORES_DEFAULT;
		}
		while (*p && *p != ' ')
			p++;
	}
	return HRT_CORES_DEFAULT;
}

/* A fresh descriptor in @c for @func with its results at @res. */
static void prepare(struct tandem_hrt_call *c, uint64_t *res, uint64_t func,
		    uint64_t a0, uint64_t a1)
{
	memset(c, 0, sizeof(*c));
	c->func = func;
	c->result_gpa = (uint64_t)res;
	c->args[0] = a0;
	c->args[1] = a1;
	for (unsigned i = 0; i <= HRT_MAX_CORES; i++)
		res[i] = UNSET;
}

/* Run @func on the HRT (every core when @parallel) and wait for IDLE. */
static struct hc_result sync_call(uint64_t func, uint64_t a0, uint64_t a1,
				  bool parallel)
{
	prepare(&call, results, func, a0, a1);
	if (parallel)
		return caught(OP_SYNC_PAR, (uint64_t)&call, CALL_MS);
	return caught(OP_SYNC, (uint64_t)&call, CALL_MS);
}

/*
 * After a reboot or an image change: until @timeout_ms, wait for IDLE,
 * invoke @func, wait for IDLE, until the result is @want. False with the
 * last thing seen in @why.
 */
static bool poll_call(uint64_t func, uint64_t want, unsigned timeout_ms,
		      char *why, size_t size)
{
	uint64_t t0 = rdtsc(), limit = ms_ticks(timeout_ms);

	ksnprintf(why, size, "nothing tried");
	do {
		struct hc_result r = caught(OP_STATE, 0, 0);
		uint64_t spent;

		if (!is(r, TANDEM_HRT_IDLE)) {
			ksnprintf(why, size, "state %s", S(r));
			ros_udelay(1000);
			continue;
		}
		prepare(&call, results, func, 0, 0);
		r = caught(OP_INVOKE, (uint64_t)&call, 0);
		if (!is(r, 0)) {
			ksnprintf(why, size, "invoke of function %lu: %s", func,
				  S(r));
			ros_udelay(1000);
			continue;
		}
		spent = rdtsc() - t0;
		r = caught(OP_WAIT, spent < limit ? limit - spent : 1, 0);
		if (!is(r, 0)) {
			ksnprintf(why, size, "function %lu started, then %s",
				  func, S(r));
			continue;
		}
		if (results[0] == want)
			return true;
		ksnprintf(why, size, "function %lu returned 0x%lx, want 0x%lx",
			  func, results[0], want);
		ros_udelay(1000);
	} while (rdtsc() - t0 < limit);
	return false;
}

/*
 * Tandem boots the HRT on its own CPUs while the ROS runs. On a loaded
 * host an emulator may not have finished that boot when the suite begins:
 * a first invoke then waits for the boot (seen under QEMU: "hrt: started"
 * after the first invoke had timed out), and the HRT's boot lines, which
 * Tandem prints on the serial port the ROS shares, can cut a check line in
 * two. So before the first check, until BOOT_MS, a parallel call of
 * function 0 until every core has answered. If the HRT never answers, the
 * checks say so.
 */
static void wait_until_up(void)
{
	uint64_t t0 = rdtsc(), limit = ms_ticks(BOOT_MS);
	struct hc_result r = { .not_called = true };

	do {
		r = caught(OP_STATE, 0, 0);
		if (is(r, TANDEM_HRT_IDLE)) {
			prepare(&call, results, HRT_FN_NULL, 0, 0);
			r = caught(OP_SYNC_PAR, (uint64_t)&call, CALL_MS);
			if (is(r, 0)) {
				ros_log("hrt: every core answers (%lu ms)",
					ticks_ms(rdtsc() - t0));
				return;
			}
		}
		ros_udelay(1000);
	} while (rdtsc() - t0 < limit);
	ros_log("hrt: not every core answered a parallel call of function 0 within %u ms "
		"(last: %s)",
		BOOT_MS, S(r));
}

/* ---- the checks ---- */

/* False when there is no HRT to check (one line says so). */
static bool check_null(void)
{
	struct hc_result r;

	if (!hs.s->detected) {
		ros_log("hrt: no HRT");
		return false;
	}
	r = caught(OP_NULL, 0, 0);
	if (!tandem_hrt_present()) {
		/* Palacios: the HVM interface answers without an HRT. */
		ros_log("hrt: null downcall without an HRT answers %s",
			is(r, 0) ? "0" : S(r));
		ros_log("hrt: no HRT");
		return false;
	}
	if (!check(is(r, 0), "hrt: null downcall", "request 0x0: %s, want 0",
		   S(r))) {
		ros_log("hrt: the other HRT checks need a null downcall that answers; not run");
		return false;
	}
	return true;
}

static void check_user_null(void)
{
	bool amd = hs.s->id.amd;
	struct hc_result r = { 0 };
	uint64_t cs = 0;
	int fault = ros_try(ROS_ANY_VECTOR);

	if (fault == 0) {
		r.value = (long)ros_run_user(amd ? ros_user_hvm_null_vmmcall :
						   ros_user_hvm_null_vmcall,
					     user_stack + sizeof(user_stack), 0,
					     &cs);
		ros_untry();
	} else {
		r.fault = fault;
		r.fault_rip = ros_last_fault()->rip;
	}
	check(is(r, 0) && (cs & 3) == 3, "hrt: null downcall from cpl 3",
	      "request 0x0 via %s at CPL 3: %s (cs 0x%lx), want 0",
	      amd ? "vmmcall" : "vmcall", S(r), cs);
}

static void check_refusals(void)
{
	struct hc_result r;

	r = caught(OP_RAW, WRONG_MARKER, TANDEM_HVM_NULL);
	check(is(r, TANDEM_HRT_ERROR), "hrt: wrong marker refused",
	      "request 0x0 with RBX 0x%llx: %s, want -1", WRONG_MARKER, S(r));
	r = caught(OP_HVM, TANDEM_HVM_CALL_DONE, 0);
	check(is(r, TANDEM_HRT_ERROR), "hrt: call done from ros refused",
	      "request 0x2f (an HRT core's) from the ROS: %s, want -1", S(r));
	r = caught(OP_HVM, UNKNOWN_REQUEST, 0);
	check(is(r, TANDEM_HRT_ERROR), "hrt: unknown request refused",
	      "request 0x%x: %s, want -1", UNKNOWN_REQUEST, S(r));
	memset(&event, 0xee, sizeof(event));
	r = caught(OP_STATE, 0, 0);
	check(is(r, TANDEM_HRT_IDLE), "hrt: state idle",
	      "request 0xf: %s, want 0 (IDLE); event type %u", S(r),
	      event.event_type);
}

static void check_calls(void)
{
	struct hc_result r;
	unsigned bad = 0;
	bool ok;

	r = sync_call(HRT_FN_NULL, 0, 0, false);
	check(is(r, 0) && results[0] == 0, "hrt: invoke null",
	      "function 0: %s (want 0), result 0x%lx (want 0)", S(r), results[0]);

	for (unsigned i = 0; i < SUM_COUNT; i++)
		numbers[i] = i + 1;
	r = sync_call(HRT_FN_SUM, (uint64_t)numbers, SUM_COUNT, false);
	check(is(r, 0) && results[0] == SUM_WANT, "hrt: invoke sum",
	      "function 1 over %u values at 0x%lx: %s (want 0), result %lu (want %llu)",
	      SUM_COUNT, (uint64_t)numbers, S(r), results[0], SUM_WANT);

	/* One result per HRT core, and none beyond: more cores than
	 * hrt_cores= would write there. */
	r = sync_call(HRT_FN_CORE, PAR_ARG, 0, true);
	ok = is(r, 0);
	for (bad = 0; ok && bad < hs.cores; bad++)
		if (results[bad] != (uint64_t)bad * HRT_CORE_FACTOR + PAR_ARG)
			break;
	ok = ok && bad == hs.cores && results[hs.cores] == UNSET;
	if (!ok && is(r, 0)) {
		char line[160];
		int len = 0;

		for (unsigned i = 0;
		     i <= hs.cores && len < (int)sizeof(line) - 24; i++)
			len += ksnprintf(line + len, sizeof(line) - (size_t)len,
					 " %u:%ld", i,
					 results[i] == UNSET ? -1l :
							       (long)results[i]);
		ros_log("hrt: parallel results (core:result, -1 = none):%s",
			line);
	}
	check(ok, "hrt: parallel invoke on every core",
	      "function 2 (arg %u) on hrt_cores=%u: %s (want 0); %s", PAR_ARG,
	      hs.cores, S(r),
	      !is(r, 0) ?
		      "no results" :
	      bad < hs.cores ?
		      "a core's result is missing or wrong" :
		      "a result beyond the last core: more HRT cores than hrt_cores");
}

static void check_many(void)
{
	struct hc_result r = { 0 };
	uint64_t t0, t1;
	unsigned n;

	prepare(&call, results, HRT_FN_CORE, 0, 0);
	t0 = rdtsc();
	for (n = 0; n < NUM_INVOKES; n++) {
		call.args[0] = n;
		results[0] = UNSET;
		r = caught(OP_SYNC, (uint64_t)&call, CALL_MS);
		if (!is(r, 0) || results[0] != n)
			break;
	}
	t1 = rdtsc();
	if (n > 0 && hs.khz)
		ros_log("hrt: %u invokes in %lu ms: %lu ns per call, invoke to IDLE "
			"(TSC at %lu kHz from the PIT)",
			n, ticks_ms(t1 - t0), (t1 - t0) * 1000000 / hs.khz / n,
			hs.khz);
	check(n == NUM_INVOKES, "hrt: 10000 invokes",
	      "call %u (function 2, arg %u): %s (want 0), result 0x%lx (want 0x%x)",
	      n + 1, n, S(r), results[0], n);
}

/* While function 5 spins, the HRT is busy: no second call of any kind. */
/* The HRT's own local APIC timers (hrt/selftest.c) go on while its cores
 * answer calls: each core's tick count rises between two parallel calls
 * of function 9, with parallel calls of function 2 in between. */
static void check_ticks(void)
{
	uint64_t first[HRT_MAX_CORES + 1], t0;
	struct hc_result r = sync_call(HRT_FN_TICKS, 0, 0, true);
	unsigned rising = 0, calls = 0;
	bool ok = is(r, 0) && hs.cores <= HRT_MAX_CORES;

	memcpy(first, results, sizeof(first));
	t0 = rdtsc();
	while (ok && rdtsc() - t0 < ms_ticks(TICKS_WAIT_MS)) {
		if (!is(sync_call(HRT_FN_CORE, 0, 0, true), 0))
			break;
		calls++;
		r = sync_call(HRT_FN_TICKS, 0, 0, true);
		if (!is(r, 0))
			break;
		rising = 0;
		for (unsigned i = 0; i < hs.cores; i++)
			rising += results[i] != UNSET && first[i] != UNSET &&
				  results[i] > first[i];
		if (rising == hs.cores)
			break;
	}
	check(ok && rising == hs.cores,
	      "hrt: timer ticks on every core while it answers calls",
	      "function 9: %s; ticks rose on %u of %u cores over %u parallel "
	      "calls (core 0: %lu then %lu)",
	      S(r), rising, hs.cores, calls, first[0], results[0]);
}

/*
 * Function 14 makes core 0 write CR8 for CR8_AFTER_US after its CALL_DONE,
 * still in the upcall with interrupts off; the next invoke's upcall comes
 * meanwhile, so Tandem asks for the interrupt window while the HRT writes
 * CR8 (Nautilus's scheduler does so). QEMU's TCG aborted there when the
 * CR8 write was not intercepted (svm/svm.c, svm_set_irq_window). The log
 * line says how long the second call waited: about CR8_AFTER_US when its
 * upcall came during the writes.
 */
static void check_cr8_window(void)
{
	struct hc_result r1, r2;
	uint64_t res1, t0, t1;

	r1 = sync_call(HRT_FN_CR8_AFTER, CR8_AFTER_US, 0, false);
	res1 = results[0];
	t0 = rdtsc();
	r2 = sync_call(HRT_FN_NULL, 0, 0, false);
	t1 = rdtsc();
	if (is(r2, 0))
		ros_log("hrt: cr8: the next call answered %lu ms after function 14 "
			"(%u us of CR8 writes with interrupts off)",
			ticks_ms(t1 - t0), CR8_AFTER_US);
	check(is(r1, 0) && res1 == 0 && is(r2, 0) && results[0] == 0,
	      "hrt: invoke while the hrt writes cr8 with interrupts off",
	      "function 14 (%u us): %s (want 0), result 0x%lx; then function 0: "
	      "%s (want 0), result 0x%lx",
	      CR8_AFTER_US, S(r1), res1, S(r2), results[0]);
}

static void check_busy(void)
{
	struct hc_result rb, r1, r2, st;
	uint64_t t0, t1;

	prepare(&busy, busy_results, HRT_FN_SPIN_US, SPIN_US, 0);
	prepare(&call, results, HRT_FN_NULL, 0, 0);
	t0 = rdtsc();
	rb = caught(OP_INVOKE, (uint64_t)&busy, 0);
	if (!is(rb, 0)) {
		check(false, "hrt: invoke while busy refused",
		      "invoke of function 5 (%u us): %s, want 0", SPIN_US, S(rb));
		check(false, "hrt: parallel invoke while busy refused",
		      "no busy HRT");
		check(false, "hrt: busy call completes", "not started");
		return;
	}
	r1 = caught(OP_INVOKE, (uint64_t)&call, 0);
	r2 = caught(OP_PAR_INVOKE, (uint64_t)&call, 0);
	st = caught(OP_WAIT, ms_ticks(CALL_MS), 0);
	t1 = rdtsc();
	if (is(st, 0))
		ros_log("hrt: function 5 (%u us) done %lu ms after its invoke",
			SPIN_US, ticks_ms(t1 - t0));
	check(is(r1, TANDEM_HRT_ERROR), "hrt: invoke while busy refused",
	      "second invoke while function 5 runs: %s, want -1", S(r1));
	check(is(r2, TANDEM_HRT_ERROR), "hrt: parallel invoke while busy refused",
	      "parallel invoke while function 5 runs: %s, want -1", S(r2));
	check(is(st, 0) && busy_results[0] == 0, "hrt: busy call completes",
	      "waiting %u ms for IDLE: %s (want 0), function 5 result 0x%lx (want 0)",
	      CALL_MS, S(st), busy_results[0]);
}

static void check_bad_descriptor(void)
{
	struct hc_result r, st;

	r = caught(OP_HVM, TANDEM_HVM_INVOKE, BAD_DESC);
	if (is(r, 0)) /* wrongly taken: let it end before going on */
		(void)caught(OP_WAIT, ms_ticks(CALL_MS), 0);
	st = caught(OP_STATE, 0, 0);
	check(is(r, TANDEM_HRT_ERROR) && is(st, TANDEM_HRT_IDLE),
	      "hrt: descriptor outside ram refused",
	      "invoke with descriptor 0x%llx: %s (want -1); state then %s (want 0)",
	      BAD_DESC, S(r), S(st));
}

static void check_version(uint64_t want, const char *name)
{
	struct hc_result r = sync_call(HRT_FN_VERSION, 0, 0, false);

	check(is(r, 0) && results[0] == want, name,
	      "function 3: %s (want 0), result 0x%lx (want %lu)", S(r),
	      results[0], want);
}

/* Function 4: the HRT triple-faults; Tandem ends the call with an
 * HRT_EXCEPTION event and refuses calls until the HRT is rebooted. */
static void check_failure(void)
{
	struct hc_result r, st;
	uint64_t t0, t1;

	static volatile uint64_t word __attribute__((aligned(8)));

	/* With a completion word and interrupt: Tandem writes ABORTED
	 * there, then sends the interrupt. */
	unsigned irqs0 = ros_done_irqs_here(), irqs1;

	prepare(&call, results, HRT_FN_TRIPLE_FAULT, 0, 0);
	r = caught(OP_NOTIFY, (uint64_t)&call, (uint64_t)&word);
	if (!is(r, 0)) {
		check(false, "hrt: triple fault back to idle",
		      "invoke of function 4: %s, want 0", S(r));
		check(false, "hrt: triple fault event", "function 4 not started");
		check(false, "hrt: invoke after failure refused",
		      "function 4 not started");
		return;
	}
	memset(&event, 0, sizeof(event));
	t0 = rdtsc();
	st = caught(OP_WAIT, ms_ticks(FAIL_MS), 0);
	t1 = rdtsc();
	/* Tandem may still be printing its line about the failed HRT from
	 * the HRT's CPU: the serial port is shared. */
	ros_udelay(SETTLE_MS * 1000);
	if (is(st, 0))
		ros_log("hrt: HRT failed: IDLE after %lu ms, event type %u, rip 0x%lx, vector %lu",
			ticks_ms(t1 - t0), event.event_type, event.excp.rip,
			event.excp.vector);
	ros_take_interrupts(0);
	irqs1 = ros_done_irqs_here();
	check(is(st, 0) && word == TANDEM_HRT_ABORTED && irqs1 - irqs0 == 1,
	      "hrt: triple fault back to idle",
	      "state after %u ms: %s, want 0 (IDLE); completion word %lu, want %u (ABORTED); completion interrupts %u, want 1",
	      FAIL_MS, S(st), word, TANDEM_HRT_ABORTED, irqs1 - irqs0);
	check(is(st, 0) && event.event_type == TANDEM_HRT_EXCEPTION,
	      "hrt: triple fault event",
	      "ROS event type %u, want %u (HRT_EXCEPTION)", event.event_type,
	      TANDEM_HRT_EXCEPTION);

	prepare(&call, results, HRT_FN_NULL, 0, 0);
	r = caught(OP_INVOKE, (uint64_t)&call, 0);
	if (is(r, 0))
		(void)caught(OP_WAIT, ms_ticks(CALL_MS), 0);
	check(is(r, TANDEM_HRT_ERROR), "hrt: invoke after failure refused",
	      "invoke of function 0 after the triple fault: %s, want -1", S(r));
}

/*
 * The HRT prints its "started" line before it can answer a call, and its
 * lines share the serial port with the ROS's: the check lines wait until
 * the HRT answers.
 */
static void check_reboot(void)
{
	struct hc_result r = caught(OP_REBOOT, 0, 0);
	char why[120];
	bool ok = poll_call(HRT_FN_NULL, 0, RECOVER_MS, why, sizeof(why));

	check(is(r, 0), "hrt: reboot", "request 0x2: %s, want 0", S(r));
	check(ok, "hrt: invoke after reboot", "function 0 within %u ms: %s",
	      RECOVER_MS, why);
}

/* Port accesses the HRT may not make (guest-abi/ABI.md 4.10, "I/O
 * ports"), each by function 10: Tandem fails the HRT with #GP's vector
 * (its line names the port: tests/boot-plan.json), and a reboot brings it
 * back. */
static const struct bad_port {
	uint16_t port;
	uint8_t size, dir;
	const char *what;
} bad_ports[] = {
	/* the keyboard controller: the HRT may only read it, as a delay */
	{ 0x60, 1, HRT_PORT_OUT, "byte out to port 0x60" },
	/* the HRT's emulated PIT takes bytes only */
	{ 0x40, 2, HRT_PORT_IN, "word in from port 0x40" },
	/* COM1 is the ROS's */
	{ 0x3f8, 1, HRT_PORT_IN, "byte in from port 0x3f8" },
};

#define NUM_BAD_PORTS (sizeof(bad_ports) / sizeof(bad_ports[0]))

static void check_bad_ports(void)
{
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < NUM_BAD_PORTS; i++) {
		const struct bad_port *b = &bad_ports[i];
		struct hc_result r, st, again;
		char name[64], why[120];
		bool ok;

		prepare(&call, results, HRT_FN_PORT, b->port, b->size);
		call.args[2] = b->dir;
		memset(&event, 0, sizeof(event));
		r = caught(OP_INVOKE, (uint64_t)&call, 0);
		st = is(r, 0) ? caught(OP_WAIT, ms_ticks(FAIL_MS), 0) : r;
		/* Tandem may still be printing its line about it. */
		ros_udelay(SETTLE_MS * 1000);
		prepare(&busy, busy_results, HRT_FN_NULL, 0, 0);
		again = caught(OP_INVOKE, (uint64_t)&busy, 0);
		if (is(again, 0))
			(void)caught(OP_WAIT, ms_ticks(CALL_MS), 0);
		ksnprintf(name, sizeof(name), "hrt: %s fails the hrt", b->what);
		check(is(r, 0) && is(st, 0) &&
			      event.event_type == TANDEM_HRT_EXCEPTION &&
			      event.excp.vector == 13 &&
			      is(again, TANDEM_HRT_ERROR),
		      name,
		      "invoke of function 10: %s (want 0), then %s (want 0, IDLE), event type %u (want %u), vector %lu (want 13, #GP); next invoke %s (want -1); result 0x%lx",
		      S(r), S(st), event.event_type, TANDEM_HRT_EXCEPTION,
		      event.excp.vector, S(again), results[0]);

		r = caught(OP_REBOOT, 0, 0);
		ok = poll_call(HRT_FN_NULL, 0, RECOVER_MS, why, sizeof(why));
		ksnprintf(name, sizeof(name), "hrt: calls after %s and reboot",
			  b->what);
		check(is(r, 0) && ok, name,
		      "request 0x2: %s (want 0); function 0 within %u ms: %s",
		      S(r), RECOVER_MS, ok ? "0" : why);
	}
	ros_log("hrt: %zu bad port accesses, each with its reboot, in %lu ms",
		NUM_BAD_PORTS, ticks_ms(rdtsc() - t0));
}

static void check_replace(void)
{
	uint64_t len = (uint64_t)(ros_hrt2_image_end - ros_hrt2_image);
	struct hc_result r;
	char why[120];
	bool ok;

	r = caught(OP_REPLACE, (uint64_t)ros_hrt2_image, len);
	ok = poll_call(HRT_FN_VERSION, 2, RECOVER_MS, why, sizeof(why));
	check(is(r, 0), "hrt: replace image",
	      "request 0x8 with hrt2.elf at 0x%lx (%lu bytes): %s, want 0",
	      (uint64_t)ros_hrt2_image, len, S(r));
	check(ok, "hrt: version 2 after replace", "function 3 within %u ms: %s",
	      RECOVER_MS, why);

	memset(garbage, 0xff, sizeof(garbage));
	r = caught(OP_REPLACE, (uint64_t)garbage, sizeof(garbage));
	ok = poll_call(HRT_FN_VERSION, 2, RECOVER_MS, why, sizeof(why));
	check(is(r, TANDEM_HRT_ERROR), "hrt: replace garbage refused",
	      "request 0x8 with %u bytes of 0xff at 0x%lx: %s, want -1",
	      GARBAGE_SIZE, (uint64_t)garbage, S(r));
	check(ok, "hrt: version 2 after garbage", "function 3 within %u ms: %s",
	      RECOVER_MS, why);
}

/*
 * hrt2.elf asks in its tag for its upcalls as Palacios's magic page fault
 * (TANDEM_HRT_UPCALL_MAGIC_PF): vector 14, error code 0xf00df00d, CR2
 * 0x800df00df00d, which its handler compares whole and counts (function
 * 15). Every core of a parallel invoke got its upcall that way (the
 * invoke that asks is one). One comes with interrupts off: function 14
 * keeps core 0 writing CR8 with interrupts off after its CALL_DONE, and
 * the next invoke comes meanwhile (version 1 waits for the interrupt
 * window there). One comes while the HRT runs with another code selector
 * than its gate's (function 17). And a real page fault (function 16 reads
 * an address the HRT does not map) is still taken as one, not as an
 * upcall.
 */
static void check_magic_pf(void)
{
	struct hc_result r, r1, r2, r3;
	uint64_t before, after;
	unsigned got = 0;

	r = sync_call(HRT_FN_MAGIC_UPCALLS, 0, 0, true);
	for (unsigned i = 0; is(r, 0) && i < hs.cores && i < HRT_MAX_CORES; i++)
		got += results[i] != UNSET && results[i] != HRT_FN_BAD &&
		       (results[i] >> 32) > 0;
	check(is(r, 0) && got == hs.cores,
	      "hrt: upcalls as the magic page fault on every core",
	      "parallel function 15: %s (want 0); magic upcalls on %u of %u cores "
	      "(core 0: 0x%lx)",
	      S(r), got, hs.cores, results[0]);

	r1 = sync_call(HRT_FN_MAGIC_UPCALLS, 0, 0, false);
	before = results[0];
	r2 = sync_call(HRT_FN_CR8_AFTER, MAGIC_SPIN_US, 0, false);
	r3 = sync_call(HRT_FN_MAGIC_UPCALLS, 0, 0, false);
	after = results[0];
	check(is(r1, 0) && is(r2, 0) && is(r3, 0) && before != HRT_FN_BAD &&
		      after != HRT_FN_BAD && (after >> 32) > (before >> 32) &&
		      (uint32_t)after > (uint32_t)before,
	      "hrt: a magic upcall while the hrt has interrupts off",
	      "function 15: %s, %lu upcalls, %u with IF=0; function 14 (%u us): "
	      "%s; function 15: %s, %lu upcalls, %u with IF=0 (want one more)",
	      S(r1), before >> 32, (uint32_t)before, MAGIC_SPIN_US, S(r2),
	      S(r3), after >> 32, (uint32_t)after);

	/* Function 17 runs with CS 0x18, gate 14 names 0x08: Tandem loads
	 * the gate's code segment from the HRT's GDT. */
	r1 = sync_call(HRT_FN_OTHER_CS_AFTER, MAGIC_SPIN_US, 0, false);
	r2 = sync_call(HRT_FN_MAGIC_UPCALLS, HRT_MAGIC_OTHER_CS, 0, false);
	check(is(r1, 0) && is(r2, 0) && results[0] >= 1 &&
		      results[0] != HRT_FN_BAD,
	      "hrt: a magic upcall through a gate whose selector is not cs",
	      "function 17 (%u us): %s; function 15 (%u): %s, %lu upcalls with "
	      "CS 0x18 (want at least 1)",
	      MAGIC_SPIN_US, S(r1), HRT_MAGIC_OTHER_CS, S(r2), results[0]);

	r = sync_call(HRT_FN_REAL_FAULT, REAL_FAULT_VA, 0, false);
	check(is(r, 0) && results[0] == REAL_FAULT_VA,
	      "hrt: a real page fault is not taken as an upcall",
	      "function 16 at 0x%llx: %s (want 0), result 0x%lx (want the "
	      "address as CR2)",
	      REAL_FAULT_VA, S(r), results[0]);
}

/* ---- the request table (guest-abi/ABI.md 4.10) ---- */

/* Requests the ROS gets -1 for here: unknown ones, the HRT's own (event request and ack, merge done), an event done with
 * no event outstanding, a signal with no handler installed, or a
 * synchronous-mode teardown outside synchronous mode. */
static const uint64_t unbuilt[] = {
	TANDEM_HVM_ROS_EVENT_REQUEST,
	TANDEM_HVM_HRT_EVENT_ACK,
	TANDEM_HVM_ROS_EVENT_DONE,
	TANDEM_HVM_SYNC_TEARDOWN,
	TANDEM_HVM_MERGE_DONE,
	TANDEM_HVM_SIGNAL,
	TANDEM_HVM_GDT_REGISTER,
	TANDEM_HVM_GDT_DONE,
	0x60,
	0xffffffffull,
	1ull << 32, /* NULL in the low half: RCX is compared whole */
};

static struct ros_hvm_regs uregs;

/* One downcall with all four arguments, at CPL 0 or 3, faults caught. */
static struct hc_result hvm4(bool user, uint64_t req, uint64_t a1, uint64_t a2,
			     uint64_t a3)
{
	struct hc_result r = { 0 };
	int fault;

	if (!user) {
		fault = ros_try(ROS_ANY_VECTOR);
		if (fault == 0) {
			r.value = tandem_hvm_call(req, a1, a2, a3, 0);
			ros_untry();
		} else {
			r.fault = fault;
			r.fault_rip = ros_last_fault()->rip;
		}
		return r;
	}
	uregs = (struct ros_hvm_regs){ req, a1, a2, a3, 0, hs.s->id.amd };
	fault = ros_try(ROS_ANY_VECTOR);
	if (fault == 0) {
		uint64_t cs = 0;

		r.value = (long)ros_run_user(ros_user_hvm_call,
					     user_stack + sizeof(user_stack),
					     (uint64_t)&uregs, &cs);
		ros_untry();
		if ((cs & 3) != 3)
			r.not_called = true;
	} else {
		r.fault = fault;
		r.fault_rip = ros_last_fault()->rip;
	}
	return r;
}

/* What the HRT runs: function 7 (boot id) and 3 (version) on core 0. */
void ros_hrt_probe(struct ros_hrt_probe *p)
{
	memset(p, 0, sizeof(*p));
	if (!hs.s || !hs.s->detected || !tandem_hrt_present())
		return;
	p->present = true;
	if (is(sync_call(HRT_FN_BOOT_ID, 0, 0, false), 0))
		p->boot_id = results[0];
	if (is(sync_call(HRT_FN_VERSION, 0, 0, false), 0))
		p->version = results[0];
	p->answers = is(sync_call(HRT_FN_CORE, 0, 0, true), 0);
	for (unsigned i = 0; p->answers && i < hs.cores; i++)
		p->answers = results[i] == (uint64_t)i * HRT_CORE_FACTOR;
}

/* The last page of a range of the ROS's RAM that the next byte does not
 * continue (a hole or a reserved range follows: not the ROS's RAM for
 * Tandem either), free and below 4 GiB: buffers that run across
 * the end of RAM start EDGE bytes below it. */
static uint8_t *ram_edge(void)
{
	const struct ros_boot *b = hs.s->boot;

	for (size_t i = b->nmem; i-- > 0;) {
		const struct ros_mem_range *m = &b->mem[i];
		uint64_t end = m->base + m->len;

		if (m->type != MB2_MEM_AVAILABLE || end > 0x100000000ull ||
		    m->len < PAGE_SIZE)
			continue;
		if (i + 1 < b->nmem && b->mem[i + 1].base == end &&
		    b->mem[i + 1].type != MB2_MEM_RESERVED)
			continue;
		if (ros_ram_is_free(b, end - PAGE_SIZE, PAGE_SIZE))
			return (uint8_t *)(end - EDGE);
	}
	return NULL;
}

static bool edge_untouched(const uint8_t *edge)
{
	for (unsigned i = 0; edge && i < EDGE; i++)
		if (edge[i] != PATTERN)
			return false;
	return true;
}

/*
 * Addresses that are not the caller's RAM, for every request that takes
 * one: -1, nothing written, nothing started, the HRT not rebooted. Beyond
 * RAM, across its end, the HRT's memory and Tandem's.
 */
static bool bad_pointers(bool user, char *why, size_t size)
{
	uint8_t *edge = ram_edge();
	uint64_t hrt_mem = hs.s->hrt_mem.base, tandem = hs.s->tandem_mem[0].base;
	struct ros_hrt_probe before, after;
	const struct {
		uint64_t req, a1, a2;
	} bad[] = {
		{ TANDEM_HVM_GET_STATE, BAD_DESC, 0 },
		{ TANDEM_HVM_GET_STATE, (uint64_t)edge, 0 },
		{ TANDEM_HVM_GET_STATE, hrt_mem, 0 },
		{ TANDEM_HVM_GET_STATE, tandem, 0 },
		{ TANDEM_HVM_INVOKE, BAD_DESC, 0 },
		{ TANDEM_HVM_INVOKE, (uint64_t)edge, 0 },
		{ TANDEM_HVM_PAR_INVOKE, hrt_mem, 0 },
		{ TANDEM_HVM_PAR_INVOKE, tandem, 0 },
		{ TANDEM_HVM_REPLACE_HRT, BAD_DESC, PAGE_SIZE },
		{ TANDEM_HVM_REPLACE_HRT, (uint64_t)edge, PAGE_SIZE },
		{ TANDEM_HVM_REPLACE_HRT, hrt_mem, PAGE_SIZE },
		{ TANDEM_HVM_REPLACE_HRT, tandem, PAGE_SIZE },
	};
	struct hc_result r;

	if (edge)
		memset(edge, PATTERN, EDGE);
	else
		ros_log("hrt: no free page at the end of a RAM range: no buffer across it");
	ros_hrt_probe(&before);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!bad[i].a1)
			continue; /* no such range here */
		r = hvm4(user, bad[i].req, bad[i].a1, bad[i].a2, 0);
		if (is(r, 0)) /* wrongly taken: let it end */
			(void)caught(OP_WAIT, ms_ticks(RECOVER_MS), 0);
		if (!is(r, TANDEM_HRT_ERROR)) {
			ksnprintf(why, size,
				  "request 0x%lx with 0x%lx: %s, want -1",
				  bad[i].req, bad[i].a1, S(r));
			return false;
		}
	}
	r = caught(OP_STATE, 0, 0);
	ros_hrt_probe(&after);
	ksnprintf(why, size,
		  "then: state %s, bytes before the end of RAM %s, HRT boot 0x%lx -> 0x%lx, "
		  "version %lu -> %lu",
		  S(r), edge_untouched(edge) ? "untouched" : "written",
		  before.boot_id, after.boot_id, before.version, after.version);
	return is(r, TANDEM_HRT_IDLE) && edge_untouched(edge) &&
	       before.boot_id == after.boot_id && after.boot_id &&
	       before.version == after.version;
}

/* Rules at CPL 0 or 3: the HRT's own request and the others above are
 * refused; the null and the state request work; then bad pointers. */
static void check_rules(bool user)
{
	struct hc_result r;
	char why[160] = "";
	bool ok = true;

	r = hvm4(user, TANDEM_HVM_CALL_DONE, 0, 0, 0);
	if (!is(r, TANDEM_HRT_ERROR)) {
		ksnprintf(why, sizeof(why), "call done (HRT only): %s, want -1",
			  S(r));
		ok = false;
	}
	for (unsigned i = 0; ok && i < sizeof(unbuilt) / sizeof(unbuilt[0]); i++) {
		r = hvm4(user, unbuilt[i], 0, 0, 0);
		if (!is(r, TANDEM_HRT_ERROR)) {
			ksnprintf(why, sizeof(why),
				  "request 0x%lx (unknown, or not for the ROS now): %s, want -1",
				  unbuilt[i], S(r));
			ok = false;
		}
	}
	if (ok) {
		r = hvm4(user, TANDEM_HVM_GET_STATE, (uint64_t)&event, 0, 0);
		ok = is(r, TANDEM_HRT_IDLE);
		if (!ok)
			ksnprintf(why, sizeof(why), "get state: %s, want 0",
				  S(r));
	}
	check(ok, user ? "hrt: request rules at cpl 3" : "hrt: request rules",
	      "%s", why);
	ok = bad_pointers(user, why, sizeof(why));
	check(ok,
	      user ? "hrt: bad pointers refused at cpl 3" :
		     "hrt: bad pointers refused",
	      "%s", why);
}

/* ---- pointers are virtual addresses of the caller (ABI.md 4.10) ---- */

/*
 * The ROS identity-maps its low 64 GiB, where a virtual address is the
 * physical one, so the checks above cannot tell the two apart. Here it
 * maps a few pages of its own at VIRT_BASE (PML4 entry 1, free in the
 * ROS's tables, cleared again afterwards), out of order and with mixed
 * rights, and checks that Tandem reads and writes through them:
 *   page 0: user, writable   -> vpages[1]
 *   page 1: user, writable   -> vpages[0] (page 0 and 1 are scattered)
 *   page 2: user, read-only  -> vpages[2]
 *   page 3: supervisor only  -> vpages[3]
 *   page 4: not present
 * None of VIRT_BASE's addresses is RAM, so a Tandem that took them as
 * physical would refuse every one.
 */
#define VIRT_PML4I 1
#define VIRT_BASE  (1ull << 39)
#define VIRT_PAGES 5
#define PTE_P	   0x1ull
#define PTE_W	   0x2ull
#define PTE_U	   0x4ull
#define UNMAPPED   (2 * ROS_MAP_END) /* beyond the ROS's identity map */
#define VFILL	   0x3c

static uint64_t vt_pdpt[512] __attribute__((aligned(PAGE_SIZE)));
static uint64_t vt_pd[512] __attribute__((aligned(PAGE_SIZE)));
static uint64_t vt_pt[512] __attribute__((aligned(PAGE_SIZE)));
static uint8_t vpages[4][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct tandem_hrt_call vcall_ref;

static uint64_t *ros_pml4_now(void)
{
	return (uint64_t *)(read_cr3() & 0x000ffffffffff000ull);
}

static void reload_cr3(void)
{
	write_cr3(read_cr3());
}

/* Maps the pages (false if PML4 entry 1 is taken: not run). */
static bool virt_map(void)
{
	uint64_t *pml4 = ros_pml4_now();
	const uint64_t leaf[VIRT_PAGES] = {
		(uint64_t)vpages[1] | PTE_P | PTE_W | PTE_U,
		(uint64_t)vpages[0] | PTE_P | PTE_W | PTE_U,
		(uint64_t)vpages[2] | PTE_P | PTE_U,
		(uint64_t)vpages[3] | PTE_P | PTE_W,
		0,
	};

	if (pml4[VIRT_PML4I])
		return false;
	memset(vt_pdpt, 0, sizeof(vt_pdpt));
	memset(vt_pd, 0, sizeof(vt_pd));
	memset(vt_pt, 0, sizeof(vt_pt));
	for (unsigned i = 0; i < VIRT_PAGES; i++)
		vt_pt[i] = leaf[i];
	vt_pd[0] = (uint64_t)vt_pt | PTE_P | PTE_W | PTE_U;
	vt_pdpt[0] = (uint64_t)vt_pd | PTE_P | PTE_W | PTE_U;
	pml4[VIRT_PML4I] = (uint64_t)vt_pdpt | PTE_P | PTE_W | PTE_U;
	reload_cr3();
	return true;
}

static void set_cr0_wp(bool on)
{
	uint64_t cr0;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 = on ? cr0 | (1ull << 16) : cr0 & ~(1ull << 16);
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
}

static void virt_unmap(void)
{
	ros_pml4_now()[VIRT_PML4I] = 0;
	reload_cr3();
}

static void vfill(void)
{
	memset(vpages, VFILL, sizeof(vpages));
}

/* True when vpages[p][off..off+len) is still the fill. */
static bool vuntouched(unsigned p, unsigned off, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		if (vpages[p][off + i] != VFILL)
			return false;
	return true;
}

static bool all_vuntouched(void)
{
	for (unsigned p = 0; p < 4; p++)
		if (!vuntouched(p, 0, PAGE_SIZE))
			return false;
	return true;
}

/* Get state into the caller-virtual @va. With @ref, first the event as
 * the ROS reads it through its identity map: what must arrive. */
static struct hc_result vstate(bool user, uint64_t va,
			       struct tandem_ros_event *ref)
{
	if (ref) {
		(void)caught(OP_STATE, 0, 0);
		*ref = event;
	}
	return hvm4(user, TANDEM_HVM_GET_STATE, va, 0, 0);
}

static void check_virtual(void)
{
	const uint64_t v = VIRT_BASE;
	const size_t ev = sizeof(struct tandem_ros_event);
	struct tandem_ros_event ref;
	struct ros_hrt_probe before, after;
	struct hc_result r, r2, r3, r4, r5, r6;
	char why[200];
	bool mapped = virt_map(), ok, untouched;
	uint64_t got;

	if (!mapped)
		ros_log("hrt: PML4 entry %u is taken: no mapping of its own",
			VIRT_PML4I);

	/* 1. A pointer is read through the caller's page tables, each page
	 * on its own: page 0 is vpages[1], page 1 is vpages[0]. */
	vfill();
	r = vstate(false, v + 8, &ref);
	ok = mapped && is(r, TANDEM_HRT_IDLE) &&
	     !memcmp(vpages[1] + 8, &ref, ev) && vuntouched(0, 0, PAGE_SIZE);
	r2 = vstate(false, v + PAGE_SIZE - 40, &ref);
	ok = ok && is(r2, TANDEM_HRT_IDLE) &&
	     !memcmp(vpages[1] + PAGE_SIZE - 40, &ref, 40) &&
	     !memcmp(vpages[0], (const uint8_t *)&ref + 40, ev - 40);
	check(ok, "hrt: pointers are virtual addresses",
	      "get state at 0x%lx (page -> 0x%lx): %s; across to the next page (-> 0x%lx): %s; "
	      "want 0 and the event in both pages",
	      v + 8, (uint64_t)vpages[1], S(r), (uint64_t)vpages[0], S(r2));

	/* 2. Unmapped: not present, a buffer running into it, 128 GiB; an
	 * invoke's descriptor and a replacement image there. Nothing
	 * written, no call, no reboot. */
	ros_hrt_probe(&before);
	vfill();
	r = vstate(false, v + 4 * PAGE_SIZE, NULL);
	r2 = vstate(false, v + 4 * PAGE_SIZE - 40, NULL);
	r3 = vstate(false, UNMAPPED, NULL);
	r4 = hvm4(false, TANDEM_HVM_INVOKE, v + 4 * PAGE_SIZE, 0, 0);
	r5 = hvm4(false, TANDEM_HVM_PAR_INVOKE, UNMAPPED, 0, 0);
	r6 = hvm4(false, TANDEM_HVM_REPLACE_HRT, v + 3 * PAGE_SIZE,
		  2 * PAGE_SIZE, 0);
	if (is(r4, 0) || is(r5, 0))
		(void)caught(OP_WAIT, ms_ticks(CALL_MS), 0);
	ros_hrt_probe(&after);
	ok = mapped && is(r, TANDEM_HRT_ERROR) && is(r2, TANDEM_HRT_ERROR) &&
	     is(r3, TANDEM_HRT_ERROR) && is(r4, TANDEM_HRT_ERROR) &&
	     is(r5, TANDEM_HRT_ERROR) && is(r6, TANDEM_HRT_ERROR) &&
	     all_vuntouched() && before.boot_id == after.boot_id &&
	     after.boot_id && before.version == after.version;
	check(ok, "hrt: unmapped pointers refused",
	      "get state: not present %s, running into it %s, 128 GiB %s; invoke %s, "
	      "parallel invoke at 5 GiB %s, replace %s (want -1 each); pages %s, "
	      "HRT boot 0x%lx -> 0x%lx",
	      S(r), S(r2), S(r3), S(r4), S(r5), S(r6),
	      all_vuntouched() ? "untouched" : "written", before.boot_id,
	      after.boot_id);

	/* 3. A supervisor page: refused at CPL 3, written at CPL 0; an
	 * invoke whose descriptor runs from the read-only user page into it
	 * is refused at CPL 3 (nothing called) and runs at CPL 0. */
	vfill();
	r = vstate(true, v + 3 * PAGE_SIZE, NULL);
	untouched = all_vuntouched();
	memset(&vcall_ref, 0, sizeof(vcall_ref));
	vcall_ref.func = HRT_FN_CORE;
	vcall_ref.result_gpa = v + 0x100;
	vcall_ref.args[0] = PAR_ARG;
	memcpy(vpages[2] + PAGE_SIZE - 40, &vcall_ref, 40);
	memcpy(vpages[3], (const uint8_t *)&vcall_ref + 40,
	       sizeof(vcall_ref) - 40);
	r2 = hvm4(true, TANDEM_HVM_INVOKE, v + 3 * PAGE_SIZE - 40, 0, 0);
	if (is(r2, 0))
		(void)caught(OP_WAIT, ms_ticks(CALL_MS), 0);
	untouched = untouched && vuntouched(1, 0, PAGE_SIZE);
	r4 = hvm4(false, TANDEM_HVM_INVOKE, v + 3 * PAGE_SIZE - 40, 0, 0);
	r5 = is(r4, 0) ? caught(OP_WAIT, ms_ticks(CALL_MS), 0) : r4;
	memcpy(&got, vpages[1] + 0x100, 8);
	r3 = vstate(false, v + 3 * PAGE_SIZE, &ref);
	ok = mapped && is(r, TANDEM_HRT_ERROR) && is(r2, TANDEM_HRT_ERROR) &&
	     untouched && is(r3, TANDEM_HRT_IDLE) &&
	     !memcmp(vpages[3], &ref, ev) && is(r4, 0) && is(r5, 0) &&
	     got == PAR_ARG;
	check(ok, "hrt: supervisor page refused at cpl 3",
	      "get state into the supervisor page at CPL 3: %s, invoke with a descriptor "
	      "running into it at CPL 3: %s (want -1, nothing written: %s); at CPL 0: "
	      "get state %s (want 0), invoke %s then %s, result 0x%lx (want 0, 0, 0x%x)",
	      S(r), S(r2), untouched ? "yes" : "no", S(r3), S(r4), S(r5), got,
	      PAR_ARG);

	/* 4. A read-only page: no request that writes may write it, at CPL 3
	 * nor at CPL 0 while CR0.WP is set (the ROS runs with it); with
	 * CR0.WP clear a CPL 0 write goes through, as the CPU's would. */
	vfill();
	r = vstate(true, v + 2 * PAGE_SIZE, NULL);
	r2 = vstate(false, v + 2 * PAGE_SIZE + 8, NULL);
	r3 = vstate(true, v + 2 * PAGE_SIZE - 40, NULL);
	untouched = all_vuntouched();
	ok = mapped && is(r, TANDEM_HRT_ERROR) && is(r2, TANDEM_HRT_ERROR) &&
	     is(r3, TANDEM_HRT_ERROR) && untouched;
	set_cr0_wp(false);
	r4 = vstate(false, v + 2 * PAGE_SIZE + 8, &ref);
	set_cr0_wp(true);
	ok = ok && is(r4, TANDEM_HRT_IDLE) && !memcmp(vpages[2] + 8, &ref, ev);
	check(ok, "hrt: read-only page refused for a write",
	      "get state into the read-only page at CPL 3: %s, at CPL 0: %s, across into "
	      "it at CPL 3: %s (want -1, nothing written: %s); at CPL 0 with CR0.WP "
	      "clear: %s (want 0)",
	      S(r), S(r2), S(r3), untouched ? "yes" : "no", S(r4));

	/* 5. User pages work at CPL 3, across two scattered pages too. */
	vfill();
	r = vstate(true, v + PAGE_SIZE - 16, &ref);
	ok = mapped && is(r, TANDEM_HRT_IDLE) &&
	     !memcmp(vpages[1] + PAGE_SIZE - 16, &ref, 16) &&
	     !memcmp(vpages[0], (const uint8_t *)&ref + 16, ev - 16);
	check(ok, "hrt: user pages at cpl 3",
	      "get state across user pages 0 and 1 at CPL 3: %s, want 0 and the event",
	      S(r));

	/* 6. An invoke from CPL 3: its descriptor in the read-only page
	 * (reading it is fine), its results in page 0 (vpages[1]). */
	vfill();
	memset(&vcall_ref, 0, sizeof(vcall_ref));
	vcall_ref.func = HRT_FN_CORE;
	vcall_ref.result_gpa = v + 0x100;
	vcall_ref.args[0] = PAR_ARG;
	memcpy(vpages[2], &vcall_ref, sizeof(vcall_ref));
	r = hvm4(true, TANDEM_HVM_PAR_INVOKE, v + 2 * PAGE_SIZE, 0, 0);
	r2 = is(r, 0) ? caught(OP_WAIT, ms_ticks(CALL_MS), 0) : r;
	ok = mapped && is(r, 0) && is(r2, 0);
	why[0] = 0;
	for (unsigned i = 0; ok && i < hs.cores; i++) {
		memcpy(&got, vpages[1] + 0x100 + 8 * i, 8);
		if (got != (uint64_t)i * HRT_CORE_FACTOR + PAR_ARG) {
			ksnprintf(why, sizeof(why), "; core %u result 0x%lx", i,
				  got);
			ok = false;
		}
	}
	check(ok, "hrt: invoke with virtual descriptor and results at cpl 3",
	      "parallel invoke of function %u, descriptor at 0x%lx, results at 0x%lx: "
	      "%s, then %s (want 0, 0)%s",
	      (unsigned)HRT_FN_CORE, v + 2 * PAGE_SIZE, v + 0x100, S(r), S(r2),
	      why);

	/* 7. Result slots must be writable by the caller and physically
	 * contiguous: in the read-only page, in the supervisor page from
	 * CPL 3, and across pages 0 and 1 (scattered), -1 and no call. */
	vfill();
	vcall_ref.result_gpa = v + 2 * PAGE_SIZE + 0x200;
	memcpy(vpages[2], &vcall_ref, sizeof(vcall_ref));
	r = hvm4(true, TANDEM_HVM_INVOKE, v + 2 * PAGE_SIZE, 0, 0);
	vcall_ref.result_gpa = v + 3 * PAGE_SIZE;
	memcpy(vpages[2], &vcall_ref, sizeof(vcall_ref));
	r2 = hvm4(true, TANDEM_HVM_INVOKE, v + 2 * PAGE_SIZE, 0, 0);
	vcall_ref.result_gpa = v + PAGE_SIZE - 8;
	memcpy(vpages[2], &vcall_ref, sizeof(vcall_ref));
	r3 = hs.cores > 1 ?
		     hvm4(false, TANDEM_HVM_PAR_INVOKE, v + 2 * PAGE_SIZE, 0, 0) :
		     (struct hc_result){ .value = TANDEM_HRT_ERROR };
	if (is(r, 0) || is(r2, 0) || is(r3, 0))
		(void)caught(OP_WAIT, ms_ticks(CALL_MS), 0);
	ok = mapped && is(r, TANDEM_HRT_ERROR) && is(r2, TANDEM_HRT_ERROR) &&
	     is(r3, TANDEM_HRT_ERROR) && vuntouched(0, 0, PAGE_SIZE) &&
	     vuntouched(1, 0, PAGE_SIZE) && vuntouched(3, 0, PAGE_SIZE);
	check(ok, "hrt: result slots writable and contiguous",
	      "results in the read-only page %s, in the supervisor page at CPL 3 %s, "
	      "across scattered pages %s (want -1 each, nothing written)",
	      S(r), S(r2), S(r3));
	if (mapped)
		virt_unmap();
}

/* The HRT issues the ROS's requests (function 6): -1 for each, and it is
 * neither rebooted nor replaced; its null request answers. */
static void check_from_hrt(void)
{
	const struct {
		uint64_t req, a1, a2;
	} ros_only[] = {
		{ TANDEM_HVM_REBOOT_ROS, 0, 0 },
		{ TANDEM_HVM_REBOOT_HRT, 0, 0 },
		{ TANDEM_HVM_REBOOT_BOTH, 0, 0 },
		{ TANDEM_HVM_REPLACE_HRT, (uint64_t)ros_hrt2_image,
		  (uint64_t)(ros_hrt2_image_end - ros_hrt2_image) },
		{ TANDEM_HVM_INVOKE, (uint64_t)&busy, 0 },
		{ TANDEM_HVM_PAR_INVOKE, (uint64_t)&busy, 0 },
		{ TANDEM_HVM_ROS_EVENT_REQUEST, (uint64_t)&event, 0 },
	};
	struct ros_hrt_probe before, after;
	struct hc_result r = { 0 };
	char why[160] = "all -1";
	bool ok = true;

	ros_hrt_probe(&before);
	prepare(&busy, busy_results, HRT_FN_NULL, 0, 0);
	for (unsigned i = 0; ok && i < sizeof(ros_only) / sizeof(ros_only[0]);
	     i++) {
		prepare(&call, results, HRT_FN_DOWNCALL, ros_only[i].req,
			ros_only[i].a1);
		call.args[2] = ros_only[i].a2;
		r = caught(OP_SYNC, (uint64_t)&call, CALL_MS);
		ok = is(r, 0) && results[0] == (uint64_t)-1;
		if (!ok)
			ksnprintf(why, sizeof(why),
				  "request 0x%lx from the HRT: call %s, result 0x%lx, want -1",
				  ros_only[i].req, S(r), results[0]);
	}
	/* A wrongly obeyed reboot or replace: let it come up again. */
	if (!ok) {
		char w[120];

		(void)poll_call(HRT_FN_NULL, 0, RECOVER_MS, w, sizeof(w));
	}
	ros_hrt_probe(&after);
	check(ok && before.boot_id == after.boot_id && after.boot_id &&
		      before.version == after.version,
	      "hrt: ros requests from the hrt refused",
	      "%s; HRT boot 0x%lx -> 0x%lx, version %lu -> %lu", why,
	      before.boot_id, after.boot_id, before.version, after.version);

	prepare(&call, results, HRT_FN_DOWNCALL, TANDEM_HVM_NULL, 0);
	r = caught(OP_SYNC, (uint64_t)&call, CALL_MS);
	check(is(r, 0) && results[0] == 0, "hrt: null request from the hrt",
	      "call %s, result 0x%lx, want 0", S(r), results[0]);

	/* Get state from the HRT, without a copy: the call it runs in. */
	prepare(&call, results, HRT_FN_DOWNCALL, TANDEM_HVM_GET_STATE, 0);
	r = caught(OP_SYNC, (uint64_t)&call, CALL_MS);
	check(is(r, 0) && results[0] == TANDEM_HRT_CALL,
	      "hrt: get state from the hrt",
	      "call %s, result 0x%lx, want %u (CALL)", S(r), results[0],
	      TANDEM_HRT_CALL);
}

/* The HRT is cell 1 to the cell calls (ABI.md 4.10, "The HRT as cell 1"). */
static void check_cell_one(void)
{
	const struct suite *s = hs.s;
	struct hc_result st, start, destroy, restart, n;

	st = hc_call(s, s->native_via, TANDEM_HC_CELL_GET_STATE, 1);
	start = hc_call(s, s->native_via, TANDEM_HC_CELL_START, 1);
	destroy = hc_call(s, s->native_via, TANDEM_HC_CELL_DESTROY, 1);
	restart = hc_call(s, s->native_via, TANDEM_HC_CELL_SOFT_RESTART, 1);
	n = hc_call(s, s->native_via, TANDEM_HC_HYPERVISOR_GET_INFO,
		    TANDEM_INFO_NUM_CELLS);
	check(hc_is(st, 0) && hc_is(start, -TANDEM_EINVAL) &&
		      hc_is(destroy, -TANDEM_EINVAL) &&
		      hc_is(restart, -TANDEM_EINVAL) && hc_is(n, 2),
	      "hrt: the hrt as cell 1",
	      "get state %ld (want 0), start %ld, destroy %ld, soft restart %ld (want %d), "
	      "get info cells %ld (want 2: the ROS and the HRT)",
	      st.value, start.value, destroy.value, restart.value,
	      -TANDEM_EINVAL, n.value);
}

/* Reboots in a row, each followed by a parallel invoke that must complete
 * on every core. Each reboot comes right after a parallel invoke, so the
 * HRT's cores report call done while Tandem reboots them (before the fix,
 * a core waiting for the HVM lock that the reboot held stayed in
 * wait-for-SIPI, and the next parallel invoke never finished). */
static void check_reboot_loop(void)
{
	uint64_t t0 = rdtsc();
	unsigned n = 0, bad;
	char why[160] = "";
	bool ok = true;

	for (n = 0; ok && n < REBOOTS; n++) {
		struct hc_result r;
		uint64_t t;

		if (n >= REBOOTS_MIN && rdtsc() - t0 > ms_ticks(REBOOTS_MS))
			break;
		/* A call the reboot interrupts: a short one, whose call done
		 * races with the reboot, or (every fourth) a longer one. */
		prepare(&busy, busy_results, HRT_FN_SPIN_US,
			(n & 3) == 3 ? LOOP_SPIN_US : 0, 0);
		(void)caught(OP_PAR_INVOKE, (uint64_t)&busy, 0);
		r = caught(OP_REBOOT, 0, 0);
		if (!is(r, 0)) {
			ksnprintf(why, sizeof(why), "reboot %u: %s, want 0",
				  n + 1, S(r));
			ok = false;
			break;
		}
		/* Refused while the reboot is still going: try again. */
		t = rdtsc();
		do {
			prepare(&call, results, HRT_FN_CORE, n, 0);
			r = caught(OP_SYNC_PAR, (uint64_t)&call, RECOVER_MS);
		} while (is(r, TANDEM_HRT_ERROR) &&
			 rdtsc() - t < ms_ticks(RECOVER_MS));
		for (bad = 0; is(r, 0) && bad < hs.cores; bad++)
			if (results[bad] != (uint64_t)bad * HRT_CORE_FACTOR + n)
				break;
		if (!is(r, 0) || bad < hs.cores) {
			ksnprintf(why, sizeof(why),
				  "parallel invoke after reboot %u: %s; core %u result 0x%lx",
				  n + 1, S(r), bad, is(r, 0) ? results[bad] : 0);
			ok = false;
		}
	}
	if (ok)
		ros_log("hrt: %u reboots in %lu ms, each with a parallel invoke on %u cores",
			n, ticks_ms(rdtsc() - t0), hs.cores);
	check(ok && n >= REBOOTS_MIN,
	      "hrt: reboots in a row, parallel invoke after each", "%s",
	      ok ? "too few reboots" : why);
}

static void measure_tsc(void)
{
	hs.khz = ros_tsc_khz();
	if (!hs.khz) {
		hs.khz = 1000000; /* a timeout of 0 would wait forever */
		ros_log("hrt: the TSC did not move over 20 ms; timeouts assume 1 GHz");
	}
}

/* Every check below: null, CPL 3 null, 4 refusals, 3 calls, many, ticks,
 * cr8 window, 3 busy, bad descriptor, version 1, 3 failure, 2 reboot, 2
 * per bad port, 4 replace, 4 magic page fault; then the request table: 2
 * at CPL 0, 2 at CPL 3, 7 virtual pointers, 3 from the HRT, cell 1, the
 * reboot loop. */
#define HRT_CHECKS (46 + 2 * NUM_BAD_PORTS)

void ros_hrt_resume(struct suite *s)
{
	hs.s = s;
	hs.cores = hrt_cores(s->boot);
	measure_tsc();
}

bool ros_hrt_answers(unsigned timeout_ms, char *why, size_t size)
{
	return poll_call(HRT_FN_NULL, 0, timeout_ms, why, size);
}

unsigned checks_hrt_planned(const struct suite *s)
{
	/* As check_null() decides: no Tandem, or no HRT. */
	if (!s->detected || !tandem_hrt_present())
		return 0;
	measure_tsc();
	wait_until_up();
	return HRT_CHECKS;
}

void checks_hrt(struct suite *s)
{
	hs.s = s;
	hs.cores = hrt_cores(s->boot);
	if (!check_null())
		return;
	measure_tsc();
	ros_log("hrt: expecting %u HRT cores (hrt_cores=)", hs.cores);
	check_user_null();
	check_refusals();
	check_calls();
	check_many();
	check_ticks();
	check_cr8_window();
	check_busy();
	check_bad_descriptor();
	check_version(1, "hrt: version 1");
	check_failure();
	check_reboot();
	check_bad_ports();
	check_replace();
	check_magic_pf();
	check_rules(false);
	check_rules(true);
	check_virtual();
	check_from_hrt();
	check_cell_one();
	check_reboot_loop();
}

/* ---- the ROS option hrt_boot_fault: an HRT that faults as it boots ----
 *
 * The hrtbootfault scenario boots hrt.elf with "boot_fault=1:1": version 1
 * runs ud2 on core 1 with a zero-limit IDT before it checks in
 * (hrt/main.c). Tandem fails the HRT: IDLE, the HRT_EXCEPTION event with
 * #UD's vector and the core's RIP, invokes refused; a reboot loads the same
 * image, which faults again; a replace with hrt2.elf (version 2, which
 * the option does not make fault) boots. */

#define BOOT_FAULT_VECTOR 6 /* #UD */
/* The HRT's RIP is a virtual address: identity or at the one nonzero
 * gva_offset the HRT tag may ask for (guest-abi/ABI.md 4.10). */
#define HIGH_HALF	  0xffff800000000000ull

/* Until @ms: state IDLE with the HRT_EXCEPTION event (in `event`). */
static bool wait_exception(unsigned ms, struct hc_result *st)
{
	uint64_t t0 = rdtsc();

	memset(&event, 0, sizeof(event));
	do {
		*st = caught(OP_STATE, 0, 0);
		if (is(*st, TANDEM_HRT_IDLE) &&
		    event.event_type == TANDEM_HRT_EXCEPTION)
			return true;
		ros_udelay(1000);
	} while (rdtsc() - t0 < ms_ticks(ms));
	return false;
}

/* One check: IDLE with an HRT_EXCEPTION event of vector 6 within @ms,
 * after the request @pre (NULL: none) gave 0. */
static void check_fault_event(const char *name, unsigned ms,
			      const struct hc_result *pre)
{
	struct hc_result st;
	uint64_t t0 = rdtsc();
	bool seen = wait_exception(ms, &st);

	/* Tandem may still be printing its line from the HRT's CPU. */
	ros_udelay(SETTLE_MS * 1000);
	if (seen)
		ros_log("hrt: boot fault: IDLE with event type %u after %lu ms, rip 0x%lx, vector %lu",
			event.event_type, ticks_ms(rdtsc() - t0),
			event.excp.rip, event.excp.vector);
	check((!pre || is(*pre, 0)) && seen &&
		      event.excp.vector == BOOT_FAULT_VECTOR,
	      name,
	      "request before: %s (want 0); within %u ms: state %s (want 0, IDLE), event type %u (want %u), vector %lu (want %u)",
	      pre ? S(*pre) : "none", ms, S(st), event.event_type,
	      TANDEM_HRT_EXCEPTION, event.excp.vector, BOOT_FAULT_VECTOR);
}

/* An invoke of function 0 must give -1 (the HRT is Failed). */
static void check_invoke_refused(const char *name)
{
	struct hc_result r;

	prepare(&call, results, HRT_FN_NULL, 0, 0);
	r = caught(OP_INVOKE, (uint64_t)&call, 0);
	if (is(r, 0))
		(void)caught(OP_WAIT, ms_ticks(CALL_MS), 0);
	check(is(r, TANDEM_HRT_ERROR), name,
	      "invoke of function 0: %s, want -1", S(r));
}

void checks_hrt_boot_fault(struct suite *s)
{
	struct hc_result base, size, r;
	uint64_t rip, len = (uint64_t)(ros_hrt2_image_end - ros_hrt2_image);
	unsigned bad;
	char why[120];
	bool ok;

	hs.s = s;
	hs.cores = hrt_cores(s->boot);
	measure_tsc();
	ros_log("hrt: boot fault: expecting an HRT of %u cores that faults on core 1 as it boots",
		hs.cores);

	check_fault_event("hrt boot fault: idle with the #ud event", BOOT_MS,
			  NULL);
	rip = event.excp.rip;
	base = hc_call(s, s->native_via, TANDEM_HC_HYPERVISOR_GET_INFO,
		       TANDEM_INFO_HRT_MEM_BASE);
	size = hc_call(s, s->native_via, TANDEM_HC_HYPERVISOR_GET_INFO,
		       TANDEM_INFO_HRT_MEM_SIZE);
	if (rip >= HIGH_HALF)
		rip -= HIGH_HALF;
	check(event.event_type == TANDEM_HRT_EXCEPTION && called(base) &&
		      called(size) && size.value > 0 &&
		      rip >= (uint64_t)base.value &&
		      rip - (uint64_t)base.value < (uint64_t)size.value,
	      "hrt boot fault: rip inside the hrt's memory",
	      "event type %u, rip 0x%lx; HRT memory base %s size %s",
	      event.event_type, event.excp.rip, S(base), S(size));
	check_invoke_refused("hrt boot fault: invoke refused");

	r = caught(OP_REBOOT, 0, 0);
	check_fault_event("hrt boot fault: reboot faults again", RECOVER_MS, &r);
	check_invoke_refused("hrt boot fault: invoke refused after reboot");

	r = caught(OP_REPLACE, (uint64_t)ros_hrt2_image, len);
	ok = poll_call(HRT_FN_VERSION, 2, RECOVER_MS, why, sizeof(why));
	check(is(r, 0) && ok, "hrt boot fault: replace with version 2",
	      "request 0x8 with hrt2.elf (%lu bytes): %s (want 0); function 3 within %u ms: %s",
	      len, S(r), RECOVER_MS, ok ? "2" : why);
	r = sync_call(HRT_FN_CORE, PAR_ARG, 0, true);
	for (bad = 0; is(r, 0) && bad < hs.cores; bad++)
		if (results[bad] != (uint64_t)bad * HRT_CORE_FACTOR + PAR_ARG)
			break;
	check(is(r, 0) && bad == hs.cores,
	      "hrt boot fault: every core answers after replace",
	      "parallel function 2 (arg %u): %s (want 0); core %u result 0x%lx",
	      PAR_ARG, S(r), bad, is(r, 0) ? results[bad] : 0);
}
