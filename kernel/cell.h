/* Cells: partitions of CPUs and memory, each with its own guest-physical
 * map. The root cell (id 0) runs the ROS and owns everything Tandem and
 * other cells do not. */
#ifndef TANDEM_CELL_H
#define TANDEM_CELL_H

#include <stdbool.h>
#include <stdint.h>
#include "layout.h"
#include "paging.h"
#include "vcpu.h"

#define CELL_MAX_RAM_RANGES	32
#define CELL_NAME_LEN		32

/* Cell states (Jailhouse cell seed, Cell Get State). */
#define CELL_STATE_RUNNING	0
#define CELL_STATE_SHUT_DOWN	1
#define CELL_STATE_FAILED	2

struct mem_range {
	uint64_t base, size;
};

struct cell {
	unsigned int id;
	char name[CELL_NAME_LEN];
	volatile uint32_t state;
	struct page_table gpa_map;
	/* Guest RAM, as guest-physical ranges; the root cell's are identity
	 * mapped (guest-physical = host-physical). */
	struct mem_range ram[CELL_MAX_RAM_RANGES];
	unsigned int nram;
	unsigned int nvcpus;
	struct vcpu *vcpus[TANDEM_MAX_CPUS];
	uint64_t hypercall_page;	/* last page installed, 0 = none */
};

extern struct cell root_cell;
/** Number of cells that exist, the root included. */
extern unsigned int num_cells;

/**
 * Builds the root cell: its RAM is every available range of the memory map
 * minus Tandem's own memory, its guest-physical map the identity over the
 * whole address space minus Tandem's memory and the local APIC page (both
 * trapped), and one vCPU per online CPU. Returns 0 or -ENOMEM.
 */
int root_cell_init(unsigned int ncpus);

/** True when [@gpa, @gpa + @len) lies entirely in RAM of @c. */
bool cell_is_ram(const struct cell *c, uint64_t gpa, uint64_t len);

/** Host virtual address of guest-physical [@gpa, @gpa + @len) of @c if
 * it is all RAM of @c, else NULL. */
void *cell_gpa_to_hva(const struct cell *c, uint64_t gpa, uint64_t len);

/** Marks @c failed and parks the calling vCPU, with one line naming why. */
__attribute__((noreturn, format(printf, 2, 3)))
void vcpu_fail(struct vcpu *v, const char *fmt, ...);

#endif
