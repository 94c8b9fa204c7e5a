/* A Linux bzImage as the ROS: what a boot loader does for the 32-bit boot
 * protocol (Documentation/arch/x86/boot.rst, "32-bit boot protocol"),
 * done into the root cell. */
#include <tandem/errno.h>
#include "virt/partition.h"
#include "virt/start_state.h"
#include "hw/console.h"
#include "boot_info.h"
#include "lib/klib.h"
#include "mm/memmap.h"
#include "mm/pools.h"
#include "fmt/bzimage.h"
#include "cell/root_cell.h"
#include "cell/ros_view.h"
#include "cell/ros_linux.h"

#define FOUR_GIB     0x100000000ull
#define ONE_MIB	     0x100000ull

/* The boot pages: zero page, command line, then the GDT the protocol
 * asks for (__BOOT_CS 0x10, __BOOT_DS 0x18, both flat). */
#define BOOT_PAGES   3
#define CMDLINE_PAGE 1
#define GDT_PAGE     2
static const uint64_t boot_gdt[4] = {
	0, 0, 0x00cf9a000000ffffull, /* 0x10: 32-bit code, 4 GiB */
	0x00cf92000000ffffull,	     /* 0x18: data, 4 GiB */
};

struct linux_layout {
	uint64_t kernel, boot, initrd;
	const struct boot_module *initrd_mod;
};

static int place(const struct bzimage *bz, struct linux_layout *l)
{
	struct memmap_entry ram[CELL_MAX_RAM_RANGES];
	struct memmap_range busy[2];
	size_t nram = ros_view_ram(ram, CELL_MAX_RAM_RANGES);
	uint64_t align = bz->kernel_alignment > PAGE_SIZE ? bz->kernel_alignment :
							    PAGE_SIZE;
	uint64_t top;

	if (cell_is_ram(&root_cell, bz->pref_address, bz->init_size))
		l->kernel = bz->pref_address;
	else if (!bz->relocatable ||
		 memmap_find_free(ram, nram, bz->init_size, align, ONE_MIB,
				  FOUR_GIB, NULL, 0, false, &l->kernel)) {
		pr_err("ros: no RAM of the ROS holds the Linux kernel: %u bytes at 0x%lx%s",
		       bz->init_size, bz->pref_address,
		       bz->relocatable ? " or anywhere aligned below 4 GiB" :
					 " (not relocatable)");
		return -TANDEM_ENOMEM;
	}
	busy[0] = (struct memmap_range){ l->kernel, bz->init_size };
	if (memmap_find_free(ram, nram, BOOT_PAGES * PAGE_SIZE, PAGE_SIZE,
			     ONE_MIB, FOUR_GIB, busy, 1, false, &l->boot)) {
		pr_err("ros: no room below 4 GiB for the Linux zero page");
		return -TANDEM_ENOMEM;
	}
	if (!l->initrd_mod)
		return 0;
	busy[1] = (struct memmap_range){ l->boot, BOOT_PAGES * PAGE_SIZE };
	top = (uint64_t)bz->initrd_addr_max + 1;
	if (top > FOUR_GIB)
		top = FOUR_GIB;
	/* High, as boot loaders put it, out of the kernel's way. */
	if (memmap_find_free(ram, nram, ALIGN_UP(l->initrd_mod->size, PAGE_SIZE),
			     PAGE_SIZE, ONE_MIB, top, busy, 2, true, &l->initrd)) {
		pr_err("ros: no room for the initrd '%s' (%lu bytes) below 0x%lx",
		       l->initrd_mod->name, l->initrd_mod->size, top);
		return -TANDEM_ENOMEM;
	}
	return 0;
}

/* The ROS's memory map as e820 entries; with more than the zero page
 * holds, the rest is left out with a line (Linux then misses it). */
static size_t e820(struct bz_e820 *out)
{
	static struct memmap_entry map[BOOT_MEMMAP_MAX];
	int n = ros_view_memmap(map, BOOT_MEMMAP_MAX);

	if (n < 0)
		n = 0;
	if (n > BZ_E820_MAX) {
		pr_warn("ros: %d memory map entries; Linux's zero page holds %d, the rest are left out",
			n, BZ_E820_MAX);
		n = BZ_E820_MAX;
	}
	for (int i = 0; i < n; i++)
		out[i] = (struct bz_e820){ map[i].base, map[i].length,
					   map[i].type };
	return (size_t)n;
}

/* RAM from 1 MiB up to the first hole, in KiB (alt_mem_k). */
static uint32_t upper_mem_k(const struct bz_e820 *map, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (map[i].type == MEMMAP_AVAILABLE && map[i].addr <= ONE_MIB &&
		    map[i].addr + map[i].size > ONE_MIB)
			return (uint32_t)((map[i].addr + map[i].size - ONE_MIB) >>
					  10);
	return 0;
}

