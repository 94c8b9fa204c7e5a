/* The one hypercall path: check the caller, mask arguments outside 64-bit
 * mode, then dispatch by a table whose entries say who may call them.
 * Registers: RAX = code, RDI RSI RDX R10 R8 R9 = arguments, RAX = result
 * (guest-abi/ABI.md). */
#include <tandem/errno.h>
#include <tandem/hypercall.h>
#include "hw/console.h"
#include "virt/exits.h"
#include "virt/hypercall.h"
#include "virt/partition.h"

static long dispatch(struct vcpu *v, uint64_t code, const uint64_t *args)
{
	const struct hypercall *hc = NULL;

	if (code < hypercall_count && hypercalls[code].fn)
		hc = &hypercalls[code];
	if (!hc) {
		pr_warn_limited("hypercall: unknown code 0x%lx from cell '%s' at RIP 0x%lx",
				code, v->cell->name, v->rip);
		return -TANDEM_ENOSYS;
	}
	/* Jailhouse seed: hypercalls are for the guest kernel only. */
	if (vcpu_ops->get_cpl(v) != 0)
		return -TANDEM_EPERM;
	if (!(hc->flags & HC_ANY_CELL) && !v->cell->kind->root)
		return -TANDEM_EPERM;
	return hc->fn(v, args);
}

void handle_hypercall(struct vcpu *v)
{
	bool long_mode = vcpu_ops->get_mode(v) == CPU_MODE_64;

	if (long_mode && (uint32_t)v->regs[GPR_RAX] == TANDEM_HC_HVM) {
		hypercall_hvm(v); /* its own registers and rules */
		return;
	}
	uint64_t mask = long_mode ? ~0ull : 0xffffffffull;
	uint64_t code = v->regs[GPR_RAX] & mask;
	const uint64_t args[6] = {
		v->regs[GPR_RDI] & mask, v->regs[GPR_RSI] & mask,
		v->regs[GPR_RDX] & mask, v->regs[GPR_R10] & mask,
		v->regs[GPR_R8] & mask,	 v->regs[GPR_R9] & mask,
	};
	long ret = dispatch(v, code, args);

	v->regs[GPR_RAX] = long_mode ? (uint64_t)ret : (uint32_t)ret;
	vcpu_skip_insn(v);
}
