/* Cells: partitions of CPUs and memory, each with its own guest-physical
 * map. The root cell (id 0) runs the ROS and owns everything Tandem and
 * other cells do not. */
#ifndef TANDEM_CELL_H
#define TANDEM_CELL_H

#include <stdbool.h>
#include <stdint.h>
#include "layout.h"
#include "mm/paging.h"
#include "virt/vcpu.h"

#define CELL_MAX_RAM_RANGES	32
#define CELL_NAME_LEN		32

/* Cell states (Jailhouse cell seed, Cell Get State). */
#define CELL_STATE_RUNNING	0
#define CELL_STATE_SHUT_DOWN	1
#define CELL_STATE_FAILED	2

#define TANDEM_MAX_CELLS	16

/* Guest RAM: [base, base + size) guest-physical, at host-physical hpa. */
struct mem_range {
	uint64_t base, size, hpa;
};

struct tandem_cell_desc;
struct tandem_comm_region;

struct cell {
	unsigned int id;
	char name[CELL_NAME_LEN];
	volatile uint32_t state;	/* CELL_STATE_*; non-root: see comm */
	struct page_table gpa_map;
	volatile uint32_t gpa_gen;	/* bumped when gpa_map loses entries */
	/* Guest RAM; the root cell's is identity mapped. */
	struct mem_range ram[CELL_MAX_RAM_RANGES];
	unsigned int nram;
	unsigned int nvcpus;
	struct vcpu *vcpus[TANDEM_MAX_CPUS];
	uint64_t hypercall_page;	/* last page installed, 0 = none */

	/* Non-root cells (kernel/cell/cell_calls.c). */
	uint64_t cpu_set;
	struct tandem_cell_desc *config;	/* Tandem's validated copy */
	size_t config_size;
	struct tandem_comm_region *comm;	/* NULL: none */
	uint64_t comm_gpa;
	bool started;
	char console[120];			/* Debug Console Putc line */
	unsigned int console_len;
};

extern struct cell root_cell;
/** Every cell by id (0 = root); NULL where none. */
extern struct cell *cells[TANDEM_MAX_CELLS];
/** Number of cells that exist, the root included. */
extern unsigned int num_cells;

/** Marks @c failed (and says so in its communication region). */
void cell_set_failed(struct cell *c);

/** Makes every vCPU of @c drop what it cached of its guest-physical map
 * before it next runs guest code; returns once all did or will. */
void cell_flush_gpa(struct cell *c);

/**
 * Builds the root cell: its RAM is every available range of the memory map
 * minus Tandem's own memory, its guest-physical map the identity over the
 * whole address space minus Tandem's memory and the local APIC page (both
 * trapped), and one vCPU per online CPU. Returns 0 or -ENOMEM.
 */
int root_cell_init(void);

/** The machine's guest-physical map as the root sees it: the identity over
 * every address, minus Tandem's memory and the local APIC page (both
 * trapped). The HRT starts from it too. 0 or -ENOMEM. */
int gpa_map_machine(struct page_table *pt);

/** True when [@gpa, @gpa + @len) lies entirely in RAM of @c. */
bool cell_is_ram(const struct cell *c, uint64_t gpa, uint64_t len);

/** Host virtual address of guest-physical [@gpa, @gpa + @len) of @c if
 * it is all RAM of @c, else NULL. */
void *cell_gpa_to_hva(const struct cell *c, uint64_t gpa, uint64_t len);

/** Marks @v's cell failed and parks @v (the calling CPU's vCPU), with one
 * line naming why; the CPU goes back to its loop. */
__attribute__((noreturn, format(printf, 2, 3)))
void vcpu_fail(struct vcpu *v, const char *fmt, ...);

/** Removes [@base, @base + @size) from @c's RAM list / adds it back
 * (identity: host-physical = guest-physical). 0 or -ENOMEM (list full). */
int cell_ram_remove(struct cell *c, uint64_t base, uint64_t size);
int cell_ram_add(struct cell *c, uint64_t base, uint64_t size);

/* Table pages of guest-physical maps come from the memory pool. */
extern const struct pt_ops gpa_table_ops;

#endif
