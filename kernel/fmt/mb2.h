/*
 * Multiboot2 boot information: a validating parser for the block GRUB hands
 * us in EBX, and a builder that writes such a block for a guest.
 *
 * Both are pure C over caller memory (no allocation, no hardware). Layouts
 * follow the Multiboot2 specification 2.0, section 3.6 "Boot information".
 */
#ifndef TANDEM_FMT_MB2_H
#define TANDEM_FMT_MB2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value in EAX when a Multiboot2 loader enters the kernel (spec 3.3). */
#define MB2_BOOTLOADER_MAGIC	   0x36d76289u

/* Tag types (spec 3.6.3 - 3.6.23). */
#define MB2_TAG_END		   0
#define MB2_TAG_CMDLINE		   1
#define MB2_TAG_LOADER_NAME	   2
#define MB2_TAG_MODULE		   3
#define MB2_TAG_BASIC_MEMINFO	   4
#define MB2_TAG_BOOTDEV		   5
#define MB2_TAG_MMAP		   6
#define MB2_TAG_VBE		   7
#define MB2_TAG_FRAMEBUFFER	   8
#define MB2_TAG_ELF_SECTIONS	   9
#define MB2_TAG_APM		   10
#define MB2_TAG_EFI32		   11
#define MB2_TAG_EFI64		   12
#define MB2_TAG_SMBIOS		   13
#define MB2_TAG_ACPI_OLD	   14
#define MB2_TAG_ACPI_NEW	   15
#define MB2_TAG_NETWORK		   16
#define MB2_TAG_EFI_MMAP	   17
#define MB2_TAG_EFI_BS		   18
#define MB2_TAG_EFI32_IH	   19
#define MB2_TAG_EFI64_IH	   20
#define MB2_TAG_LOAD_BASE_ADDR	   21

#define MB2_MAX_MMAP		   128
#define MB2_MAX_MODULES		   16

/* Memory map entry types (spec 3.6.8). */
#define MB2_MMAP_AVAILABLE	   1
#define MB2_MMAP_RESERVED	   2
#define MB2_MMAP_ACPI_RECLAIMABLE  3
#define MB2_MMAP_NVS		   4
#define MB2_MMAP_BADRAM		   5

/* Framebuffer types (spec 3.6.12). */
#define MB2_FB_INDEXED		   0
#define MB2_FB_RGB		   1
#define MB2_FB_EGA_TEXT		   2

/* Bits in mb2_info.warnings: things dropped without failing the parse. */
/* More than MB2_MAX_MMAP memory map entries. */
#define MB2_WARN_MMAP_TRUNCATED	   (1u << 0)
/* More than MB2_MAX_MODULES modules. */
#define MB2_WARN_MODULES_TRUNCATED (1u << 1)

/* One memory map entry, laid out exactly as in the tag (spec 3.6.8). */
struct mb2_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type; /* MB2_MMAP_* */
	uint32_t reserved;
};
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "mb2 mmap entry is 24 bytes");

/* A boot module (spec 3.6.6). The string points into the info block. */
struct mb2_module {
	uint32_t start;	    /* physical address of the first byte */
	uint32_t end;	    /* physical address one past the last byte */
	const char *string; /* NUL-terminated, e.g. "ros" */
	size_t string_len;  /* strlen(string) */
};

/* Framebuffer description (spec 3.6.12). Colour fields are valid for RGB. */
struct mb2_framebuffer {
	uint64_t addr;
	uint32_t pitch; /* bytes per line */
	uint32_t width; /* pixels, or characters for EGA text */
	uint32_t height;
	uint8_t bpp;
	uint8_t type; /* MB2_FB_* */
	uint8_t red_pos, red_size;
	uint8_t green_pos, green_size;
	uint8_t blue_pos, blue_size;
};

enum mb2_firmware {
	MB2_FW_BIOS = 0,
	MB2_FW_UEFI = 1,
};

/*
 * Everything mb2_parse() extracts. Pointers point into the parsed block, so
 * the block must stay mapped and untouched while they are used.
 */
struct mb2_info {
	const char *why;     /* reason when mb2_parse() failed, else NULL */
	uint32_t warnings;   /* MB2_WARN_* bits */
	const char *warning; /* text of the first warning, or NULL */

	const char *cmdline; /* NULL when there was no command line tag */
	size_t cmdline_len;
	const char *loader_name; /* NULL when absent */
	size_t loader_name_len;

