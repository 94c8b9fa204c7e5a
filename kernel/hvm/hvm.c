/* The Palacios HVM downcall path (docs/interfaces/palacios-hvm-hrt.md;
 * guest-abi/ABI.md section 4.10): find the caller's side, check it and the
 * transaction state against the request table (hvm/hvm_requests.c), then
 * run the request. Registers as Palacios uses them: RAX = 0xf00d, RBX =
 * 0x6464646464646464, RCX = request, RDX, RSI, RDI, R8 = arguments; RAX =
 * result, -1 on error. Any CPL (Palacios's user library calls from CPL 3).
 *
 * One lock serialises the requests. A reboot (or replace) never holds it
 * while it waits for the HRT's CPUs, which may themselves be waiting for
 * it in a downcall (CALL_DONE, the boot's null request) or in
 * hvm_hrt_failed(): it marks the HRT rebooting under the lock and runs
 * without it; meanwhile every request without HVM_DURING_REBOOT is
 * refused. */
#include "hvm/hvm.h"
#include "hw/apic.h"
#include "lib/spinlock.h"
#include "virt/exits.h"
#include "virt/partition.h"

struct hrt hrt;
static struct spinlock hvm_lock;

/* The side @v calls from; 0 for any other partition (a configured cell),
 * which no request accepts. */
static unsigned int caller_side(const struct vcpu *v)
{
	if (v->cell->kind->root)
		return HVM_FROM_ROS;
	if (hrt.cell && v->cell == hrt.cell)
		return HVM_FROM_HRT;
	return 0;
}

/* Under hvm_lock: may @r run now? */
static bool allowed_now(const struct hvm_request *r)
{
	if (hrt.rebooting && !(r->flags & HVM_DURING_REBOOT))
		return false;
	if ((r->flags & HVM_LIVE) && hrt.failed)
		return false;
	return hrt.trans_state < 8 && (r->states & HVM_IN(hrt.trans_state));
}

/* Under hvm_lock: a done from an HRT core that still owed one to an
 * aborted transaction is that one's (a core runs one upcall at a time):
 * consumed, and refused. */
static bool stale_done(const struct vcpu *v, const struct hvm_request *r)
{
	uint64_t bit = 1ull << v->index;

	if (!(r->flags & HVM_DONE) || !(hrt.stale_cores & bit))
		return false;
	hrt.stale_cores &= ~bit;
	return true;
}

static uint64_t run(struct vcpu *v, const struct hvm_request *r,
		    const uint64_t *a)
{
	uint64_t ret = HVM_ERROR;

	spin_lock(&hvm_lock);
	if (stale_done(v, r) || !allowed_now(r)) {
		spin_unlock(&hvm_lock);
		return HVM_ERROR;
	}
	if (!(r->flags & HVM_EXCLUSIVE)) {
		ret = r->fn(v, a);
		spin_unlock(&hvm_lock);
		return ret;
	}
	hrt.rebooting = true;
	spin_unlock(&hvm_lock);
	ret = r->fn(v, a);
	spin_lock(&hvm_lock);
	hrt.rebooting = false;
	spin_unlock(&hvm_lock);
	return ret;
}

void hvm_downcall(struct vcpu *v)
{
	uint64_t req = v->regs[GPR_RCX], ret = HVM_ERROR;
	const struct hvm_request *r = req < hvm_request_count &&
						      hvm_requests[req].fn ?
					      &hvm_requests[req] :
					      NULL;

	/* The HVM interface is always there for the ROS: the null request
	 * answers 0 even without an HRT partition (as Palacios's does with
	 * no HRT running); every other request needs the HRT. */
	if (!hrt.cell && req == TANDEM_HVM_NULL &&
	    v->regs[GPR_RBX] == TANDEM_HVM_MARKER_64 && v->cell->kind->root)
		ret = 0;
	else if (hrt.cell && v->regs[GPR_RBX] == TANDEM_HVM_MARKER_64 && r &&
		 (r->from & caller_side(v))) {
		const uint64_t a[4] = { v->regs[GPR_RDX], v->regs[GPR_RSI],
					v->regs[GPR_RDI], v->regs[GPR_R8] };

		ret = run(v, r, a);
	}
	v->regs[GPR_RAX] = ret;
	vcpu_skip_insn(v);
}

