/*
 * Bitmap page pool (see palloc.h). Bit i of the bitmap covers page i;
 * searches skip whole 64-page words where they can.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/klib.h"
#include "mm/palloc.h"
#include "tandem/errno.h"

/* First index in [from, to) whose bit equals @set, or @to if none. */
static size_t find_bit(const uint64_t *bm, size_t from, size_t to, bool set)
{
	while (from < to) {
		uint64_t word = bm[from / 64];

		if (!set)
			word = ~word;
		word >>= from % 64;
		if (word) {
			size_t hit = from + (size_t)__builtin_ctzll(word);
			return hit < to ? hit : to;
		}
		from = (from / 64 + 1) * 64;
	}
	return to;
}

/* Set or clear the bits [from, to). */
static void set_bits(uint64_t *bm, size_t from, size_t to, bool set)
{
	while (from < to) {
		size_t bit = from % 64;
		size_t n = to - from < 64 - bit ? to - from : 64 - bit;
		uint64_t mask = (n == 64 ? ~0ull : ((1ull << n) - 1)) << bit;

		if (set)
			bm[from / 64] |= mask;
		else
			bm[from / 64] &= ~mask;
		from += n;
	}
}

int pool_init(struct page_pool *pool, const char *name, uint64_t base,
	      size_t pages, uint64_t *bitmap_storage)
{
	pool->name = name;
	pool->base = base;
	pool->pages = 0;
	pool->used = 0;
	pool->bitmap = bitmap_storage;
	/* The last page may end exactly at 2^64, but not wrap past it. */
	if ((base & (POOL_PAGE_SIZE - 1)) || (pages && !bitmap_storage) ||
	    (pages &&
	     (uint64_t)(pages - 1) > (UINT64_MAX - base) >> POOL_PAGE_SHIFT))
		return -TANDEM_EINVAL;
	pool->pages = pages;
	if (pages)
		memset(bitmap_storage, 0,
		       POOL_BITMAP_WORDS(pages) * sizeof(uint64_t));
	return 0;
}

/*
 * Smallest index >= @i whose address is a multiple of @align pages, or
 * SIZE_MAX if that lies beyond the pool. The alignment is of the address,
 * not the index, so a 2 MiB request is 2 MiB aligned whatever the base.
 */
static size_t align_index(const struct page_pool *pool, size_t i, size_t align)
{
	uint64_t rem = ((pool->base >> POOL_PAGE_SHIFT) + i) & (align - 1);
	uint64_t add = rem ? align - rem : 0;

	if (i > pool->pages || add > pool->pages - i)
		return SIZE_MAX;
	return i + (size_t)add;
}

uint64_t pool_alloc(struct page_pool *pool, size_t npages, size_t align_pages)
{
	size_t i;

	if (!align_pages)
		align_pages = 1;
	if (!npages || (align_pages & (align_pages - 1)) || npages > pool->pages)
		return POOL_ALLOC_FAIL;

	i = align_index(pool, 0, align_pages);
	while (i != SIZE_MAX && i <= pool->pages - npages) {
		size_t busy = find_bit(pool->bitmap, i, i + npages, true);

		if (busy == i + npages) {
			set_bits(pool->bitmap, i, i + npages, true);
			pool->used += npages;
			return pool->base + ((uint64_t)i << POOL_PAGE_SHIFT);
		}
		/* No run starting at or before the used page can fit. */
		i = align_index(pool, busy + 1, align_pages);
	}
	return POOL_ALLOC_FAIL;
}

/* Page index of the run [@addr, +@npages), or a negative errno. */
static int run_index(const struct page_pool *pool, uint64_t addr, size_t npages,
		     size_t *index)
{
	uint64_t off;

	if (!npages)
		return -TANDEM_EINVAL;
	if (addr < pool->base || ((addr - pool->base) & (POOL_PAGE_SIZE - 1)))
		return -TANDEM_ERANGE;
	off = (addr - pool->base) >> POOL_PAGE_SHIFT;
	if (off >= pool->pages || npages > pool->pages - off)
		return -TANDEM_ERANGE;
	*index = (size_t)off;
	return 0;
}

int pool_free(struct page_pool *pool, uint64_t addr, size_t npages)
{
	size_t i;
	int err = run_index(pool, addr, npages, &i);

	if (err)
		return err;
	if (find_bit(pool->bitmap, i, i + npages, false) != i + npages)
		return -TANDEM_EINVAL; /* double free or never allocated */
	set_bits(pool->bitmap, i, i + npages, false);
	pool->used -= npages;
	return 0;
}

int pool_reserve(struct page_pool *pool, uint64_t addr, size_t npages)
{
	size_t i;
	int err = run_index(pool, addr, npages, &i);

	if (err)
		return err;
	if (find_bit(pool->bitmap, i, i + npages, true) != i + npages)
		return -TANDEM_EBUSY;
	set_bits(pool->bitmap, i, i + npages, true);
	pool->used += npages;
	return 0;
}

bool pool_contains(const struct page_pool *pool, uint64_t addr)
{
	return addr >= pool->base &&
	       ((addr - pool->base) >> POOL_PAGE_SHIFT) < pool->pages;
}
