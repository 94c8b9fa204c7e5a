/*
 * Multiboot2 boot information parser and builder (see mb2.h).
 *
 * Every field is read with memcpy from a checked offset, so a hostile or
 * corrupt block can make the parse fail but never read out of bounds.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/fail.h"
#include "lib/klib.h"
#include "lib/unaligned.h"
#include "fmt/mb2.h"
#include "tandem/errno.h"

/* Largest block the builder will produce; total_size must fit an int. */
#define MB2B_MAX_CAP 0x7ffffff8u

/* Tags that may appear at most once, with the message for a second one. */
static const char *const duplicate_reason[] = {
	[MB2_TAG_CMDLINE] = "duplicate command line tag",
	[MB2_TAG_LOADER_NAME] = "duplicate boot loader name tag",
	[MB2_TAG_BASIC_MEMINFO] = "duplicate basic meminfo tag",
	[MB2_TAG_MMAP] = "duplicate memory map tag",
	[MB2_TAG_FRAMEBUFFER] = "duplicate framebuffer tag",
	[MB2_TAG_EFI32] = "duplicate EFI32 system table tag",
	[MB2_TAG_EFI64] = "duplicate EFI64 system table tag",
	[MB2_TAG_ACPI_OLD] = "duplicate ACPI old RSDP tag",
	[MB2_TAG_ACPI_NEW] = "duplicate ACPI new RSDP tag",
	[MB2_TAG_LOAD_BASE_ADDR] = "duplicate load base address tag",
};

#define NDUP (sizeof(duplicate_reason) / sizeof(duplicate_reason[0]))

static void warn(struct mb2_info *out, uint32_t bit, const char *why)
{
	if (!out->warning)
		out->warning = why;
	out->warnings |= bit;
}

/* A string field: @p[0..n) must contain a NUL; returns its length or -1. */
static long string_len(const uint8_t *p, size_t n)
{
	size_t len = strnlen((const char *)p, n);
	return len < n ? (long)len : -1;
}

static int parse_module(struct mb2_info *out, const uint8_t *t, uint32_t size)
{
	struct mb2_module *m;
	long len;

	if (size < 17)
		return fail(&out->why, TANDEM_EINVAL, "module tag too short");
	if (rd32(t + 12) < rd32(t + 8))
		return fail(&out->why, TANDEM_EINVAL,
			    "module ends before it starts");
	len = string_len(t + 16, size - 16);
	if (len < 0)
		return fail(&out->why, TANDEM_EINVAL,
			    "module string not NUL-terminated");

	out->modules_listed++;
	if (out->nmodules == MB2_MAX_MODULES) {
		warn(out, MB2_WARN_MODULES_TRUNCATED,
		     "too many modules, extra ones ignored");
		return 0;
	}
	m = &out->modules[out->nmodules++];
	m->start = rd32(t + 8);
	m->end = rd32(t + 12);
	m->string = (const char *)(t + 16);
	m->string_len = (size_t)len;
	return 0;
}

/* Spec 3.6.8: entry_size is a multiple of 8 and may grow in later versions. */
static int parse_mmap(struct mb2_info *out, const uint8_t *t, uint32_t size)
{
	uint32_t esize, i, n;

	if (size < 16)
		return fail(&out->why, TANDEM_EINVAL, "memory map tag too short");
	esize = rd32(t + 8);
	if (esize < 24)
		return fail(&out->why, TANDEM_EINVAL,
			    "memory map entry_size below 24");
	if (esize % 8)
		return fail(&out->why, TANDEM_EINVAL,
			    "memory map entry_size not a multiple of 8");
	if ((size - 16) % esize)
		return fail(&out->why, TANDEM_EINVAL,
			    "memory map tag size not a multiple of entry_size");

	n = (size - 16) / esize;
	out->has_mmap = true;
	out->mmap_listed = n;
	if (n > MB2_MAX_MMAP) {
		warn(out, MB2_WARN_MMAP_TRUNCATED,
		     "memory map has too many entries, extra ones ignored");
		n = MB2_MAX_MMAP;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *e = t + 16 + (size_t)i * esize;
		out->mmap[i].base = rd64(e);
		out->mmap[i].length = rd64(e + 8);
		out->mmap[i].type = rd32(e + 16);
		out->mmap[i].reserved = 0;
	}
	out->mmap_count = n;
	return 0;
}

/*
 * Spec 3.6.12. The spec text shows a u8 "reserved" after framebuffer_type,
 * but its own multiboot2.h and GRUB use u16, putting colour info at 32.
 */
