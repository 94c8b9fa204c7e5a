/* The one hypercall path: check the caller, mask arguments outside 64-bit
 * mode, then dispatch by a table whose entries say who may call them.
 * Registers: RAX = code, RDI RSI RDX R10 R8 R9 = arguments, RAX = result
 * (guest-abi/ABI.md). */
#include <tandem/errno.h>
#include <tandem/hypercall.h>
#include "cell.h"
#include "console.h"
#include "exits.h"
#include "cells.h"
#include "disable.h"
#include "header.h"
#include "hvm.h"
#include "percpu.h"
#include "pools.h"
#include "tandem_mem.h"

#define HC_ANY_CELL	(1u << 0)	/* callable from non-root cells too */

struct hypercall {
	long (*fn)(struct vcpu *v, const uint64_t *args);
	unsigned int flags;
};

/* tandem_mem holds the image (0) and the hypervisor memory (1), set up by
 * root_cell_init(); the HRT's range counts once planned, as in the ROS's
 * memory map, even if the HRT then failed to start. */
static long hc_get_info(struct vcpu *v, const uint64_t *args)
{
	(void)v;
	switch (args[0]) {
	case TANDEM_INFO_MEM_POOL_PAGES:
		return mem_pool.pages;
	case TANDEM_INFO_MEM_POOL_USED:
		return mem_pool.used;
	case TANDEM_INFO_REMAP_POOL_PAGES:
		return remap_pool.pages;
	case TANDEM_INFO_REMAP_POOL_USED:
		return remap_pool.used;
	case TANDEM_INFO_NUM_CELLS:
		return num_cells;
	case TANDEM_INFO_IMAGE_BASE:
		return (long)tandem_mem.base[0];
	case TANDEM_INFO_IMAGE_SIZE:
		return (long)tandem_mem.size[0];
	case TANDEM_INFO_HV_MEM_BASE:
		return (long)tandem_mem.base[1];
	case TANDEM_INFO_HV_MEM_SIZE:
		return (long)tandem_mem.size[1];
	case TANDEM_INFO_HRT_MEM_BASE:
		return hrt_plan.active ? (long)hrt_plan.mem_base : 0;
	case TANDEM_INFO_HRT_MEM_SIZE:
		return hrt_plan.active ? (long)hrt_plan.mem_size : 0;
	default:
		return -TANDEM_EINVAL;
	}
}

extern struct tandem_header tandem_header;

static long hc_cpu_get_state(struct vcpu *v, const uint64_t *args)
{
	uint64_t cpu = args[0], type = args[1];
	const struct vcpu *target;

	if (cpu >= tandem_header.possible_cpus || !per_cpu(cpu)->online)
		return -TANDEM_EINVAL;
	target = per_cpu(cpu)->vcpu;
	if (!target)
		return -TANDEM_EINVAL;
	if (v->cell != &root_cell && target->cell != v->cell)
		return -TANDEM_EPERM;
	if (type == TANDEM_CPU_INFO_STATE)
		return target->state == VCPU_PARKED ? TANDEM_CPU_FAILED :
						     TANDEM_CPU_RUNNING;
	if (type >= TANDEM_CPU_STAT_TOTAL && type <= TANDEM_CPU_STAT_LAST)
		/* a counter, kept non-negative */
		return (long)(target->stats[type - TANDEM_CPU_STAT_TOTAL] & INT64_MAX);
	return -TANDEM_EINVAL;
}

static const struct hypercall hypercalls[] = {
	[TANDEM_HC_DISABLE] = { hc_disable, 0 },
	[TANDEM_HC_CELL_CREATE] = { hc_cell_create, 0 },
	[TANDEM_HC_CELL_START] = { hc_cell_start, 0 },
	[TANDEM_HC_CELL_DESTROY] = { hc_cell_destroy, 0 },
	[TANDEM_HC_HYPERVISOR_GET_INFO] = { hc_get_info, HC_ANY_CELL },
	[TANDEM_HC_CELL_GET_STATE] = { hc_cell_state, 0 },
	[TANDEM_HC_CPU_GET_STATE] = { hc_cpu_get_state, HC_ANY_CELL },
	[TANDEM_HC_DEBUG_CONSOLE_PUTC] = { hc_debug_putc, HC_ANY_CELL },
	[TANDEM_HC_CELL_SOFT_RESTART] = { hc_cell_soft_restart, 0 },
};

static long dispatch(struct vcpu *v, uint64_t code, const uint64_t *args)
{
	static unsigned int unknown_logged;
	const struct hypercall *hc = NULL;

	if (code < sizeof(hypercalls) / sizeof(hypercalls[0]) && hypercalls[code].fn)
		hc = &hypercalls[code];
	if (!hc) {
		if (unknown_logged++ < 8)
			pr_warn("hypercall: unknown code 0x%lx from cell '%s' at RIP 0x%lx",
				code, v->cell->name, v->rip);
		return -TANDEM_ENOSYS;
	}
	/* Jailhouse seed: hypercalls are for the guest kernel only. */
	if (vcpu_ops->get_cpl(v) != 0)
		return -TANDEM_EPERM;
	if (!(hc->flags & HC_ANY_CELL) && v->cell != &root_cell)
		return -TANDEM_EPERM;
	return hc->fn(v, args);
}

void handle_hypercall(struct vcpu *v)
{
	if (vcpu_ops->get_mode(v) == CPU_MODE_64 &&
	    (uint32_t)v->regs[GPR_RAX] == TANDEM_HC_HVM) {
		hvm_downcall(v);	/* its own registers and rules */
		return;
	}
	bool long_mode = vcpu_ops->get_mode(v) == CPU_MODE_64;
	uint64_t mask = long_mode ? ~0ull : 0xffffffffull;
	uint64_t code = v->regs[GPR_RAX] & mask;
	const uint64_t args[6] = {
		v->regs[GPR_RDI] & mask, v->regs[GPR_RSI] & mask,
		v->regs[GPR_RDX] & mask, v->regs[GPR_R10] & mask,
		v->regs[GPR_R8] & mask, v->regs[GPR_R9] & mask,
	};
	long ret = dispatch(v, code, args);

	v->regs[GPR_RAX] = long_mode ? (uint64_t)ret : (uint32_t)ret;
	vcpu_skip_insn(v);
}
