/* What boot/ hands the kernel: one struct, filled by the loader role
 * (boot/loader.c) before the entry runs on any CPU and never changed after.
 * The kernel learns about the machine, its modules and its CPU counts only
 * from here; it never reads the Multiboot2 information or boot/'s own data.
 * The image header's CPU counts (header.h, bootstrap seed) are written from
 * the same values. */
#ifndef TANDEM_BOOT_INFO_H
#define TANDEM_BOOT_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fmt/mb2.h"
#include "lib/klib.h"
#include "mm/memmap.h"

/* Most entries the sanitized memory map can have. */
#define BOOT_MEMMAP_MAX	       (2 * MB2_MAX_MMAP + 8)

/* Longest module string kept: "ros " and a Linux command line (2048). */
#define BOOT_MODULE_STRING_MAX 2304

/** A GRUB module after boot/ moved it into Tandem's module store. */
struct boot_module {
	uint64_t phys;
	uint64_t size;
	char name[BOOT_MODULE_STRING_MAX]; /* the module string: "ros ..." */
};

struct boot_info {
	/* The machine's memory map as firmware reported it, sanitized. */
	const struct memmap_entry *memmap;
	unsigned int memmap_count;
	/* Tandem's own memory: the loaded image and the hypervisor memory
	 * (per-CPU areas, module store, pool). Guests never see either. */
	uint64_t image_base, image_size;
	uint64_t hv_base, hv_size;
	const struct boot_module *modules;
	unsigned int nmodules;
	/* The ACPI root the loader handed over (a copy), or NULL. */
	const void *rsdp;
	size_t rsdp_len;
	bool rsdp_is_new; /* ACPI 2.0+ (Multiboot2 tag 15) */
	/** Maps firmware tables for the fmt/acpi parsers. */
	const void *(*acpi_map)(void *ctx, uint64_t phys, size_t len);
	bool has_framebuffer;
	struct mb2_framebuffer fb;
	bool uefi; /* loaded by a UEFI GRUB (a GOP framebuffer, no BIOS) */
	/* Logical CPUs 0..possible_cpus-1 (0 is the boot CPU); online ones
	 * answered the start-up IPI (per_cpu(n)->online). */
	unsigned int possible_cpus, online_cpus;
};

extern struct boot_info boot_info;

/** The module whose string starts with the word @tag ("ros", "hrt"), or
 * NULL. */
static inline const struct boot_module *boot_info_module(const char *tag)
{
	size_t n = strlen(tag);

	for (unsigned int i = 0; i < boot_info.nmodules; i++) {
		const char *name = boot_info.modules[i].name;

		if (!strncmp(name, tag, n) && (name[n] == ' ' || name[n] == '\0'))
			return &boot_info.modules[i];
	}
	return NULL;
}

#endif
