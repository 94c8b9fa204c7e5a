/*
 * Multiboot2 kernel image parser (see mb2_image.h): header search, header
 * tags, and the load plan from the address tag, or from the ELF program
 * headers through the ELF loader (elf.c).
 *
 * The rules are the Multiboot2 specification's (section 3.1) as GRUB 2
 * applies them in its loader. Where GRUB reads garbage or overflows on a
 * malformed image, this parser refuses the image instead; where GRUB is
 * stricter than it needs to be, the comments say what is accepted.
 *
 * Every field is read with memcpy from an offset checked against the image
 * size first; all sums of untrusted values are checked for wrap-around.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt/elf.h"
#include "lib/fail.h"
#include "lib/klib.h"
#include "lib/unaligned.h"
#include "fmt/mb2_image.h"
#include "tandem/errno.h"

/* GRUB refuses files shorter than this before looking for a header. */
#define MIN_IMAGE_SIZE	32
#define HEADER_SIZE	16 /* magic, architecture, header_length, checksum */
#define TAG_HEADER_SIZE 8  /* type, flags, size (spec 3.1.3) */
#define FOUR_GIB	(UINT64_C(1) << 32)

_Static_assert(MB2_IMAGE_MAX_SEGMENTS == ELF_MAX_SEGMENTS &&
		       MB2_IMAGE_MAX_PHNUM == ELF_MAX_PHNUM &&
		       MB2_HEADER_SEARCH == ELF_PHDR_WINDOW,
	       "the Multiboot2 image limits are the ELF loader's");

/* Writes @v into @out at @n (decimal, or 0x-prefixed hex); returns new @n. */
static size_t put_number(char *out, size_t cap, size_t n, uint64_t v, bool hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned base = hex ? 16 : 10;
	char tmp[20];
	size_t len = 0;

	if (hex) {
		if (n + 1 < cap)
			out[n++] = '0';
		if (n + 1 < cap)
			out[n++] = 'x';
	}
	do {
		tmp[len++] = digits[v % base];
		v /= base;
	} while (v);
	while (len && n + 1 < cap)
		out[n++] = tmp[--len];
	return n;
}

/* The console line: @tmpl with "%u" or "%x" replaced by @arg. */
static void format_message(char *out, size_t cap, const char *tmpl, uint64_t arg)
{
	size_t n = 0;

	for (; *tmpl && n + 1 < cap; tmpl++) {
		if (tmpl[0] == '%' && (tmpl[1] == 'u' || tmpl[1] == 'x')) {
			n = put_number(out, cap, n, arg, tmpl[1] == 'x');
			tmpl++;
			continue;
		}
		out[n++] = *tmpl;
	}
	out[n] = '\0';
}

/* Refuses the image: the reason, its number and the line to print. */
static int fail_plan(struct mb2_plan *plan, int err, const char *why, uint64_t arg)
{
	format_message(plan->message, sizeof(plan->message), why, arg);
	return fail_arg(&plan->why, &plan->why_arg, err, why, arg);
}

static void warn(struct mb2_plan *plan, uint32_t bit, const char *why)
{
	if (!plan->warning)
		plan->warning = why;
	plan->warnings |= bit;
}

/*
 * Spec 3.1.1/3.1.2: the header is 8-byte aligned and lies entirely within
 * the first 32768 bytes. Like GRUB, take the first candidate whose magic,
 * architecture and checksum are all right; if none is, report what was
 * wrong with the first one that had the magic.
 */
