/* The HVM/HRT calls of tandem_hvm.h: every one is tandem_hvm_call() with
 * the request number and the caller's pointers (virtual addresses). */
#include "tandem_hvm.h"

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static uint64_t addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

long tandem_hvm_null(void)
{
	return tandem_hvm_call(TANDEM_HVM_NULL, 0, 0, 0, 0);
}

bool tandem_hrt_present(void)
{
	return tandem_hvm_call(TANDEM_HVM_GET_STATE, 0, 0, 0, 0) !=
	       TANDEM_HRT_ERROR;
}

long tandem_hrt_state(struct tandem_ros_event *ev)
{
	struct tandem_ros_event scratch;

	return tandem_hvm_call(TANDEM_HVM_GET_STATE, addr(ev ? ev : &scratch),
			       0, 0, 0);
}

long tandem_hrt_invoke(const struct tandem_hrt_call *c)
{
	return tandem_hvm_call(TANDEM_HVM_INVOKE, addr(c), 0, 0, 0);
}

long tandem_hrt_invoke_parallel(const struct tandem_hrt_call *c)
{
	return tandem_hvm_call(TANDEM_HVM_PAR_INVOKE, addr(c), 0, 0, 0);
}

long tandem_hrt_invoke_notify(const struct tandem_hrt_call *c, bool parallel,
			      volatile uint64_t *done)
{
	return tandem_hrt_invoke_irq(c, parallel, done, 0);
}

long tandem_hrt_invoke_irq(const struct tandem_hrt_call *c, bool parallel,
			   volatile uint64_t *done, uint8_t vector)
{
	*done = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return tandem_hvm_call(parallel ? TANDEM_HVM_PAR_INVOKE :
					  TANDEM_HVM_INVOKE,
			       addr(c), addr((const void *)done), vector, 0);
}

long tandem_hrt_wait_done_halted(volatile uint64_t *done)
{
	uint64_t flags, v;

	__asm__ volatile("pushfq; popq %0" : "=r"(flags) : : "memory");
	for (;;) {
		__asm__ volatile("cli" ::: "memory");
		v = __atomic_load_n(done, __ATOMIC_ACQUIRE);
		if (v)
			break;
		/* STI's shadow covers HLT: an interrupt between the test
		 * and the halt wakes it (SDM Vol. 2B, STI). */
		__asm__ volatile("sti; hlt" ::: "memory");
	}
	if (flags & (1u << 9))
		__asm__ volatile("sti" ::: "memory");
	return (long)v;
}

long tandem_hrt_wait_done(volatile uint64_t *done, uint64_t timeout_tsc)
{
	uint64_t t0 = rdtsc(), v;

	while (!(v = __atomic_load_n(done, __ATOMIC_ACQUIRE))) {
		if (timeout_tsc && rdtsc() - t0 > timeout_tsc)
			return TANDEM_HRT_TIMEOUT;
		__asm__ volatile("pause" ::: "memory");
	}
	return (long)v;
}

long tandem_hrt_wait_idle(uint64_t timeout_tsc, struct tandem_ros_event *ev)
{
	uint64_t t0 = rdtsc();

	for (;;) {
		long st = tandem_hrt_state(ev);

		if (st == TANDEM_HRT_IDLE || st < 0)
			return st;
		if (timeout_tsc && rdtsc() - t0 > timeout_tsc)
			return TANDEM_HRT_TIMEOUT;
		__asm__ volatile("pause" ::: "memory");
	}
}

/* One transaction at a time (the state machine's rule), so one word. */
static volatile uint64_t call_done __attribute__((aligned(8)));

static long call_and_wait(const struct tandem_hrt_call *c, bool parallel,
			  uint64_t timeout_tsc)
{
	long r = tandem_hrt_invoke_notify(c, parallel, &call_done);

	if (r)
		return r;
	r = tandem_hrt_wait_done(&call_done, timeout_tsc);
	return r == TANDEM_HRT_TIMEOUT ? r : 0;
}

long tandem_hrt_call_sync(const struct tandem_hrt_call *c, uint64_t timeout_tsc)
{
	return call_and_wait(c, false, timeout_tsc);
}

long tandem_hrt_call_sync_parallel(const struct tandem_hrt_call *c,
				   uint64_t timeout_tsc)
{
	return call_and_wait(c, true, timeout_tsc);
}

long tandem_hrt_call_polling(const struct tandem_hrt_call *c, bool parallel,
			     uint64_t timeout_tsc)
{
	long r = parallel ? tandem_hrt_invoke_parallel(c) : tandem_hrt_invoke(c);

	return r != 0 ? r : tandem_hrt_wait_idle(timeout_tsc, NULL);
}

long tandem_hrt_reboot(void)
{
	return tandem_hvm_call(TANDEM_HVM_REBOOT_HRT, 0, 0, 0, 0);
}

long tandem_hrt_replace(const void *image, uint64_t len)
{
	return tandem_hvm_call(TANDEM_HVM_REPLACE_HRT, addr(image), len, 0, 0);
}
