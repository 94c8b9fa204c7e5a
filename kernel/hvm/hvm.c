/* Palacios HVM downcalls and upcalls (docs/interfaces/palacios-hvm-hrt.md;
 * guest-abi/ABI.md section 4.10). Registers as Palacios uses them:
 * RAX = 0xf00d, RBX = 0x6464646464646464, RCX = request, RDX, RSI, RDI,
 * R8 = arguments; RAX = result, -1 on error. Any CPL may call. A request
 * in the wrong transaction state, from the wrong side or with a bad
 * pointer returns -1 and changes nothing. */
#include <tandem/errno.h>
#include "virt/partition.h"
#include "hw/console.h"
#include "virt/exits.h"
#include "hvm/hrt.h"
#include "hvm/hvm.h"
#include "lib/klib.h"
#include "mm/pools.h"
#include "lib/spinlock.h"

#define HVM_ERROR ((uint64_t)-1)
#define IMAGE_MAX (16ull << 20)

struct hrt hrt;
static struct spinlock hvm_lock;

static bool from_hrt(const struct vcpu *v)
{
	return hrt.cell && v->cell == hrt.cell;
}

/* Posts an upcall to HRT core @i: the vector is injected as soon as the
 * core can take an interrupt (an NMI kicks it out of a halt). */
static void upcall_core(unsigned int i)
{
	struct vcpu *c = hrt.cell->vcpus[i];

	/* No wait: a halted core checks pending_irq whenever it wakes. */
	__atomic_store_n(&c->pending_irq, hrt.vector, __ATOMIC_RELEASE);
	vcpu_post(c, VCPU_REQ_IRQ);
}

/*
 * Reboot and Replace stop the HRT's cores and wait until each has taken
 * the request (vcpu_request()). They must not hold hvm_lock meanwhile: a
 * core finishing a call waits for hvm_lock in CALL_DONE and would never
 * take the request (found by the ROS's hypercall fuzzer: a reboot during
 * an invoke hung both CPUs for 5 s, then the HRT stayed down). So they
 * are serialized by restart_lock alone, and set restarting under
 * hvm_lock for their duration: every invoke is refused meanwhile.
 */
static struct spinlock restart_lock;
static bool restarting;

static bool restart_begin(struct vcpu *v, bool need_idle)
{
	bool ok;

	spin_lock(&hvm_lock);
	ok = !from_hrt(v) && hrt.cell &&
	     (!need_idle || hrt.trans_state == TANDEM_HRT_IDLE);
	restarting = ok;
	spin_unlock(&hvm_lock);
	return ok;
}

static void restart_end(void)
{
	spin_lock(&hvm_lock);
	restarting = false;
	spin_unlock(&hvm_lock);
}

static uint64_t invoke(struct vcpu *v, uint64_t desc, bool parallel)
{
	if (from_hrt(v) || !hrt.cell || hrt.failed || restarting ||
	    hrt.trans_state != TANDEM_HRT_IDLE)
		return HVM_ERROR;
	/* The descriptor is the ROS's (physical) pointer, passed through;
	 * it must at least be the ROS's memory. */
	if (!cell_gpa_to_hva(&root_cell, desc, sizeof(struct tandem_hrt_call)))
		return HVM_ERROR;
	hrt.trans_count = parallel ? hrt.ncores : 1;
	hrt.trans_state = parallel ? TANDEM_HRT_PARCALL : TANDEM_HRT_CALL;
	hrt.ros_event.event_type = TANDEM_ROS_NONE;
	hrt.comm->upcall_type = parallel ? TANDEM_UPCALL_PAR_INVOKE :
					   TANDEM_UPCALL_INVOKE;
	hrt.comm->upcall_arg = desc;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < (parallel ? hrt.ncores : 1); i++)
		upcall_core(i);
	return 0;
}

static uint64_t call_done(struct vcpu *v)
{
	if (!from_hrt(v) ||
	    (hrt.trans_state != TANDEM_HRT_CALL &&
	     hrt.trans_state != TANDEM_HRT_PARCALL) ||
	    !hrt.trans_count)
		return HVM_ERROR;
	if (--hrt.trans_count == 0) {
		hrt.ros_event.event_type = TANDEM_ROS_DONE;
		hrt.trans_state = TANDEM_HRT_IDLE;
	}
	return 0;
}