bool hvm_core_starting(unsigned int i)
{
	return __atomic_load_n(&hrt.cell->vcpus[i]->requests, __ATOMIC_ACQUIRE) &
	       VCPU_REQ_RESET;
}

/* No wait: an NMI kicks the core out of the guest (running or halted in
 * HLT), and the loop injects the vector when the core can take it, or
 * delivers the magic page fault at once (TANDEM_HRT_UPCALL_MAGIC_PF). */
void hvm_upcall_core(unsigned int i)
{
	struct vcpu *c = hrt.cell->vcpus[i];

	if (hrt.magic_pf) {
		c->pf_error = TANDEM_UPCALL_MAGIC_ERROR;
		c->pf_cr2 = TANDEM_UPCALL_MAGIC_ADDRESS;
	}
	__atomic_store_n(&c->pending_irq,
			 hrt.magic_pf ? VCPU_PENDING_PF : hrt.vector,
			 __ATOMIC_RELEASE);
	vcpu_post(c, VCPU_REQ_IRQ);
}

/* After the state: a ROS that sees the word may invoke again at once. The
 * word was RAM of the ROS at the invoke; the ROS keeps it there (ABI.md
 * 4.10), and cell_gpa_to_hva checks again. The interrupt comes after the
 * word, so a caller halted until it finds the word written. The ROS's
 * CPUs take their fixed interrupts in the guest, as its own IPIs: the
 * caller pays no exit for it, only for its EOI. */
void hvm_complete(uint64_t how)
{
	uint8_t vector = hrt.done_vector;
	uint64_t *word;

	hrt.done_vector = 0;
	if (hrt.done_gpa) {
		word = cell_gpa_to_hva(&root_cell, hrt.done_gpa, sizeof(*word));
		hrt.done_gpa = 0;
		if (word)
			__atomic_store_n(word, how, __ATOMIC_RELEASE);
	}
	if (vector && hrt.done_held)
		hrt.done_held_vector = vector;
	else if (vector)
		apic_send_ipi(hrt.done_apic_id, APIC_ICR_FIXED | vector);
}

void hvm_hold_done_irq(void)
{
	spin_lock(&hvm_lock);
	hrt.done_held = true;
	hrt.done_held_vector = 0;
	spin_unlock(&hvm_lock);
}

void hvm_release_done_irq(bool ros_goes_on)
{
	spin_lock(&hvm_lock);
	if (hrt.done_held_vector && ros_goes_on)
		apic_send_ipi(hrt.done_apic_id,
			      APIC_ICR_FIXED | hrt.done_held_vector);
	hrt.done_held = false;
	hrt.done_held_vector = 0;
	spin_unlock(&hvm_lock);
}

void hvm_hrt_failed(uint64_t rip, uint64_t vector)
{
	spin_lock(&hvm_lock);
	hrt.failed = true;
	hrt.ros_event.event_type = TANDEM_HRT_EXCEPTION;
	hrt.ros_event.excp.rip = rip;
	hrt.ros_event.excp.vector = vector;
	hrt.trans_cores = 0;
	hrt.trans_state = TANDEM_HRT_IDLE;
	hvm_complete(TANDEM_HRT_ABORTED);
	spin_unlock(&hvm_lock);
}

void hvm_abort_transaction(void)
{
	uint64_t cores;

	spin_lock(&hvm_lock);
	cores = hrt.trans_cores;
	hrt.trans_cores = 0;
	hrt.trans_state = TANDEM_HRT_IDLE;
	/* Dropped, not written: the ROS that gave it is gone, and the word
	 * may now lie in its reloaded image; no interrupt either, which
	 * the restarted ROS would take unasked. */
	hrt.done_gpa = 0;
	hrt.done_vector = 0;
	hrt.ros_event.event_type = TANDEM_ROS_NONE;
	/* An upcall not yet injected is dropped; a core that took it runs it
	 * and will answer with a done, which must not end the next
	 * transaction. The comm page stays as it is: such a core may not
	 * have read it yet, and would find nothing to answer. */
	for (unsigned int i = 0; i < hrt.cell->nvcpus; i++) {
		int was = __atomic_exchange_n(&hrt.cell->vcpus[i]->pending_irq,
					      -1, __ATOMIC_ACQ_REL);

		if ((cores & (1ull << i)) && was < 0)
			hrt.stale_cores |= 1ull << i;
	}
	spin_unlock(&hvm_lock);
}
