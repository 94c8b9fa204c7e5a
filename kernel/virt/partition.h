/* Partitions ("cells", Jailhouse's word): CPUs and memory with a
 * guest-physical map of their own, run by the vCPUs of virt/. The root cell
 * (id 0) runs the ROS and owns everything Tandem and other cells do not.
 *
 * Every cell has a kind (struct cell_kind): the root, a Jailhouse-style
 * cell, the HRT. Generic code (the run loop, the exit handlers, Disable)
 * asks the kind for what differs between them and never tests for a
 * particular partition; a new kind is one new table.
 *
 * How a partition starts is data, not an operation: the code that builds
 * it (cell/root_cell.c with cell/ros_boot.c, cell/cell_calls.c,
 * hvm/hrt.c) fills each vCPU's start_state, start_regs and start_running
 * and posts VCPU_REQ_RESET; the run loop does the rest the same way for
 * every kind. */
#ifndef TANDEM_VIRT_PARTITION_H
#define TANDEM_VIRT_PARTITION_H

#include <stdbool.h>
#include <stdint.h>
#include "layout.h"
#include "lib/ratelimit.h"
#include "lib/spinlock.h"
#include "fmt/jh_cell.h"
#include "virt/user_signal.h"
#include "mm/paging.h"
#include "virt/vcpu.h"

#define CELL_MAX_RAM_RANGES  32
#define CELL_NAME_LEN	     32

/* Cell states (Jailhouse cell seed, Cell Get State). */
#define CELL_STATE_RUNNING   0
#define CELL_STATE_SHUT_DOWN 1
#define CELL_STATE_FAILED    2

#define TANDEM_MAX_CELLS     16

/* Characters of a console line; a longer one is split. */
#define CELL_CONSOLE_LINE    119

/* Guest RAM: [base, base + size) guest-physical, at host-physical hpa. */
struct mem_range {
	uint64_t base, size, hpa;
};

struct msr_list;
struct tandem_cell_desc;
struct tandem_comm_region;
struct cell;

/* What differs between kinds of partition. */
struct cell_kind {
	const char *name; /* "root", "cell", "hrt" */
	/* The root kind: may call the management hypercalls and read the
	 * state of every CPU; its CPUs continue natively after Disable. */
	bool root;
	/* The MSRs it may touch (virt/msr_wall.h). */
	const struct msr_list *msrs;
	/* IA32_APIC_BASE and CPUID show x2APIC mode even when the host APIC
	 * runs in xAPIC mode (the x2APIC MSRs work either way). */
	bool x2apic_view;
	/** Sets the intercepts that confine @v (ports, ...), on its CPU,
	 * right after its control structure was created. */
	void (*confine)(struct vcpu *v);
	/** An intercepted I/O port access of @v: emulate it, or fail @v. */
	void (*io)(struct vcpu *v);
	/** A vCPU of the cell failed (the cell is already marked Failed):
	 * what else must happen. NULL: nothing. */
	void (*failed)(struct vcpu *v);
	/** A whole line the cell wrote to its console. */
	void (*console_line)(struct cell *c, const char *line);
	/** Root RAM [@base, @base + @size) was given to another cell
	 * (@away) or came back to the root: a kind whose map shows the
	 * root's memory (the HRT) takes it out of @c's map or puts back
	 * what it had there. NULL: the kind's map shows none of it.
	 * 0 or -ENOMEM (page-table splits). */
	int (*root_ram_moved)(struct cell *c, uint64_t base, uint64_t size,
			      bool away);
};

extern const struct cell_kind root_kind; /* cell/root_cell.c */

struct cell {
	unsigned int id;
	char name[CELL_NAME_LEN];
	const struct cell_kind *kind;
	volatile uint32_t state; /* CELL_STATE_*; non-root: see comm */
	struct page_table gpa_map;
	volatile uint32_t gpa_gen; /* bumped when gpa_map loses entries */
	/* Guest RAM; the root cell's is identity mapped. */
	struct mem_range ram[CELL_MAX_RAM_RANGES];
	unsigned int nram;
	unsigned int nvcpus;
	struct vcpu *vcpus[TANDEM_MAX_CPUS];
	uint64_t hypercall_page; /* last page installed, 0 = none */
	/* Refused IPIs are said per cell (virt/apic_emul.c): one noisy
	 * partition cannot hide another's attempts. */
	struct ratelimit ipi_log;

	/* Non-root cells (kernel/cell/cell_calls.c). */
	uint64_t cpu_set;
	struct tandem_cell_desc *config; /* Tandem's validated copy */
	size_t config_size;
	void *comm; /* its page (tandem_ or jh_comm_region); NULL: none */
	uint64_t comm_gpa;
	bool started;
	/* Created from a Jailhouse description (fmt/jh_cell.h): its CPUs
	 * start at jh_info.cpu_reset_address, its communication region is
	 * Jailhouse's (struct jh_comm_region) and its states, messages and
	 * replies are numbered as Jailhouse numbers them. */
	bool jh;
	struct jh_cell_info jh_info;
	/* Its console (Debug Console Putc, the HRT's port 0xc0c0): one
	 * line buffer for all its CPUs, and its own line limit. */
	struct spinlock console_lock;
	char console[CELL_CONSOLE_LINE + 1];
	unsigned int console_len; /* <= CELL_CONSOLE_LINE */
	struct ratelimit console_rl;
	/* Its "failed" lines: a root that restarts a failing cell in a loop
	 * must not make Tandem talk without end (vcpu_fail). */
	struct ratelimit fail_rl;
	/* A process's user-level signal (the ROS's: HVM 0x40, 0x41). */
	struct user_signal signal;
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
__attribute__((noreturn, format(printf, 2, 3))) void
vcpu_fail(struct vcpu *v, const char *fmt, ...);

/** A byte of a guest's console (Debug Console Putc, the HRT's port
 * 0xc0c0): buffered per cell under its lock (any of its CPUs may write),
 * each line handed to the kind's console_line at '\n' or after
 * CELL_CONSOLE_LINE characters (non-printable bytes become '?', CR is
 * dropped). A cell prints at most RATELIMIT_BURST lines per
 * RATELIMIT_WINDOW_US; the next line allowed is preceded by how many
 * were held back. */
void cell_console_putc(struct cell *c, char ch);
/** Before @c goes away: says how many of its lines were held back since
 * the last one printed, if any (its unfinished line is dropped). */
void cell_console_flush(struct cell *c);
/** The usual I/O answer of a partition that owns only the ports it was
 * given: the access fails @v (never returns). */
__attribute__((noreturn)) void cell_io_refuse(struct vcpu *v);

/** The usual console_line: "cell '<name>': <line>" on Tandem's console. */
void cell_console_line(struct cell *c, const char *line);

/** Removes [@base, @base + @size) from @c's RAM list / adds it back
 * (identity: host-physical = guest-physical). 0 or -ENOMEM (list full). */
int cell_ram_remove(struct cell *c, uint64_t base, uint64_t size);
int cell_ram_add(struct cell *c, uint64_t base, uint64_t size);

/* Table pages of guest-physical maps come from the memory pool. A table
 * a map drops (merged back into a large page, emptied, destroyed) may
 * still be cached by a CPU that ran the map, so it is only retired; the
 * owner of the change frees the retired tables with gpa_tables_release()
 * once every CPU that could hold them flushed (cell_flush_gpa), or at
 * once where no CPU ran the map. */
extern const struct pt_ops gpa_table_ops;
void gpa_tables_release(void);

#endif