static uint64_t get_state(struct vcpu *v, uint64_t event_gpa)
{
	void *dst;

	if (event_gpa) {
		dst = cell_gpa_to_hva(v->cell, event_gpa, sizeof(hrt.ros_event));
		if (!dst)
			return HVM_ERROR;
		memcpy(dst, &hrt.ros_event, sizeof(hrt.ros_event));
	}
	return hrt.trans_state;
}

/* Replace HRT image: copied once from the ROS, then validated. Called
 * without hvm_lock (see restart_begin()). */
static uint64_t replace(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	const void *src;
	void *copy;
	int err;

	if (!restart_begin(v, true))
		return HVM_ERROR;
	src = len && len <= IMAGE_MAX ? cell_gpa_to_hva(&root_cell, gpa, len) :
					NULL;
	copy = src ? page_alloc((len + PAGE_SIZE - 1) / PAGE_SIZE) : NULL;
	if (!copy) {
		restart_end();
		return HVM_ERROR;
	}
	memcpy(copy, src, len);
	err = hrt_replace(copy, len);
	if (err == -TANDEM_EINVAL)
		page_free(copy, (len + PAGE_SIZE - 1) / PAGE_SIZE);
	restart_end();
	return err ? HVM_ERROR : 0;
}

static uint64_t reboot(struct vcpu *v)
{
	int err;

	/* In any state: a reboot is how the ROS ends a call that hangs. */
	if (!restart_begin(v, false))
		return HVM_ERROR;
	err = hrt_reboot();
	restart_end();
	return err ? HVM_ERROR : 0;
}

static uint64_t request(struct vcpu *v, uint64_t req, const uint64_t *a)
{
	switch (req) {
	case TANDEM_HVM_NULL:
		return 0;
	case TANDEM_HVM_GET_STATE:
		return from_hrt(v) ? HVM_ERROR : get_state(v, a[0]);
	case TANDEM_HVM_INVOKE:
		return invoke(v, a[0], false);
	case TANDEM_HVM_PAR_INVOKE:
		return invoke(v, a[0], true);
	case TANDEM_HVM_CALL_DONE:
		return call_done(v);
	default:
		/* Reboot ROS/both, ROS events, synchronous mode, merge,
		 * signals and GDT synchronisation are not built yet. */
		return HVM_ERROR;
	}
}

void hvm_downcall(struct vcpu *v)
{
	uint64_t ret = HVM_ERROR;

	/* Without an HRT partition there is no HVM: every request fails,
	 * as in a Palacios VM that is not an HVM. */
	if (hrt.cell && v->regs[GPR_RBX] == TANDEM_HVM_MARKER_64) {
		const uint64_t a[4] = { v->regs[GPR_RDX], v->regs[GPR_RSI],
					v->regs[GPR_RDI], v->regs[GPR_R8] };
		uint64_t req = v->regs[GPR_RCX];

		if (req == TANDEM_HVM_REBOOT_HRT ||
		    req == TANDEM_HVM_REPLACE_HRT) {
			spin_lock(&restart_lock);
			ret = req == TANDEM_HVM_REBOOT_HRT ?
				      reboot(v) :
				      replace(v, a[0], a[1]);
			spin_unlock(&restart_lock);
		} else {
			spin_lock(&hvm_lock);
			ret = request(v, req, a);
			spin_unlock(&hvm_lock);
		}
	}
	v->regs[GPR_RAX] = ret;
	vcpu_skip_insn(v);
}

void hvm_hrt_failed(uint64_t rip, uint64_t vector)
{
	spin_lock(&hvm_lock);
	hrt.failed = true;
	hrt.ros_event.event_type = TANDEM_HRT_EXCEPTION;
	hrt.ros_event.excp.rip = rip;
	hrt.ros_event.excp.vector = vector;
	hrt.trans_count = 0;
	hrt.trans_state = TANDEM_HRT_IDLE;
	spin_unlock(&hvm_lock);
}
