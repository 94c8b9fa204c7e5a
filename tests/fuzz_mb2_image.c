/*
 * Fuzz harness for the Multiboot2 kernel image parser (kernel/fmt/mb2_image.c).
 * Whatever it accepts must be a plan Tandem can carry out safely: every
 * segment's file range inside the input, no address wrap, bounds that
 * cover every segment, tags handed to the caller inside the header; and
 * relocation must keep all of that true.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/elf.h"
#include "fuzz.h"
#include "fmt/mb2_image.h"
#include "tandem/errno.h"

struct input {
	const uint8_t *data;
	size_t size;
	unsigned tags;
};

/* The HRT caller's hook: checks what it is given, claims 0xf00d. */
static int hook(void *ctx, const struct mb2_header_tag *t, const char **why)
{
	struct input *in = ctx;
	size_t off = (size_t)(t->payload - in->data);

	FUZZ_CHECK(t->payload >= in->data && off <= in->size &&
		   t->payload_len <= in->size - off);
	FUZZ_CHECK(t->size >= 8 && t->payload_len == t->size - 8);
	FUZZ_CHECK(t->offset % MB2_HEADER_ALIGN == 0 && off == t->offset + 8u);
	FUZZ_CHECK(t->type != MB2_HTAG_END);
	in->tags++;
	if (t->type == 0xf00d)
		return MB2_TAG_CLAIMED;
	if (t->type == 0xbad) {
		*why = "hook refused tag %x";
		return -TANDEM_EPERM;
	}
	return 0;
}

static void check_failure(int ret, const struct mb2_plan *p)
{
	FUZZ_CHECK(ret == -TANDEM_EINVAL || ret == -TANDEM_ENOENT ||
		   ret == -TANDEM_ENOSYS || ret == -TANDEM_E2BIG ||
		   ret == -TANDEM_EPERM);
	FUZZ_CHECK(p->why && p->why[0]);
	FUZZ_CHECK(p->message[0] && memchr(p->message, 0, sizeof(p->message)));
	FUZZ_CHECK(p->format == MB2_FORMAT_NONE && p->nsegments == 0);
}

static void check_segments(const struct mb2_plan *p, size_t size, bool high_ok)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t i, j;

	FUZZ_CHECK(p->nsegments >= 1 && p->nsegments <= MB2_IMAGE_MAX_SEGMENTS);
	for (i = 0; i < p->nsegments; i++) {
		const struct mb2_segment *s = &p->segments[i];

		FUZZ_CHECK(s->mem_size > 0 && s->file_size <= s->mem_size);
		FUZZ_CHECK(s->offset <= size && s->file_size <= size - s->offset);
		FUZZ_CHECK(s->dest <= UINT64_MAX - s->mem_size);
		FUZZ_CHECK(s->dest >= p->lowest &&
			   s->dest + s->mem_size <= p->highest);
		if (!high_ok)
			FUZZ_CHECK(s->dest + s->mem_size <= (UINT64_C(1) << 32));
		if (s->dest < lo)
			lo = s->dest;
		if (s->dest + s->mem_size > hi)
			hi = s->dest + s->mem_size;
		if (mb2_plan_has(p, MB2_HTAG_RELOCATABLE))
			continue;
		for (j = 0; j < i; j++)
			FUZZ_CHECK(s->dest >= p->segments[j].dest +
						      p->segments[j].mem_size ||
				   p->segments[j].dest >= s->dest + s->mem_size);
	}
	FUZZ_CHECK(lo == p->lowest && hi == p->highest);
}

/*
 * The address tag's plan is GRUB's: the header's bytes sit at header_addr
 * (file and memory map linearly, mod 2^32), the load starts at load_addr
 * (0xffffffff: at the file start), and memory ends at bss_end_addr.
 */
static void check_flat(const struct mb2_plan *p)
{
	const struct mb2_segment *s = &p->segments[0];
	uint32_t load = p->load_addr == UINT32_MAX ?
				p->header_addr - p->header_offset :
				p->load_addr;

	FUZZ_CHECK(s->dest == load);
	if (p->load_addr == UINT32_MAX)
		FUZZ_CHECK(s->offset == 0);
	if (s->file_size)
		FUZZ_CHECK((uint32_t)(s->dest - s->offset) ==
			   (uint32_t)(p->header_addr - p->header_offset));
	if (p->bss_end_addr)
		FUZZ_CHECK(s->dest + s->mem_size == p->bss_end_addr);
	else if (p->load_end_addr)
		FUZZ_CHECK(s->mem_size ==
			   (uint32_t)(p->load_end_addr - p->load_addr));
	if (s->file_size < s->mem_size && !p->bss_end_addr)
		FUZZ_CHECK(p->warnings & MB2_IMAGE_WARN_SHORT_FILE);
}