static int find_header(const uint8_t *img, size_t size, struct mb2_plan *plan)
{
	size_t window = size < MB2_HEADER_SEARCH ? size : MB2_HEADER_SEARCH;
	const char *why = NULL;
	uint64_t why_arg = 0;
	int why_err = 0;
	size_t off;

	for (off = 0; off + HEADER_SIZE <= window; off += MB2_HEADER_ALIGN) {
		uint32_t magic = rd32(img + off);
		uint32_t arch = rd32(img + off + 4);
		uint32_t len = rd32(img + off + 8);
		uint32_t sum = rd32(img + off + 12);
		const char *bad = NULL;
		uint64_t bad_arg = 0;
		int bad_err = TANDEM_EINVAL;

		if (magic != MB2_HEADER_MAGIC)
			continue;
		if ((uint32_t)(magic + arch + len + sum) != 0) {
			bad = "Multiboot2 header checksum wrong";
		} else if (arch == MB2_ARCH_MIPS32) {
			bad = "Multiboot2 header is for MIPS (architecture 4), not i386";
			bad_err = TANDEM_ENOSYS;
		} else if (arch != MB2_ARCH_I386) {
			bad = "Multiboot2 header architecture %u not supported";
			bad_arg = arch;
			bad_err = TANDEM_ENOSYS;
		} else if (len < HEADER_SIZE) {
			bad = "Multiboot2 header_length %u is below 16";
			bad_arg = len;
		} else if (len > window - off) {
			bad = size < MB2_HEADER_SEARCH ?
				      "Multiboot2 header runs past the end of the file" :
				      "Multiboot2 header runs past the first 32 KiB";
		} else {
			plan->header_offset = (uint32_t)off;
			plan->header_length = len;
			return 0;
		}
		if (!why) {
			why = bad;
			why_arg = bad_arg;
			why_err = bad_err;
		}
	}
	if (why)
		return fail_plan(plan, why_err, why, why_arg);
	return fail_plan(plan, TANDEM_ENOENT,
			 "no Multiboot2 header in the first 32 KiB", 0);
}

/* Smallest size of each known tag type, with its section of the spec. */
static const uint8_t tag_min_size[] = {
	[MB2_HTAG_INFO_REQUEST] = 8,   /* 3.1.4 */
	[MB2_HTAG_ADDRESS] = 24,       /* 3.1.5 */
	[MB2_HTAG_ENTRY] = 12,	       /* 3.1.6 */
	[MB2_HTAG_CONSOLE_FLAGS] = 12, /* 3.1.9 */
	[MB2_HTAG_FRAMEBUFFER] = 20,   /* 3.1.10 */
	[MB2_HTAG_MODULE_ALIGN] = 8,   /* 3.1.11 */
	[MB2_HTAG_EFI_BS] = 8,	       /* 3.1.12 */
	[MB2_HTAG_ENTRY_EFI32] = 12,   /* 3.1.7 */
	[MB2_HTAG_ENTRY_EFI64] = 12,   /* 3.1.8 */
	[MB2_HTAG_RELOCATABLE] = 24,   /* 3.1.13 */
};

static const char *const tag_too_short[] = {
	[MB2_HTAG_INFO_REQUEST] = "information request tag too short",
	[MB2_HTAG_ADDRESS] = "address tag too short (size %u, needs 24)",
	[MB2_HTAG_ENTRY] = "entry address tag too short (size %u, needs 12)",
	[MB2_HTAG_CONSOLE_FLAGS] = "console flags tag too short (size %u, needs 12)",
	[MB2_HTAG_FRAMEBUFFER] = "framebuffer tag too short (size %u, needs 20)",
	[MB2_HTAG_MODULE_ALIGN] = "module alignment tag too short",
	[MB2_HTAG_EFI_BS] = "EFI boot services tag too short",
	[MB2_HTAG_ENTRY_EFI32] = "EFI i386 entry tag too short (size %u, needs 12)",
	[MB2_HTAG_ENTRY_EFI64] = "EFI amd64 entry tag too short (size %u, needs 12)",
	[MB2_HTAG_RELOCATABLE] = "relocatable tag too short (size %u, needs 24)",
};

#define NKNOWN_TAGS (sizeof(tag_min_size) / sizeof(tag_min_size[0]))

