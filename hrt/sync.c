/* Synchronous mode (upcalls 0x28 and 0x29 on core 0, Palacios HVM seed):
 * after set-up, the ROS process and HRT core 0 call each other through a
 * block in the process's memory, read here through the merged lower half,
 * without Tandem: block[0] counts the calls issued, block[1] those done,
 * block[2] is the process's address of a struct tandem_hrt_call whose
 * result_gpa is, here, also the process's address (both read and written
 * with faults caught: a bad one leaves the result unwritten). The set-up upcall only
 * records the block (after checking it can be read) and answers call
 * done; core 0's idle loop then serves calls with interrupts on, so that
 * the teardown upcall (0x29) can stop it. */
#include "hrt.h"

static volatile uint64_t *block;
static volatile bool serving;

bool hrt_sync_wanted(void)
{
	return serving;
}

void hrt_sync_upcall(struct hrt_core *c, uint64_t type, uint64_t arg)
{
	uint64_t w;
	long r;

	if (type == TANDEM_UPCALL_SYNC_SETUP) {
		if (!hrt_merged() || hrt_safe_load(arg, &w) ||
		    hrt_safe_load(arg + 16, &w)) {
			hrt_log("core %u: synchronous mode with block 0x%lx: not in a merged address space; not served",
				c->index, arg);
		} else {
			block = (volatile uint64_t *)arg;
			serving = true;
		}
	} else {
		serving = false;
	}
	r = hrt_downcall(c, TANDEM_HVM_CALL_DONE, 0, 0);
	if (r != 0)
		hrt_log("core %u: synchronous mode: call done returned %ld",
			c->index, r);
}

/* A call is outstanding while the issue count is ahead of the completion
 * count; it is answered by making them equal. Counting from the block,
 * not from when this loop began: the process may issue its first call
 * as soon as it sees the state SYNC, before this core gets here. */
void hrt_sync_serve(struct hrt_core *c)
{
	while (serving) {
		uint64_t issued = __atomic_load_n(&block[0], __ATOMIC_ACQUIRE);

		if (issued == block[1]) {
			cpu_relax();
			continue;
		}
		/* The process's call and result may be anywhere: a bad
		 * pointer gets no result, but the call is answered. */
		struct tandem_hrt_call call;
		uint64_t *w = (uint64_t *)&call, at = block[2];
		bool ok = true;

		for (unsigned i = 0; ok && i < sizeof(call) / 8; i++)
			ok = !hrt_safe_load(at + 8 * i, &w[i]);
		if (ok)
			(void)hrt_safe_store(call.result_gpa,
					     hrt_run_function(c, &call));
		__atomic_store_n(&block[1], issued, __ATOMIC_RELEASE);
	}
}
