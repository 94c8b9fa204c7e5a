/* vCPU primitives the core shares: moving past an instruction, injecting
 * faults, requests to a vCPU on another CPU and the kicks that deliver
 * them, flushing a cell's guest-physical map everywhere, failing a vCPU. */
#include <stdarg.h>
#include "hw/apic.h"
#include "lib/cpu.h"
#include "hw/percpu.h"
#include "hw/tsc.h"
#include "hw/console.h"
#include "lib/printf.h"
#include "virt/exits.h"
#include "virt/partition.h"

const struct vcpu_ops *vcpu_ops;

void vcpu_skip_insn(struct vcpu *v)
{
	if (!v->exit.insn_len)
		vcpu_fail(v, "exit %d without an instruction length at RIP 0x%lx",
			  v->exit.reason, v->rip);
	v->rip += v->exit.insn_len;
	if (vcpu_ops->get_mode(v) != CPU_MODE_64)
		v->rip = (uint32_t)v->rip;
}

void vcpu_inject_gp(struct vcpu *v)
{
	struct vcpu_event e = { EVENT_EXCEPTION, 13, true, 0 };

	vcpu_ops->inject(v, &e);
}

void vcpu_inject_ud(struct vcpu *v)
{
	struct vcpu_event e = { EVENT_EXCEPTION, 6, false, 0 };

	vcpu_ops->inject(v, &e);
}

/* Gets @v's CPU to look at its requests: an NMI, out of guest mode (a
 * guest halted in HLT included) or out of the HLT of a CPU with nothing to
 * run (run_loop.c); else it is in its loop and sees them. An NMI, never an
 * interrupt: guests take the CPU's interrupts, and one sent late would
 * land in a guest. */
static void kick(struct vcpu *v)
{
	struct per_cpu *pc = v->cpu;

	/* One NMI per guest entry, and one per wait (whoever takes
	 * `kick_pending` or `waiting` sends it): vcpu_request() kicks again
	 * every 200 us, and under an emulator the exit the first NMI causes
	 * can take longer than that; a second NMI could then still be on its
	 * way when the CPU has left Tandem for good at a Disable and runs its
	 * guest natively, which would take it. An NMI that lands in Tandem
	 * instead (just before an entry) clears kick_pending, so the next
	 * kick goes out. */
	if (__atomic_load_n(&v->in_guest, __ATOMIC_SEQ_CST)) {
		if (!__atomic_exchange_n(&pc->kick_pending, true,
					 __ATOMIC_SEQ_CST))
			apic_send_ipi(pc->apic_id, APIC_ICR_NMI);
	} else if (__atomic_exchange_n(&pc->waiting, false, __ATOMIC_SEQ_CST)) {
		apic_send_ipi(pc->apic_id, APIC_ICR_NMI);
	}
}

void vcpu_wake(struct vcpu *v)
{
	if (v->cpu != this_cpu())
		kick(v);
}

void vcpu_post(struct vcpu *v, uint32_t req)
{
	__atomic_or_fetch(&v->requests, req, __ATOMIC_SEQ_CST);
	if (v->cpu != this_cpu())
		kick(v);
}

bool vcpu_request(struct vcpu *v, uint32_t req)
{
	uint64_t start = tsc_us(), last_kick = 0;

	__atomic_or_fetch(&v->requests, req, __ATOMIC_SEQ_CST);
	if (v->cpu == this_cpu()) {
		vcpu_process_requests(v);
		return true;
	}
	/* Wait until its CPU took it, kicking it now and then: an NMI may
	 * arrive just before a VM entry and be lost on VMX. */
	for (;;) {
		uint64_t now = tsc_us();

		if (!(__atomic_load_n(&v->requests, __ATOMIC_ACQUIRE) & req))
			return true;
		if (now - last_kick >= 200) {
			kick(v);
			last_kick = now;
		}
		if (now - start > 5000000)
			break;
		cpu_relax();
	}
	pr_err("cell '%s': vCPU %u did not take request 0x%x within 5 s",
	       v->cell->name, v->index, req);
	return false;
}

void cell_flush_gpa(struct cell *c)
{
	uint32_t gen = __atomic_add_fetch(&c->gpa_gen, 1, __ATOMIC_SEQ_CST);

	for (unsigned int i = 0; i < c->nvcpus; i++) {
		struct vcpu *v = c->vcpus[i];

		if (v->cpu == this_cpu())
			continue; /* flushed before our next entry */
		for (uint64_t last = 0;
		     v->in_guest && __atomic_load_n(&v->gpa_gen_seen,
						    __ATOMIC_ACQUIRE) != gen;) {
			if (tsc_us() - last >= 200) {
				kick(v);
				last = tsc_us();
			}
			cpu_relax();
		}
	}
}

void vcpu_fail(struct vcpu *v, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	v->state = VCPU_PARKED;
	cell_set_failed(v->cell);
	if (v->cell->kind->failed)
		v->cell->kind->failed(v);
	/* Its console lines held back before it failed, counted first: the
	 * line after them may never come (a runtime's boot log). */
	cell_console_flush(v->cell);
	log_limited(&v->cell->fail_rl, LOG_ERR, "cell '%s' failed: vCPU %u: %s",
		    v->cell->name, v->index, why);
	/* Back to the top of this CPU's loop, on a fresh stack. */
	asm volatile("mov %0, %%rsp; jmp cpu_loop"
		     :
		     : "r"((uint64_t)this_cpu()->stack + PER_CPU_STACK_SIZE));
	__builtin_unreachable();
}