/* Spec 3.1.4: the types listed; a required one must be supported. */
static int info_request(const struct mb2_header_tag *t, uint64_t supported,
			bool first, struct mb2_plan *plan)
{
	bool optional = t->flags & MB2_HTAG_OPTIONAL;
	uint32_t i, n = t->payload_len / 4;

	plan->info_optional = first ? optional : plan->info_optional && optional;
	for (i = 0; i < n; i++) {
		uint32_t type = rd32(t->payload + 4 * i);

		if (plan->ninfo < MB2_IMAGE_MAX_INFO)
			plan->info[plan->ninfo++] = type;
		else
			warn(plan, MB2_IMAGE_WARN_INFO_TRUNCATED,
			     "more than 32 information requests; the rest not kept");
		plan->info_listed++;
		/* GRUB checks required requests only (optional = hints). */
		if (!optional &&
		    (type >= 64 || !(supported & (UINT64_C(1) << type))))
			return fail_plan(plan, TANDEM_ENOSYS,
					 "required information request tag %u not supported",
					 type);
	}
	return 0;
}

/* Act on one known tag whose size was checked against tag_min_size. */
static int known_tag(const struct mb2_header_tag *t,
		     const struct mb2_image_opts *opts, struct mb2_plan *plan)
{
	const uint8_t *p = t->payload;
	bool first = !mb2_plan_has(plan, t->type);

	plan->tags_present |= 1u << t->type;
	switch (t->type) {
	case MB2_HTAG_INFO_REQUEST:
		return info_request(t, opts->info_supported, first, plan);
	case MB2_HTAG_ADDRESS:
		plan->header_addr = rd32(p);
		plan->load_addr = rd32(p + 4);
		plan->load_end_addr = rd32(p + 8);
		plan->bss_end_addr = rd32(p + 12);
		break;
	case MB2_HTAG_ENTRY:
		plan->entry_addr = rd32(p);
		break;
	case MB2_HTAG_ENTRY_EFI32:
		plan->efi32_entry_addr = rd32(p);
		break;
	case MB2_HTAG_ENTRY_EFI64:
		plan->efi64_entry_addr = rd32(p);
		break;
	case MB2_HTAG_CONSOLE_FLAGS:
		plan->console_flags = rd32(p);
		break;
	case MB2_HTAG_FRAMEBUFFER:
		plan->fb_width = rd32(p);
		plan->fb_height = rd32(p + 4);
		plan->fb_depth = rd32(p + 8);
		break;
	case MB2_HTAG_RELOCATABLE:
		plan->reloc_min_addr = rd32(p);
		plan->reloc_max_addr = rd32(p + 4);
		plan->reloc_align = rd32(p + 8);
		plan->reloc_preference = rd32(p + 12);
		break;
	default: /* module alignment, EFI boot services: no fields */
		break;
	}
	return 0;
}

/*
 * Spec 3.1.3: tags follow the 16-byte header, each 8-byte aligned, and end
 * with a tag of type 0. GRUB stops at the first type 0 whatever its size;
 * so does this walk, but every tag must also lie within header_length.
 */
static int walk_tags(const uint8_t *img, const struct mb2_image_opts *opts,
		     struct mb2_plan *plan)
{
	uint32_t pos = plan->header_offset + HEADER_SIZE;
	uint32_t end = plan->header_offset + plan->header_length;