static int parse_framebuffer(struct mb2_info *out, const uint8_t *t, uint32_t size)
{
	struct mb2_framebuffer *fb = &out->fb;

	if (size < 32)
		return fail(&out->why, TANDEM_EINVAL,
			    "framebuffer tag too short");
	fb->addr = rd64(t + 8);
	fb->pitch = rd32(t + 16);
	fb->width = rd32(t + 20);
	fb->height = rd32(t + 24);
	fb->bpp = t[28];
	fb->type = t[29];
	if (fb->type == MB2_FB_RGB) {
		if (size < 38)
			return fail(&out->why, TANDEM_EINVAL,
				    "framebuffer tag lacks RGB colour info");
		fb->red_pos = t[32];
		fb->red_size = t[33];
		fb->green_pos = t[34];
		fb->green_size = t[35];
		fb->blue_pos = t[36];
		fb->blue_size = t[37];
	}
	out->has_framebuffer = true;
	return 0;
}

/* Handles one tag other than the end tag. */
static int parse_tag(struct mb2_info *out, const uint8_t *t, uint32_t type,
		     uint32_t size, const uint8_t **rsdp_old,
		     const uint8_t **rsdp_new)
{
	long len;

	switch (type) {
	case MB2_TAG_CMDLINE:
		len = string_len(t + 8, size - 8);
		if (len < 0)
			return fail(&out->why, TANDEM_EINVAL,
				    "command line not NUL-terminated");
		out->cmdline = (const char *)(t + 8);
		out->cmdline_len = (size_t)len;
		return 0;
	case MB2_TAG_LOADER_NAME:
		len = string_len(t + 8, size - 8);
		if (len < 0)
			return fail(&out->why, TANDEM_EINVAL,
				    "boot loader name not NUL-terminated");
		out->loader_name = (const char *)(t + 8);
		out->loader_name_len = (size_t)len;
		return 0;
	case MB2_TAG_MODULE:
		return parse_module(out, t, size);
	case MB2_TAG_BASIC_MEMINFO:
		if (size < 16)
			return fail(&out->why, TANDEM_EINVAL,
				    "basic meminfo tag too short");
		out->has_meminfo = true;
		out->mem_lower_kib = rd32(t + 8);
		out->mem_upper_kib = rd32(t + 12);
		return 0;
	case MB2_TAG_MMAP:
		return parse_mmap(out, t, size);
	case MB2_TAG_FRAMEBUFFER:
		return parse_framebuffer(out, t, size);
	case MB2_TAG_EFI32:
		if (size < 12)
			return fail(&out->why, TANDEM_EINVAL,
				    "EFI32 system table tag too short");
		out->firmware = MB2_FW_UEFI;
		if (!out->efi_system_table) /* the 64-bit pointer wins */
			out->efi_system_table = rd32(t + 8);
		return 0;
	case MB2_TAG_EFI64:
		if (size < 16)
			return fail(&out->why, TANDEM_EINVAL,
				    "EFI64 system table tag too short");
		out->firmware = MB2_FW_UEFI;
		out->efi_system_table = rd64(t + 8);
		return 0;
	case MB2_TAG_EFI_BS:
		out->efi_boot_services = true;
		/* fall through */
	case MB2_TAG_EFI_MMAP:
	case MB2_TAG_EFI32_IH:
	case MB2_TAG_EFI64_IH:
		out->firmware = MB2_FW_UEFI;
		return 0;
	case MB2_TAG_ACPI_OLD:
		/* Spec 3.6.16: a copy of the 20-byte ACPI 1.0 RSDP. */
		if (size < 8 + 20)
			return fail(&out->why, TANDEM_EINVAL,
				    "ACPI old RSDP tag too short");
		*rsdp_old = t;
		return 0;
	case MB2_TAG_ACPI_NEW:
		/* Spec 3.6.17: a copy of the (at least 36-byte) ACPI 2.0 RSDP. */
		if (size < 8 + 36)
			return fail(&out->why, TANDEM_EINVAL,
				    "ACPI new RSDP tag too short");
		*rsdp_new = t;
		return 0;
	case MB2_TAG_LOAD_BASE_ADDR:
		if (size < 12)
			return fail(&out->why, TANDEM_EINVAL,
				    "load base address tag too short");
		out->has_load_base = true;
		out->load_base = rd32(t + 8);
		return 0;
	default:
		return 0; /* unknown or unused tags are skipped */
	}
}

