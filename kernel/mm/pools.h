/* Tandem's two page pools, the ones "Hypervisor Get Info" reports
 * (Jailhouse cell seed): the hypervisor memory pool (physical pages for
 * page tables, vCPU state, cell data) and the remapping pool (virtual pages
 * at REMAP_BASE for mapping device and guest pages into Tandem). */
#ifndef TANDEM_MM_POOLS_H
#define TANDEM_MM_POOLS_H

#include "layout.h"
#include "mm/palloc.h"

extern struct page_pool mem_pool;
extern struct page_pool remap_pool;

/** Sets up both pools; the memory pool covers [@base, @base + @size). */
int pools_init(uint64_t base, uint64_t size);

/** Physical address of a direct-map (DIRECT_BASE) virtual address, such as
 * every page page_alloc() returns. */
static inline uint64_t virt_to_phys(const void *p)
{
	return (uint64_t)p - DIRECT_BASE;
}

/** Allocates @n zeroed, contiguous pages from the memory pool; returns
 * their virtual address or NULL. */
void *page_alloc(size_t n);
void page_free(void *virt, size_t n);

#endif
