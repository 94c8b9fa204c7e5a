/* The run loop of one physical CPU and its exit table: take requests,
 * wait for a start-up IPI where needed, enter the guest, dispatch the exit
 * by reason. */
#include <tandem/errno.h>
#include "hw/apic.h"
#include "lib/cpu.h"
#include "hw/percpu.h"
#include "hw/console.h"
#include "hw/trap.h"
#include "lib/klib.h"
#include "virt/exc_deliver.h"
#include "virt/exits.h"
#include "virt/guest_mem.h"
#include "virt/leave.h"
#include "virt/apic_emul.h"
#include "virt/msr_wall.h"
#include "virt/partition.h"
#include "virt/start_state.h"
#include "virt/tsc_emul.h"

/* Tandem re-delivers the exceptions it intercepts; when the guest's IDT
 * is too short for the vector and for #DF as well, the CPU would shut down
 * (SDM Vol. 3A 7.15): say so rather than rely on every CPU model. */
static bool idt_can_deliver(struct vcpu *v, unsigned int vector)
{
	struct vcpu_state st;
	unsigned int entry;

	vcpu_ops->get_state(v, &st);
	entry = vcpu_ops->get_mode(v) == CPU_MODE_64   ? 16 :
		vcpu_ops->get_mode(v) == CPU_MODE_REAL ? 4 :
							 8;
	return st.idtr.limit >= vector * entry + entry - 1 ||
	       st.idtr.limit >= 8 * entry + entry - 1;
}

/* #UD: the other vendor's hypercall instruction (VMCALL on AMD, VMMCALL on
 * Intel) is a hypercall all the same, so guests written for either vendor
 * run on both. Anything else goes back to the guest. */
void handle_exception(struct vcpu *v)
{
	static const uint8_t vmcall[3] = { 0x0f, 0x01, 0xc1 };
	static const uint8_t vmmcall[3] = { 0x0f, 0x01, 0xd9 };
	struct vcpu_event e = { EVENT_EXCEPTION, v->exit.exception.vector,
				v->exit.exception.has_error,
				v->exit.exception.error };
	uint8_t insn[3];
	size_t got;

	if (e.vector == 6 && !guest_fetch_insn(v, insn, sizeof(insn), &got) &&
	    got == 3 && (!memcmp(insn, vmcall, 3) || !memcmp(insn, vmmcall, 3))) {
		v->exit.insn_len = 3;
		v->exit.reason = EXIT_HYPERCALL; /* counted as one */
		handle_hypercall(v);
		return;
	}
	if (!idt_can_deliver(v, e.vector))
		vcpu_fail(v,
			  "triple fault (shutdown) at RIP 0x%lx: #%u with no usable IDT",
			  v->rip, e.vector);
	vcpu_ops->inject(v, &e);
}

static void handle_init(struct vcpu *v)
{
	v->sipi_vector = -1;
	v->state = VCPU_WAIT_SIPI;
}

static void handle_shutdown(struct vcpu *v)
{
	vcpu_fail(v, "triple fault (shutdown) at RIP 0x%lx", v->rip);
}

/* NMIs are Tandem's kicks: the loop picks up what they announced. A kick
 * may arrive late, so NMIs are never passed on to guests (which therefore
 * get none: a documented limitation). */
static void handle_nmi(struct vcpu *v)
{
	(void)v;
}

/*
 * VCPU_PENDING_PF: a page fault Tandem delivers by emulation (the HRT's
 * magic upcall: no VM entry injects its error code), taken whatever
 * RFLAGS.IF, as an exception is. It waits while an event is injected at
 * this entry (Tandem's own, or one the last exit interrupted), which goes
 * first: until the next exit, at the latest the interrupt window after
 * that event; and while the guest's gate is not present (an HRT that has
 * not loaded its IDT yet: it boots with empty gates and interrupts off),
 * until the next exit or, with IF clear, the interrupt window. It also waits
 * while the vCPU is not running (a reset drops it). Any other gate, stack
 * or frame the CPU could not use fails the vCPU, as the #DF it would be.
 */
