/* The root cell and guest-physical address checks. */
#include <stdarg.h>
#include <tandem/errno.h>
#include "hw/apic.h"
#include "cell/cell.h"
#include "lib/console.h"
#include "hw/cpu.h"
#include "boot_info.h"
#include "hvm/hvm.h"
#include "lib/klib.h"
#include "hw/percpu.h"
#include "mm/pools.h"
#include "lib/printf.h"
#include "mm/tandem_mem.h"
#include <tandem/comm_region.h>

#define LAPIC_PAGE	0xfee00000ull
#define FOUR_GIB	0x100000000ull

struct cell root_cell = { .id = 0, .name = "ROS" };
struct cell *cells[TANDEM_MAX_CELLS] = { &root_cell };
unsigned int num_cells = 1;
struct tandem_mem tandem_mem;
static struct vcpu root_vcpus[TANDEM_MAX_CPUS];

bool tandem_mem_overlaps(uint64_t addr, uint64_t len)
{
	for (int i = 0; i < TANDEM_MEM_RANGES; i++)
		if (addr < tandem_mem.base[i] + tandem_mem.size[i] &&
		    tandem_mem.base[i] < addr + len)
			return true;
	return false;
}

static const struct mem_range *find_ram(const struct cell *c, uint64_t gpa,
				       uint64_t len)
{
	if (gpa + len < gpa)
		return NULL;
	for (unsigned int i = 0; i < c->nram; i++)
		if (gpa >= c->ram[i].base &&
		    gpa + len <= c->ram[i].base + c->ram[i].size)
			return &c->ram[i];
	return NULL;
}

bool cell_is_ram(const struct cell *c, uint64_t gpa, uint64_t len)
{
	return find_ram(c, gpa, len) != NULL;
}

void *cell_gpa_to_hva(const struct cell *c, uint64_t gpa, uint64_t len)
{
	const struct mem_range *r = find_ram(c, gpa, len);

	if (!r)
		return NULL;
	return (void *)(DIRECT_BASE + r->hpa + (gpa - r->base));
}

int cell_ram_remove(struct cell *c, uint64_t base, uint64_t size)
{
	uint64_t end = base + size;

	for (unsigned int i = 0; i < c->nram; i++) {
		struct mem_range *r = &c->ram[i];
		uint64_t rb = r->base, re = r->base + r->size;

		if (end <= rb || base >= re)
			continue;
		if (base > rb && end < re) {		/* split in two */
			if (c->nram == CELL_MAX_RAM_RANGES)
				return -TANDEM_ENOMEM;
			memmove(&c->ram[i + 2], &c->ram[i + 1],
				(c->nram - i - 1) * sizeof(*r));
			c->ram[i + 1] = (struct mem_range){ end, re - end, end };
			r->size = base - rb;
			c->nram++;
			return 0;
		}
		if (base <= rb && end >= re) {		/* all of it */
			memmove(r, r + 1, (c->nram - i - 1) * sizeof(*r));
			c->nram--;
			i--;
		} else if (base <= rb) {		/* its start */
			r->size = re - end;
			r->base = r->hpa = end;
		} else {				/* its end */
			r->size = base - rb;
		}
	}
	return 0;
}

int cell_ram_add(struct cell *c, uint64_t base, uint64_t size)
{
	unsigned int i = 0;

	while (i < c->nram && c->ram[i].base < base)
		i++;
	if (i > 0 && c->ram[i - 1].base + c->ram[i - 1].size == base) {
		c->ram[i - 1].size += size;
		if (i < c->nram && c->ram[i].base == base + size) {
			c->ram[i - 1].size += c->ram[i].size;
			memmove(&c->ram[i], &c->ram[i + 1],
				(c->nram - i - 1) * sizeof(c->ram[0]));
			c->nram--;
		}
		return 0;
	}
	if (i < c->nram && c->ram[i].base == base + size) {
		c->ram[i].base = c->ram[i].hpa = base;
		c->ram[i].size += size;
		return 0;
	}
	if (c->nram == CELL_MAX_RAM_RANGES)
		return -TANDEM_ENOMEM;
	memmove(&c->ram[i + 1], &c->ram[i], (c->nram - i) * sizeof(c->ram[0]));
	c->ram[i] = (struct mem_range){ base, size, base };
	c->nram++;
	return 0;
}

static void *gpa_alloc_table(void *ctx, uint64_t *phys)
{
	void *p = page_alloc(1);

	(void)ctx;
	if (p)
		*phys = (uint64_t)p - DIRECT_BASE;
	return p;
}

static void gpa_free_table(void *ctx, void *virt, uint64_t phys)
{
	(void)ctx;
	(void)phys;
	page_free(virt, 1);
}