int mb2_parse(const void *info, size_t avail, struct mb2_info *out)
{
	const uint8_t *base = info;
	const uint8_t *rsdp_old = NULL, *rsdp_new = NULL;
	uint32_t total, seen = 0;
	size_t off;

	memset(out, 0, sizeof(*out));
	if (!info)
		return fail(&out->why, TANDEM_EINVAL,
			    "boot info pointer is NULL");
	if ((uintptr_t)info & 7)
		return fail(&out->why, TANDEM_EINVAL,
			    "boot info not 8-byte aligned");
	if (avail < 8)
		return fail(&out->why, TANDEM_EINVAL,
			    "boot info shorter than its 8-byte header");
	total = rd32(base);
	if (total < 16)
		return fail(&out->why, TANDEM_EINVAL,
			    "boot info total_size below 16");
	if (total > avail)
		return fail(&out->why, TANDEM_EINVAL,
			    "boot info total_size exceeds readable memory");

	/* Spec 3.6.2: tags start at 8 and each is padded to 8 bytes. */
	for (off = 8; off + 8 <= total;) {
		const uint8_t *t = base + off;
		uint32_t type = rd32(t), size = rd32(t + 4);
		int ret;

		if (size < 8)
			return fail(&out->why, TANDEM_EINVAL, "tag size below 8");
		if (size > total - off)
			return fail(&out->why, TANDEM_EINVAL,
				    "tag runs past total_size");
		if (type == MB2_TAG_END) {
			if (size != 8)
				return fail(&out->why, TANDEM_EINVAL,
					    "end tag size is not 8");
			break;
		}
		if (type < NDUP && duplicate_reason[type]) {
			if (seen & (1u << type))
				return fail(&out->why, TANDEM_EINVAL,
					    duplicate_reason[type]);
			seen |= 1u << type;
		}
		ret = parse_tag(out, t, type, size, &rsdp_old, &rsdp_new);
		if (ret)
			return ret;
		off += ((size_t)size + 7) & ~(size_t)7;
	}
	if (off + 8 > total)
		return fail(&out->why, TANDEM_EINVAL, "missing end tag");

	/* Prefer the ACPI 2.0 copy: it carries the XSDT address. */
	if (rsdp_new) {
		out->rsdp = rsdp_new + 8;
		out->rsdp_len = rd32(rsdp_new + 4) - 8;
		out->rsdp_is_new = true;
	} else if (rsdp_old) {
		out->rsdp = rsdp_old + 8;
		out->rsdp_len = rd32(rsdp_old + 4) - 8;
	}
	return 0;
}

uint64_t mb2_mmap_total_ram(const struct mb2_info *info)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < info->mmap_count; i++) {
		const struct mb2_mmap_entry *e = &info->mmap[i];
		if (e->type != MB2_MMAP_AVAILABLE)
			continue;
		if (e->length > UINT64_MAX - sum)
			return UINT64_MAX;
		sum += e->length;
	}
	return sum;
}

/* ---- builder ---- */

void mb2b_init(struct mb2_builder *b, void *buf, size_t cap)
{
	b->buf = buf;
	b->cap = cap > MB2B_MAX_CAP ? MB2B_MAX_CAP : cap;
	b->len = 0;
	b->err = 0;
	if (!buf)
		b->err = -TANDEM_EINVAL;
	else if (b->cap < 8)
		b->err = -TANDEM_E2BIG;
	else {
		memset(b->buf, 0, 8); /* total_size is filled in by mb2b_finish */
		b->len = 8;
	}
}

static int set_err(struct mb2_builder *b, int err)
{
	if (!b->err)
		b->err = err;
	return b->err;
}

/*
 * Appends a tag header for @payload bytes and zeroes the padding; returns
 * where the payload goes, or NULL (with b->err set) if it does not fit.
 */
static uint8_t *tag_open(struct mb2_builder *b, uint32_t type, size_t payload)
{
	size_t size, padded;
	uint8_t *t;

	if (b->err)
		return NULL;
	if (payload > b->cap) {
		set_err(b, -TANDEM_E2BIG);
		return NULL;
	}
	size = 8 + payload;
	padded = (size + 7) & ~(size_t)7;
	if (padded > b->cap - b->len) {
		set_err(b, -TANDEM_E2BIG);
		return NULL;
	}
	t = b->buf + b->len;
	wr32(t, type);
	wr32(t + 4, (uint32_t)size);
	memset(t + size, 0, padded - size);
	b->len += padded;
	return t + 8;
}

/* A tag holding just a NUL-terminated copy of @s[0..len). */
static int string_tag(struct mb2_builder *b, uint32_t type, const char *s,
		      size_t len)
{
	uint8_t *p;

	if ((!s && len) || (s && strnlen(s, len) != len))
		return set_err(b, -TANDEM_EINVAL); /* a NUL inside would cut it short */
	if (len >= b->cap)
		return set_err(b, -TANDEM_E2BIG);
	p = tag_open(b, type, len + 1);
	if (!p)
		return b->err;
	if (len)
		memcpy(p, s, len);
	p[len] = 0;
	return 0;
}

