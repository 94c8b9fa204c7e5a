/* Tandem's memory at boot: where it goes and what moves out of the way. */
#include <tandem/errno.h>
#include "hw/console.h"
#include "header.h"
#include "hvmem.h"
#include "lib/cpu.h"
#include "lib/klib.h"
#include "layout.h"

#define MiB	       (1024ul * 1024)
#define LOW_MEMORY_END 0xa0000ull /* conventional memory ends at 640 KiB */
#define FOUR_GIB       0x100000000ull

struct hv_memory hv_memory;
struct memmap_entry boot_memmap[MAX_MEMMAP];
unsigned int boot_memmap_count;

/* The boot tables' PDPT behind both the identity and the direct map. */
extern uint64_t boot_pdpt_low[512];

#define HIGH_LIMIT	  (512ull << 30) /* what boot_pdpt_low can reach */
#define PDPTE_P_W_PS	  0x83ull
#define CPUID_EXT_PDPE1GB (1u << 26)

static void *phys_to_virt(uint64_t phys)
{
	return (void *)(DIRECT_BASE + phys);
}

/*
 * No room below 4 GiB: take the highest fit below 512 GiB and map it into
 * the boot tables with 1 GiB pages (CPUID 0x80000001 EDX bit 26), at the
 * direct-map base for every CPU, before anything touches it. Without
 * 1 GiB pages hypervisor memory must lie below 4 GiB.
 */
static int reserve_high(uint64_t size, const struct memmap_range *busy,
			unsigned int nbusy, uint64_t *base)
{
	if (!(cpuid(0x80000001, 0).edx & CPUID_EXT_PDPE1GB) ||
	    memmap_find_free(boot_memmap, boot_memmap_count, size, 2 * MiB,
			     FOUR_GIB, HIGH_LIMIT, busy, nbusy, true, base))
		return -TANDEM_ENOMEM;
	for (uint64_t g = *base >> 30; g <= (*base + size - 1) >> 30; g++)
		if (!boot_pdpt_low[g])
			boot_pdpt_low[g] = (g << 30) | PDPTE_P_W_PS;
	return 0;
}

int hv_memory_reserve(const struct mb2_info *mbi, uint64_t mbi_phys,
		      uint64_t mbi_size, unsigned int possible_cpus,
		      uint64_t pool_size)
{
	struct memmap_range busy[MAX_MODULES + 3];
	unsigned int nbusy = 0;
	uint64_t modules_size = 0, size, base;
	struct hv_memory *hv = &hv_memory;
	int err;

	busy[nbusy++] = (struct memmap_range){ 0, 1 * MiB };
	busy[nbusy++] = (struct memmap_range){ hv->image_base, hv->image_size };
	busy[nbusy++] = (struct memmap_range){ mbi_phys, mbi_size };
	for (size_t i = 0; i < mbi->nmodules; i++) {
		const struct mb2_module *m = &mbi->modules[i];

		busy[nbusy++] = (struct memmap_range){ m->start,
						       m->end - m->start };
		modules_size += ALIGN_UP((uint64_t)(m->end - m->start),
					 PAGE_SIZE);
	}

	hv->percpu_size = (uint64_t)possible_cpus * PER_CPU_SIZE;
	hv->modules_size = modules_size;
	hv->pool_size = ALIGN_UP(pool_size, PAGE_SIZE);
	size = ALIGN_UP(hv->percpu_size + modules_size + hv->pool_size, 2 * MiB);

	err = memmap_find_free(boot_memmap, boot_memmap_count, size, 2 * MiB,
			       1 * MiB, FOUR_GIB, busy, nbusy, true, &base);
	if (err)
		err = reserve_high(size, busy, nbusy, &base);
	if (err)
		return -TANDEM_ENOMEM;

	hv->base = base;
	hv->size = size;
	hv->percpu_base = base;
	hv->modules_base = base + hv->percpu_size;
	hv->pool_base = hv->modules_base + modules_size;
	hv->pool_size = base + size - hv->pool_base;
	/* Bootstrap seed: the remaining hypervisor memory starts zeroed. */
	memset(phys_to_virt(base), 0, size);

	/* Move every module into the store, out of any guest's load range. */
	uint64_t dst = hv->modules_base;
	for (size_t i = 0; i < mbi->nmodules && i < MAX_MODULES; i++) {
		const struct mb2_module *m = &mbi->modules[i];
		struct boot_module *bm = &hv->modules[hv->nmodules++];
		uint64_t len = m->end - m->start;

		memcpy(phys_to_virt(dst), phys_to_virt(m->start), len);
		bm->phys = dst;
		bm->size = len;
		size_t n = m->string_len < sizeof(bm->name) - 1 ?
				   m->string_len :
				   sizeof(bm->name) - 1;
		memcpy(bm->name, m->string, n);
		bm->name[n] = '\0';
		if (n < m->string_len)
			pr_warn("boot: module %zu's string is %zu characters; only the first %zu are kept",
				i, m->string_len, n);
		dst += ALIGN_UP(len, PAGE_SIZE);
	}
	return 0;
}

const void *boot_acpi_map(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys >= FOUR_GIB || len > FOUR_GIB - phys)
		return NULL;
	return (const void *)(DIRECT_BASE + phys);
}

uint64_t hv_find_trampoline_page(void)
{
	struct memmap_range busy[] = {
		{ hv_memory.image_base, hv_memory.image_size },
		{ hv_memory.base, hv_memory.size },
	};
	uint64_t page;

	if (memmap_find_free(boot_memmap, boot_memmap_count, PAGE_SIZE,
			     PAGE_SIZE, PAGE_SIZE, LOW_MEMORY_END, busy,
			     ARRAY_SIZE(busy), false, &page))
		return 0;
	return page;
}