static void *gpa_phys_to_virt(void *ctx, uint64_t phys)
{
	(void)ctx;
	return (void *)(DIRECT_BASE + phys);
}

const struct pt_ops gpa_table_ops = {
	.alloc_table = gpa_alloc_table,
	.free_table = gpa_free_table,
	.phys_to_virt = gpa_phys_to_virt,
};

/* The first Tandem range overlapping [start, end), or -1. */
static int first_tandem_overlap(uint64_t start, uint64_t end)
{
	int found = -1;

	for (int t = 0; t < TANDEM_MEM_RANGES; t++) {
		uint64_t tb = tandem_mem.base[t], te = tb + tandem_mem.size[t];

		if (tb < end && start < te &&
		    (found < 0 || tb < tandem_mem.base[found]))
			found = t;
	}
	return found;
}

static void add_ram(struct cell *c, uint64_t start, uint64_t end)
{
	if (end > start && c->nram < CELL_MAX_RAM_RANGES)
		c->ram[c->nram++] = (struct mem_range){ start, end - start, start };
}

/* RAM of the root: available ranges minus Tandem's memory. */
static void root_ram_init(struct cell *c)
{
	for (unsigned int i = 0; i < boot_info.memmap_count; i++) {
		const struct memmap_entry *e = &boot_info.memmap[i];
		uint64_t start = e->base, end = e->base + e->length;
		int t;

		if (e->type != MEMMAP_AVAILABLE)
			continue;
		while ((t = first_tandem_overlap(start, end)) >= 0) {
			add_ram(c, start, tandem_mem.base[t]);
			start = tandem_mem.base[t] + tandem_mem.size[t];
		}
		add_ram(c, start, end);
	}
}

static uint64_t max_gpa(void)
{
	uint64_t top = FOUR_GIB;

	for (unsigned int i = 0; i < boot_info.memmap_count; i++)
		if (boot_info.memmap[i].base + boot_info.memmap[i].length > top)
			top = boot_info.memmap[i].base + boot_info.memmap[i].length;
	return ALIGN_UP(top, PT_SIZE_1G);
}

int gpa_map_machine(struct page_table *pt)
{
	const unsigned int all = PT_READ | PT_WRITE | PT_EXEC | PT_USER;
	int err;

	err = pt_init(pt, vcpu_ops->gpa_format, &gpa_table_ops,
		      vcpu_ops->gpa_1g_pages() ? PT_SIZE_1G : PT_SIZE_2M, false);
	if (!err)
		err = pt_map(pt, 0, 0, max_gpa(), all);
	for (int t = 0; !err && t < TANDEM_MEM_RANGES; t++)
		err = pt_unmap(pt, ALIGN_DOWN(tandem_mem.base[t], PAGE_SIZE),
			       ALIGN_UP(tandem_mem.base[t] + tandem_mem.size[t], PAGE_SIZE) -
			       ALIGN_DOWN(tandem_mem.base[t], PAGE_SIZE));
	if (!err)
		err = pt_unmap(pt, LAPIC_PAGE, PAGE_SIZE);
	return err;
}

int root_cell_init(void)
{
	uint64_t exclude = hrt_plan.active ? hrt_plan.cpu_mask : 0;
	struct cell *c = &root_cell;
	int err;

	tandem_mem.base[0] = boot_info.image_base;
	tandem_mem.size[0] = boot_info.image_size;
	tandem_mem.base[1] = boot_info.hv_base;
	tandem_mem.size[1] = boot_info.hv_size;
	root_ram_init(c);
	if (hrt_plan.active)
		cell_ram_remove(c, hrt_plan.mem_base, hrt_plan.mem_size);
	c->state = CELL_STATE_RUNNING;

	err = gpa_map_machine(&c->gpa_map);
	if (!err && hrt_plan.active)
		err = pt_unmap(&c->gpa_map, hrt_plan.mem_base, hrt_plan.mem_size);
	if (err)
		return err;

	for (unsigned int cpu = 0; cpu < boot_info.possible_cpus; cpu++) {
		struct per_cpu *pc = per_cpu(cpu);
		struct vcpu *v = &root_vcpus[c->nvcpus];

		if (!pc->online || (exclude & (1ull << cpu)))
			continue;
		v->cell = c;
		v->cpu = pc;
		v->index = c->nvcpus;
		v->apic_id = pc->apic_id;
		v->sipi_vector = -1;
		v->pending_irq = -1;
		v->state = VCPU_STOPPED;
		pc->vcpu = pc->root_vcpu = v;
		c->vcpus[c->nvcpus++] = v;
	}
	return 0;
}

void cell_set_failed(struct cell *c)
{
	c->state = CELL_STATE_FAILED;
	if (c->comm)
		c->comm->cell_state = TANDEM_COMM_CELL_FAILED;
}
