/*
 * Page pools: a bitmap allocator over a contiguous range of 4 KiB pages.
 *
 * Tandem keeps two pools as Jailhouse does: the memory pool (page tables,
 * per-cell data) and the remapping pool (hypervisor virtual address space
 * for mapping guest or device memory). "Hypervisor Get Info" (Jailhouse
 * cell interface, code 5) reports each pool's `pages` and `used`. The pool
 * is pure bookkeeping: it never touches the pages themselves.
 */
#ifndef TANDEM_MM_PALLOC_H
#define TANDEM_MM_PALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POOL_PAGE_SHIFT		 12
#define POOL_PAGE_SIZE		 (1ull << POOL_PAGE_SHIFT)

/* Number of uint64_t words of bitmap storage a pool of @pages needs. */
#define POOL_BITMAP_WORDS(pages) (((pages) + 63) / 64)

/* Returned by pool_alloc() on failure; never a page-aligned address. */
#define POOL_ALLOC_FAIL		 UINT64_MAX

struct page_pool {
	const char *name; /* for messages, e.g. "mem pool" */
	uint64_t base;	  /* address of page 0, page-aligned */
	size_t pages;	  /* total pages ("number of pages" in Get Info) */
	size_t used;	  /* allocated + reserved pages ("used pages") */
	uint64_t *bitmap; /* bit i set = page i in use; caller-provided */
};

/*
 * Set up @pool over @pages pages starting at @base, using @bitmap_storage
 * (POOL_BITMAP_WORDS(@pages) words, cleared here). All pages start free.
 * Returns 0, or -TANDEM_EINVAL if @base is not page-aligned, the range wraps
 * past 2^64, or the storage is NULL.
 */
int pool_init(struct page_pool *pool, const char *name, uint64_t base,
	      size_t pages, uint64_t *bitmap_storage);

/*
 * Allocate @npages contiguous pages whose address is a multiple of
 * @align_pages pages (a power of two; 0 means 1), first fit from the bottom.
 * Returns the address of the first page, or POOL_ALLOC_FAIL when @npages is
 * 0, the alignment is not a power of two, or no free run exists.
 */
uint64_t pool_alloc(struct page_pool *pool, size_t npages, size_t align_pages);

/*
 * Free @npages pages at @addr. The whole run must currently be in use;
 * otherwise nothing changes.
 * Returns 0, -TANDEM_ERANGE if the run is misaligned or not inside the pool,
 * -TANDEM_EINVAL if @npages is 0 or some page in the run is not in use.
 */
int pool_free(struct page_pool *pool, uint64_t addr, size_t npages);

/*
 * Mark @npages pages at @addr as used (e.g. the hypervisor image at init).
 * Returns 0, -TANDEM_ERANGE as for pool_free(), -TANDEM_EINVAL for 0 pages,
 * -TANDEM_EBUSY (and nothing changes) if some page is already in use.
 */
int pool_reserve(struct page_pool *pool, uint64_t addr, size_t npages);

/* True if the page containing @addr belongs to @pool's range. */
bool pool_contains(const struct page_pool *pool, uint64_t addr);

#endif
