/* ROS loading: GRUB's job for a Multiboot2 kernel, done into the root cell
 * (Multiboot2 spec 3.3 machine state, 3.6 boot information). */
#include <tandem/errno.h>
#include "virt/partition.h"
#include "hw/console.h"
#include "boot_info.h"
#include "lib/klib.h"
#include "fmt/mb2.h"
#include "fmt/mb2_image.h"
#include "mm/memmap.h"
#include "mm/pools.h"
#include "cell/ros_boot.h"
#include "virt/start_state.h"
#include "fmt/acpi_view.h"
#include "cell/root_cell.h"
#include "hw/percpu.h"

#define MBI_PAGES      16
#define FOUR_GIB       0x100000000ull

#define ACPI_VIEW_SIZE (64 * 1024)

/* With an HRT, the ROS gets its own copy of the ACPI tables whose MADT
 * leaves out the HRT's CPUs, in a piece of its RAM it may not reuse. */
static uint64_t acpi_view_gpa;
static size_t acpi_view_len;
static const void *acpi_view_rsdp;
static size_t acpi_view_rsdp_len;

/* What the other partitions took from the root (set by ros_prepare). */
static const struct root_reserve *res;

static void build_acpi_view(void)
{
	struct memmap_entry ram[CELL_MAX_RAM_RANGES];
	uint32_t hide[TANDEM_MAX_CPUS];
	struct acpi_view view;
	size_t nhide = 0;
	uint64_t gpa;

	if (cpumask_empty(&res->cpu_mask) || !boot_info.rsdp)
		return;
	for (unsigned int cpu = 0; cpu < TANDEM_MAX_CPUS; cpu++)
		if (cpumask_test(&res->cpu_mask, cpu))
			hide[nhide++] = per_cpu(cpu)->apic_id;
	for (unsigned int i = 0; i < root_cell.nram; i++)
		ram[i] = (struct memmap_entry){ root_cell.ram[i].base,
						root_cell.ram[i].size,
						MEMMAP_AVAILABLE };
	if (memmap_find_free(ram, root_cell.nram, ACPI_VIEW_SIZE, PAGE_SIZE,
			     0x100000, 0x100000000ull, NULL, 0, true, &gpa)) {
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
}

/* The memory map the ROS sees: the machine's, with Tandem's memory and the
 * HRT's reserved, and its ACPI copy as ACPI data. */
static int ros_memmap(struct mb2_mmap_entry *out, size_t cap)
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
	for (int i = 0; i < n; i++)
		out[i] = (struct mb2_mmap_entry){ b[i].base, b[i].length,
						  b[i].type, 0 };
	return n;
}

static int build_info(uint8_t *buf, size_t cap, const char *cmdline,
		      const struct mb2_plan *plan)
{
	static struct mb2_mmap_entry mmap[BOOT_MEMMAP_MAX];
	struct mb2_builder b;
	uint64_t lower = 0, upper = 0;
	int n = ros_memmap(mmap, BOOT_MEMMAP_MAX);

	if (n < 0)
		return n;
	/* Basic meminfo (3.6.8): RAM from 0 and from 1 MiB to the first hole. */
	for (int i = 0; i < n; i++) {
		if (mmap[i].type != MEMMAP_AVAILABLE)
			continue;
		if (mmap[i].base == 0)
			lower = mmap[i].length;
		if (mmap[i].base == 0x100000)
			upper = mmap[i].length;
	}
	mb2b_init(&b, buf, cap);
	mb2b_cmdline(&b, cmdline, strlen(cmdline));
	mb2b_loader_name(&b, "Tandem", 6);
	mb2b_basic_meminfo(&b, (uint32_t)(lower / 1024),
			   (uint32_t)(upper / 1024));
	mb2b_mmap(&b, mmap, n);
	if (acpi_view_rsdp)
		mb2b_rsdp(&b, acpi_view_rsdp_len > 20, acpi_view_rsdp,
			  acpi_view_rsdp_len);
	else if (boot_info.rsdp)
		mb2b_rsdp(&b, boot_info.rsdp_is_new, boot_info.rsdp,
			  boot_info.rsdp_len);
	if (boot_info.has_framebuffer)
		mb2b_framebuffer(&b, &boot_info.fb);
	if (mb2_plan_has(plan, MB2_HTAG_RELOCATABLE)) {
		uint32_t base = (uint32_t)plan->lowest;

		mb2b_raw_tag(&b, MB2_TAG_LOAD_BASE_ADDR, &base, sizeof(base));
	}
	return mb2b_finish(&b);
}

