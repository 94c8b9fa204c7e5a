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
#include "fmt/bzimage.h"
#include "cell/ros_view.h"
#include "cell/ros_linux.h"
#include "cell/root_cell.h"
#include "hw/percpu.h"

#define MBI_PAGES 16
#define FOUR_GIB  0x100000000ull

static int build_info(uint8_t *buf, size_t cap, const char *cmdline,
		      const struct mb2_plan *plan)
{
	static struct memmap_entry map[BOOT_MEMMAP_MAX];
	static struct mb2_mmap_entry mmap[BOOT_MEMMAP_MAX];
	struct mb2_builder b;
	uint64_t lower = 0, upper = 0, rsdp_gpa;
	const void *rsdp;
	size_t rsdp_len;
	bool rsdp_new;
	int n = ros_view_memmap(map, BOOT_MEMMAP_MAX);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		mmap[i] = (struct mb2_mmap_entry){ map[i].base, map[i].length,
						   map[i].type, 0 };
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
	rsdp = ros_view_rsdp(&rsdp_len, &rsdp_new, &rsdp_gpa);
	if (rsdp)
		mb2b_rsdp(&b, rsdp_new, rsdp, rsdp_len);
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
	size_t nram = ros_view_ram(ram, CELL_MAX_RAM_RANGES);

	for (size_t i = 0; i < plan->nsegments; i++)
		busy[nbusy++] = (struct memmap_range){
			plan->segments[i].dest, plan->segments[i].mem_size
		};
	return memmap_find_free(ram, nram, ALIGN_UP(size, PAGE_SIZE), PAGE_SIZE,
				0x100000, FOUR_GIB, busy, nbusy, true, gpa);
}

static int ros_prepare_mb2(struct vcpu *bsp, struct vcpu_state *st,
			   const struct boot_module *m,
			   const struct mb2_plan *plan)
{
	const char *cmdline = ros_view_cmdline(m);
	uint8_t *info;
	uint64_t info_gpa;
	int size, err;

	err = check_plan(plan);
	if (err)
		return err;
	load_segments(m, plan);

	info = page_alloc(MBI_PAGES);
	if (!info) {
		pr_err("ros: out of hypervisor memory for its boot information");
		return -TANDEM_ENOMEM;
	}
	size = build_info(info, MBI_PAGES * PAGE_SIZE, cmdline, plan);
	if (size < 0 || place_info(plan, size, &info_gpa)) {
		page_free(info, MBI_PAGES);
		pr_err("ros: no room for its boot information (%d)", size);
		return size < 0 ? size : -TANDEM_ENOMEM;
	}
	memcpy(cell_gpa_to_hva(&root_cell, info_gpa, size), info, size);
	page_free(info, MBI_PAGES);

	start_state_multiboot(st, (uint32_t)plan->entry);
	for (int r = 0; r < GPR_COUNT; r++)
		bsp->regs[r] = 0;
	bsp->regs[GPR_RAX] = MB2_BOOTLOADER_MAGIC;
	bsp->regs[GPR_RBX] = info_gpa;
	pr_info("ros: '%s' loaded at 0x%lx-0x%lx, entry 0x%lx, boot information at 0x%lx",
		m->name, plan->lowest, plan->highest, plan->entry, info_gpa);
	return 0;
}

int ros_prepare(struct vcpu *bsp, struct vcpu_state *st,
		const struct root_reserve *reserve)
{
	const struct boot_module *m = boot_info_module("ros");
	static struct mb2_plan plan;
	static struct bzimage bz;
	const void *image;
	int err, lerr;

	if (!m) {
		pr_err("ros: no module tagged 'ros' (grub.cfg: module2 /boot/ros.elf ros); no root guest to start");
		return -TANDEM_ENOENT;
	}
	image = (const void *)(DIRECT_BASE + m->phys);
	err = mb2_image_parse(image, m->size, NULL, &plan);
	if (!err) {
		ros_view_init(reserve, false);
		return ros_prepare_mb2(bsp, st, m, &plan);
	}
	lerr = bzimage_parse(image, m->size, &bz);
	if (!lerr) {
		/* Linux finds its RSDP through the zero page: give it a
		 * guest-physical one even when nothing is hidden. */
		ros_view_init(reserve, true);
		return ros_linux_prepare(bsp, st, m, image, &bz);
	}
	if (lerr == -TANDEM_ENOENT) {
		pr_err("ros: module '%s' is not a bootable Multiboot2 kernel: %s; nor a Linux bzImage",
		       m->name, plan.message);
		return err;
	}
	pr_err("ros: module '%s' is a Linux bzImage Tandem cannot boot: %s",
	       m->name, bz.why);
	return lerr;
}
