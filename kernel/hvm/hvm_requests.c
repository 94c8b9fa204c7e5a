/* The 0xf00d request table: every request Tandem implements, the function
 * behind it and who may issue it in which transaction state (the path
 * that checks and runs them is hvm/hvm.c). Requests without an entry
 * return -1: reboot ROS/both (0x1, 0x3), ROS events (0x10, 0x1e, 0x1f),
 * synchronous mode (0x28, 0x29), merge (0x30, 0x31, 0x3f), signals
 * (0x40, 0x41) and GDT synchronisation (0x51-0x5f) are not built yet;
 * each is one more line here. guest-abi/ABI.md section 4.10 is the
 * reference. */
#include <tandem/errno.h>
#include "hvm/hrt.h"
#include "hvm/hvm.h"
#include "lib/klib.h"
#include "mm/pools.h"
#include "virt/guest_mem.h"
#include "virt/partition.h"

#define IMAGE_MAX (16ull << 20)

static uint64_t req_null(struct vcpu *v, const uint64_t *a)
{
	(void)v;
	(void)a;
	return 0;
}

/* The descriptor is copied once out of the caller's memory, its result
 * slots translated (they must be writable by the caller and physically
 * contiguous: the HRT stores into them by guest-physical address), and
 * the HRT gets the copy in the comm page. */
static uint64_t invoke(struct vcpu *v, uint64_t desc, bool parallel)
{
	unsigned int n = parallel ? hrt.ncores : 1;
	struct tandem_hrt_call call;
	uint64_t slots;

	if (guest_caller_read(v, desc, &call, sizeof(call)) ||
	    guest_caller_gpa(v, call.result_gpa, 8ull * n, true, &slots))
		return HVM_ERROR;
	/* A core that has not yet taken its start (at boot Tandem does not
	 * wait for it) would drop the upcall with the reset: not yet. */
	for (unsigned int i = 0; i < n; i++)
		if (__atomic_load_n(&hrt.cell->vcpus[i]->requests,
				    __ATOMIC_ACQUIRE) &
		    VCPU_REQ_RESET)
			return HVM_ERROR;
	call.result_gpa = slots;
	hrt.comm->call = call;
	hrt.trans_cores = n == 64 ? ~0ull : (1ull << n) - 1;
	hrt.trans_state = parallel ? TANDEM_HRT_PARCALL : TANDEM_HRT_CALL;
	hrt.ros_event.event_type = TANDEM_ROS_NONE;
	hrt.comm->upcall_type = parallel ? TANDEM_UPCALL_PAR_INVOKE :
					   TANDEM_UPCALL_INVOKE;
	hrt.comm->upcall_arg = hrt.comm_gpa + TANDEM_COMM_CALL_OFFSET;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < n; i++)
		hvm_upcall_core(i);
	return 0;
}

static uint64_t req_invoke(struct vcpu *v, const uint64_t *a)
{
	return invoke(v, a[0], false);
}

static uint64_t req_par_invoke(struct vcpu *v, const uint64_t *a)
{
	return invoke(v, a[0], true);
}

/* Once from each core that runs the call: a second one, or one from a
 * core the call was not sent to, is refused (ABI.md 4.10). */
static uint64_t req_call_done(struct vcpu *v, const uint64_t *a)
{
	uint64_t bit = 1ull << v->index;

	(void)a;
	if (!(hrt.trans_cores & bit))
		return HVM_ERROR;
	hrt.trans_cores &= ~bit;
	if (!hrt.trans_cores) {
		hrt.ros_event.event_type = TANDEM_ROS_DONE;
		hrt.trans_state = TANDEM_HRT_IDLE;
	}
	return 0;
}

/* Every page of the event's destination is checked before any is
 * written: a refused call writes nothing. */
static uint64_t req_get_state(struct vcpu *v, const uint64_t *a)
{
	if (a[0] &&
	    guest_caller_write(v, a[0], &hrt.ros_event, sizeof(hrt.ros_event)))
		return HVM_ERROR;
	return hrt.trans_state;
}

/* Exclusive (hvm.c): runs without the lock, no other request meanwhile. */
static uint64_t req_reboot(struct vcpu *v, const uint64_t *a)
{
	(void)v;
	(void)a;
	return hrt_reboot() ? HVM_ERROR : 0;
}

/* Exclusive: the image is copied once out of the caller's memory (page by
 * page through its page tables), then validated; a refused one changes
 * nothing. */
static uint64_t req_replace(struct vcpu *v, const uint64_t *a)
{
	uint64_t gva = a[0], len = a[1];
	size_t pages = (len + PAGE_SIZE - 1) / PAGE_SIZE;
	void *copy;
	int err;

	if (!len || len > IMAGE_MAX)
		return HVM_ERROR;
	copy = page_alloc(pages);
	if (!copy)
		return HVM_ERROR;
	if (guest_caller_read(v, gva, copy, len)) {
		page_free(copy, pages);
		return HVM_ERROR;
	}
	err = hrt_replace(copy, len);
	if (err == -TANDEM_EINVAL)
		page_free(copy, pages);
	return err ? HVM_ERROR : 0;
}

#define CALLS (HVM_IN(TANDEM_HRT_CALL) | HVM_IN(TANDEM_HRT_PARCALL))

const struct hvm_request hvm_requests[] = {
	[TANDEM_HVM_NULL] = { req_null, HVM_FROM_ROS | HVM_FROM_HRT, HVM_IN_ANY,
			      HVM_DURING_REBOOT },
	[TANDEM_HVM_REBOOT_HRT] = { req_reboot, HVM_FROM_ROS, HVM_IN_ANY,
				    HVM_EXCLUSIVE },
	[TANDEM_HVM_REPLACE_HRT] = { req_replace, HVM_FROM_ROS,
				     HVM_IN(TANDEM_HRT_IDLE), HVM_EXCLUSIVE },
	[TANDEM_HVM_GET_STATE] = { req_get_state, HVM_FROM_ROS, HVM_IN_ANY,
				   HVM_DURING_REBOOT },
	[TANDEM_HVM_INVOKE] = { req_invoke, HVM_FROM_ROS,
				HVM_IN(TANDEM_HRT_IDLE), HVM_LIVE },
	[TANDEM_HVM_PAR_INVOKE] = { req_par_invoke, HVM_FROM_ROS,
				    HVM_IN(TANDEM_HRT_IDLE), HVM_LIVE },
	[TANDEM_HVM_CALL_DONE] = { req_call_done, HVM_FROM_HRT, CALLS, 0 },
};

const size_t hvm_request_count = sizeof(hvm_requests) / sizeof(hvm_requests[0]);