static void check_plan(const struct mb2_plan *p, size_t size, bool high_ok)
{
	size_t window = size < MB2_HEADER_SEARCH ? size : MB2_HEADER_SEARCH;

	FUZZ_CHECK(!p->why && p->message[0] == 0);
	FUZZ_CHECK(p->header_offset % MB2_HEADER_ALIGN == 0);
	FUZZ_CHECK(p->header_length >= 16 &&
		   p->header_offset + (size_t)p->header_length <= window);
	FUZZ_CHECK(p->format != MB2_FORMAT_NONE);
	FUZZ_CHECK(p->entry_source != MB2_ENTRY_NONE);
	FUZZ_CHECK(p->ninfo <= MB2_IMAGE_MAX_INFO && p->ninfo <= p->info_listed);
	FUZZ_CHECK(!!(p->warnings & MB2_IMAGE_WARN_INFO_TRUNCATED) ==
		   (p->info_listed > MB2_IMAGE_MAX_INFO));
	FUZZ_CHECK(!p->warnings == !p->warning);
	if (p->format == MB2_FORMAT_FLAT) {
		FUZZ_CHECK(p->nsegments == 1 && p->entry_source == MB2_ENTRY_TAG);
		FUZZ_CHECK(mb2_plan_has(p, MB2_HTAG_ADDRESS));
		check_flat(p);
	} else {
		FUZZ_CHECK(p->elf_class == (p->format == MB2_FORMAT_ELF64 ?
						    ELFCLASS64 :
						    ELFCLASS32));
	}
	if (p->format != MB2_FORMAT_ELF64)
		high_ok = false;
	if (p->entry_source == MB2_ENTRY_ELF && !high_ok)
		FUZZ_CHECK(p->entry < (UINT64_C(1) << 32));
	if (p->elf_shnum)
		FUZZ_CHECK(p->elf_shoff <= size &&
			   (uint64_t)p->elf_shnum * p->elf_shentsize <=
				   size - p->elf_shoff);
	check_segments(p, size, high_ok);
}

