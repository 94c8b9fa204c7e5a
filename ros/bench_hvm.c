/*
 * The HVM rows of make bench (bench_hvm.h), at CPL 0 in the ROS's own
 * address space (identity-mapped: its virtual addresses are physical
 * ones, so merged or not the HRT finds the same memory).
 */
#include "bench_hvm.h"
#include "cpu.h"
#include "suite.h"
#include "tandem_hvm.h"

#include "../hrt/hrt_funcs.h"

#define SYSCALL_NR 0x4d

uint64_t bench_hvm_timeout = 1000000ull * 5000;

static struct tandem_hrt_call call;
static uint64_t results[HRT_MAX_CORES + 1];
static struct tandem_ros_event event;

/* Synchronous mode's shared block: issue count, completion count, the
 * call (Palacios's layout); the ping-pong's word; completion words. */
static volatile uint64_t sync_block[3] __attribute__((aligned(64)));
static struct tandem_hrt_call sync_call;
static volatile uint64_t sync_result;
static volatile uint64_t pp_word __attribute__((aligned(64)));
static volatile uint64_t pp_done __attribute__((aligned(8)));

static void prepare(struct tandem_hrt_call *c, volatile uint64_t *res,
		    uint64_t func)
{
	memset(c, 0, sizeof(*c));
	c->func = func;
	c->result_gpa = (uint64_t)(uintptr_t)res;
}

/* Polls get state until it is @want (or an error), serving a system call
 * event once when @serve. */
static long wait_state(long want, bool serve)
{
	uint64_t t0 = rdtsc();
	long st;

	do {
		st = tandem_hrt_state(&event);
		if (st == want || st < 0)
			return st;
		if (serve && event.event_type == TANDEM_ROS_SYSCALL) {
			if (tandem_hvm_call(TANDEM_HVM_ROS_EVENT_DONE,
					    event.syscall.args[0], 0, 0, 0))
				return TANDEM_HRT_ERROR;
			serve = false;
		}
	} while (rdtsc() - t0 < bench_hvm_timeout);
	return TANDEM_HRT_TIMEOUT;
}

long bench_hvm_polled(uint64_t n)
{
	prepare(&call, results, HRT_FN_NULL);
	for (uint64_t i = 0; i < n; i++) {
		long r = tandem_hrt_call_polling(&call, false, bench_hvm_timeout);

		if (r)
			return r;
	}
	return 0;
}

static long request_and_wait(uint64_t req, uint64_t arg, long want)
{
	long r = tandem_hvm_call(req, arg, 0, 0, 0);

	return r ? r : (wait_state(want, false) == want ? 0 : TANDEM_HRT_TIMEOUT);
}

bool bench_hvm_sync_setup(void)
{
	prepare(&sync_call, &sync_result, HRT_FN_NULL);
	sync_block[0] = sync_block[1] = 0;
	sync_block[2] = (uint64_t)(uintptr_t)&sync_call;
	if (request_and_wait(TANDEM_HVM_MERGE, 0, TANDEM_HRT_IDLE))
		return false;
	if (request_and_wait(TANDEM_HVM_SYNC_SETUP, (uint64_t)sync_block,
			     TANDEM_HRT_SYNC)) {
		(void)request_and_wait(TANDEM_HVM_UNMERGE, 0, TANDEM_HRT_IDLE);
		return false;
	}
	return true;
}

long bench_hvm_sync(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t done = sync_block[1], t0 = rdtsc();

		__atomic_store_n(&sync_block[0], done + 1, __ATOMIC_RELEASE);
		while (__atomic_load_n(&sync_block[1], __ATOMIC_ACQUIRE) !=
		       done + 1)
			if (rdtsc() - t0 > bench_hvm_timeout)
				return TANDEM_HRT_TIMEOUT;
	}
	return 0;
}

void bench_hvm_sync_teardown(void)
{
	(void)request_and_wait(TANDEM_HVM_SYNC_TEARDOWN, (uint64_t)sync_block,
			       TANDEM_HRT_IDLE);
	(void)request_and_wait(TANDEM_HVM_UNMERGE, 0, TANDEM_HRT_IDLE);
}

long bench_hvm_pingpong(uint64_t n)
{
	long r;

	prepare(&call, results, HRT_FN_PINGPONG);
	call.args[0] = (uint64_t)(uintptr_t)&pp_word;
	call.args[1] = n;
	pp_word = 0;
	results[0] = ~0ull;
	r = tandem_hrt_invoke_notify(&call, false, &pp_done);
	if (r)
		return r;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = rdtsc();

		__atomic_store_n(&pp_word, 2 * i + 1, __ATOMIC_RELEASE);
		while (__atomic_load_n(&pp_word, __ATOMIC_ACQUIRE) != 2 * i + 2)
			if (rdtsc() - t0 > bench_hvm_timeout)
				goto out;
	}
out:
	r = tandem_hrt_wait_done(&pp_done, bench_hvm_timeout);
	if (r != TANDEM_HRT_COMPLETED)
		return r == TANDEM_HRT_TIMEOUT ? r : TANDEM_HRT_ERROR;
	return results[0] ? (long)results[0] : 0;
}

long bench_hvm_merge(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		long r = request_and_wait(TANDEM_HVM_MERGE, 0, TANDEM_HRT_IDLE);

		if (!r)
			r = request_and_wait(TANDEM_HVM_UNMERGE, 0,
					     TANDEM_HRT_IDLE);
		if (r)
			return r;
	}
	return 0;
}

long bench_hvm_event(uint64_t n)
{
	prepare(&call, results, HRT_FN_EVENT);
	call.args[0] = TANDEM_ROS_SYSCALL;
	call.args[1] = SYSCALL_NR;
	for (uint64_t i = 0; i < n; i++) {
		long r;

		results[0] = ~0ull;
		r = tandem_hrt_invoke(&call);
		if (r)
			return r;
		r = wait_state(TANDEM_HRT_IDLE, true);
		if (r)
			return r;
		/* 0x1f's result: the system call number, as served above */
		if (results[0] != SYSCALL_NR)
			return TANDEM_HRT_ERROR;
	}
	return 0;
}
