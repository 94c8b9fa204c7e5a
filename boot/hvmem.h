/* Reserving Tandem's memory at boot (boot/hvmem.c). */
#ifndef TANDEM_HVMEM_H
#define TANDEM_HVMEM_H

#include <stdint.h>
#include "mm/memmap.h"
#include "fmt/mb2.h"

#define MAX_MODULES	MB2_MAX_MODULES
#define MAX_MEMMAP	(2 * MB2_MAX_MMAP + 8)

/** A GRUB module after it was moved into Tandem's module store. */
struct boot_module {
	uint64_t phys;
	uint64_t size;
	char name[64];			/* the module string, e.g. "ros ..." */
};

/** What boot/ reserved, for the log and for hiding it from guests. */
struct hv_memory {
	uint64_t image_base, image_size;
	uint64_t base, size;		/* hypervisor memory: */
	uint64_t percpu_base, percpu_size;
	uint64_t modules_base, modules_size;
	uint64_t pool_base, pool_size;
	unsigned int nmodules;
	struct boot_module modules[MAX_MODULES];
};

extern struct hv_memory hv_memory;

/** The sanitized memory map of the machine (as firmware reported it). */
extern struct memmap_entry boot_memmap[MAX_MEMMAP];
extern unsigned int boot_memmap_count;

/**
 * Finds the highest free 2 MiB aligned range below 4 GiB for the per-CPU
 * areas of @possible_cpus CPUs, the module store and the pool, avoiding the
 * image, the boot information and the modules where GRUB put them; zeroes
 * it and copies the modules into the store. Returns 0 or -ENOMEM.
 */
int hv_memory_reserve(const struct mb2_info *mbi, uint64_t mbi_phys,
		      uint64_t mbi_size, unsigned int possible_cpus,
		      uint64_t pool_size);

/** The module whose string starts with the word @tag ("ros", "hrt"), or
 * NULL. */
const struct boot_module *boot_module_find(const char *tag);

/** ACPI table access for acpi.h parsers: the boot tables map the low
 * 4 GiB directly, where firmware puts its tables. */
const void *boot_acpi_map(void *ctx, uint64_t phys, size_t len);

/** Lowest free page in [0x1000, 640 KiB) for the AP trampoline, or 0. */
uint64_t hv_find_trampoline_page(void);

#endif
