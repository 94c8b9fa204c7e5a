/*
 * Cell configuration validator (see cell_config.h for the rules and their
 * order). Everything in the configuration is untrusted: each value is
 * range-checked before it is used in a sum, and every sum is bounded so
 * that no end address can wrap. The context comes from Tandem itself; its
 * ranges are still clipped at 2^64 rather than trusted not to wrap.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cell/config_check.h"
#include "lib/klib.h"
#include <tandem/errno.h>

#define CFG_PAGE_MASK ((uint64_t)CELL_CONFIG_PAGE_SIZE - 1)

/* A half-open range [start, end) with the region it came from. */
struct span {
	uint64_t start, end;
	int index;
};

static int fail(struct cell_config_error *err, int code, const char *why,
		int index, int other)
{
	if (err) {
		err->why = why;
		err->index = index;
		err->other = other;
	}
	return code;
}

/* True if [start, start + size) fits below @limit; no sum can wrap. */
static bool fits_below(uint64_t start, uint64_t size, uint64_t limit)
{
	return size <= limit && start <= limit - size;
}

/* Exclusive end of a context range, clipped at 2^64 - 1. */
static uint64_t range_end(const struct cfg_range *r)
{
	return r->size > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->size;
}

/* True if [start, end) overlaps any of the @n ranges @r. */
static bool overlaps_any(uint64_t start, uint64_t end,
			 const struct cfg_range *r, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (r[i].size && start < range_end(&r[i]) && r[i].base < end)
			return true;
	return false;
}

/*
 * True if the union of the @n ranges @r covers [start, end). The ranges
 * may be unsorted and touch each other (a region may span two adjacent
 * root RAM ranges), so this walks forward from range to range.
 */
static bool covered_by(uint64_t start, uint64_t end, const struct cfg_range *r,
		       unsigned int n)
{
	uint64_t at = start;

	while (at < end) {
		uint64_t next = at;

		for (unsigned int i = 0; i < n; i++)
			if (r[i].base <= at && at < range_end(&r[i]) &&
			    range_end(&r[i]) > next)
				next = range_end(&r[i]);
		if (next == at)
			return false;
		at = next;
	}
	return true;
}

/*
 * Sorts @n non-empty spans by start and looks for two that overlap. With
 * the spans sorted, if any two overlap then two neighbours do: before the
 * first overlap the spans are disjoint and in order, so the last of them
 * also ends last. Returns true with the two region indices, higher first.
 */
static bool find_overlap(struct span *s, unsigned int n, int *a, int *b)
{
	for (unsigned int i = 1; i < n; i++) {
		struct span key = s[i];
		unsigned int j = i;

		/* Insertion sort: n <= 64, and usually nearly sorted. */
		for (; j > 0 && s[j - 1].start > key.start; j--)
			s[j] = s[j - 1];
		s[j] = key;
	}
	for (unsigned int i = 1; i < n; i++) {
		if (s[i].start < s[i - 1].end) {
			int x = s[i].index, y = s[i - 1].index;

			*a = x > y ? x : y;
			*b = x > y ? y : x;
			return true;
		}
	}
	return false;
}

bool cell_config_is_ram(const struct tandem_memory_region *r)
{
	return !(r->flags & (TANDEM_MEM_IO | TANDEM_MEM_COMM_REGION));
}

const struct tandem_memory_region *cell_config_mem(const struct tandem_cell_desc *d)
{
	return (const struct tandem_memory_region *)(d + 1);
}

const struct tandem_pio_region *cell_config_pio(const struct tandem_cell_desc *d)
{
	return (const struct tandem_pio_region *)(cell_config_mem(d) +
						  d->num_memory_regions);
}

int cell_config_size(const struct tandem_cell_desc *hdr, size_t *total,
		     struct cell_config_error *err)
{
	uint64_t size;

	if (memcmp(hdr->signature, TANDEM_CELL_CONFIG_SIGNATURE,
		   sizeof(hdr->signature)) != 0)
		return fail(err, -TANDEM_EINVAL,
			    "not a cell configuration (signature is not TNDMCELL)",
			    -1, -1);
	if (hdr->revision != TANDEM_CELL_CONFIG_REVISION)
		return fail(err, -TANDEM_EINVAL,
			    "cell configuration revision not supported", -1, -1);
	/* Bounding the counts first keeps the size computation exact. */
	if (hdr->num_memory_regions > CELL_CONFIG_MAX_MEM)
		return fail(err, -TANDEM_E2BIG, "more than 64 memory regions",
			    -1, -1);
	if (hdr->num_pio_regions > CELL_CONFIG_MAX_PIO)
		return fail(err, -TANDEM_E2BIG, "more than 64 PIO regions", -1,
			    -1);
	size = TANDEM_CELL_CONFIG_SIZE((uint64_t)hdr->num_memory_regions,
				       (uint64_t)hdr->num_pio_regions);
	if (size > TANDEM_CELL_CONFIG_MAX)
		return fail(err, -TANDEM_E2BIG,
			    "cell configuration larger than TANDEM_CELL_CONFIG_MAX",
			    -1, -1);
	*total = (size_t)size;
	return 0;
}

