/* The 0xf00d request table: every request Tandem implements, the function
 * behind it and who may issue it in which transaction state (the path
 * that checks and runs them is hvm/hvm.c). Requests without an entry
 * return -1. guest-abi/ABI.md section 4.10 is the reference. */
#include <tandem/errno.h>
#include "hvm/hrt.h"
#include "hvm/hvm.h"
#include "hw/percpu.h"
#include "lib/klib.h"
#include "mm/pools.h"
#include "virt/exits.h"
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
 * the HRT gets the copy in the comm page. @done: the caller's completion
 * word (0: none), 8-aligned and writable, written at the end; @vector:
 * the completion interrupt (0: none; else 32-255), sent then to the
 * caller's CPU. */
static uint64_t invoke(struct vcpu *v, uint64_t desc, uint64_t done,
		       uint64_t vector, bool parallel)
{
	unsigned int n = parallel ? hrt.ncores : 1;
	struct tandem_hrt_call call;
	uint64_t slots, done_gpa = 0;

	if (vector && (vector < TANDEM_HRT_DONE_VECTOR_MIN || vector > 255))
		return HVM_ERROR;
	if (guest_caller_read(v, desc, &call, sizeof(call)) ||
	    guest_caller_gpa(v, call.result_gpa, 8ull * n, true, &slots))
		return HVM_ERROR;
	if (done && ((done & 7) || guest_caller_gpa(v, done, sizeof(uint64_t),
						    true, &done_gpa)))
		return HVM_ERROR;
	for (unsigned int i = 0; i < n; i++)
		if (hvm_core_starting(i))
			return HVM_ERROR;
	call.result_gpa = slots;
	hrt.done_gpa = done_gpa;
	hrt.done_vector = (uint8_t)vector;
	hrt.done_apic_id = v->cpu->apic_id;
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
	return invoke(v, a[0], a[1], a[2], false);
}

static uint64_t req_par_invoke(struct vcpu *v, const uint64_t *a)
{
	return invoke(v, a[0], a[1], a[2], true);
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
	if (hrt.trans_cores)
		return 0;
	if (hrt.trans_state == TANDEM_HRT_SYNCSETUP) {
		hrt.trans_state = TANDEM_HRT_SYNC;
	} else if (hrt.trans_state == TANDEM_HRT_SYNCTEARDOWN) {
		hrt.trans_state = TANDEM_HRT_IDLE;
	} else {
		hrt.ros_event.event_type = TANDEM_ROS_DONE;
		hrt.trans_state = TANDEM_HRT_IDLE;
		hvm_complete(TANDEM_HRT_COMPLETED);
	}
	return 0;
}

/* An upcall to HRT core 0 alone (merge, GDT synchronisation, synchronous
 * mode): the transaction is @state until that core's done. */
static uint64_t core0_upcall(uint32_t state, uint64_t type, uint64_t arg,
			     uint64_t arg2)
{
	if (hvm_core_starting(0))
		return HVM_ERROR;
	hrt.trans_cores = 1;
	hrt.trans_state = state;
	hrt.comm->upcall_type = type;
	hrt.comm->upcall_arg = arg;
	hrt.comm->upcall_arg2 = arg2;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	hvm_upcall_core(0);
	return 0;
}

/* Synchronous mode, set up (0x28) and torn down (0x29): HRT core 0 gets
 * the caller's address of the shared block (RDX, passed on as it is, as
 * Palacios does: the HRT reads it in the merged address space), and
 * answers with call done; the state is SYNC from then until the
 * teardown's call done. ROS and HRT then call each other through the
 * block without Tandem. The block (3 u64: issue count, completion count,
 * the call) must be the caller's writable RAM. */
#define SYNC_BLOCK_SIZE 24

static uint64_t sync_upcall(struct vcpu *v, uint64_t block, bool setup)
{
	uint64_t gpa;

	if (guest_caller_gpa(v, block, SYNC_BLOCK_SIZE, true, &gpa))
		return HVM_ERROR;
	return core0_upcall(setup ? TANDEM_HRT_SYNCSETUP : TANDEM_HRT_SYNCTEARDOWN,
			    setup ? TANDEM_UPCALL_SYNC_SETUP :
				    TANDEM_UPCALL_SYNC_TEARDOWN,
			    block, 0);
}

static uint64_t req_sync_setup(struct vcpu *v, const uint64_t *a)
{
	return sync_upcall(v, a[0], true);
}

static uint64_t req_sync_teardown(struct vcpu *v, const uint64_t *a)
{
	return sync_upcall(v, a[0], false);
}