	for (;;) {
		struct mb2_header_tag t;
		uint32_t advance;
		int ret;

		if (end - pos < TAG_HEADER_SIZE)
			return fail_plan(plan, TANDEM_EINVAL,
					 "Multiboot2 header has no end tag", 0);
		t.type = rd16(img + pos);
		t.flags = rd16(img + pos + 2);
		t.size = rd32(img + pos + 4);
		if (t.type == MB2_HTAG_END)
			return 0;
		if (t.size < TAG_HEADER_SIZE)
			return fail_plan(plan, TANDEM_EINVAL,
					 "header tag %u is shorter than 8 bytes",
					 t.type);
		if (t.size > end - pos)
			return fail_plan(plan, TANDEM_EINVAL,
					 "header tag %u runs past header_length",
					 t.type);
		t.offset = pos;
		t.payload = img + pos + TAG_HEADER_SIZE;
		t.payload_len = t.size - TAG_HEADER_SIZE;

		ret = 0;
		if (opts->tag_fn) {
			const char *why = NULL;

			ret = opts->tag_fn(opts->tag_ctx, &t, &why);
			if (ret < 0)
				return fail_plan(plan,
						 ret >= -4095 ? -ret :
								TANDEM_EINVAL,
						 why ? why :
						       "header tag %u refused by the loader",
						 t.type);
		}
		if (t.type < NKNOWN_TAGS) {
			if (t.size < tag_min_size[t.type])
				return fail_plan(plan, TANDEM_EINVAL,
						 tag_too_short[t.type], t.size);
			ret = known_tag(&t, opts, plan);
			if (ret < 0)
				return ret;
		} else if (ret > 0) {
			plan->unknown_claimed++;
		} else if (t.flags & MB2_HTAG_OPTIONAL) {
			plan->unknown_skipped++;
		} else {
			return fail_plan(plan, TANDEM_ENOSYS,
					 "unsupported header tag %x (not marked optional)",
					 t.type);
		}

		/* size <= header_length <= 32 KiB: no wrap in the rounding. */
		advance = ALIGN_UP(t.size, MB2_HEADER_ALIGN);
		if (advance >= end - pos)
			return fail_plan(plan, TANDEM_EINVAL,
					 "Multiboot2 header has no end tag", 0);
		pos += advance;
	}
}

static void add_segment(struct mb2_plan *plan, uint64_t dest, uint64_t offset,
			uint64_t file_size, uint64_t mem_size)
{
	struct mb2_segment *s = &plan->segments[plan->nsegments++];

	s->dest = dest;
	s->offset = file_size ? offset : 0;
	s->file_size = file_size;
	s->mem_size = mem_size;
	if (plan->nsegments == 1 || dest < plan->lowest)
		plan->lowest = dest;
	if (plan->nsegments == 1 || dest + mem_size > plan->highest)
		plan->highest = dest + mem_size;
}

/*
 * Spec 3.1.5, the address tag ("a.out kludge"), with the arithmetic of
 * GRUB 2's grub_multiboot2_load(), which Palacios's loader shares:
 *
 * - load = load_addr, or header_addr - header offset when load_addr is
 *   0xffffffff ("from the start of the file", a GRUB extension);
 * - file offset = header offset - (header_addr - load), in wrapping 32-bit
 *   arithmetic read as a signed int: address A comes from file offset
 *   header offset + (A - header_addr), whichever side of the header A
 *   lies. Nautilus's HVM_HRT build has load_addr = header_addr + 0x78: the
 *   load starts just after its header, which is not loaded;
 * - bytes loaded = the rest of the file when load_end_addr is 0, else
 *   load_end_addr - load_addr of the tag (32-bit; GRUB subtracts the tag's
 *   field even when it is 0xffffffff, so it loads load_end_addr + 1 bytes);
 * - memory = bss_end_addr - load when bss_end_addr is not 0 (zeros after
 *   the file bytes), else the bytes loaded.
 *
 * GRUB refuses an offset past the end of the file or negative (its seek
 * fails) and a size that does not fit below 4 GiB (its relocator fails).
 * Where its arithmetic goes wrong instead (a negative size, a bss end
 * below the loaded bytes: GRUB then reads or clears past its chunk), the
 * image is refused as well. GRUB reads what the file has when the tag asks
 * for more; the rest is zeroed here (MB2_IMAGE_WARN_SHORT_FILE).
 */