/* Rules 5 - 7: the header's own fields. */
static int check_header(const struct tandem_cell_desc *d,
			struct cell_config_error *err)
{
	size_t len;

	if (d->flags & ~(uint32_t)TANDEM_CELL_PASSIVE_COMMREG)
		return fail(err, -TANDEM_EINVAL, "unknown cell flags set", -1,
			    -1);
	if (d->reserved0 || d->reserved1)
		return fail(err, -TANDEM_EINVAL,
			    "reserved header field not zero", -1, -1);
	len = strnlen(d->name, TANDEM_CELL_NAME_LEN);
	if (len == TANDEM_CELL_NAME_LEN)
		return fail(err, -TANDEM_EINVAL,
			    "cell name not NUL-terminated within 32 bytes", -1,
			    -1);
	if (len == 0)
		return fail(err, -TANDEM_EINVAL, "cell name empty", -1, -1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)d->name[i];

		if (c < 0x20 || c > 0x7e)
			return fail(err, -TANDEM_EINVAL,
				    "cell name has a byte that is not printable ASCII",
				    (int)i, -1);
	}
	if (!d->cpu_set)
		return fail(err, -TANDEM_EINVAL, "cell has no CPUs", -1, -1);
	return 0;
}

/* Rules 9 - 14 for memory region @i. */
static int check_mem_region(const struct tandem_memory_region *r, int i,
			    struct cell_config_error *err)
{
	const uint64_t comm_excl = TANDEM_MEM_IO | TANDEM_MEM_LOADABLE |
				   TANDEM_MEM_ROOTSHARED;

	if (r->flags & ~(uint64_t)TANDEM_MEM_VALID_FLAGS)
		return fail(err, -TANDEM_EINVAL,
			    "memory region has unknown flags", i, -1);
	if (!r->size)
		return fail(err, -TANDEM_EINVAL, "memory region has size 0", i,
			    -1);
	if ((r->phys_start | r->virt_start | r->size) & CFG_PAGE_MASK)
		return fail(err, -TANDEM_EINVAL,
			    "memory region start or size not a multiple of 4 KiB",
			    i, -1);
	if (!fits_below(r->virt_start, r->size, CELL_CONFIG_VIRT_LIMIT))
		return fail(err, -TANDEM_EINVAL,
			    "memory region ends above 2^48 in the cell's address space",
			    i, -1);
	if (!fits_below(r->phys_start, r->size, CELL_CONFIG_PHYS_LIMIT))
		return fail(err, -TANDEM_EINVAL,
			    "memory region ends above 2^52 in physical memory",
			    i, -1);
	if (r->flags & TANDEM_MEM_COMM_REGION) {
		if (r->size != CELL_CONFIG_PAGE_SIZE)
			return fail(err, -TANDEM_EINVAL,
				    "communication region is not exactly 4 KiB",
				    i, -1);
		if (r->phys_start)
			return fail(err, -TANDEM_EINVAL,
				    "communication region has a phys_start (must be 0)",
				    i, -1);
		if (r->flags & comm_excl)
			return fail(err, -TANDEM_EINVAL,
				    "communication region marked IO, LOADABLE or ROOTSHARED",
				    i, -1);
	} else if (!(r->flags & TANDEM_MEM_READ)) {
		return fail(err, -TANDEM_EINVAL, "memory region not readable",
			    i, -1);
	}
	if ((r->flags & TANDEM_MEM_IO) && (r->flags & TANDEM_MEM_LOADABLE))
		return fail(err, -TANDEM_EINVAL,
			    "I/O memory region marked LOADABLE", i, -1);
	/* The real APIC page would bypass the IPI filter (ABI.md 11.3). */
	if (r->phys_start < CELL_CONFIG_APIC_PAGE + CELL_CONFIG_PAGE_SIZE &&
	    r->phys_start + r->size > CELL_CONFIG_APIC_PAGE &&
	    !(r->flags & TANDEM_MEM_COMM_REGION))
		return fail(err, -TANDEM_EINVAL,
			    "memory region maps the local APIC page", i, -1);
	return 0;
}