/* Every page of the event's destination is checked before any is
 * written: a refused call writes nothing. Either side may ask: the HRT
 * reads the ROS's answer to the event it forwarded here. */
static uint64_t req_get_state(struct vcpu *v, const uint64_t *a)
{
	if (a[0] &&
	    guest_caller_write(v, a[0], &hrt.ros_event, sizeof(hrt.ros_event)))
		return HVM_ERROR;
	return hrt.trans_state;
}

/* The HRT forwards a page fault or a system call to the ROS (Palacios
 * 0x10): the event is copied once from the HRT's RDX, then checked; only
 * one is outstanding at a time (the last one answered and acknowledged,
 * or none yet in this transaction). */
static uint64_t req_event_request(struct vcpu *v, const uint64_t *a)
{
	struct tandem_ros_event e;

	if (hrt.ros_event.event_type != TANDEM_ROS_NONE ||
	    guest_caller_read(v, a[0], &e, sizeof(e)))
		return HVM_ERROR;
	if (e.event_type == TANDEM_ROS_PAGE_FAULT) {
		if (e.page_fault.action > 1)
			return HVM_ERROR;
		e.page_fault.reserved = 0;
	} else if (e.event_type != TANDEM_ROS_SYSCALL) {
		return HVM_ERROR;
	}
	e.reserved = 0;
	e.last_ros_event_result = 0;
	hrt.ros_event = e;
	return 0;
}

/* The ROS served the event (Palacios 0x1f): DONE with its result. */
static uint64_t req_event_done(struct vcpu *v, const uint64_t *a)
{
	uint32_t t = hrt.ros_event.event_type;

	(void)v;
	if (t != TANDEM_ROS_PAGE_FAULT && t != TANDEM_ROS_SYSCALL)
		return HVM_ERROR;
	hrt.ros_event.last_ros_event_result = a[0];
	hrt.ros_event.event_type = TANDEM_ROS_DONE;
	return 0;
}

/* The HRT has read the result (Palacios 0x1e): the event slot is free.
 * The result stays readable. */
static uint64_t req_event_ack(struct vcpu *v, const uint64_t *a)
{
	(void)v;
	(void)a;
	if (hrt.ros_event.event_type != TANDEM_ROS_DONE)
		return HVM_ERROR;
	hrt.ros_event.event_type = TANDEM_ROS_NONE;
	return 0;
}

/* Merge (0x30) and unmerge (0x31): HRT core 0 gets the caller's CR3 as
 * it is (Palacios: the page-table base and, with CR4.PCIDE, the PCID in
 * bits 0-11) and maps the lower half of that address space into its own,
 * or drops it again; it answers with merge done. RDX may name the CR3
 * again (or be 0, as Palacios's library leaves it); any other value is
 * refused: a ROS merges only the address space it runs in. */
static uint64_t merge(struct vcpu *v, const uint64_t *a, bool on)
{
	uint64_t cr0, cr3, cr4, efer;

	vcpu_ops->get_paging(v, &cr0, &cr3, &cr4, &efer);
	if (on && a[0] && a[0] != cr3)
		return HVM_ERROR;
	return core0_upcall(TANDEM_HRT_MERGE,
			    on ? TANDEM_UPCALL_MERGE : TANDEM_UPCALL_UNMERGE,
			    cr3, 0);
}

static uint64_t req_merge(struct vcpu *v, const uint64_t *a)
{
	return merge(v, a, true);
}

static uint64_t req_unmerge(struct vcpu *v, const uint64_t *a)
{
	return merge(v, a, false);
}

/* Merge done (0x3f) and GDT synchronisation done (0x5f): from HRT core
 * 0, the core the upcall went to (the table names the state). */
static uint64_t req_core0_done(struct vcpu *v, const uint64_t *a)
{
	(void)a;
	if (v->index != 0)
		return HVM_ERROR;
	hrt.trans_cores = 0;
	hrt.trans_state = TANDEM_HRT_IDLE;
	return 0;
}

/* 0x40 (ROS): installs (RDX = handler, RSI = stack) or removes (both 0)
 * the user-level signal handler of the calling process: its CR3 now. */
static uint64_t req_signal_install(struct vcpu *v, const uint64_t *a)
{
	uint64_t cr0, cr3, cr4, efer;

	vcpu_ops->get_paging(v, &cr0, &cr3, &cr4, &efer);
	return (uint64_t)user_signal_install(&root_cell.signal, cr3, a[0], a[1]);
}

/* 0x41 (ROS or HRT): raises code RDX; every other ROS vCPU passes its
 * entry checks again, so that the one running the process at CPL 3
 * takes it at once (the caller's own does at this entry). */
