/* User-level signals into a partition's process (see user_signal.h). */
#include "virt/user_signal.h"
#include "hw/console.h"
#include "virt/guest_mem.h"
#include "virt/partition.h"
#include "virt/vcpu.h"

#define USER_TOP (1ull << 47) /* the lower half of 4-level paging */
#define REFUSED	 (-1L)

static bool user_address(uint64_t a)
{
	return a && a < USER_TOP;
}

long user_signal_install(struct user_signal *s, uint64_t cr3, uint64_t handler,
			 uint64_t stack)
{
	bool removal = !handler && !stack;
	long ret = REFUSED;

	if (!removal && (!user_address(handler) || !user_address(stack)))
		return REFUSED;
	spin_lock(&s->lock);
	if (!s->code && (removal || !s->handler)) {
		s->handler = handler;
		s->stack = stack;
		s->cr3 = removal ? 0 : cr3;
		ret = 0;
	}
	spin_unlock(&s->lock);
	return ret;
}

void user_signal_reset(struct user_signal *s)
{
	spin_lock(&s->lock);
	s->code = 0;
	s->cr3 = s->handler = s->stack = 0;
	spin_unlock(&s->lock);
}

long user_signal_raise(struct user_signal *s, uint64_t code)
{
	long ret = REFUSED;

	if (!code)
		return REFUSED;
	spin_lock(&s->lock);
	if (s->handler && !s->code) {
		__atomic_store_n(&s->code, code, __ATOMIC_RELEASE);
		ret = 0;
	}
	spin_unlock(&s->lock);
	return ret;
}

void user_signal_deliver(struct vcpu *v, struct user_signal *s)
{
	uint64_t cr0, cr3, cr4, efer, code, rsp, handler, frame[6];
	struct vcpu_state st;

	if (vcpu_ops->get_cpl(v) != 3)
		return;
	vcpu_ops->get_paging(v, &cr0, &cr3, &cr4, &efer);
	spin_lock(&s->lock);
	if (!s->handler || cr3 != s->cr3) {
		spin_unlock(&s->lock);
		return;
	}
	code = __atomic_exchange_n(&s->code, 0, __ATOMIC_ACQ_REL);
	handler = s->handler;
	rsp = ((s->stack - 16) & ~0xfull) - sizeof(frame);
	spin_unlock(&s->lock);
	if (!code)
		return;
	vcpu_ops->get_state(v, &st);
	frame[0] = code;
	frame[1] = v->rip;
	frame[2] = st.cs.sel;
	frame[3] = v->rflags;
	frame[4] = v->regs[GPR_RSP];
	frame[5] = st.ss.sel;
	/* At CPL 3 the frame is written with the process's own rights. */
	if (guest_caller_write(v, rsp, frame, sizeof(frame))) {
		pr_warn_limited("cell '%s': signal 0x%lx lost: its stack at 0x%lx is not writable for the process",
				v->cell->name, code, rsp);
		return;
	}
	v->rip = handler;
	v->regs[GPR_RSP] = rsp;
}