static void deliver_pf(struct vcpu *v)
{
	int pf = VCPU_PENDING_PF, err;
	const char *why = NULL;

	if (v->state != VCPU_RUNNING)
		return;
	if (vcpu_ops->event_pending(v)) {
		vcpu_ops->set_irq_window(v, true);
		return;
	}
	if (!__atomic_compare_exchange_n(&v->pending_irq, &pf, -1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	err = exc_deliver(v, 14, v->pf_error, v->pf_cr2, &why);
	if (err == -TANDEM_EBUSY) {
		pf = -1;
		__atomic_compare_exchange_n(&v->pending_irq, &pf,
					    VCPU_PENDING_PF, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
		/* With IF set the window would come at once, again and
		 * again: then only the next exit. */
		vcpu_ops->set_irq_window(v, !(v->rflags & (1u << 9)));
		return;
	}
	vcpu_ops->set_irq_window(v, false);
	if (err) {
		v->exit.reason = EXIT_NONE; /* a #DF: the vector of its event */
		vcpu_fail(v,
			  "page fault 0x%lx (CR2 0x%lx) not deliverable at RIP 0x%lx: %s",
			  v->pf_error, v->pf_cr2, v->rip, why);
	}
}

/* Delivers the pending interrupt if the guest can take it now, else asks
 * for an exit when it can. Injecting at once also wakes a halted guest. */
static void deliver_irq(struct vcpu *v)
{
	struct vcpu_event e = { EVENT_INTERRUPT, 0, false, 0 };
	int vector = __atomic_load_n(&v->pending_irq, __ATOMIC_ACQUIRE);

	if (vector == VCPU_PENDING_PF) {
		deliver_pf(v);
		return;
	}
	if (vector < 0)
		return;
	if (!vcpu_ops->irq_ready(v)) {
		vcpu_ops->set_irq_window(v, true);
		return;
	}
	vector = __atomic_exchange_n(&v->pending_irq, -1, __ATOMIC_ACQ_REL);
	if (vector < 0)
		return;
	e.vector = (uint8_t)vector;
	vcpu_ops->set_irq_window(v, false);
	vcpu_ops->inject(v, &e);
}

static void handle_irq_window(struct vcpu *v)
{
	vcpu_ops->set_irq_window(v, false);
	deliver_irq(v);
}

static void handle_entry_failed(struct vcpu *v)
{
	vcpu_fail(v,
		  "VM entry failed: %s (reason 0x%lx, qualification 0x%lx, error %u)",
		  v->exit.vendor.why, v->exit.vendor.code, v->exit.vendor.info1,
		  v->exit.vendor.insn_error);
}

static void handle_io(struct vcpu *v)
{
	v->cell->kind->io(v); /* which ports it reaches is its kind's */
}

static void handle_unhandled(struct vcpu *v)
{
	vcpu_fail(v, "%s: 0x%lx (info 0x%lx 0x%lx) at RIP 0x%lx",
		  v->exit.vendor.why, v->exit.vendor.code, v->exit.vendor.info1,
		  v->exit.vendor.info2, v->rip);
}

typedef void (*exit_handler_fn)(struct vcpu *v);

static const exit_handler_fn exit_handlers[EXIT_REASON_COUNT] = {
	[EXIT_NONE] = handle_unhandled,
	[EXIT_HYPERCALL] = handle_hypercall,
	[EXIT_CPUID] = handle_cpuid,
	[EXIT_MSR_READ] = handle_msr_read,
	[EXIT_MSR_WRITE] = handle_msr_write,
	[EXIT_IO] = handle_io,
	[EXIT_MEM_FAULT] = handle_mem_fault,
	[EXIT_INIT] = handle_init,
	[EXIT_SHUTDOWN] = handle_shutdown,
	[EXIT_EXCEPTION] = handle_exception,
	[EXIT_NMI] = handle_nmi,
	[EXIT_IRQ_WINDOW] = handle_irq_window,
	[EXIT_CR8_WRITE] = handle_cr8_write,
	[EXIT_ENTRY_FAILED] = handle_entry_failed,
	[EXIT_UNHANDLED] = handle_unhandled,
};

/* The counter each exit goes to; unlisted reasons count as STAT_OTHER. */
static const enum vcpu_stat exit_stat[EXIT_REASON_COUNT] = {
	[EXIT_HYPERCALL] = STAT_HYPERCALL,
	[EXIT_CPUID] = STAT_CPUID,
	[EXIT_MSR_READ] = STAT_MSR,
	[EXIT_MSR_WRITE] = STAT_MSR,
	[EXIT_IO] = STAT_IO,
	[EXIT_MEM_FAULT] = STAT_MEM_FAULT,
};

/* Wait-for-SIPI (SDM Vol. 3A 9.4.4): once a start-up IPI named a vector,
 * start in real mode at vector << 12. */
static void try_sipi(struct vcpu *v)
{
	struct vcpu_state st;
	int vector = __atomic_exchange_n(&v->sipi_vector, -1, __ATOMIC_ACQ_REL);

	if (vector < 0)
		return;
	start_state_sipi(&st, (uint8_t)vector);
	vcpu_ops->set_state(v, &st);
	for (int r = 0; r < GPR_COUNT; r++)
		v->regs[r] = 0;
	v->state = VCPU_RUNNING;
}

/* VCPU_REQ_STOP: @v leaves this CPU for good, which goes back to its root
 * vCPU. The CPU itself switches per_cpu.vcpu first and acknowledges last:
 * once `stopped` is set the owner may free @v, so nothing here or in the
 * loop touches @v after that store. */
static void leave_for_good(struct vcpu *v)
{
	struct per_cpu *pc = v->cpu;

	if (v->backend)
		vcpu_ops->vcpu_destroy(v);
	v->state = VCPU_PARKED;
	__atomic_store_n(&pc->vcpu, pc->root_vcpu, __ATOMIC_RELEASE);
	__atomic_and_fetch(&v->requests, ~VCPU_REQ_STOP, __ATOMIC_RELEASE);
	__atomic_store_n(&v->stopped, true, __ATOMIC_RELEASE);
}

bool vcpu_process_requests(struct vcpu *v)
{
	uint32_t req = __atomic_load_n(&v->requests, __ATOMIC_ACQUIRE);

	if (req & VCPU_REQ_DISABLE)
		disable_this_cpu(v);
	if (req & VCPU_REQ_STOP) {
		leave_for_good(v);
		return false;
	}
	if (!v->backend) {
		/* Its control structure could not be made: it stays parked
		 * until it is stopped; other requests have nothing to act on. */
		if (req)
			__atomic_and_fetch(&v->requests, ~req, __ATOMIC_RELEASE);
		return true;
	}
	/* INIT before RESET: when both are pending (a reboot's INIT not yet
	 * taken when its RESET came), the later RESET must win, or the
	 * vCPU would stay waiting for a start-up IPI that never comes. */
	if (req & VCPU_REQ_INIT) {
		v->sipi_vector = -1;
		v->state = VCPU_WAIT_SIPI;
	}
	if (req & VCPU_REQ_RESET) {
		vcpu_ops->set_state(v, &v->start_state);
		memcpy(v->regs, v->start_regs, sizeof(v->regs));
		tsc_emul_reset(v);
		v->mtrr_def_type = 0;
		/* A restarted cell or HRT image must not take the timer
		 * or IPIs of the one before (the root owns its LINT pins
		 * and firmware's set-up, so its APIC is its own affair). */
		if (!v->cell->kind->root)
			apic_quiesce();
		v->sipi_vector = -1;
		v->pending_irq = -1;
		v->state = v->start_running ? VCPU_RUNNING : VCPU_WAIT_SIPI;
	}
	/* A page fault kept back by an injected event: at every turn. */
	if ((req & VCPU_REQ_IRQ) ||
	    __atomic_load_n(&v->pending_irq, __ATOMIC_RELAXED) == VCPU_PENDING_PF)
		deliver_irq(v);
	if (req)
		__atomic_and_fetch(&v->requests, ~req, __ATOMIC_RELEASE);
	return true;
}

/* A CPU whose vCPU waits for a start-up IPI, or is parked, sleeps in HLT
 * instead of spinning (under an emulator a spinning CPU costs as much as a
 * busy one; on hardware, power). Whatever it waits for comes with an NMI
 * when it is announced while `waiting` is set: a request (vcpu_post), a
 * start-up IPI's vector (vcpu_wake), a new vCPU for the CPU (always
 * followed by a request to it). The checks after setting `waiting` and
 * trap_halt_until_nmi() leave no gap. */
static void wait_for_work(struct per_cpu *pc, struct vcpu *v)
{
	unsigned long seen = trap_nmi_count();

	__atomic_store_n(&pc->waiting, true, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&pc->vcpu, __ATOMIC_SEQ_CST) == v &&
	    !__atomic_load_n(&v->requests, __ATOMIC_SEQ_CST) &&
	    __atomic_load_n(&v->sipi_vector, __ATOMIC_SEQ_CST) < 0)
		trap_halt_until_nmi(seen);
	__atomic_store_n(&pc->waiting, false, __ATOMIC_SEQ_CST);
}

static void enter_guest(struct vcpu *v)
{
	uint32_t gen;

	__atomic_store_n(&v->cpu->kick_pending, false, __ATOMIC_SEQ_CST);
	__atomic_store_n(&v->in_guest, true, __ATOMIC_SEQ_CST);
	/* Requests and map changes posted from now on kick us out. */
	if (__atomic_load_n(&v->requests, __ATOMIC_SEQ_CST)) {
		v->in_guest = false;
		return;
	}
	if (__atomic_load_n(&v->cell->signal.code, __ATOMIC_RELAXED))
		user_signal_deliver(v, &v->cell->signal);
	gen = __atomic_load_n(&v->cell->gpa_gen, __ATOMIC_SEQ_CST);
	if (gen != v->gpa_gen_seen) {
		vcpu_ops->flush_gpa(v);
		__atomic_store_n(&v->gpa_gen_seen, gen, __ATOMIC_RELEASE);
	}
	vcpu_ops->run(v);
	__atomic_store_n(&v->in_guest, false, __ATOMIC_RELEASE);
	exit_handlers[v->exit.reason](v);
	/* Counted after handling: a #UD may have become a hypercall. */
	v->stats[STAT_TOTAL]++;
	v->stats[exit_stat[v->exit.reason] ? exit_stat[v->exit.reason] : STAT_OTHER]++;
}

/* Makes @v the vCPU of this CPU: create its control structure here, on the
 * CPU that will run it, or load the one it has. A vCPU whose structure
 * cannot be made is parked (without one) until its cell is destroyed. */
static void switch_to(struct vcpu *v)
{
	int err;

	if (v->backend) {
		vcpu_ops->vcpu_load(v);
		return;
	}
	if (v->state == VCPU_PARKED)
		return; /* creation failed before */
	err = vcpu_ops->vcpu_create(v);
	if (err) {
		pr_err("cell '%s': cannot create vCPU %u (%d); it stays stopped",
		       v->cell->name, v->index, err);
		v->state = VCPU_PARKED;
		return;
	}
	vcpu_ops->set_gpa_root(v, v->cell->gpa_map.root_phys);
	v->gpa_gen_seen = v->cell->gpa_gen;
	msr_wall_confine(v);
	tsc_emul_reset(v);
	v->cell->kind->confine(v);
}

/*
 * The per-CPU run loop. Every CPU Tandem runs guests on ends up here, for
 * good, and each turn of the loop does:
 *
 *  1. Read which vCPU this CPU is to run (per_cpu.vcpu: a root CPU runs its
 *     root vCPU until Cell Create or the HRT takes it; it switches back
 *     itself when that vCPU is stopped). None yet: spin and look again.
 *  2. If that vCPU is new to this CPU, swap the guest MSRs the CPU holds
 *     (msr_wall_switch) and make it current: create its control
 *     structure here (the backend's control structure must be made on the CPU that
 *     runs it), point it at its cell's guest-physical map, open its MSR
 *     bitmap for its kind's list and let the kind confine it (I/O
 *     intercepts); or just load it.
 *  3. Carry out the requests other CPUs posted (vcpu_post/vcpu_request):
 *     Disable (never returns), stop (this CPU goes back to its root vCPU
 *     and the stopped one may be freed at once), reset to the start
 *     state, INIT, an interrupt to deliver.
 *  4. By run state: a vCPU waiting for a start-up IPI starts in real mode
 *     if one arrived; a parked (failed) one stays put; a running one that
 *     executed HLT sleeps in HLT until an interrupt or request is pending
 *     for it; otherwise it enters the guest.
 *  5. Entering the guest (enter_guest): announce in_guest, so that from
 *     now on requests and map changes kick this CPU out with an NMI;
 *     flush the cached guest-physical map if the cell's changed; run until
 *     the next exit; dispatch the exit by reason through exit_handlers[];
 *     count it.
 *
 * A vCPU that fails (vcpu_fail) is parked, its cell marked Failed, and the
 * CPU jumps back to the top of this loop on a fresh stack.
 */
void cpu_loop(void)
{
	struct per_cpu *pc = this_cpu();
	struct vcpu *cur = NULL;

	for (;;) {
		struct vcpu *v = __atomic_load_n(&pc->vcpu, __ATOMIC_ACQUIRE);

		if (!v) {
			cpu_relax();
			continue;
		}
		if (v != cur) {
			/* A cell must neither see nor keep the LSTAR etc. of
			 * the vCPU that ran here before (NULL: it was stopped
			 * or failed, and its values do not matter). */
			msr_wall_switch(cur, v);
			apic_emul_switch(v);
			switch_to(v);
			cur = v;
		}
		if (!vcpu_process_requests(v)) {
			cur = NULL; /* @v is gone: never touch it again */
			continue;
		}
		switch (v->state) {
		case VCPU_STOPPED:
		case VCPU_WAIT_SIPI:
			try_sipi(v);
			if (v->state != VCPU_RUNNING)
				wait_for_work(pc, v);
			break;
		case VCPU_PARKED:
			wait_for_work(pc, v);
			break;
		case VCPU_RUNNING:
			enter_guest(v);
			break;
		}
	}
}