static uint64_t req_signal(struct vcpu *v, const uint64_t *a)
{
	if (user_signal_raise(&root_cell.signal, a[0]))
		return HVM_ERROR;
	for (unsigned int i = 0; i < root_cell.nvcpus; i++)
		if (root_cell.vcpus[i] != v)
			vcpu_post(root_cell.vcpus[i], VCPU_REQ_CHECK);
	return 0;
}

/* 0x52 (HRT): registers (RDX) or drops (0) the HRT's GDT area, an
 * address in the calling core's address space as it is now. Accepted
 * while a reboot or replace runs: a new image registers its area as it
 * boots, and the request that rebooted it may not have returned yet (a
 * reboot zeroes the area before it starts the cores, so an old image's
 * registration does not outlive it). */
static uint64_t req_gdt_register(struct vcpu *v, const uint64_t *a)
{
	hrt.gdt_area = a[0];
	guest_paging_regs(v, &hrt.gdt_regs);
	return 0;
}

/* The largest GDT (limit 0xffff) and the area's header. */
static uint8_t gdt_copy[sizeof(struct tandem_gdt_area) + 0x10000];

/* 0x51 (ROS): the caller's GDT (read as the CPU reads it, through its
 * page tables without its CPL's rights), its selectors and the FS base
 * in RDX (a canonical address) go into the HRT's area, which must lie in
 * the HRT's own memory and be writable there; then HRT core 0 gets the
 * upcall with the area's address and RSI. */
static uint64_t req_gdt_sync(struct vcpu *v, const uint64_t *a)
{
	struct tandem_gdt_area *area = (struct tandem_gdt_area *)gdt_copy;
	size_t len;
	struct vcpu_state st;

	/* The FS base is loaded into FS.base by the HRT: canonical only. */
	if (!hrt.gdt_area || (uint64_t)((int64_t)(a[0] << 16) >> 16) != a[0])
		return HVM_ERROR;
	vcpu_ops->get_state(v, &st);
	len = (size_t)(st.gdtr.limit & 0xffff) + 1;
	if (guest_read_linear(v, st.gdtr.base, area->gdt, len))
		return HVM_ERROR;
	area->gdtr_limit = (uint16_t)st.gdtr.limit;
	area->gdtr_base = hrt.gdt_area + sizeof(*area);
	area->fsbase = a[0];
	area->cs = st.cs.sel;
	area->ds = st.ds.sel;
	area->es = st.es.sel;
	area->fs = st.fs.sel;
	area->gs = st.gs.sel;
	area->ss = st.ss.sel;
	if (guest_write_through(hrt.cell, &hrt.gdt_regs, hrt.gdt_area, area,
				sizeof(*area) + len))
		return HVM_ERROR;
	return core0_upcall(TANDEM_HRT_GDTSYNC, TANDEM_UPCALL_GDT_SYNC,
			    hrt.gdt_area, a[1]);
}

/* 0x53 (ROS): HRT core 0 puts its own GDT back. */
static uint64_t req_gdt_restore(struct vcpu *v, const uint64_t *a)
{
	(void)v;
	(void)a;
	return core0_upcall(TANDEM_HRT_GDTSYNC, TANDEM_UPCALL_GDT_RESTORE, 0, 0);
}

/* Exclusive (hvm.c): runs without the lock, no other request meanwhile. */
static uint64_t req_reboot(struct vcpu *v, const uint64_t *a)
{
	(void)v;
	(void)a;
	return hrt_reboot() ? HVM_ERROR : 0;
}

/* Exclusive: reboot ROS (0x1) and reboot both (0x3), hvm/ros_reboot.c.
 * On success the caller's result is overwritten by its reset (the BSP
 * starts from the ROS's entry; any other caller waits for a start-up
 * IPI), as on Palacios, where the ROS does not return from it either. */
static uint64_t req_reboot_ros(struct vcpu *v, const uint64_t *a)
{
	(void)a;
	return hvm_ros_reboot(v, false) ? HVM_ERROR : 0;
}

