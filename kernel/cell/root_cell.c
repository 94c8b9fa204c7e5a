/* The root cell: its RAM, its vCPUs and its kind. The root owns every CPU,
 * every byte of RAM and every port that Tandem and the other partitions do
 * not; it passes I/O through except the ports given to cells. */
#include <tandem/errno.h>
#include "boot_info.h"
#include "cell/root_cell.h"
#include "hw/percpu.h"
#include "hw/console.h"
#include "mm/mtrr.h"
#include "mm/tandem_mem.h"
#include "virt/exits.h"
#include "virt/msr_wall.h"
#include "virt/partition.h"

static struct vcpu root_vcpus[TANDEM_MAX_CPUS];

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
		c->ram[c->nram++] = (struct mem_range){ start, end - start,
							start };
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

/* A root vCPU for every online CPU of @mask that has none, in CPU order
 * (the CPUs a reserve held are the highest ones). */
static void add_vcpus(struct cell *c, const struct cpumask *mask)
{
	for (unsigned int cpu = 0; cpu < boot_info.possible_cpus; cpu++) {
		struct per_cpu *pc = per_cpu(cpu);
		struct vcpu *v = &root_vcpus[c->nvcpus];

		if (!pc->online || !cpumask_test(mask, cpu) || pc->root_vcpu)
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
}

int root_cell_init(const struct root_reserve *res)
{
	struct cpumask others = cpumask_invert(&res->cpu_mask);
	struct cell *c = &root_cell;
	int err;

	tandem_mem.base[0] = boot_info.image_base;
	tandem_mem.size[0] = boot_info.image_size;
	tandem_mem.base[1] = boot_info.hv_base;
	tandem_mem.size[1] = boot_info.hv_size;
	root_ram_init(c);
	if (res->mem_size)
		cell_ram_remove(c, res->mem_base, res->mem_size);
	c->state = CELL_STATE_RUNNING;

	err = gpa_map_machine(&c->gpa_map);
	if (!err && res->mem_size)
		err = pt_unmap(&c->gpa_map, res->mem_base, res->mem_size);
	gpa_tables_release(); /* the ROS has not run yet */
	if (err)
		return err;

	add_vcpus(c, &others);
	return 0;
}

int root_cell_take_back(const struct root_reserve *res)
{
	struct cell *c = &root_cell;
	int err = 0;

	if (res->mem_size) {
		err = pt_map_mtrr(&c->gpa_map, &host_mtrrs, res->mem_base,
				  res->mem_base, res->mem_size,
				  PT_READ | PT_WRITE | PT_EXEC | PT_USER);
		if (!err)
			err = cell_ram_add(c, res->mem_base, res->mem_size);
		gpa_tables_release(); /* the ROS has not run yet */
	}
	if (!err)
		add_vcpus(c, &res->cpu_mask);
	return err;
}

/* A port given to another cell: reading it returns all ones, writing it is
 * dropped (a few lines say so). */
static void root_io(struct vcpu *v)
{
	const struct vcpu_exit *e = &v->exit;

	pr_warn_limited("cell '%s' %s port 0x%x of another cell: %s",
			v->cell->name, e->io.in ? "read" : "wrote", e->io.port,
			e->io.in ? "all ones" : "dropped");
	if (e->io.in && !e->io.string) {
		uint64_t mask = e->io.size == 1 ? 0xff :
				e->io.size == 2 ? 0xffff :
						  0xffffffffull;

		/* IN to EAX zeroes bits 63:32; AL/AX keep the rest. */
		v->regs[GPR_RAX] = e->io.size == 4 ?
					   mask :
					   (v->regs[GPR_RAX] & ~mask) | mask;
	}
	vcpu_skip_insn(v);
}

static void root_confine(struct vcpu *v)
{
	(void)v; /* every port passes through until a cell takes it */
}

const struct cell_kind root_kind = {
	.name = "root",
	.msrs = &msr_list_root,
	.root = true,
	.confine = root_confine,
	.io = root_io,
	.console_line = cell_console_line,
};
