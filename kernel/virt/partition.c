/* The partition object: the registry of cells, their RAM lists, their
 * guest-physical maps and what every kind shares (failure, console). */
#include <tandem/comm_region.h>
#include <tandem/jailhouse.h>
#include <tandem/errno.h>
#include "boot_info.h"
#include "hw/console.h"
#include "hw/tsc.h"
#include "lib/printf.h"
#include "lib/klib.h"
#include "lib/spinlock.h"
#include "mm/mtrr.h"
#include "mm/pools.h"
#include "mm/tandem_mem.h"
#include "virt/partition.h"

#define LAPIC_PAGE 0xfee00000ull
#define FOUR_GIB   0x100000000ull

struct cell root_cell = { .id = 0, .name = "ROS", .kind = &root_kind };
struct cell *cells[TANDEM_MAX_CELLS] = { &root_cell };
unsigned int num_cells = 1;
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
		if (base > rb && end < re) { /* split in two */
			if (c->nram == CELL_MAX_RAM_RANGES)
				return -TANDEM_ENOMEM;
			memmove(&c->ram[i + 2], &c->ram[i + 1],
				(c->nram - i - 1) * sizeof(*r));
			c->ram[i + 1] = (struct mem_range){ end, re - end, end };
			r->size = base - rb;
			c->nram++;
			return 0;
		}
		if (base <= rb && end >= re) { /* all of it */
			memmove(r, r + 1, (c->nram - i - 1) * sizeof(*r));
			c->nram--;
			i--;
		} else if (base <= rb) { /* its start */
			r->size = re - end;
			r->base = r->hpa = end;
		} else { /* its end */
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

/* Retired table pages, linked through their first word. */
static struct spinlock retired_lock;
static void *retired;

static void gpa_free_table(void *ctx, void *virt, uint64_t phys)
{
	(void)ctx;
	(void)phys;
	spin_lock(&retired_lock);
	*(void **)virt = retired;
	retired = virt;
	spin_unlock(&retired_lock);
}

void gpa_tables_release(void)
{
	void *list;

	spin_lock(&retired_lock);
	list = retired;
	retired = NULL;
	spin_unlock(&retired_lock);
	while (list) {
		void *next = *(void **)list;

		page_free(list, 1);
		list = next;
	}
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

static uint64_t max_gpa(void)
{
	uint64_t top = FOUR_GIB;

	for (unsigned int i = 0; i < boot_info.memmap_count; i++)
		if (boot_info.memmap[i].base + boot_info.memmap[i].length > top)
			top = boot_info.memmap[i].base +
			      boot_info.memmap[i].length;
	return ALIGN_UP(top, PT_SIZE_1G);
}

int gpa_map_machine(struct page_table *pt)
{
	const unsigned int all = PT_READ | PT_WRITE | PT_EXEC | PT_USER;
	int err;

	err = pt_init(pt, vcpu_ops->gpa_format, &gpa_table_ops,
		      vcpu_ops->gpa_1g_pages() ? PT_SIZE_1G : PT_SIZE_2M, false);
	if (!err)
		err = pt_map_mtrr(pt, &host_mtrrs, 0, 0, max_gpa(), all);
	for (int t = 0; !err && t < TANDEM_MEM_RANGES; t++)
		err = pt_unmap(pt, ALIGN_DOWN(tandem_mem.base[t], PAGE_SIZE),
			       ALIGN_UP(tandem_mem.base[t] + tandem_mem.size[t],
					PAGE_SIZE) -
				       ALIGN_DOWN(tandem_mem.base[t], PAGE_SIZE));
	if (!err)
		err = pt_unmap(pt, LAPIC_PAGE, PAGE_SIZE);
	gpa_tables_release(); /* at boot: no CPU ran the map yet */
	return err;
}

void cell_set_failed(struct cell *c)
{
	c->state = CELL_STATE_FAILED;
	if (c->comm && c->jh)
		((struct jh_comm_region *)c->comm)->cell_state = JH_CELL_FAILED;
	else if (c->comm)
		((struct tandem_comm_region *)c->comm)->cell_state =
			TANDEM_COMM_CELL_FAILED;
}

static void console_held(struct cell *c, unsigned int held)
{
	char note[48];

	ksnprintf(note, sizeof(note), "(%u console lines held back)", held);
	c->kind->console_line(c, note);
}

/* Outside the cell's console lock: printing takes serial time. */
static void console_emit(struct cell *c, const char *line)
{
	unsigned int held;

	if (!ratelimit_allow(&c->console_rl, tsc_us(), &held))
		return;
	if (held)
		console_held(c, held);
	c->kind->console_line(c, line);
}

void cell_console_putc(struct cell *c, char ch)
{
	char line[CELL_CONSOLE_LINE + 1];
	bool emit = false;

	if (ch == '\r')
		return;
	if (ch != '\n' && (ch < 0x20 || ch > 0x7e))
		ch = '?';
	spin_lock(&c->console_lock);
	if (ch != '\n' && c->console_len < CELL_CONSOLE_LINE)
		c->console[c->console_len++] = ch;
	if (ch == '\n' || c->console_len >= CELL_CONSOLE_LINE) {
		memcpy(line, c->console, c->console_len);
		line[c->console_len] = '\0';
		c->console_len = 0;
		emit = true;
	}
	spin_unlock(&c->console_lock);
	if (emit)
		console_emit(c, line);
}

void cell_console_flush(struct cell *c)
{
	unsigned int held;

	spin_lock(&c->console_rl.lock);
	held = c->console_rl.held;
	c->console_rl.held = 0;
	spin_unlock(&c->console_rl.lock);
	if (held)
		console_held(c, held);
}

void cell_console_line(struct cell *c, const char *line)
{
	pr_info("cell '%s': %s", c->name, line);
}

void cell_io_refuse(struct vcpu *v)
{
	vcpu_fail(v, "I/O port 0x%x outside its configuration (RIP 0x%lx)",
		  v->exit.io.port, v->rip);
}
