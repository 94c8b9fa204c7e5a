/*
 * An invoke's completion interrupt (RDI of 0x20/0x21; guest-abi/ABI.md
 * 4.10, "The completion interrupt"): Tandem writes the completion word,
 * then sends the vector as a fixed IPI to the CPU that invoked, so the
 * caller may halt until the call is over instead of spinning on memory.
 * ROS_VEC_HRT_DONE's handler (ros/trap.c) counts each one per CPU and
 * EOIs it.
 *
 * The suite runs with interrupts off; the PIC, which the firmware left
 * delivering the PIT at vector 8, is masked while they are on here.
 */
#include "cpu.h"
#include "smp.h"
#include "suite.h"
#include "tandem_hvm.h"
#include "trap.h"

#include "../hrt/hrt_funcs.h"

#define IRQ_CHECKS 3
#define WAIT_MS	   3000
#define HALT_CALLS 50 /* then as many parallel ones */

static struct tandem_hrt_call call;
static uint64_t results[HRT_MAX_CORES + 1];
static volatile uint64_t word __attribute__((aligned(8)));
static uint64_t khz;

static unsigned irqs_elsewhere(void)
{
	unsigned n = 0, me = ros_this_cpu()->index;

	for (size_t k = 0; k < ros_smp.ncpus && k < ROS_MAX_CPUS; k++)
		if (k != me)
			n += __atomic_load_n(&ros_hrt_done_irqs[k],
					     __ATOMIC_ACQUIRE);
	return n;
}

/* Interrupts on until this CPU has taken @want completion interrupts or
 * WAIT_MS passed, then a little longer for any that should not come. */
static unsigned take_irqs(unsigned want)
{
	uint64_t t0 = rdtsc();

	__asm__ volatile("sti" ::: "memory");
	while (ros_done_irqs_here() < want && rdtsc() - t0 < WAIT_MS * khz)
		cpu_relax();
	__asm__ volatile("cli" ::: "memory");
	ros_udelay(2000);
	ros_take_interrupts(0);
	return ros_done_irqs_here();
}

static void prepare(uint64_t n)
{
	memset(&call, 0, sizeof(call));
	call.func = HRT_FN_CORE;
	call.args[0] = n;
	call.result_gpa = (uint64_t)(uintptr_t)results;
}

/* With interrupts off: the word first (waited on with a timeout), then
 * the interrupt, once. True when both came, so halting is safe. */
static bool check_one(void)
{
	unsigned before = ros_done_irqs_here(), other = irqs_elsewhere(), after;
	long r, w = 0;

	prepare(7);
	results[0] = ~0ull;
	r = tandem_hrt_invoke_irq(&call, false, &word, ROS_VEC_HRT_DONE);
	if (r == 0)
		w = tandem_hrt_wait_done(&word, WAIT_MS * khz);
	after = take_irqs(before + 1);
	return check(r == 0 && w == TANDEM_HRT_COMPLETED && results[0] == 7 &&
			     after == before + 1 && irqs_elsewhere() == other,
		     "hvm irq: a completion interrupt after the word, on the invoking cpu",
		     "invoke %ld, word %ld (want 0, %u), result %lu (want 7); interrupts here %u (want 1), on other CPUs %u (want 0)",
		     r, w, TANDEM_HRT_COMPLETED, results[0], after - before,
		     irqs_elsewhere() - other);
}

/* Single then parallel invokes, each waited for in HLT: the interrupt
 * wakes the caller, one per call; the invoke and the EOI are its exits. */
static void check_halted(bool safe)
{
	unsigned before = ros_done_irqs_here(), n = 0, wrong = 0;
	long e0, e1, r = 0, w = 0;

	if (!safe) {
		check(false, "hvm irq: halted until the completion interrupt",
		      "not tried: the first interrupt did not come");
		return;
	}
	e0 = suite_cpu0_exits();
	for (; n < 2 * HALT_CALLS; n++) {
		prepare(n);
		r = tandem_hrt_invoke_irq(&call, n >= HALT_CALLS, &word,
					  ROS_VEC_HRT_DONE);
		if (r)
			break;
		w = tandem_hrt_wait_done_halted(&word);
		if (w != TANDEM_HRT_COMPLETED)
			break;
		if (results[0] != n) /* core 0: 0 * HRT_CORE_FACTOR + n */
			wrong++;
	}
	e1 = suite_cpu0_exits();
	ros_log("hvm irq: %u invokes waited for in HLT (half of them parallel), %ld exits on this CPU",
		n, e1 - e0 - 1);
	check(n == 2 * HALT_CALLS && !wrong &&
		      ros_done_irqs_here() - before == n && e0 >= 0 &&
		      e1 - e0 - 1 == 2 * (long)n,
	      "hvm irq: halted until the completion interrupt",
	      "call %u of %u: invoke %ld, word %ld (want 0, %u); %u wrong results; %u interrupts; exits on this CPU %ld (want 2 per call: the invoke, the EOI)",
	      n, 2 * HALT_CALLS, r, w, TANDEM_HRT_COMPLETED, wrong,
	      ros_done_irqs_here() - before, e1 - e0 - 1);
}

/* Vectors below 32 or above 255 are refused and change nothing: no call,
 * no word, no interrupt. */
static void check_bad_vectors(void)
{
	static const uint64_t bad[] = { 1, 31, 256, (1ull << 32) | 0xe4 };
	const uint64_t untouched = 0x5a5a5a5a5a5a5a5aull;
	unsigned before = ros_done_irqs_here(), refused = 0;
	long st;

	prepare(0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		word = untouched;
		if (tandem_hvm_call(i & 1 ? TANDEM_HVM_PAR_INVOKE :
					    TANDEM_HVM_INVOKE,
				    (uint64_t)(uintptr_t)&call,
				    (uint64_t)(uintptr_t)&word, bad[i],
				    0) == TANDEM_HRT_ERROR &&
		    word == untouched)
			refused++;
	}
	st = tandem_hrt_state(NULL);
	check(refused == 4 && st == TANDEM_HRT_IDLE && take_irqs(before) == before,
	      "hvm irq: a bad completion vector refused",
	      "%u of 4 refused with the word untouched (vectors 1, 31, 256, 0x1000000e4); state %ld (want 0); %u interrupts (want 0)",
	      refused, st, ros_done_irqs_here() - before);
}

unsigned checks_hvm_irq_planned(const struct suite *s)
{
	return s->detected && tandem_hrt_present() ? IRQ_CHECKS : 0;
}

void checks_hvm_irq(struct suite *s)
{
	uint16_t masks;

	if (!s->detected || !tandem_hrt_present())
		return;
	khz = ros_tsc_khz();
	masks = ros_pic_mask_all();
	check_halted(check_one());
	check_bad_vectors();
	ros_pic_restore(masks);
}