/* Rules 8 - 16: the memory regions, alone and together. */
static int check_memory(const struct tandem_cell_desc *d,
			struct cell_config_error *err)
{
	const struct tandem_memory_region *mem = cell_config_mem(d);
	unsigned int n = d->num_memory_regions, nram = 0;
	struct span spans[CELL_CONFIG_MAX_MEM];
	int comm = -1, a, b, ret;

	if (!n)
		return fail(err, -TANDEM_EINVAL, "cell has no memory regions",
			    -1, -1);
	for (unsigned int i = 0; i < n; i++) {
		ret = check_mem_region(&mem[i], (int)i, err);
		if (ret)
			return ret;
		if (mem[i].flags & TANDEM_MEM_COMM_REGION) {
			if (comm >= 0)
				return fail(err, -TANDEM_EINVAL,
					    "second communication region",
					    (int)i, comm);
			comm = (int)i;
		}
	}

	for (unsigned int i = 0; i < n; i++)
		spans[i] = (struct span){ mem[i].virt_start,
					  mem[i].virt_start + mem[i].size,
					  (int)i };
	if (find_overlap(spans, n, &a, &b))
		return fail(err, -TANDEM_EINVAL,
			    "memory regions overlap in the cell's address space",
			    a, b);

	for (unsigned int i = 0; i < n; i++)
		if (cell_config_is_ram(&mem[i]))
			spans[nram++] = (struct span){ mem[i].phys_start,
						       mem[i].phys_start +
							       mem[i].size,
						       (int)i };
	if (find_overlap(spans, nram, &a, &b))
		return fail(err, -TANDEM_EINVAL,
			    "RAM regions overlap in physical memory", a, b);
	return 0;
}

/* Rule 17. */
static int check_entry(const struct tandem_cell_desc *d,
		       struct cell_config_error *err)
{
	const struct tandem_memory_region *mem = cell_config_mem(d);
	const uint64_t rx = TANDEM_MEM_READ | TANDEM_MEM_EXECUTE;
	uint64_t e = d->reset_entry;

	if (e >= CELL_CONFIG_ENTRY_LIMIT)
		return fail(err, -TANDEM_EINVAL, "reset_entry not below 4 GiB",
			    -1, -1);
	for (unsigned int i = 0; i < d->num_memory_regions; i++)
		if (cell_config_is_ram(&mem[i]) && (mem[i].flags & rx) == rx &&
		    e >= mem[i].virt_start && e - mem[i].virt_start < mem[i].size)
			return 0;
	return fail(err, -TANDEM_EINVAL,
		    "reset_entry not inside a readable, executable RAM region",
		    -1, -1);
}

/* Rules 18 - 19. */
static int check_pio(const struct tandem_cell_desc *d,
		     struct cell_config_error *err)
{
	const struct tandem_pio_region *pio = cell_config_pio(d);
	struct span spans[CELL_CONFIG_MAX_PIO];
	unsigned int n = d->num_pio_regions;
	int a, b;

	for (unsigned int i = 0; i < n; i++) {
		if (!pio[i].length)
			return fail(err, -TANDEM_EINVAL,
				    "PIO region has length 0", (int)i, -1);
		if ((uint32_t)pio[i].base + pio[i].length > CELL_CONFIG_PIO_LIMIT)
			return fail(err, -TANDEM_EINVAL,
				    "PIO region ends above port 0xffff", (int)i,
				    -1);
		if (pio[i].reserved)
			return fail(err, -TANDEM_EINVAL,
				    "PIO region reserved field not zero",
				    (int)i, -1);
		spans[i] = (struct span){ pio[i].base,
					  (uint64_t)pio[i].base + pio[i].length,
					  (int)i };
	}
	if (find_overlap(spans, n, &a, &b))
		return fail(err, -TANDEM_EINVAL, "PIO regions overlap", a, b);
	return 0;
}

/* Rule 20. */
static int check_name(const struct tandem_cell_desc *d,
		      const struct cell_config_ctx *ctx,
		      struct cell_config_error *err)
{
	for (unsigned int i = 0; i < ctx->n_names; i++)
		if (ctx->names[i] &&
		    strncmp(d->name, ctx->names[i], TANDEM_CELL_NAME_LEN) == 0)
			return fail(err, -TANDEM_EEXIST,
				    "a cell with this name exists", (int)i, -1);
	return 0;
}

/* Rule 21. */
static int check_pio_owners(const struct tandem_cell_desc *d,
			    const struct cell_config_ctx *ctx,
			    struct cell_config_error *err)
{
	const struct tandem_pio_region *pio = cell_config_pio(d);

