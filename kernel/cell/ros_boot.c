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

/* A ROS boot built in Tandem's memory, not yet written into the ROS's:
 * at first boot and again for each reboot (Palacios HVM request 0x1),
 * which must change nothing when it cannot be prepared. */
static struct ros_load {
	const struct boot_module *m;
	bool is_linux;
	struct mb2_plan plan;
	struct bzimage bz;
	uint8_t *info; /* Multiboot2 information, MBI_PAGES; NULL: none */
	int info_size;
	uint64_t info_gpa;
	struct ros_linux_load lx;
	struct vcpu_state st;
	uint64_t regs[GPR_COUNT];
} load;

static int build_mb2(struct ros_load *l)
{
	const char *cmdline = ros_view_cmdline(l->m);
	int err;

	err = check_plan(&l->plan);
	if (err)
		return err;
	l->info = page_alloc(MBI_PAGES);
	if (!l->info) {
		pr_err("ros: out of hypervisor memory for its boot information");
		return -TANDEM_ENOMEM;
	}
	l->info_size = build_info(l->info, MBI_PAGES * PAGE_SIZE, cmdline,
				  &l->plan);
	if (l->info_size < 0 ||
	    place_info(&l->plan, (size_t)l->info_size, &l->info_gpa)) {
		page_free(l->info, MBI_PAGES);
		l->info = NULL;
		pr_err("ros: no room for its boot information (%d)",
		       l->info_size);
		return l->info_size < 0 ? l->info_size : -TANDEM_ENOMEM;
	}
	start_state_multiboot(&l->st, (uint32_t)l->plan.entry);
	memset(l->regs, 0, sizeof(l->regs));
	l->regs[GPR_RAX] = MB2_BOOTLOADER_MAGIC;
	l->regs[GPR_RBX] = l->info_gpa;
	return 0;
}

/* The "ros" module parsed into @l: 0 (Multiboot2 or Linux), or a negative
 * errno after one line. Tandem keeps the module in its own memory for good
 * (boot/ moved it there; the ROS never sees it), so a reboot reads the
 * same bytes as the first boot. */
static int parse(struct ros_load *l)
{
	const void *image;
	int err, lerr;

	l->m = boot_info_module("ros");
	if (!l->m) {
		pr_err("ros: no module tagged 'ros' (grub.cfg: module2 /boot/ros.elf ros); no root guest to start");
		return -TANDEM_ENOENT;
	}
	image = (const void *)(DIRECT_BASE + l->m->phys);
	err = mb2_image_parse(image, l->m->size, NULL, &l->plan);
	if (!err) {
		l->is_linux = false;
		return 0;
	}
	lerr = bzimage_parse(image, l->m->size, &l->bz);
	if (!lerr) {
		l->is_linux = true;
		return 0;
	}
	if (lerr == -TANDEM_ENOENT) {
		pr_err("ros: module '%s' is not a bootable Multiboot2 kernel: %s; nor a Linux bzImage",
		       l->m->name, l->plan.message);
		return err;
	}
	pr_err("ros: module '%s' is a Linux bzImage Tandem cannot boot: %s",
	       l->m->name, l->bz.why);
	return lerr;
}

static int build(struct ros_load *l)
{
	if (l->is_linux) {
		int err = ros_linux_build(&l->lx, l->m,
					  (const void *)(DIRECT_BASE + l->m->phys),
					  &l->bz);

		if (!err) {
			l->st = l->lx.st;
			memcpy(l->regs, l->lx.regs, sizeof(l->regs));
		}
		return err;
	}
	return build_mb2(l);
}

static void cancel(struct ros_load *l)
{
	if (l->info)
		page_free(l->info, MBI_PAGES);
	l->info = NULL;
	ros_linux_cancel(&l->lx);
}

/* Cannot fail: everything was checked by build(). */
static void commit(struct ros_load *l, struct vcpu_state *st, uint64_t *regs)
{
	if (l->is_linux) {
		ros_linux_commit(&l->lx);
	} else {
		load_segments(l->m, &l->plan);
		memcpy(cell_gpa_to_hva(&root_cell, l->info_gpa,
				       (size_t)l->info_size),
		       l->info, (size_t)l->info_size);
		pr_info("ros: '%s' loaded at 0x%lx-0x%lx, entry 0x%lx, boot information at 0x%lx",
			l->m->name, l->plan.lowest, l->plan.highest,
			l->plan.entry, l->info_gpa);
	}
	cancel(l);
	*st = l->st;
	memcpy(regs, l->regs, sizeof(l->regs));
}

int ros_prepare(struct vcpu *bsp, struct vcpu_state *st,
		const struct root_reserve *reserve)
{
	int err = parse(&load);

	if (err)
		return err;
	/* Linux finds its RSDP through the zero page: give it a
	 * guest-physical one even when nothing is hidden. */
	ros_view_init(reserve, load.is_linux);
	err = build(&load);
	if (err)
		return err;
	commit(&load, st, bsp->regs);
	return 0;
}

int ros_reload_prepare(void)
{
	int err = parse(&load);

	return err ? err : build(&load);
}

void ros_reload_commit(struct vcpu *bsp)
{
	commit(&load, &bsp->start_state, bsp->start_regs);
}

void ros_reload_cancel(void)
{
	cancel(&load);
}
