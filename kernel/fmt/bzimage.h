/*
 * Linux bzImage: the setup header a boot loader reads, and the "zero page"
 * (struct boot_params) it writes for the 32-bit boot protocol.
 * Documentation/arch/x86/boot.rst (boot protocol 2.06 and later) and
 * arch/x86/include/uapi/asm/bootparam.h give the offsets used here.
 *
 * Pure C over caller memory: no allocation, no hardware, no globals.
 */
#ifndef TANDEM_FMT_BZIMAGE_H
#define TANDEM_FMT_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt/mb2.h"

#define BZ_ZERO_PAGE_SIZE 4096
#define BZ_E820_MAX	  128 /* entries the zero page holds */

/* Protocol versions with the fields used here. */
#define BZ_MIN_VERSION	  0x0206 /* cmdline_size, 32-bit entry, relocation */
#define BZ_RSDP_VERSION	  0x020e /* acpi_rsdp_addr */
#define BZ_XLF_KERNEL_64  (1u << 0)
#define BZ_LOADER_UNKNOWN 0xff /* type_of_loader without an assigned ID */
#define BZ_LOADED_HIGH	  (1u << 0)

/* What bzimage_parse() found. */
struct bzimage {
	const char *why;       /* static reason when it failed, else NULL */
	uint16_t version;      /* boot protocol, e.g. 0x020f */
	size_t setup_size;     /* bytes of real-mode setup before pm */
	size_t pm_offset;      /* of the protected-mode kernel in the file */
	size_t pm_size;	       /* its bytes (the rest of the file) */
	size_t hdr_end;	       /* one past the setup header in the file */
	uint64_t pref_address; /* where it prefers to run */
	uint32_t kernel_alignment; /* load address alignment if relocatable */
	uint32_t init_size;	   /* bytes it needs from the load address */
	bool relocatable;
	uint16_t xloadflags;
	uint32_t initrd_addr_max; /* highest byte of an initrd */
	uint32_t cmdline_size;	  /* longest command line, without the NUL */
};

/**
 * Check @image[0..size) for a bzImage the 32-bit boot protocol can start:
 * boot flag 0xaa55, "HdrS", protocol 2.06 or later, loaded high, a
 * protected-mode part inside the file, sane alignment and init_size.
 * Returns 0, or -TANDEM_EINVAL with out->why set (-TANDEM_ENOENT when
 * there is no setup header at all, so callers can try other formats).
 */
int bzimage_parse(const void *image, size_t size, struct bzimage *out);

/* One e820 entry (types as Multiboot2's memory map: 1 RAM, 2 reserved,
 * 3 ACPI reclaimable, 4 ACPI NVS, 5 bad). */
struct bz_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

/* What the loader decided, for bzimage_zero_page(). */
struct bzimage_boot {
	uint64_t load_addr;   /* of the protected-mode kernel */
	uint64_t cmdline_gpa; /* NUL-terminated, below 4 GiB */
	uint64_t initrd_gpa;  /* 0 and size 0 for none */
	uint64_t initrd_size;
	uint64_t rsdp_gpa; /* 0: let Linux search */
	const struct bz_e820 *e820;
	size_t ne820;
	const struct mb2_framebuffer *fb; /* NULL: none (screen_info zero) */
	bool fb_efi;	    /* an RGB framebuffer from UEFI GOP, else VESA */
	uint32_t alt_mem_k; /* RAM above 1 MiB in KiB, for old fields */
};

/**
 * Write the zero page @zp[0..BZ_ZERO_PAGE_SIZE) for @bz's @image: zeroed,
 * the setup header copied from the image, then type_of_loader, code32_
 * start, command line, initrd, vid_mode, the e820 table, acpi_rsdp_addr
 * (protocol 2.14+) and screen_info from @in.
 * Returns 0, or -TANDEM_EINVAL / -TANDEM_E2BIG with *why set (more than
 * 128 e820 entries, an initrd past initrd_addr_max, an address above
 * 4 GiB the protocol cannot express).
 */
int bzimage_zero_page(const void *image, const struct bzimage *bz,
		      const struct bzimage_boot *in, uint8_t *zp,
		      const char **why);

#endif
