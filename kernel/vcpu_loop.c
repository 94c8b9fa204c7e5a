/* The run loop of one vCPU on its physical CPU: wait for a start-up IPI
 * where needed, enter the guest, dispatch the exit by a table. */
#include "cell.h"
#include "console.h"
#include "cpu.h"
#include "exits.h"
#include "guest_mem.h"
#include "klib.h"
#include "start_state.h"

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

/* #UD: the other vendor's hypercall instruction (VMCALL on AMD, VMMCALL on
 * Intel) is a hypercall all the same, so guests written for either vendor
 * run on both. Anything else goes back to the guest. */
void handle_exception(struct vcpu *v)
{
	static const uint8_t vmcall[3] = { 0x0f, 0x01, 0xc1 };
	static const uint8_t vmmcall[3] = { 0x0f, 0x01, 0xd9 };
	struct vcpu_event e = {
		EVENT_EXCEPTION, v->exit.exception.vector,
		v->exit.exception.has_error, v->exit.exception.error
	};
	uint8_t insn[3];
	size_t got;

	if (e.vector == 6 && !guest_fetch_insn(v, insn, sizeof(insn), &got) &&
	    got == 3 && (!memcmp(insn, vmcall, 3) || !memcmp(insn, vmmcall, 3))) {
		v->exit.insn_len = 3;
		v->exit.reason = EXIT_HYPERCALL;	/* counted as one */
		handle_hypercall(v);
		return;
	}
	vcpu_ops->inject(v, &e);
}

static void handle_halt(struct vcpu *v)
{
	vcpu_skip_insn(v);
}

static void handle_io(struct vcpu *v)
{
	/* No port is intercepted yet: an I/O exit means a bitmap bug. */
	vcpu_fail(v, "unexpected I/O exit, port 0x%x", v->exit.io.port);
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

static void handle_interrupt(struct vcpu *v)
{
	(void)v;	/* Tandem takes no interrupts yet: just re-enter */
}

static void handle_irq_window(struct vcpu *v)
{
	vcpu_ops->set_irq_window(v, false);
}

static void handle_entry_failed(struct vcpu *v)
{
	vcpu_fail(v, "VM entry failed: %s (reason 0x%lx, qualification 0x%lx, error %u)",
		  v->exit.vendor.why, v->exit.vendor.code, v->exit.vendor.info1,
		  v->exit.vendor.insn_error);
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
	[EXIT_HALT] = handle_halt,
	[EXIT_INIT] = handle_init,
	[EXIT_SHUTDOWN] = handle_shutdown,
	[EXIT_EXCEPTION] = handle_exception,
	[EXIT_INTERRUPT] = handle_interrupt,
	[EXIT_IRQ_WINDOW] = handle_irq_window,
	[EXIT_ENTRY_FAILED] = handle_entry_failed,
	[EXIT_UNHANDLED] = handle_unhandled,
};

/* The counter each exit goes to; unlisted reasons count as STAT_OTHER. */
static const enum vcpu_stat exit_stat[EXIT_REASON_COUNT] = {
	[EXIT_HALT] = STAT_HALT,
	[EXIT_INTERRUPT] = STAT_INTERRUPT,
	[EXIT_HYPERCALL] = STAT_HYPERCALL,
	[EXIT_CPUID] = STAT_CPUID,
	[EXIT_MSR_READ] = STAT_MSR,
	[EXIT_MSR_WRITE] = STAT_MSR,
	[EXIT_IO] = STAT_IO,
	[EXIT_MEM_FAULT] = STAT_MEM_FAULT,
};

/* Wait-for-SIPI (SDM Vol. 3A 9.4.4): spin until a start-up IPI names a
 * vector, then start in real mode at vector << 12. */
static void wait_for_sipi(struct vcpu *v)
{
	struct vcpu_state st;
	int vector;

	while ((vector = __atomic_load_n(&v->sipi_vector, __ATOMIC_ACQUIRE)) < 0)
		cpu_relax();
	v->sipi_vector = -1;
	start_state_sipi(&st, (uint8_t)vector);
	vcpu_ops->set_state(v, &st);
	for (int r = 0; r < GPR_COUNT; r++)
		v->regs[r] = 0;
	v->state = VCPU_RUNNING;
}

void vcpu_loop(struct vcpu *v)
{
	for (;;) {
		if (v->state == VCPU_WAIT_SIPI || v->state == VCPU_STOPPED)
			wait_for_sipi(v);
		if (v->state == VCPU_PARKED)
			cpu_halt_forever();
		vcpu_ops->run(v);
		exit_handlers[v->exit.reason](v);
		/* Counted after handling: a #UD may have become a hypercall. */
		v->stats[STAT_TOTAL]++;
		v->stats[exit_stat[v->exit.reason] ? exit_stat[v->exit.reason] :
			 STAT_OTHER]++;
	}
}