int ros_linux_build(struct ros_linux_load *out, const struct boot_module *m,
		    const void *image, const struct bzimage *bz)
{
	static struct bz_e820 map[BZ_E820_MAX];
	const char *cmdline = ros_view_cmdline(m);
	size_t cmdline_len = strlen(cmdline);
	struct linux_layout l = { .initrd_mod = boot_info_module("ros-initrd") };
	struct bzimage_boot in;
	const char *why;
	uint8_t *boot;
	size_t rsdp_len;
	bool rsdp_new;
	int err;

	if (cmdline_len > bz->cmdline_size || cmdline_len >= PAGE_SIZE) {
		pr_err("ros: Linux command line of %zu characters; the kernel takes at most %u",
		       cmdline_len, bz->cmdline_size);
		return -TANDEM_E2BIG;
	}
	err = place(bz, &l);
	if (err)
		return err;

	in = (struct bzimage_boot){
		.load_addr = l.kernel,
		.cmdline_gpa = l.boot + CMDLINE_PAGE * PAGE_SIZE,
		.initrd_gpa = l.initrd_mod ? l.initrd : 0,
		.initrd_size = l.initrd_mod ? l.initrd_mod->size : 0,
		.e820 = map,
		.fb = boot_info.has_framebuffer ? &boot_info.fb : NULL,
		.fb_efi = boot_info.uefi,
	};
	ros_view_rsdp(&rsdp_len, &rsdp_new, &in.rsdp_gpa);
	in.ne820 = e820(map);
	in.alt_mem_k = upper_mem_k(map, in.ne820);

	/* Built in Tandem's memory first: a reboot that cannot be prepared
	 * must leave the ROS's memory as it is. */
	boot = page_alloc(BOOT_PAGES);
	if (!boot) {
		pr_err("ros: out of hypervisor memory for Linux's zero page");
		return -TANDEM_ENOMEM;
	}
	memset(boot, 0, BOOT_PAGES * PAGE_SIZE);
	err = bzimage_zero_page(image, bz, &in, boot, &why);
	if (err) {
		page_free(boot, BOOT_PAGES);
		pr_err("ros: cannot write Linux's zero page: %s", why);
		return err;
	}
	memcpy(boot + CMDLINE_PAGE * PAGE_SIZE, cmdline, cmdline_len);
	memcpy(boot + GDT_PAGE * PAGE_SIZE, boot_gdt, sizeof(boot_gdt));

	*out = (struct ros_linux_load){
		.image = image,
		.bz = bz,
		.boot_pages = boot,
		.boot_gpa = l.boot,
		.kernel_gpa = l.kernel,
		.initrd_gpa = l.initrd,
		.initrd_mod = l.initrd_mod,
	};
	start_state_linux32(&out->st, (uint32_t)l.kernel,
			    (struct dtable){ l.boot + GDT_PAGE * PAGE_SIZE,
					     sizeof(boot_gdt) - 1 });
	memset(out->regs, 0, sizeof(out->regs));
	out->regs[GPR_RSI] = l.boot;
	if (!in.rsdp_gpa)
		pr_warn("ros: no ACPI tables for Linux; it searches for them itself");
	return 0;
}

void ros_linux_commit(struct ros_linux_load *l)
{
	const struct bzimage *bz = l->bz;

	memcpy(cell_gpa_to_hva(&root_cell, l->boot_gpa, BOOT_PAGES * PAGE_SIZE),
	       l->boot_pages, BOOT_PAGES * PAGE_SIZE);
	ros_linux_cancel(l);
	memcpy(cell_gpa_to_hva(&root_cell, l->kernel_gpa, bz->init_size),
	       (const uint8_t *)l->image + bz->pm_offset, bz->pm_size);
	if (l->initrd_mod)
		memcpy(cell_gpa_to_hva(&root_cell, l->initrd_gpa,
				       l->initrd_mod->size),
		       (const void *)(DIRECT_BASE + l->initrd_mod->phys),
		       l->initrd_mod->size);
	pr_info("ros: Linux bzImage (boot protocol %u.%02u) at 0x%lx, %u bytes to run in, zero page at 0x%lx",
		bz->version >> 8, bz->version & 0xff, l->kernel_gpa,
		bz->init_size, l->boot_gpa);
	if (l->initrd_mod)
		pr_info("ros: initrd '%s' at 0x%lx, %lu bytes",
			l->initrd_mod->name, l->initrd_gpa, l->initrd_mod->size);
}

void ros_linux_cancel(struct ros_linux_load *l)
{
	if (l->boot_pages)
		page_free(l->boot_pages, BOOT_PAGES);
	l->boot_pages = NULL;
}
