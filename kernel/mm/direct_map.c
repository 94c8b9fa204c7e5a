/*
 * The direct map above 4 GiB. boot/entry.asm maps the low 4 GiB at
 * DIRECT_BASE; RAM above it (cells' regions, guest memory Tandem reads or
 * copies into) is added here, once, on the boot CPU before any guest runs:
 * every RAM range of the memory map, write-back, never MMIO. The other
 * CPUs share these tables, and entries only go from not present to
 * present, so no TLB needs a flush.
 */
#include <tandem/errno.h>
#include "hw/console.h"
#include "layout.h"
#include "lib/cpu.h"
#include "mm/direct_map.h"
#include "mm/memmap.h"
#include "mm/paging.h"
#include "mm/pools.h"

#define FOUR_GIB_	  (1ull << 32)
#define CPUID_EXT_PDPE1GB (1u << 26)

static void *dm_alloc(void *ctx, uint64_t *phys)
{
	void *p = page_alloc(1);

	(void)ctx;
	if (p)
		*phys = virt_to_phys(p);
	return p;
}

static void dm_free(void *ctx, void *virt, uint64_t phys)
{
	(void)ctx;
	(void)phys;
	page_free(virt, 1);
}

static void *dm_virt(void *ctx, uint64_t phys)
{
	(void)ctx;
	return (void *)(DIRECT_BASE + phys);
}

static const struct pt_ops dm_ops = { dm_alloc, dm_free, dm_virt, NULL };

int direct_map_high_ram(const struct memmap_entry *map, unsigned int n)
{
	struct page_table pt = {
		.fmt = &pt_format_host,
		.ops = &dm_ops,
		.root_phys = read_cr3() & ~0xfffull,
		.max_page = (cpuid(0x80000001, 0).edx & CPUID_EXT_PDPE1GB) ?
				    PT_SIZE_1G :
				    PT_SIZE_2M,
	};
	uint64_t mapped = 0;

	pt.root = dm_virt(NULL, pt.root_phys);
	for (unsigned int i = 0; i < n; i++) {
		const struct memmap_entry *e = &map[i];
		uint64_t lo = (e->base + 0xfff) & ~0xfffull;
		uint64_t hi = (e->base + e->length) & ~0xfffull;
		int err;

		if (e->type != MEMMAP_AVAILABLE || hi <= FOUR_GIB_)
			continue;
		if (lo < FOUR_GIB_)
			lo = FOUR_GIB_;
		if (hi > DIRECT_LIMIT)
			hi = DIRECT_LIMIT; /* beyond: not reachable, not mapped */
		if (lo >= hi)
			continue;
		err = pt_map(&pt, DIRECT_BASE + lo, lo, hi - lo,
			     PT_READ | PT_WRITE | PT_EXEC);
		if (err) {
			pr_err("memory: cannot map RAM above 4 GiB (%d)", err);
			return err;
		}
		mapped += hi - lo;
	}
	if (mapped)
		pr_info("memory: %llu MiB of RAM above 4 GiB in Tandem's direct map",
			(unsigned long long)(mapped >> 20));
	return 0;
}