int mb2b_cmdline(struct mb2_builder *b, const char *s, size_t len)
{
	return string_tag(b, MB2_TAG_CMDLINE, s, len);
}

int mb2b_loader_name(struct mb2_builder *b, const char *s, size_t len)
{
	return string_tag(b, MB2_TAG_LOADER_NAME, s, len);
}

int mb2b_basic_meminfo(struct mb2_builder *b, uint32_t lower_kib,
		       uint32_t upper_kib)
{
	uint8_t *p = tag_open(b, MB2_TAG_BASIC_MEMINFO, 8);

	if (!p)
		return b->err;
	wr32(p, lower_kib);
	wr32(p + 4, upper_kib);
	return 0;
}

int mb2b_mmap(struct mb2_builder *b, const struct mb2_mmap_entry *entries,
	      size_t n)
{
	const size_t esize = sizeof(struct mb2_mmap_entry);
	uint8_t *p;
	size_t i;

	if (n && !entries)
		return set_err(b, -TANDEM_EINVAL);
	if (n > b->cap / esize)
		return set_err(b, -TANDEM_E2BIG);
	p = tag_open(b, MB2_TAG_MMAP, 8 + n * esize);
	if (!p)
		return b->err;
	wr32(p, (uint32_t)esize);
	wr32(p + 4, 0); /* entry_version */
	for (i = 0; i < n; i++) {
		uint8_t *e = p + 8 + i * esize;
		wr64(e, entries[i].base);
		wr64(e + 8, entries[i].length);
		wr32(e + 16, entries[i].type);
		wr32(e + 20, 0);
	}
	return 0;
}

int mb2b_module(struct mb2_builder *b, uint32_t start, uint32_t end,
		const char *s, size_t len)
{
	uint8_t *p;

	if (end < start || (!s && len) || (s && strnlen(s, len) != len))
		return set_err(b, -TANDEM_EINVAL);
	if (len >= b->cap)
		return set_err(b, -TANDEM_E2BIG);
	p = tag_open(b, MB2_TAG_MODULE, 8 + len + 1);
	if (!p)
		return b->err;
	wr32(p, start);
	wr32(p + 4, end);
	if (len)
		memcpy(p + 8, s, len);
	p[8 + len] = 0;
	return 0;
}

int mb2b_rsdp(struct mb2_builder *b, bool new_rsdp, const void *bytes, size_t len)
{
	uint8_t *p;

	if (!bytes || len < (new_rsdp ? 36u : 20u))
		return set_err(b, -TANDEM_EINVAL);
	p = tag_open(b, new_rsdp ? MB2_TAG_ACPI_NEW : MB2_TAG_ACPI_OLD, len);
	if (!p)
		return b->err;
	memcpy(p, bytes, len);
	return 0;
}

int mb2b_framebuffer(struct mb2_builder *b, const struct mb2_framebuffer *fb)
{
	bool rgb;
	uint8_t *p;

	if (!fb)
		return set_err(b, -TANDEM_EINVAL);
	rgb = fb->type == MB2_FB_RGB;
	p = tag_open(b, MB2_TAG_FRAMEBUFFER, rgb ? 30 : 24);
	if (!p)
		return b->err;
	wr64(p, fb->addr);
	wr32(p + 8, fb->pitch);
	wr32(p + 12, fb->width);
	wr32(p + 16, fb->height);
	p[20] = fb->bpp;
	p[21] = fb->type;
	p[22] = p[23] = 0; /* u16 reserved */
	if (rgb) {
		p[24] = fb->red_pos;
		p[25] = fb->red_size;
		p[26] = fb->green_pos;
		p[27] = fb->green_size;
		p[28] = fb->blue_pos;
		p[29] = fb->blue_size;
	}
	return 0;
}

int mb2b_raw_tag(struct mb2_builder *b, uint32_t type, const void *payload,
		 size_t len)
{
	uint8_t *p;

	if (type == MB2_TAG_END || (len && !payload))
		return set_err(b, -TANDEM_EINVAL);
	p = tag_open(b, type, len);
	if (!p)
		return b->err;
	if (len)
		memcpy(p, payload, len);
	return 0;
}

int mb2b_finish(struct mb2_builder *b)
{
	if (!tag_open(b, MB2_TAG_END, 0))
		return b->err;
	wr32(b->buf, (uint32_t)b->len);
	wr32(b->buf + 4, 0);
	return (int)b->len;
}