static uint64_t req_reboot_both(struct vcpu *v, const uint64_t *a)
{
	(void)a;
	return hvm_ros_reboot(v, true) ? HVM_ERROR : 0;
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

/* The dones (0x2f, 0x3f, 0x5f) are taken while a reboot runs: a done
 * that ends the transaction before a ROS reboot aborts it must count,
 * or the abort would take its core for one that still owes it (see
 * stale_cores in hvm.h); an HRT reboot overwrites what it changed. */
#define CALLS                                                   \
	(HVM_IN(TANDEM_HRT_CALL) | HVM_IN(TANDEM_HRT_PARCALL) | \
	 HVM_IN(TANDEM_HRT_SYNCSETUP) | HVM_IN(TANDEM_HRT_SYNCTEARDOWN))

const struct hvm_request hvm_requests[] = {
	[TANDEM_HVM_NULL] = { req_null, HVM_FROM_ROS | HVM_FROM_HRT, HVM_IN_ANY,
			      HVM_DURING_REBOOT },
	[TANDEM_HVM_REBOOT_ROS] = { req_reboot_ros, HVM_FROM_ROS, HVM_IN_ANY,
				    HVM_EXCLUSIVE },
	[TANDEM_HVM_REBOOT_HRT] = { req_reboot, HVM_FROM_ROS, HVM_IN_ANY,
				    HVM_EXCLUSIVE },
	[TANDEM_HVM_REBOOT_BOTH] = { req_reboot_both, HVM_FROM_ROS, HVM_IN_ANY,
				     HVM_EXCLUSIVE },
	[TANDEM_HVM_REPLACE_HRT] = { req_replace, HVM_FROM_ROS,
				     HVM_IN(TANDEM_HRT_IDLE), HVM_EXCLUSIVE },
	[TANDEM_HVM_GET_STATE] = { req_get_state, HVM_FROM_ROS | HVM_FROM_HRT,
				   HVM_IN_ANY, HVM_DURING_REBOOT },
	[TANDEM_HVM_ROS_EVENT_REQUEST] = { req_event_request, HVM_FROM_HRT,
					   HVM_IN_ANY, 0 },
	[TANDEM_HVM_HRT_EVENT_ACK] = { req_event_ack, HVM_FROM_HRT, HVM_IN_ANY,
				       0 },
	[TANDEM_HVM_ROS_EVENT_DONE] = { req_event_done, HVM_FROM_ROS,
					HVM_IN_ANY, 0 },
	[TANDEM_HVM_INVOKE] = { req_invoke, HVM_FROM_ROS,
				HVM_IN(TANDEM_HRT_IDLE), HVM_LIVE },
	[TANDEM_HVM_PAR_INVOKE] = { req_par_invoke, HVM_FROM_ROS,
				    HVM_IN(TANDEM_HRT_IDLE), HVM_LIVE },
	[TANDEM_HVM_CALL_DONE] = { req_call_done, HVM_FROM_HRT, CALLS,
				   HVM_DONE | HVM_DURING_REBOOT },
	[TANDEM_HVM_SYNC_SETUP] = { req_sync_setup, HVM_FROM_ROS,
				    HVM_IN(TANDEM_HRT_IDLE), HVM_LIVE },
	[TANDEM_HVM_SYNC_TEARDOWN] = { req_sync_teardown, HVM_FROM_ROS,
				       HVM_IN(TANDEM_HRT_SYNC), HVM_LIVE },
	[TANDEM_HVM_MERGE] = { req_merge, HVM_FROM_ROS, HVM_IN(TANDEM_HRT_IDLE),
			       HVM_LIVE },
	[TANDEM_HVM_UNMERGE] = { req_unmerge, HVM_FROM_ROS,
				 HVM_IN(TANDEM_HRT_IDLE), HVM_LIVE },
	[TANDEM_HVM_MERGE_DONE] = { req_core0_done, HVM_FROM_HRT,
				    HVM_IN(TANDEM_HRT_MERGE),
				    HVM_DONE | HVM_DURING_REBOOT },
	[TANDEM_HVM_SIGNAL_INSTALL] = { req_signal_install, HVM_FROM_ROS,
					HVM_IN_ANY, HVM_DURING_REBOOT },
	[TANDEM_HVM_SIGNAL] = { req_signal, HVM_FROM_ROS | HVM_FROM_HRT,
				HVM_IN_ANY, HVM_DURING_REBOOT },
	[TANDEM_HVM_GDT_SYNC] = { req_gdt_sync, HVM_FROM_ROS,
				  HVM_IN(TANDEM_HRT_IDLE), HVM_LIVE },
	[TANDEM_HVM_GDT_REGISTER] = { req_gdt_register, HVM_FROM_HRT,
				      HVM_IN_ANY, HVM_DURING_REBOOT },
	[TANDEM_HVM_GDT_RESTORE] = { req_gdt_restore, HVM_FROM_ROS,
				     HVM_IN(TANDEM_HRT_IDLE), HVM_LIVE },
	[TANDEM_HVM_GDT_DONE] = { req_core0_done, HVM_FROM_HRT,
				  HVM_IN(TANDEM_HRT_GDTSYNC),
				  HVM_DONE | HVM_DURING_REBOOT },
};

const size_t hvm_request_count = sizeof(hvm_requests) / sizeof(hvm_requests[0]);