/* Relocation keeps the shape of the plan, or changes nothing. */
static void check_relocate(struct mb2_plan *p, uint64_t base, size_t size)
{
	static struct mb2_plan before;
	uint64_t shift = base - p->lowest;
	size_t i;
	int ret;

	before = *p;
	ret = mb2_plan_relocate(p, base);
	if (ret < 0) {
		FUZZ_CHECK(ret == -TANDEM_EPERM || ret == -TANDEM_ERANGE);
		FUZZ_CHECK(p->why && p->message[0]);
		FUZZ_CHECK(memcmp(p->segments, before.segments,
				  sizeof(p->segments)) == 0);
		FUZZ_CHECK(p->entry == before.entry && p->lowest == before.lowest);
		return;
	}
	FUZZ_CHECK(p->lowest == base);
	FUZZ_CHECK(p->highest - p->lowest == before.highest - before.lowest);
	FUZZ_CHECK(p->entry == before.entry + shift);
	for (i = 0; i < p->nsegments; i++) {
		FUZZ_CHECK(p->segments[i].dest == before.segments[i].dest + shift);
		FUZZ_CHECK(p->segments[i].offset == before.segments[i].offset);
	}
	if (base != before.lowest) {
		FUZZ_CHECK(mb2_plan_has(p, MB2_HTAG_RELOCATABLE));
		FUZZ_CHECK(base >= p->reloc_min_addr &&
			   p->highest <= p->reloc_max_addr);
		FUZZ_CHECK(!p->reloc_align || base % p->reloc_align == 0);
	}
	check_segments(p, size, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mb2_plan plan, again;
	struct input in = { data, size, 0 };
	struct mb2_image_opts hrt = {
		.info_supported = (1u << 1) | (1u << 3) | (1u << 6) | (1u << 14),
		.flags = MB2_IMAGE_ALLOW_HIGH,
		.tag_fn = hook,
		.tag_ctx = &in,
	};
	int ret;

	/* GRUB's rules, no hook. */
	ret = mb2_image_parse(data, size, NULL, &plan);
	if (ret < 0) {
		check_failure(ret, &plan);
	} else {
		check_plan(&plan, size, false);
		/* Deterministic: the same input gives the same plan. */
		FUZZ_CHECK(mb2_image_parse(data, size, NULL, &again) == 0);
		FUZZ_CHECK(memcmp(&plan, &again, sizeof(plan)) == 0);
		check_relocate(&plan, plan.reloc_min_addr, size);
		check_relocate(&plan,
			       (plan.reloc_max_addr -
				(plan.highest - plan.lowest)) &
				       ~(uint64_t)(plan.reloc_align ?
							   plan.reloc_align - 1 :
							   0),
			       size);
		check_relocate(&plan,
			       size > 8 ? data[size - 1] * 0x100000ull : 0, size);
	}

	/* The HRT caller: hook, fewer info types, addresses above 4 GiB. */
	ret = mb2_image_parse(data, size, &hrt, &plan);
	if (ret < 0)
		check_failure(ret, &plan);
	else
		check_plan(&plan, size, true);
	return 0;
}

/* ---- Seeds: valid kernels of each kind, built in code ---- */

static void put16(uint8_t *b, size_t off, uint16_t v)
{
	memcpy(b + off, &v, 2);
}
static void put32(uint8_t *b, size_t off, uint32_t v)
{
	memcpy(b + off, &v, 4);
}

/* Appends a tag at *pos (payload @p of @len bytes), padded to 8. */
static void tag(uint8_t *b, size_t *pos, uint16_t type, uint16_t flags,
		const void *p, size_t len)
{
	put16(b, *pos, type);
	put16(b, *pos + 2, flags);
	put32(b, *pos + 4, (uint32_t)(8 + len));
	if (len)
		memcpy(b + *pos + 8, p, len);
	*pos += (8 + len + 7) & ~(size_t)7;
}

static void header_done(uint8_t *b, size_t hdr, size_t pos)
{
	uint32_t len;

	tag(b, &pos, MB2_HTAG_END, 0, NULL, 0);
	len = (uint32_t)(pos - hdr);
	put32(b, hdr, MB2_HEADER_MAGIC);
	put32(b, hdr + 4, MB2_ARCH_I386);
	put32(b, hdr + 8, len);
	put32(b, hdr + 12, -(MB2_HEADER_MAGIC + len));
}

static void elf64_seed(uint8_t *b, uint64_t entry, uint64_t vbase, uint64_t pbase)
{
	struct elf64_ehdr e = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
			     ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_entry = entry,
		.e_phoff = 64,
		.e_shoff = 0x1c00,
		.e_ehsize = 64,
		.e_phentsize = 56,
		.e_phnum = 3,
		.e_shentsize = 64,
		.e_shnum = 4,
	};
	struct elf64_phdr ph[3] = {
		{ PT_LOAD, PF_R | PF_X, 0x400, vbase, pbase, 0x800, 0x800, 0x400 },
		{ PT_LOAD, PF_R | PF_W, 0xc00, vbase + 0x800, pbase + 0x800,
		  0x400, 0x3000, 0x400 },
		{ 0x6474e551, PF_R | PF_W, 0, 0, 0, 0, 0, 16 },
	};

	memcpy(b, &e, sizeof(e));
	memcpy(b + 64, ph, sizeof(ph));
}

static void elf32_seed(uint8_t *b)
{
	struct elf32_ehdr e = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS32,
			     ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC,
		.e_machine = EM_386,
		.e_version = EV_CURRENT,
		.e_entry = 0x100010,
		.e_phoff = 52,
		.e_ehsize = 52,
		.e_phentsize = 32,
		.e_phnum = 2,
	};
	struct elf32_phdr ph[2] = {
		{ PT_LOAD, 0x200, 0x100000, 0x100000, 0x600, 0x600, PF_R | PF_X,
		  0x200 },
		{ PT_LOAD, 0x800, 0x101000, 0x101000, 0x100, 0x2000,
		  PF_R | PF_W, 0x200 },
	};

	memcpy(b, &e, sizeof(e));
	memcpy(b + 52, ph, sizeof(ph));
}