	bool has_meminfo;
	uint32_t mem_lower_kib; /* memory below 1 MiB, KiB */
	uint32_t mem_upper_kib; /* from 1 MiB up to the first hole, KiB */

	bool has_mmap;
	size_t mmap_count;  /* entries stored in mmap[] */
	size_t mmap_listed; /* entries present in the tag (may exceed max) */
	struct mb2_mmap_entry mmap[MB2_MAX_MMAP];

	size_t nmodules;       /* modules stored in modules[] */
	size_t modules_listed; /* module tags present */
	struct mb2_module modules[MB2_MAX_MODULES];

	const void *rsdp; /* copy of the RSDP inside the tag, or NULL */
	size_t rsdp_len;  /* bytes readable at rsdp */
	bool rsdp_is_new; /* from tag 15 (ACPI 2.0+) rather than tag 14 */

	bool has_framebuffer;
	struct mb2_framebuffer fb;

	enum mb2_firmware firmware; /* UEFI if any EFI tag (11, 12, 17-20) */
	uint64_t efi_system_table;  /* from tag 11 or 12, 0 if absent */
	bool efi_boot_services;	    /* tag 18: boot services NOT terminated */

	bool has_load_base;
	uint32_t load_base; /* tag 21: physical load address of the image */
};

/*
 * Parse and validate a Multiboot2 information block.
 * @info:  start of the block; must be 8-byte aligned (spec 3.6.2).
 * @avail: how many bytes starting at @info are readable.
 * @out:   filled in; on failure out->why names the problem.
 * Returns 0, or -TANDEM_EINVAL when the block is malformed. Unknown tags are
 * skipped; too many memory map entries or modules set a warning bit.
 */
int mb2_parse(const void *info, size_t avail, struct mb2_info *out);

/* Sum of the lengths of all available (type 1) entries, saturating. */
uint64_t mb2_mmap_total_ram(const struct mb2_info *info);

/*
 * Builder: writes a boot information block into a caller buffer, never past
 * its capacity. Every mb2b_* call returns 0 or a negative errno; the first
 * error sticks and makes mb2b_finish() fail, so callers may check only the
 * result of mb2b_finish(). The buffer should be 8-byte aligned for a guest.
 */
struct mb2_builder {
	uint8_t *buf;
	size_t cap; /* usable bytes (clamped to 2 GiB - 1) */
	size_t len; /* bytes written so far, always a multiple of 8 */
	int err;    /* first error, 0 if none */
};

/* Start a block in @buf of @cap bytes (reserves the 8-byte fixed part). */
void mb2b_init(struct mb2_builder *b, void *buf, size_t cap);

/* Tag 1: command line @s[0..len) followed by a NUL. */
int mb2b_cmdline(struct mb2_builder *b, const char *s, size_t len);

/* Tag 2: boot loader name @s[0..len) followed by a NUL. */
int mb2b_loader_name(struct mb2_builder *b, const char *s, size_t len);

/* Tag 4: basic memory information in KiB. */
int mb2b_basic_meminfo(struct mb2_builder *b, uint32_t lower_kib,
		       uint32_t upper_kib);

/* Tag 6: memory map of @n entries (entry_size 24, entry_version 0). */
int mb2b_mmap(struct mb2_builder *b, const struct mb2_mmap_entry *entries,
	      size_t n);

/* Tag 3: module [@start, @end) with string @s[0..len); -TANDEM_EINVAL if
 * end < start. */
int mb2b_module(struct mb2_builder *b, uint32_t start, uint32_t end,
		const char *s, size_t len);

/* Tag 14 (@new_rsdp false) or 15 (true): a copy of @len RSDP bytes. */
int mb2b_rsdp(struct mb2_builder *b, bool new_rsdp, const void *bytes,
	      size_t len);

/* Tag 8: framebuffer; colour info is written for MB2_FB_RGB only. */
int mb2b_framebuffer(struct mb2_builder *b, const struct mb2_framebuffer *fb);

/* Any tag with an opaque payload (e.g. the HRT info tag). Type 0 is refused. */
int mb2b_raw_tag(struct mb2_builder *b, uint32_t type, const void *payload,
		 size_t len);

/*
 * Append the end tag and fill in total_size.
 * Returns the total size in bytes, or the first error: -TANDEM_E2BIG when the
 * buffer was too small, -TANDEM_EINVAL for a bad argument.
 */
int mb2b_finish(struct mb2_builder *b);

#endif
