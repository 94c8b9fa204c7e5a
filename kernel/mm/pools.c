/* The memory and remapping pools. The memory pool's bitmap lives in its own
 * first pages, which are reserved (and so counted as used). */
#include <tandem/errno.h>
#include "lib/klib.h"
#include "layout.h"
#include "mm/pools.h"
#include "lib/spinlock.h"

struct page_pool mem_pool;
struct page_pool remap_pool;

static uint64_t remap_bitmap[POOL_BITMAP_WORDS(REMAP_POOL_PAGES)];
/* Every CPU allocates (vCPU state at start-up, cells later). */
static struct spinlock pool_lock;

int pools_init(uint64_t base, uint64_t size)
{
	size_t pages = size / PAGE_SIZE;
	size_t bitmap_pages = ALIGN_UP(POOL_BITMAP_WORDS(pages) * 8, PAGE_SIZE) /
			      PAGE_SIZE;
	uint64_t *bitmap = (uint64_t *)(DIRECT_BASE + base);
	int err;

	if (pages <= bitmap_pages)
		return -TANDEM_ENOMEM;
	memset(bitmap, 0, bitmap_pages * PAGE_SIZE);
	err = pool_init(&mem_pool, "mem pool", base, pages, bitmap);
	if (!err)
		err = pool_reserve(&mem_pool, base, bitmap_pages);
	if (!err)
		err = pool_init(&remap_pool, "remap pool", REMAP_BASE,
				REMAP_POOL_PAGES, remap_bitmap);
	return err;
}

void *page_alloc(size_t n)
{
	uint64_t phys;
	void *virt;

	spin_lock(&pool_lock);
	phys = pool_alloc(&mem_pool, n, 1);
	spin_unlock(&pool_lock);
	if (phys == POOL_ALLOC_FAIL)
		return NULL;
	virt = (void *)(DIRECT_BASE + phys);
	memset(virt, 0, n * PAGE_SIZE);
	return virt;
}

void page_free(void *virt, size_t n)
{
	spin_lock(&pool_lock);
	pool_free(&mem_pool, (uint64_t)virt - DIRECT_BASE, n);
	spin_unlock(&pool_lock);
}
