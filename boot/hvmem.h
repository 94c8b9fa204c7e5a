/* Reserving Tandem's memory at boot (boot/hvmem.c); boot/ only. */
#ifndef TANDEM_BOOT_HVMEM_H
#define TANDEM_BOOT_HVMEM_H

#include <stdint.h>
#include "boot_info.h"
#include "fmt/mb2.h"
#include "mm/memmap.h"

#define MAX_MODULES MB2_MAX_MODULES
#define MAX_MEMMAP  BOOT_MEMMAP_MAX

/** What boot/ reserved, for the log and for hiding it from guests. */
struct hv_memory {
	uint64_t image_base, image_size;
	uint64_t base, size; /* hypervisor memory: */
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

/** ACPI table access for acpi.h parsers: the boot tables map the low
 * 4 GiB directly, where firmware puts its tables. */
const void *boot_acpi_map(void *ctx, uint64_t phys, size_t len);

/** Lowest free page in [0x1000, 640 KiB) for the AP trampoline, or 0. */
uint64_t hv_find_trampoline_page(void);

#endif
