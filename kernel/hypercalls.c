/* The hypercall table: every code, the function behind it and who may call
 * it (the path that checks and dispatches is virt/hypercall.c). This file
 * knows every subsystem; nothing below it does. Codes and results:
 * guest-abi/include/tandem/hypercall.h and guest-abi/ABI.md. */
#include <tandem/errno.h>
#include <tandem/hypercall.h>
#include "boot_info.h"
#include "cell/cell_calls.h"
#include "cell/disable.h"
#include "hvm/hrt.h"
#include "hvm/hvm.h"
#include "hw/percpu.h"
#include "mm/pools.h"
#include "mm/tandem_mem.h"
#include "virt/hypercall.h"
#include "virt/partition.h"

/* tandem_mem holds the image (0) and the hypervisor memory (1), set up by
 * root_cell_init(); the HRT's range counts once planned, as in the ROS's
 * memory map, even if the HRT then failed to start. */
static long hc_get_info(struct vcpu *v, const uint64_t *args)
{
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
	case TANDEM_INFO_MEM_TYPE:
		return cell_gpa_mem_type(v->cell, args[1]);
	default:
		return -TANDEM_EINVAL;
	}
}

static long hc_cpu_get_state(struct vcpu *v, const uint64_t *args)
{
	uint64_t cpu = args[0], type = args[1];
	const struct vcpu *target;

	if (cpu >= boot_info.possible_cpus || !per_cpu(cpu)->online)
		return -TANDEM_EINVAL;
	target = per_cpu(cpu)->vcpu;
	if (!target)
		return -TANDEM_EINVAL;
	if (!v->cell->kind->root && target->cell != v->cell)
		return -TANDEM_EPERM;
	if (type == TANDEM_CPU_INFO_STATE)
		return target->state == VCPU_PARKED ? TANDEM_CPU_FAILED :
						      TANDEM_CPU_RUNNING;
	if (type >= TANDEM_CPU_STAT_TOTAL && type <= TANDEM_CPU_STAT_LAST)
		/* a counter, kept non-negative */
		return (long)(target->stats[type - TANDEM_CPU_STAT_TOTAL] &
			      INT64_MAX);
	return -TANDEM_EINVAL;
}

const struct hypercall hypercalls[] = {
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

const size_t hypercall_count = sizeof(hypercalls) / sizeof(hypercalls[0]);

void hypercall_hvm(struct vcpu *v)
{
	hvm_downcall(v);
}