static int plan_flat(size_t size, struct mb2_plan *plan)
{
	uint32_t hdr_off = plan->header_offset; /* < 32 KiB */
	uint32_t load = plan->load_addr;
	uint32_t off32, size32;
	uint64_t offset, load_size, mem_size, file_size;

	if (plan->load_addr == UINT32_MAX) {
		if (plan->header_addr < hdr_off)
			return fail_plan(plan, TANDEM_EINVAL,
					 "address tag: header_addr %x is below the header's file offset",
					 plan->header_addr);
		load = plan->header_addr - hdr_off;
	}
	off32 = hdr_off - (plan->header_addr - load);
	if (off32 > INT32_MAX)
		return fail_plan(plan, TANDEM_EINVAL,
				 "address tag: load_addr %x lies before the start of the file",
				 load);
	if (off32 > size)
		return fail_plan(plan, TANDEM_EINVAL,
				 "address tag: load_addr %x lies past the end of the file",
				 load);
	offset = off32;

	if (plan->load_end_addr == 0) {
		load_size = size - offset;
		if (load_size > INT32_MAX)
			return fail_plan(plan, TANDEM_EINVAL,
					 "address tag: more than 2 GiB to load",
					 0);
	} else {
		size32 = plan->load_end_addr - plan->load_addr;
		if (size32 > INT32_MAX)
			return fail_plan(plan, TANDEM_EINVAL,
					 "address tag: load_end_addr %x is below load_addr (or 2 GiB past it)",
					 plan->load_end_addr);
		load_size = size32;
	}

	mem_size = load_size;
	if (plan->bss_end_addr) {
		if (plan->bss_end_addr < load ||
		    plan->bss_end_addr - load < load_size)
			return fail_plan(plan, TANDEM_EINVAL,
					 "address tag: bss_end_addr %x is below the end of the loaded data",
					 plan->bss_end_addr);
		mem_size = plan->bss_end_addr - load;
	}
	/* GRUB would start a kernel of which it loaded nothing. */
	if (mem_size == 0)
		return fail_plan(plan, TANDEM_EINVAL,
				 "address tag: nothing to load", 0);
	if (load + mem_size > FOUR_GIB)
		return fail_plan(plan, TANDEM_EINVAL,
				 "address tag: image would end above 4 GiB", 0);

	/* GRUB reads what there is and leaves the rest as it was: zero it. */
	file_size = load_size;
	if (file_size > size - offset) {
		warn(plan, MB2_IMAGE_WARN_SHORT_FILE,
		     "address tag: load_end_addr lies past the end of the file");
		file_size = size - offset;
	}
	plan->format = MB2_FORMAT_FLAT;
	add_segment(plan, load, offset, file_size, mem_size);
	return 0;
}

/*
 * An ELF image: the plan of elf_plan() (elf.h), GRUB's rules, in the
 * plan's own terms. The entry tag overrides e_entry; a relocatable image
 * is copied as one block, so its segments may overlap.
 */
static int plan_elf(const uint8_t *img, size_t size, uint32_t flags,
		    struct mb2_plan *plan)
{
	struct elf_file f;
	struct elf_load load;
	uint32_t eflags = 0;
	size_t i;
	int ret;

	if (!elf_is_elf(img, size))
		return fail_plan(plan, TANDEM_EINVAL,
				 "no address tag and not an ELF file", 0);
	ret = elf_read(img, size, &f);
	if (ret < 0)
		return fail_plan(plan, -ret, f.why, f.why_arg);
	plan->elf_class = f.class;
	plan->elf_type = f.type;
	plan->elf_entry = f.entry;

	if (flags & MB2_IMAGE_ALLOW_HIGH)
		eflags |= ELF_PLAN_HIGH;
	if (mb2_plan_has(plan, MB2_HTAG_RELOCATABLE))
		eflags |= ELF_PLAN_OVERLAP;
	if (mb2_plan_has(plan, MB2_HTAG_ENTRY))
		eflags |= ELF_PLAN_NO_ENTRY;
	ret = elf_plan(&f, eflags, &load);
	if (ret < 0)
		return fail_plan(plan, -ret, load.why, load.why_arg);