/* Every byte the plan writes must be root RAM (never Tandem's memory). */
static int check_plan(const struct mb2_plan *plan)
{
	for (size_t i = 0; i < plan->nsegments; i++) {
		const struct mb2_segment *s = &plan->segments[i];

		if (!cell_is_ram(&root_cell, s->dest, s->mem_size)) {
			pr_err("ros: segment %zu at 0x%lx (%lu bytes) is not RAM the ROS owns; not starting it",
			       i, s->dest, s->mem_size);
			return -TANDEM_EINVAL;
		}
	}
	return 0;
}

static void load_segments(const struct boot_module *m, const struct mb2_plan *plan)
{
	const uint8_t *image = (const uint8_t *)(DIRECT_BASE + m->phys);

	for (size_t i = 0; i < plan->nsegments; i++) {
		const struct mb2_segment *s = &plan->segments[i];
		uint8_t *dst = cell_gpa_to_hva(&root_cell, s->dest, s->mem_size);

		memcpy(dst, image + s->offset, s->file_size);
		memset(dst + s->file_size, 0, s->mem_size - s->file_size);
	}
}

/* Place the boot information in free root RAM above the image. */
static int place_info(const struct mb2_plan *plan, size_t size, uint64_t *gpa)
{
	struct memmap_range busy[MB2_IMAGE_MAX_SEGMENTS + 2];
	size_t nbusy = 0;
	struct memmap_entry ram[CELL_MAX_RAM_RANGES];

	for (unsigned int i = 0; i < root_cell.nram; i++)
		ram[i] = (struct memmap_entry){ root_cell.ram[i].base,
						root_cell.ram[i].size,
						MEMMAP_AVAILABLE };
	for (size_t i = 0; i < plan->nsegments; i++)
		busy[nbusy++] = (struct memmap_range){
			plan->segments[i].dest, plan->segments[i].mem_size
		};
	return memmap_find_free(ram, root_cell.nram, ALIGN_UP(size, PAGE_SIZE),
				PAGE_SIZE, 0x100000, FOUR_GIB, busy, nbusy,
				true, gpa);
}

int ros_prepare(struct vcpu *bsp, struct vcpu_state *st,
		const struct root_reserve *reserve)
{
	const struct boot_module *m = boot_info_module("ros");
	static struct mb2_plan plan;
	const char *cmdline;
	uint8_t *info;
	uint64_t info_gpa;
	int size, err;

	res = reserve;
	if (!m) {
		pr_err("ros: no module tagged 'ros' (grub.cfg: module2 /boot/ros.elf ros); no root guest to start");
		return -TANDEM_ENOENT;
	}
	err = mb2_image_parse((const void *)(DIRECT_BASE + m->phys), m->size,
			      NULL, &plan);
	if (err) {
		pr_err("ros: module '%s' is not a bootable Multiboot2 kernel: %s",
		       m->name, plan.message);
		return err;
	}
	err = check_plan(&plan);
	if (err)
		return err;
	load_segments(m, &plan);
	build_acpi_view();

	cmdline = m->name + 3;
	while (*cmdline == ' ')
		cmdline++;
	info = page_alloc(MBI_PAGES);
	if (!info) {
		pr_err("ros: out of hypervisor memory for its boot information");
		return -TANDEM_ENOMEM;
	}
	size = build_info(info, MBI_PAGES * PAGE_SIZE, cmdline, &plan);
	if (size < 0 || place_info(&plan, size, &info_gpa)) {
		page_free(info, MBI_PAGES);
		pr_err("ros: no room for its boot information (%d)", size);
		return size < 0 ? size : -TANDEM_ENOMEM;
	}
	memcpy(cell_gpa_to_hva(&root_cell, info_gpa, size), info, size);
	page_free(info, MBI_PAGES);

	start_state_multiboot(st, (uint32_t)plan.entry);
	for (int r = 0; r < GPR_COUNT; r++)
		bsp->regs[r] = 0;
	bsp->regs[GPR_RAX] = MB2_BOOTLOADER_MAGIC;
	bsp->regs[GPR_RBX] = info_gpa;
	pr_info("ros: '%s' loaded at 0x%lx-0x%lx, entry 0x%lx, boot information at 0x%lx",
		m->name, plan.lowest, plan.highest, plan.entry, info_gpa);
	return 0;
}
