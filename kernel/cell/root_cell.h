/* The root cell (the ROS's partition) at boot. */
#ifndef TANDEM_CELL_ROOT_CELL_H
#define TANDEM_CELL_ROOT_CELL_H

#include <stdint.h>

#include "hw/cpumask.h"

/* What other partitions take from the root before it is built (the HRT's
 * CPUs and memory). */
struct root_reserve {
	struct cpumask cpu_mask;     /* logical CPUs that are not the root's */
	uint64_t mem_base, mem_size; /* memory that is not the root's */
};

/**
 * Builds the root cell: its RAM is every available range of the memory map
 * minus Tandem's own memory and @res, its guest-physical map the identity
 * over the whole address space minus Tandem's memory, @res and the local
 * APIC page (trapped), and one vCPU per online CPU not in @res. Returns 0
 * or -ENOMEM.
 */
int root_cell_init(const struct root_reserve *res);
/** Before the ROS starts: the CPUs and memory of @res (a partition that
 * could not start) become the root's after all. 0 or -ENOMEM. */
int root_cell_take_back(const struct root_reserve *res);

#endif
