/* What the ROS takes from its Multiboot2 information (Multiboot2 spec 3.6):
 * command line, memory map, modules, the screen and the ACPI RSDP. Copied out once, so
 * the block itself may be overwritten afterwards. */
#ifndef TANDEM_ROS_BOOTINFO_H
#define TANDEM_ROS_BOOTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2_BOOT_MAGIC	   0x36d76289
#define MB2_MEM_AVAILABLE  1
#define MB2_MEM_RESERVED   2

#define ROS_MAX_MEM_RANGES 64
#define ROS_MAX_MODULES	   16

struct ros_mem_range {
	uint64_t base, len;
	uint32_t type;
};

struct ros_boot {
	uint64_t mbi, mbi_size; /* the information block itself */
	char cmdline[256];
	size_t nmem; /* memory map, sorted by base */
	struct ros_mem_range mem[ROS_MAX_MEM_RANGES];
	size_t nmods;
	struct {
		uint32_t start, end;
	} mods[ROS_MAX_MODULES];
	uint8_t rsdp[36]; /* copy of the RSDP (ACPI 5.2.5.3) */
	size_t rsdp_len;  /* 0: no ACPI tag */
	bool has_fb;	  /* a framebuffer tag: the screen is the ROS's */
	uint64_t fb_addr;
	uint32_t fb_width, fb_height; /* pixels, or characters for text */
	uint8_t fb_bpp, fb_type;      /* type 1 RGB, 2 EGA text */
	const char *warning;	      /* a non-fatal oddity, or NULL */
};

/**
 * Parse the Multiboot2 information at physical @mbi given the boot @magic.
 * Returns NULL, or the reason the block is unusable.
 */
const char *ros_parse_mb2(uint32_t magic, uint64_t mbi, struct ros_boot *b);

/** True when @word is a whole word of the command line. */
bool ros_cmdline_has(const struct ros_boot *b, const char *word);

/** Bytes of available RAM in the memory map. */
uint64_t ros_ram_total(const struct ros_boot *b);

/** End (exclusive) of the highest available range. */
uint64_t ros_ram_end(const struct ros_boot *b);

/** True when [@base, @base + @len) lies in available RAM and touches
 * neither the information block nor a module. */
bool ros_ram_is_free(const struct ros_boot *b, uint64_t base, uint64_t len);

/** True when [@base, @base + @len) is non-empty and lies entirely in
 * reserved (type 2) ranges of the memory map (adjacent ones count as one). */
bool ros_range_reserved(const struct ros_boot *b, uint64_t base, uint64_t len);

#endif