	for (i = 0; i < load.nsegments; i++)
		add_segment(plan, load.segments[i].dest,
			    load.segments[i].offset, load.segments[i].file_size,
			    load.segments[i].mem_size);
	if (load.has_entry) {
		plan->entry = load.entry;
		plan->entry_source = MB2_ENTRY_ELF;
	}
	if (load.warnings & ELF_WARN_NO_SECTIONS)
		warn(plan, MB2_IMAGE_WARN_NO_SECTIONS, load.warning);
	plan->elf_shoff = load.shoff;
	plan->elf_shnum = load.shnum;
	plan->elf_shentsize = load.shentsize;
	plan->elf_shstrndx = load.shstrndx;
	plan->format = f.class == ELFCLASS64 ? MB2_FORMAT_ELF64 :
					       MB2_FORMAT_ELF32;
	return 0;
}

int mb2_image_parse(const void *image, size_t size,
		    const struct mb2_image_opts *opts, struct mb2_plan *plan)
{
	static const struct mb2_image_opts defaults = {
		.info_supported = MB2_IMAGE_INFO_GRUB,
	};
	const uint8_t *img = image;
	int ret;

	memset(plan, 0, sizeof(*plan));
	if (!opts)
		opts = &defaults;
	if (!image || size < MIN_IMAGE_SIZE)
		return fail_plan(plan, TANDEM_EINVAL,
				 "kernel image is shorter than 32 bytes", 0);

	ret = find_header(img, size, plan);
	if (ret == 0)
		ret = walk_tags(img, opts, plan);
	if (ret == 0 && mb2_plan_has(plan, MB2_HTAG_ADDRESS)) {
		/* GRUB would take an EFI entry tag with boot services kept;
		 * guests of Tandem never run with EFI boot services. */
		if (!mb2_plan_has(plan, MB2_HTAG_ENTRY))
			ret = fail_plan(plan, TANDEM_EINVAL,
					"address tag without entry address tag",
					0);
		else
			ret = plan_flat(size, plan);
	} else if (ret == 0) {
		ret = plan_elf(img, size, opts->flags, plan);
	}
	if (ret < 0) {
		plan->format = MB2_FORMAT_NONE;
		plan->nsegments = 0;
		plan->lowest = plan->highest = 0;
		plan->entry = 0;
		plan->entry_source = MB2_ENTRY_NONE;
		return ret;
	}
	if (mb2_plan_has(plan, MB2_HTAG_ENTRY)) {
		plan->entry = plan->entry_addr;
		plan->entry_source = MB2_ENTRY_TAG;
	}
	return 0;
}

int mb2_plan_relocate(struct mb2_plan *plan, uint64_t new_base)
{
	uint64_t span, delta;
	size_t i;

	if (plan->format == MB2_FORMAT_NONE || plan->nsegments == 0)
		return fail_plan(plan, TANDEM_EINVAL,
				 "no load plan to relocate", 0);
	if (new_base == plan->lowest)
		return 0;
	if (!mb2_plan_has(plan, MB2_HTAG_RELOCATABLE))
		return fail_plan(plan, TANDEM_EPERM,
				 "kernel image is not relocatable", 0);

	span = plan->highest - plan->lowest;
	if (plan->reloc_align && new_base % plan->reloc_align)
		return fail_plan(plan, TANDEM_ERANGE,
				 "load base %x is not aligned as the relocatable tag asks",
				 new_base);
	if (new_base < plan->reloc_min_addr)
		return fail_plan(plan, TANDEM_ERANGE,
				 "load base %x is below the relocatable tag's min_addr",
				 new_base);
	if (new_base > UINT64_MAX - span || new_base + span > plan->reloc_max_addr)
		return fail_plan(plan, TANDEM_ERANGE,
				 "image at load base %x would end above the relocatable tag's max_addr",
				 new_base);

	/* Modular arithmetic: the same as adding a negative shift. */
	delta = new_base - plan->lowest;
	for (i = 0; i < plan->nsegments; i++)
		plan->segments[i].dest += delta;
	plan->entry += delta;
	plan->lowest = new_base;
	plan->highest = new_base + span;
	return 0;
}