	for (unsigned int i = 0; i < d->num_pio_regions; i++)
		if (overlaps_any(pio[i].base,
				 (uint64_t)pio[i].base + pio[i].length,
				 ctx->cells_pio, ctx->n_cells_pio))
			return fail(err, -TANDEM_EBUSY,
				    "PIO region overlaps ports of another cell",
				    (int)i, -1);
	return 0;
}

/* Rules 22 - 23. */
static int check_cpus(const struct tandem_cell_desc *d,
		      const struct cell_config_ctx *ctx,
		      struct cell_config_error *err)
{
	uint64_t set = d->cpu_set, bad;

	bad = set & ~ctx->online_cpus;
	if (bad)
		return fail(err, -TANDEM_EINVAL,
			    "CPU in cpu_set does not exist or is offline",
			    __builtin_ctzll(bad), -1);
	if (ctx->caller_cpu < TANDEM_CELL_MAX_CPUS && (set >> ctx->caller_cpu) & 1)
		return fail(err, -TANDEM_EBUSY,
			    "cpu_set contains the CPU calling Cell Create",
			    (int)ctx->caller_cpu, -1);
	bad = set & ctx->other_cells_cpus;
	if (bad)
		return fail(err, -TANDEM_EBUSY,
			    "CPU in cpu_set belongs to another cell",
			    __builtin_ctzll(bad), -1);
	bad = set & ctx->root_running_cpus;
	if (bad)
		return fail(err, -TANDEM_EBUSY,
			    "CPU in cpu_set still runs the root cell",
			    __builtin_ctzll(bad), -1);
	return 0;
}

/* Rule 24. */
static int check_memory_owners(const struct tandem_cell_desc *d,
			       const struct cell_config_ctx *ctx,
			       struct cell_config_error *err)
{
	const struct tandem_memory_region *mem = cell_config_mem(d);

	for (unsigned int i = 0; i < d->num_memory_regions; i++) {
		uint64_t start = mem[i].phys_start;
		uint64_t end = start + mem[i].size;

		if (mem[i].flags & TANDEM_MEM_IO) {
			if (overlaps_any(start, end, ctx->machine_ram,
					 ctx->n_machine_ram))
				return fail(err, -TANDEM_EINVAL,
					    "I/O memory region overlaps RAM",
					    (int)i, -1);
		} else if (cell_config_is_ram(&mem[i])) {
			if (overlaps_any(start, end, ctx->cells_ram,
					 ctx->n_cells_ram))
				return fail(err, -TANDEM_EBUSY,
					    "memory region overlaps RAM of another cell",
					    (int)i, -1);
			if (!covered_by(start, end, ctx->root_ram,
					ctx->n_root_ram))
				return fail(err, -TANDEM_EINVAL,
					    "memory region not inside the root cell's RAM",
					    (int)i, -1);
		}
	}
	return 0;
}

int cell_config_validate(const void *cfg, size_t len,
			 const struct cell_config_ctx *ctx,
			 struct cell_config_error *err)
{
	const struct tandem_cell_desc *d = cfg;
	size_t total;
	int ret;

	if (err)
		*err = (struct cell_config_error){ NULL, -1, -1 };
	if (len < sizeof(*d))
		return fail(err, -TANDEM_EINVAL,
			    "cell configuration shorter than its header", -1, -1);
	if (len > TANDEM_CELL_CONFIG_MAX)
		return fail(err, -TANDEM_E2BIG,
			    "cell configuration larger than TANDEM_CELL_CONFIG_MAX",
			    -1, -1);
	if ((uintptr_t)cfg & 7)
		return fail(err, -TANDEM_EINVAL,
			    "cell configuration copy not 8-byte aligned", -1, -1);

	/* The header inside the copy decides; it may differ from the one
	 * step 1 saw if the caller changed it in between. */
	ret = cell_config_size(d, &total, err);
	if (ret)
		return ret;
	if (total != len)
		return fail(err, -TANDEM_EINVAL,
			    "cell configuration size disagrees with its region counts",
			    -1, -1);

	ret = check_header(d, err);
	if (!ret)
		ret = check_memory(d, err);
	if (!ret)
		ret = check_entry(d, err);
	if (!ret)
		ret = check_pio(d, err);
	if (!ret)
		ret = check_name(d, ctx, err);
	if (!ret)
		ret = check_pio_owners(d, ctx, err);
	if (!ret)
		ret = check_cpus(d, ctx, err);
	if (!ret)
		ret = check_memory_owners(d, ctx, err);
	return ret;
}
