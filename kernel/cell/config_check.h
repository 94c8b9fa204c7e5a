/*
 * Cell configurations (guest-abi/include/tandem/cell_config.h): the checks
 * Cell Create runs before anything in the system changes.
 *
 * Cell Create copies the configuration out of the caller's memory once, into
 * a private buffer, and only that copy is looked at afterwards:
 *
 *   1. copy the header (struct tandem_cell_desc) and ask cell_config_size()
 *      how large the whole configuration claims to be;
 *   2. copy the rest (the bytes after the header) behind it, then run
 *      cell_config_validate() on the private copy, which derives the size
 *      again from the header inside the copy;
 *   3. build the cell from that same copy, through cell_config_mem() and
 *      cell_config_pio().
 *
 * The validator is pure C over the copy and a snapshot of the system
 * (struct cell_config_ctx): no globals, no hardware, no allocation.
 *
 * The rules, in the order they are checked; the first broken one decides
 * the result. Errors are the Cell Create ones of the Jailhouse seed.
 *
 * Size and format (cell_config_size() does 1 - 3 on the header alone):
 *   1. signature "TNDMCELL" and revision TANDEM_CELL_CONFIG_REVISION
 *      exactly, else -EINVAL;
 *   2. at most CELL_CONFIG_MAX_MEM memory and CELL_CONFIG_MAX_PIO PIO
 *      regions, else -E2BIG (so the size computation cannot overflow);
 *   3. total size (TANDEM_CELL_CONFIG_SIZE) at most TANDEM_CELL_CONFIG_MAX,
 *      else -E2BIG;
 *   4. the copy: not shorter than the header (-EINVAL), not longer than
 *      TANDEM_CELL_CONFIG_MAX (-E2BIG), exactly the size its header claims
 *      (-EINVAL), 8-byte aligned (-EINVAL, a bug of the caller);
 *   5. flags: only TANDEM_CELL_PASSIVE_COMMREG; reserved0 and reserved1
 *      zero, else -EINVAL;
 *   6. name: a NUL within its TANDEM_CELL_NAME_LEN bytes, not empty, only
 *      printable ASCII (0x20 - 0x7e) before the NUL, else -EINVAL; bytes
 *      after the NUL are not looked at;
 *   7. cpu_set not 0, else -EINVAL.
 *
 * Memory regions, each on its own (all -EINVAL):
 *   8. at least one memory region;
 *   9. flags only TANDEM_MEM_VALID_FLAGS;
 *  10. size > 0; phys_start, virt_start and size multiples of 4 KiB;
 *  11. virt_start + size <= 2^48 (the cell's address space), and
 *      phys_start + size <= 2^52 (the largest x86-64 physical address
 *      width), both without wrapping;
 *  12. TANDEM_MEM_READ set, unless it is the communication region;
 *  13. a communication region (TANDEM_MEM_COMM_REGION) is exactly 4 KiB,
 *      has phys_start 0 (Tandem supplies the page), is not combined with
 *      IO, LOADABLE or ROOTSHARED (they describe memory of the root cell),
 *      and there is at most one per cell;
 *  14. an I/O region (TANDEM_MEM_IO) is not LOADABLE.
 * Memory regions together (-EINVAL):
 *  15. the cell-physical ranges [virt_start, virt_start + size) of all
 *      regions are pairwise disjoint;
 *  16. the host-physical ranges of the RAM regions (neither IO nor the
 *      communication region; ROOTSHARED ones included) are pairwise
 *      disjoint.
 * Entry and ports (-EINVAL):
 *  17. reset_entry < 4 GiB and inside a region with READ and EXECUTE that
 *      is neither IO nor the communication region;
 *  18. every PIO region: length > 0, base + length <= 0x10000, reserved 0;
 *  19. PIO regions pairwise disjoint.
 *
 * Against the system, as described by the context:
 *  20. no existing cell (the root cell included) has the same name, else
 *      -EEXIST;
 *  21. per PIO region, in index order: its ports overlap no PIO region of
 *      another non-root cell, else -EBUSY (the seed: a resource already in
 *      use by another non-root cell);
 *  22. every CPU of cpu_set exists and is online, else -EINVAL;
 *  23. cpu_set does not contain the calling CPU, a CPU of another non-root
 *      cell, or a root CPU still running root code, else -EBUSY;
 *  24. per memory region, in index order: an I/O region overlaps no RAM of
 *      the machine (Tandem's own included), else -EINVAL; a RAM region
 *      (ROOTSHARED ones included) overlaps no RAM of another non-root cell,
 *      else -EBUSY, and lies entirely inside the root cell's RAM, else
 *      -EINVAL.
 */
