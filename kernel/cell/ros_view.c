/* The machine as the ROS sees it: RAM, memory map, ACPI tables. */
#include <tandem/errno.h>
#include "virt/partition.h"
#include "hw/console.h"
#include "hw/percpu.h"
#include "boot_info.h"
#include "lib/klib.h"
#include "mm/memmap.h"
#include "fmt/acpi_view.h"
#include "cell/root_cell.h"
#include "cell/ros_view.h"

#define ACPI_VIEW_SIZE (64 * 1024)

/* The ROS's own copy of the ACPI tables, whose MADT leaves out the CPUs
 * of the HRT, in a piece of its RAM it may not reuse. */
static uint64_t acpi_view_gpa;
static size_t acpi_view_len;
static const void *acpi_view_rsdp;
static size_t acpi_view_rsdp_len;
static uint64_t acpi_view_rsdp_gpa;

/* What the other partitions took from the root (set by ros_view_init). */
static const struct root_reserve *res;

size_t ros_view_ram(struct memmap_entry *out, size_t cap)
{
	size_t n = 0;

	for (unsigned int i = 0; i < root_cell.nram && n < cap; i++)
		out[n++] = (struct memmap_entry){ root_cell.ram[i].base,
						  root_cell.ram[i].size,
						  MEMMAP_AVAILABLE };
	return n;
}

void ros_view_init(const struct root_reserve *reserve, bool always)
{
	struct memmap_entry ram[CELL_MAX_RAM_RANGES];
	uint32_t hide[TANDEM_MAX_CPUS];
	struct acpi_view view;
	size_t nhide = 0, nram;
	uint64_t gpa;

	res = reserve;
	if ((!always && cpumask_empty(&res->cpu_mask)) || !boot_info.rsdp)
		return;
	for (unsigned int cpu = 0; cpu < TANDEM_MAX_CPUS; cpu++)
		if (cpumask_test(&res->cpu_mask, cpu))
			hide[nhide++] = per_cpu(cpu)->apic_id;
	nram = ros_view_ram(ram, CELL_MAX_RAM_RANGES);
	if (memmap_find_free(ram, nram, ACPI_VIEW_SIZE, PAGE_SIZE, 0x100000,
			     0x100000000ull, NULL, 0, true, &gpa)) {
		pr_err("ros: no room for its ACPI tables without the HRT's CPUs; it sees them all");
		return;
	}
	if (acpi_view_build(boot_info.rsdp, boot_info.rsdp_len, boot_info.acpi_map,
			    NULL, hide, nhide, (void *)(DIRECT_BASE + gpa),
			    ACPI_VIEW_SIZE, gpa, &view)) {
		pr_err("ros: cannot hide the HRT's CPUs from its ACPI tables: %s",
		       view.why);
		return;
	}
	cell_ram_remove(&root_cell, gpa, ACPI_VIEW_SIZE);
	acpi_view_gpa = gpa;
	acpi_view_len = ACPI_VIEW_SIZE;
	acpi_view_rsdp = (const void *)(DIRECT_BASE + gpa + view.rsdp_offset);
	acpi_view_rsdp_len = view.rsdp_len;
	acpi_view_rsdp_gpa = gpa + view.rsdp_offset;
}

int ros_view_memmap(struct memmap_entry *out, size_t cap)
{
	struct memmap_entry a[BOOT_MEMMAP_MAX], b[BOOT_MEMMAP_MAX];
	int n;

	n = memmap_reserve(boot_info.memmap, boot_info.memmap_count,
			   boot_info.image_base, boot_info.image_size,
			   MEMMAP_RESERVED, a, BOOT_MEMMAP_MAX);
	if (n >= 0)
		n = memmap_reserve(a, n, boot_info.hv_base, boot_info.hv_size,
				   MEMMAP_RESERVED, b, BOOT_MEMMAP_MAX);
	if (n >= 0 && res->mem_size) {
		n = memmap_reserve(b, n, res->mem_base, res->mem_size,
				   MEMMAP_RESERVED, a, BOOT_MEMMAP_MAX);
		if (n >= 0)
			memcpy(b, a, n * sizeof(a[0]));
	}
	if (n >= 0 && acpi_view_len) {
		n = memmap_reserve(b, n, acpi_view_gpa, acpi_view_len,
				   MEMMAP_ACPI_RECLAIMABLE, a, BOOT_MEMMAP_MAX);
		if (n >= 0)
			memcpy(b, a, n * sizeof(a[0]));
	}
	if (n < 0 || (size_t)n > cap)
		return -TANDEM_E2BIG;
	memcpy(out, b, n * sizeof(b[0]));
	return n;
}

const void *ros_view_rsdp(size_t *len, bool *is_new, uint64_t *gpa)
{
	if (acpi_view_rsdp) {
		*len = acpi_view_rsdp_len;
		*is_new = acpi_view_rsdp_len > 20;
		*gpa = acpi_view_rsdp_gpa;
		return acpi_view_rsdp;
	}
	*len = boot_info.rsdp_len;
	*is_new = boot_info.rsdp_is_new;
	*gpa = 0;
	return boot_info.rsdp;
}

const char *ros_view_cmdline(const struct boot_module *m)
{
	const char *s = m->name + 3;

	while (*s == ' ')
		s++;
	return s;
}