size_t fuzz_seed(unsigned idx, uint8_t *buf, size_t cap)
{
	static const uint32_t info[] = { 1, 3, 6, 14 };
	static const uint32_t console = MB2_CONSOLE_EGA_TEXT;
	static const uint32_t fb[3] = { 1024, 768, 32 };
	static const uint32_t reloc[4] = { 0x200000, 0x10000000, 0x200000, 1 };
	static const uint64_t hrt[5] = { 0x200, 0x200000000ull,
					 0xffff800000000000ull,
					 0xffff800010000078ull, 0x1fffff000ull };
	uint32_t addr[4], entry;
	size_t pos;

	if (cap < 0x2000)
		return 0;
	memset(buf, 0, 0x2000);
	switch (idx) {
	case 0: /* higher-half ELF64 with the usual tags */
		elf64_seed(buf, 0xffffffff80100010ull, 0xffffffff80100000ull,
			   0x100000);
		pos = 0x410;
		tag(buf, &pos, MB2_HTAG_INFO_REQUEST, 0, info, sizeof(info));
		tag(buf, &pos, MB2_HTAG_CONSOLE_FLAGS, 0, &console, 4);
		tag(buf, &pos, MB2_HTAG_FRAMEBUFFER, MB2_HTAG_OPTIONAL, fb,
		    sizeof(fb));
		tag(buf, &pos, MB2_HTAG_MODULE_ALIGN, 0, NULL, 0);
		header_done(buf, 0x400, pos);
		return 0x1d00;
	case 1: /* ELF32 i386 */
		elf32_seed(buf);
		header_done(buf, 0x200, 0x210);
		return 0x900;
	case 2: /* flat binary: address + entry tags, bss */
		pos = 0x30;
		addr[0] = 0x100020;
		addr[1] = 0x100000;
		addr[2] = 0x100800;
		addr[3] = 0x104000;
		tag(buf, &pos, MB2_HTAG_ADDRESS, 0, addr, sizeof(addr));
		entry = 0x100100;
		tag(buf, &pos, MB2_HTAG_ENTRY, 0, &entry, 4);
		header_done(buf, 0x20, pos);
		return 0x800;
	case 3: /* relocatable ELF64 carrying an HRT tag above 4 GiB */
		elf64_seed(buf, 0xffff800010000010ull, 0xffff800010000000ull,
			   0x100000000ull);
		pos = 0x410;
		tag(buf, &pos, MB2_HTAG_RELOCATABLE, 0, reloc, sizeof(reloc));
		tag(buf, &pos, 0xf00d, 0, hrt, sizeof(hrt));
		entry = 0x100010;
		tag(buf, &pos, MB2_HTAG_ENTRY, 0, &entry, 4);
		header_done(buf, 0x400, pos);
		return 0x1d00;
	case 4: /* relocatable flat binary, load_end 0 (whole file) */
		pos = 0x10;
		addr[0] = 0x200000;
		addr[1] = 0x200000;
		addr[2] = 0;
		addr[3] = 0;
		tag(buf, &pos, MB2_HTAG_ADDRESS, 0, addr, sizeof(addr));
		entry = 0x200080;
		tag(buf, &pos, MB2_HTAG_ENTRY, 0, &entry, 4);
		tag(buf, &pos, MB2_HTAG_RELOCATABLE, 0, reloc, sizeof(reloc));
		header_done(buf, 0, pos);
		return 0x400;
	case 5: /* Nautilus HVM_HRT layout: the load starts after the header */
		pos = 0x1010;
		addr[0] = 0x10000000;
		addr[1] = 0x10000070; /* the header is 0x70 bytes */
		addr[2] = 0x10000c00;
		addr[3] = 0x10004000;
		tag(buf, &pos, MB2_HTAG_ADDRESS, 0, addr, sizeof(addr));
		entry = 0x10000070;
		tag(buf, &pos, MB2_HTAG_ENTRY, 0, &entry, 4);
		tag(buf, &pos, 0xf00d, 0, hrt, sizeof(hrt));
		header_done(buf, 0x1000, pos);
		return 0x1c00;
	case 6: /* flat binary, load_addr 0xffffffff: from the file start */
		pos = 0x50;
		addr[0] = 0x100040;
		addr[1] = 0xffffffff;
		addr[2] = 0;
		addr[3] = 0x102000;
		tag(buf, &pos, MB2_HTAG_ADDRESS, 0, addr, sizeof(addr));
		entry = 0x100100;
		tag(buf, &pos, MB2_HTAG_ENTRY, 0, &entry, 4);
		header_done(buf, 0x40, pos);
		return 0x600;
	default:
		return 0;
	}
}