#ifndef TANDEM_CELL_CONFIG_CHECK_H
#define TANDEM_CELL_CONFIG_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tandem/cell_config.h>

#define CELL_CONFIG_MAX_MEM	64 /* memory regions per configuration */
#define CELL_CONFIG_MAX_PIO	64 /* PIO regions per configuration */
#define CELL_CONFIG_PAGE_SIZE	4096u
#define CELL_CONFIG_VIRT_LIMIT	(UINT64_C(1) << 48)  /* cell-physical end */
#define CELL_CONFIG_PHYS_LIMIT	(UINT64_C(1) << 52)  /* host-physical end */
#define CELL_CONFIG_ENTRY_LIMIT (UINT64_C(1) << 32)  /* reset_entry below */
#define CELL_CONFIG_PIO_LIMIT	0x10000u	     /* end of the port space */
#define CELL_CONFIG_APIC_PAGE	UINT64_C(0xfee00000) /* never a region's phys */

/* A physical address range [base, base + size). */
struct cfg_range {
	uint64_t base, size;
};

/*
 * What the validator needs to know about the system, filled in by Cell
 * Create under the lock that keeps cells from changing until the new cell
 * exists. Arrays may be empty (NULL with a count of 0); ranges in them may
 * touch or overlap each other.
 */
struct cell_config_ctx {
	uint64_t online_cpus;	    /* bit n: logical CPU n exists, online */
	unsigned int caller_cpu;    /* the CPU issuing Cell Create */
	uint64_t other_cells_cpus;  /* CPUs owned by other non-root cells */
	uint64_t root_running_cpus; /* root CPUs running root code */
	const struct cfg_range *root_ram; /* RAM the root cell owns now */
	unsigned int n_root_ram;
	const struct cfg_range *cells_ram; /* RAM other non-root cells own */
	unsigned int n_cells_ram;
	const struct cfg_range *machine_ram; /* all RAM, Tandem's included */
	unsigned int n_machine_ram;
	const struct cfg_range *cells_pio; /* ports of other non-root cells */
	unsigned int n_cells_pio;
	const char *const *names; /* existing cells' names, root included */
	unsigned int n_names;
};

/*
 * Why a configuration was refused, for one console line such as
 *   printf("Cell Create: %s (%d, %d)\n", e.why, e.index, e.other);
 * (leaving out the numbers that are -1).
 */
struct cell_config_error {
	const char *why; /* static text naming the rule; NULL: no error */
	int index;	 /* memory or PIO region, or CPU, concerned; -1 */
	int other;	 /* the other region of an overlap; -1 */
};

/**
 * Step 1, on the header alone (rules 1 - 3): stores in *@total the size in
 * bytes the configuration claims (header and regions).
 * Returns 0, -EINVAL (signature, revision) or -E2BIG (region counts, size);
 * fills *@err (if not NULL) on an error.
 */
int cell_config_size(const struct tandem_cell_desc *hdr, size_t *total,
		     struct cell_config_error *err);

/**
 * Step 2, on the whole private copy @cfg of @len bytes (8-byte aligned):
 * checks every rule above against @ctx. Reads nothing outside
 * [cfg, cfg + len) and the context's arrays, writes only *@err.
 * Returns 0 if the cell can be created, else -EINVAL, -E2BIG, -EEXIST or
 * -EBUSY with *@err (if not NULL) saying why.
 */
int cell_config_validate(const void *cfg, size_t len,
			 const struct cell_config_ctx *ctx,
			 struct cell_config_error *err);

/** The memory regions of a validated configuration (num_memory_regions). */
const struct tandem_memory_region *
cell_config_mem(const struct tandem_cell_desc *d);

/** The PIO regions of a validated configuration (num_pio_regions). */
const struct tandem_pio_region *cell_config_pio(const struct tandem_cell_desc *d);

/** True if memory region @r is RAM taken from the root cell (not IO, not
 *  the communication region). */
bool cell_config_is_ram(const struct tandem_memory_region *r);

#endif
