/* Function 12 (EVENT): forward a page fault or a system call to the ROS
 * as a runtime does when it cannot serve one itself (Palacios HVM seed:
 * ROS event request 0x10), wait for the ROS's answer through get state
 * (0xf: the event becomes ROS_DONE with the result), acknowledge it
 * (0x1e) and return the result. The ROS serves the event while it polls
 * the state of the invoke that runs this function. */
#include "hrt.h"

#define EVENT_WAIT_MS 5000

uint64_t hrt_forward_event(struct hrt_core *c, const uint64_t *args)
{
	uint64_t khz = hrt_khz(&c->setup), t0;
	struct tandem_ros_event e, now;
	long r;

	memset(&e, 0, sizeof(e));
	e.event_type = (uint32_t)args[0];
	if (e.event_type == TANDEM_ROS_PAGE_FAULT) {
		e.page_fault.rip = args[1];
		e.page_fault.cr2 = args[2];
		e.page_fault.action = (uint32_t)args[3];
	} else {
		for (unsigned i = 0; i < 7; i++)
			e.syscall.args[i] = args[1 + i];
	}
	r = hrt_downcall(c, TANDEM_HVM_ROS_EVENT_REQUEST, (uint64_t)&e, 0);
	if (r != 0)
		return HRT_EVENT_REFUSED;
	t0 = rdtsc();
	do {
		r = hrt_downcall(c, TANDEM_HVM_GET_STATE, (uint64_t)&now, 0);
		if (r < 0)
			return HRT_FN_BAD;
		if (now.event_type == TANDEM_ROS_DONE) {
			r = hrt_downcall(c, TANDEM_HVM_HRT_EVENT_ACK, 0, 0);
			if (r != 0)
				hrt_log("core %u: event ack returned %ld",
					c->index, r);
			return now.last_ros_event_result;
		}
		cpu_relax();
	} while (rdtsc() - t0 < EVENT_WAIT_MS * khz);
	hrt_log("core %u: the ROS did not answer event type %u within %u ms",
		c->index, e.event_type, EVENT_WAIT_MS);
	return HRT_FN_BAD;
}
