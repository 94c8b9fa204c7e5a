/*
 * Host unit tests for kernel/fmt/mb2_image.c: kernel images built in memory
 * (ELF64, ELF32, address-tag flat binaries) and every rule of the header
 * search, the tag walk, the load plan and relocation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fmt/elf.h"
#include "fmt/mb2_image.h"
#include "tandem/errno.h"

#define IMG_MAX 40960
#define HDR_AT	0x1000 /* header offset in the ELF images */

static uint64_t img_words[IMG_MAX / 8]; /* 8-byte aligned, like a module */
static uint8_t *const img = (uint8_t *)img_words;
static struct mb2_plan plan;

static void put16(size_t off, uint16_t v)
{
	memcpy(img + off, &v, 2);
}
static void put32(size_t off, uint32_t v)
{
	memcpy(img + off, &v, 4);
}

/* ---- Multiboot2 header builder (spec 3.1.2, 3.1.3) ---- */

static size_t hdr_off, hdr_pos;

static void hdr_begin(size_t off)
{
	hdr_off = off;
	hdr_pos = off + 16;
	put32(off, MB2_HEADER_MAGIC);
	put32(off + 4, MB2_ARCH_I386);
}

/* A tag of @size bytes (header included) with @payload; padded to 8. */
static void tag_sized(uint16_t type, uint16_t flags, uint32_t size,
		      const void *payload, size_t len)
{
	size_t step = size < 8 ? 8 : (size + 7) / 8 * 8;

	put16(hdr_pos, type);
	put16(hdr_pos + 2, flags);
	put32(hdr_pos + 4, size);
	memset(img + hdr_pos + 8, 0, step - 8);
	if (len)
		memcpy(img + hdr_pos + 8, payload, len);
	hdr_pos += step;
}

static void tag(uint16_t type, uint16_t flags, const void *payload, size_t len)
{
	tag_sized(type, flags, (uint32_t)(8 + len), payload, len);
}

static void tag_u32s(uint16_t type, uint16_t flags, const uint32_t *v, size_t n)
{
	tag(type, flags, v, 4 * n);
}

/* Writes header_length and checksum; @with_end adds the end tag first. */
static void hdr_finish_len(bool with_end, uint32_t len_adjust)
{
	uint32_t len;

	if (with_end) {
		put16(hdr_pos, MB2_HTAG_END);
		put16(hdr_pos + 2, 0);
		put32(hdr_pos + 4, 8);
		hdr_pos += 8;
	}
	len = (uint32_t)(hdr_pos - hdr_off) + len_adjust;
	put32(hdr_off + 8, len);
	put32(hdr_off + 12, -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + len));
}

static void hdr_finish(void)
{
	hdr_finish_len(true, 0);
}

static void entry_tag(uint32_t entry)
{
	tag_u32s(MB2_HTAG_ENTRY, 0, &entry, 1);
}

static void address_tag(uint32_t header_addr, uint32_t load, uint32_t load_end,
			uint32_t bss_end)
{
	uint32_t v[4] = { header_addr, load, load_end, bss_end };

	tag_u32s(MB2_HTAG_ADDRESS, 0, v, 4);
}

static void reloc_tag(uint32_t min, uint32_t max, uint32_t align, uint32_t pref)
{
	uint32_t v[4] = { min, max, align, pref };

	tag_u32s(MB2_HTAG_RELOCATABLE, 0, v, 4);
}

/* ---- ELF builders (System V ABI, ELF header and program headers) ---- */

struct seg {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static void elf64(uint64_t entry, const struct seg *s, unsigned n, uint16_t phnum)
{
	struct elf64_ehdr e = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
			     ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_entry = entry,
		.e_phoff = 64,
		.e_ehsize = 64,
		.e_phentsize = sizeof(struct elf64_phdr),
		.e_phnum = phnum,
	};
	unsigned i;

	memcpy(img, &e, sizeof(e));
	for (i = 0; i < n; i++) {
		struct elf64_phdr p = {
			.p_type = s[i].type,
			.p_flags = PF_R | PF_X,
			.p_offset = s[i].offset,
			.p_vaddr = s[i].vaddr,
			.p_paddr = s[i].paddr,
			.p_filesz = s[i].filesz,
			.p_memsz = s[i].memsz,
			.p_align = 0x1000,
		};
		memcpy(img + 64 + i * sizeof(p), &p, sizeof(p));
	}
}

static void elf32(uint32_t entry, const struct seg *s, unsigned n)
{
	struct elf32_ehdr e = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS32,
			     ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC,
		.e_machine = EM_386,
		.e_version = EV_CURRENT,
		.e_entry = entry,
		.e_phoff = 52,
		.e_ehsize = 52,
		.e_phentsize = sizeof(struct elf32_phdr),
		.e_phnum = (uint16_t)n,
	};
	unsigned i;

	memcpy(img, &e, sizeof(e));
	for (i = 0; i < n; i++) {
		struct elf32_phdr p = {
			.p_type = s[i].type,
			.p_offset = (uint32_t)s[i].offset,
			.p_vaddr = (uint32_t)s[i].vaddr,
			.p_paddr = (uint32_t)s[i].paddr,
			.p_filesz = (uint32_t)s[i].filesz,
			.p_memsz = (uint32_t)s[i].memsz,
			.p_flags = PF_R,
			.p_align = 0x1000,
		};
		memcpy(img + 52 + i * sizeof(p), &p, sizeof(p));
	}
}

#define KBASE UINT64_C(0xffffffff80000000)

/* A higher-half ELF64 kernel: text (holding the header) and data + bss. */
static const struct seg k64[] = {
	{ PT_LOAD, 0x1000, KBASE + 0x100000, 0x100000, 0x1000, 0x1000 },
	{ PT_LOAD, 0x2000, KBASE + 0x101000, 0x101000, 0x800, 0x3000 },
};
#define K64_SIZE 0x2800

static void build_elf64(void)
{
	memset(img_words, 0, sizeof(img_words));
	elf64(KBASE + 0x100020, k64, 2, 2);
	hdr_begin(HDR_AT);
}

static int parse(size_t size)
{
	return mb2_image_parse(img, size, NULL, &plan);
}

static int parse_opts(size_t size, const struct mb2_image_opts *o)
{
	return mb2_image_parse(img, size, o, &plan);
}

static void expect_fail(int ret, int err, const char *reason)
{
	assert_int_equal(ret, -err);
	assert_non_null(plan.why);
	assert_string_equal(plan.why, reason);
	assert_true(plan.message[0] != '\0');
	assert_int_equal(plan.format, MB2_FORMAT_NONE);
	assert_int_equal(plan.nsegments, 0);
}

static void expect_segment(size_t i, uint64_t dest, uint64_t off,
			   uint64_t filesz, uint64_t memsz)
{
	assert_true(i < plan.nsegments);
	assert_int_equal(plan.segments[i].dest, dest);
	assert_int_equal(plan.segments[i].offset, off);
	assert_int_equal(plan.segments[i].file_size, filesz);
	assert_int_equal(plan.segments[i].mem_size, memsz);
}

/* ---- ELF images ---- */

static void test_elf64(void **state)
{
	(void)state;
	build_elf64();
	hdr_finish();
	assert_int_equal(parse(K64_SIZE), 0);
	assert_null(plan.why);
	assert_string_equal(plan.message, "");
	assert_int_equal(plan.format, MB2_FORMAT_ELF64);
	assert_int_equal(plan.elf_class, ELFCLASS64);
	assert_int_equal(plan.header_offset, HDR_AT);
	assert_int_equal(plan.header_length, 24);
	assert_int_equal(plan.nsegments, 2);
	expect_segment(0, 0x100000, 0x1000, 0x1000, 0x1000);
	expect_segment(1, 0x101000, 0x2000, 0x800, 0x3000);
	assert_int_equal(plan.lowest, 0x100000);
	assert_int_equal(plan.highest, 0x104000);
	/* e_entry translated through its segment: vaddr -> paddr. */
	assert_int_equal(plan.entry, 0x100020);
	assert_int_equal(plan.entry_source, MB2_ENTRY_ELF);
	assert_int_equal(plan.elf_entry, KBASE + 0x100020);
	assert_int_equal(plan.tags_present, 0);
	assert_int_equal(plan.warnings, 0);
}

static void test_elf32(void **state)
{
	static const struct seg s[] = {
		{ PT_LOAD, 0x1000, 0x200000, 0x200000, 0x1800, 0x1800 },
		{ 0x6474e551 /* PT_GNU_STACK */, 0, 0, 0, 0, 0 },
		{ PT_LOAD, 0x3000, 0x202000, 0x202000, 0x100, 0x5000 },
	};

	(void)state;
	memset(img_words, 0, sizeof(img_words));
	elf32(0x20000c, s, 3);
	hdr_begin(HDR_AT);
	hdr_finish();
	assert_int_equal(parse(0x3100), 0);
	assert_int_equal(plan.format, MB2_FORMAT_ELF32);
	assert_int_equal(plan.elf_class, ELFCLASS32);
	assert_int_equal(plan.nsegments, 2);
	expect_segment(0, 0x200000, 0x1000, 0x1800, 0x1800);
	expect_segment(1, 0x202000, 0x3000, 0x100, 0x5000);
	assert_int_equal(plan.highest, 0x207000);
	assert_int_equal(plan.entry, 0x20000c);
}

static void test_elf_memsz_zero_and_nonload_skipped(void **state)
{
	static const struct seg s[] = {
		{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 },
		{ PT_LOAD, 0x2000, 0x900000, 0x900000, 0, 0 },
		{ 4 /* PT_NOTE */, 0x1800, 0x100800, 0x100800, 0x20, 0x20 },
	};

	(void)state;
	memset(img_words, 0, sizeof(img_words));
	elf64(0x100000, s, 3, 3);
	hdr_begin(HDR_AT);
	hdr_finish();
	assert_int_equal(parse(0x2000), 0);
	assert_int_equal(plan.nsegments, 1);
	assert_int_equal(plan.highest, 0x101000);
}

static void test_entry_tag_overrides_elf(void **state)
{
	(void)state;
	build_elf64();
	entry_tag(0x100abc);
	hdr_finish();
	assert_int_equal(parse(K64_SIZE), 0);
	assert_int_equal(plan.entry, 0x100abc);
	assert_int_equal(plan.entry_source, MB2_ENTRY_TAG);
	assert_true(mb2_plan_has(&plan, MB2_HTAG_ENTRY));
	assert_int_equal(plan.elf_entry, KBASE + 0x100020);

	/* With the entry tag, an e_entry outside every segment is harmless. */
	build_elf64();
	entry_tag(0x100abc);
	hdr_finish();
	memcpy(img + 24, &(uint64_t){ 0x12345 }, 8);
	assert_int_equal(parse(K64_SIZE), 0);
	assert_int_equal(plan.entry, 0x100abc);
}

static void test_elf_entry_errors(void **state)
{
	(void)state;
	build_elf64();
	hdr_finish();
	memcpy(img + 24, &(uint64_t){ 0x12345 }, 8);
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "ELF entry point %x is not inside any segment");
	assert_string_equal(plan.message,
			    "ELF entry point 0x12345 is not inside any segment");

	/* One past the end of the last segment is outside it. */
	build_elf64();
	hdr_finish();
	memcpy(img + 24, &(uint64_t){ KBASE + 0x104000 }, 8);
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "ELF entry point %x is not inside any segment");
	memcpy(img + 24, &(uint64_t){ KBASE + 0x103fff }, 8);
	assert_int_equal(parse(K64_SIZE), 0);
	assert_int_equal(plan.entry, 0x103fff);
}

static void test_elf_entry_any_phdr(void **state)
{
	/* GRUB maps e_entry through the first program header of any type
	 * that holds it, in 32-bit arithmetic for ELF32. */
	static const struct seg s[] = {
		{ 4 /* PT_NOTE */, 0x1000, 0x100000, 0xfffff000, 0x10, 0x2000 },
		{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x2000 },
	};

	(void)state;
	memset(img_words, 0, sizeof(img_words));
	elf32(0x101800, s, 2);
	hdr_begin(HDR_AT);
	hdr_finish();
	assert_int_equal(parse(0x2000), 0);
	assert_int_equal(plan.entry, 0x800);
	assert_int_equal(plan.nsegments, 1);
}

static void test_elf_header_errors(void **state)
{
	(void)state;

	build_elf64();
	hdr_finish();
	img[0] = 0;
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "no address tag and not an ELF file");

	build_elf64();
	hdr_finish();
	img[EI_DATA] = 2;
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "ELF file is not little-endian");

	build_elf64();
	hdr_finish();
	img[EI_CLASS] = 3;
	expect_fail(parse(K64_SIZE), TANDEM_ENOSYS, "ELF class %u not supported");

	build_elf64();
	hdr_finish();
	put16(18, EM_386);
	expect_fail(parse(K64_SIZE), TANDEM_ENOSYS,
		    "ELF64 file is not for x86-64 (e_machine %u)");
	assert_string_equal(plan.message,
			    "ELF64 file is not for x86-64 (e_machine 3)");

	build_elf64();
	hdr_finish();
	put16(16, 1); /* ET_REL */
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "ELF type %u is not an executable");

	build_elf64();
	hdr_finish();
	put16(16, ET_DYN);
	assert_int_equal(parse(K64_SIZE), 0);

	build_elf64();
	hdr_finish();
	put32(20, 2);
	expect_fail(parse(K64_SIZE), TANDEM_ENOSYS,
		    "ELF version %u not supported");

	build_elf64();
	hdr_finish();
	put16(56, 0); /* e_phnum */
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "ELF file has no program headers");

	build_elf64();
	hdr_finish();
	put16(56, 65);
	expect_fail(parse(K64_SIZE), TANDEM_E2BIG,
		    "ELF file has %u program headers; at most 64 supported");

	build_elf64();
	hdr_finish();
	put16(54, 32); /* e_phentsize smaller than Elf64_Phdr */
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "ELF program header size %u too small");

	build_elf64();
	hdr_finish();
	memcpy(img + 32, &(uint64_t){ 0x2800 - 56 }, 8); /* e_phoff near EOF */
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "ELF program headers run past the end of the file");

	build_elf64();
	hdr_finish();
	memcpy(img + 32, &(uint64_t){ 0x8000 }, 8);
	expect_fail(parse(0x9000), TANDEM_EINVAL,
		    "ELF program headers lie beyond the first 32 KiB");

	build_elf64();
	hdr_finish();
	expect_fail(parse(50), TANDEM_ENOENT,
		    "no Multiboot2 header in the first 32 KiB");
}

static void test_elf32_wrong_machine(void **state)
{
	static const struct seg s[] = {
		{ PT_LOAD, 0x1000, 0x200000, 0x200000, 0x100, 0x100 },
	};

	(void)state;
	memset(img_words, 0, sizeof(img_words));
	elf32(0x200000, s, 1);
	put16(18, EM_X86_64);
	hdr_begin(HDR_AT);
	hdr_finish();
	expect_fail(parse(0x1100), TANDEM_ENOSYS,
		    "ELF32 file is not for i386 (e_machine %u)");
}

static void test_segment_past_eof(void **state)
{
	static const struct seg s[] = {
		{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 },
		{ 4 /* PT_NOTE */, 0, 0, 0, 0, 0 },
		{ PT_LOAD, 0x2000, 0x101000, 0x101000, 0x1001, 0x2000 },
	};

	(void)state;
	memset(img_words, 0, sizeof(img_words));
	elf64(0x100000, s, 3, 3);
	hdr_begin(HDR_AT);
	hdr_finish();
	expect_fail(parse(0x3000), TANDEM_EINVAL,
		    "segment %u extends past the end of the file");
	assert_string_equal(plan.message,
			    "segment 2 extends past the end of the file");
	/* Exactly to the end is fine. */
	assert_int_equal(parse(0x3001), 0);

	/* An offset far past the end, and one that would wrap. */
	memcpy(img + 64 + 2 * 56 + 8, &(uint64_t){ UINT64_MAX - 0x10 }, 8);
	expect_fail(parse(0x3001), TANDEM_EINVAL,
		    "segment %u extends past the end of the file");
}

static void test_memsz_below_filesz(void **state)
{
	static const struct seg s[] = {
		{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0xfff },
	};

	(void)state;
	memset(img_words, 0, sizeof(img_words));
	elf64(0x100000, s, 1, 1);
	hdr_begin(HDR_AT);
	hdr_finish();
	expect_fail(parse(0x2000), TANDEM_EINVAL,
		    "segment %u: p_filesz is larger than p_memsz");
	assert_string_equal(plan.message,
			    "segment 0: p_filesz is larger than p_memsz");
}

static void test_overlapping_segments(void **state)
{
	static const struct seg s[] = {
		{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x2000 },
		{ PT_LOAD, 0x2000, 0x101000, 0x101fff, 0x100, 0x100 },
	};
	static const struct seg touching[] = {
		{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x2000 },
		{ PT_LOAD, 0x2000, 0x102000, 0x102000, 0x100, 0x100 },
	};

	(void)state;
	/* GRUB's relocator refuses overlapping chunks: so do we. */
	memset(img_words, 0, sizeof(img_words));
	elf64(0x100000, s, 2, 2);
	hdr_begin(HDR_AT);
	hdr_finish();
	expect_fail(parse(0x2100), TANDEM_EINVAL,
		    "segment %u overlaps an earlier segment");
	assert_string_equal(plan.message,
			    "segment 1 overlaps an earlier segment");

	/* Adjacent segments do not overlap. */
	memset(img_words, 0, sizeof(img_words));
	elf64(0x100000, touching, 2, 2);
	hdr_begin(HDR_AT);
	hdr_finish();
	assert_int_equal(parse(0x2100), 0);

	/* A relocatable image is copied as one block by GRUB: accepted. */
	memset(img_words, 0, sizeof(img_words));
	elf64(0x100000, s, 2, 2);
	hdr_begin(HDR_AT);
	reloc_tag(0x100000, 0x10000000, 0x1000, MB2_RELOC_PREF_LOW);
	hdr_finish();
	assert_int_equal(parse(0x2100), 0);
	assert_int_equal(plan.nsegments, 2);
}

static void test_paddr_overflow_and_4g(void **state)
{
	static const struct seg wrap[] = {
		{ PT_LOAD, 0x1000, 0x100000, UINT64_MAX - 0xfff, 0x1000, 0x1000 },
	};
	static const struct seg high[] = {
		{ PT_LOAD, 0x1000, KBASE, 0x100000000ull, 0x1000, 0x1000 },
	};
	struct mb2_image_opts o = {
		.info_supported = MB2_IMAGE_INFO_GRUB,
		.flags = MB2_IMAGE_ALLOW_HIGH,
	};

	(void)state;
	memset(img_words, 0, sizeof(img_words));
	elf64(0x100000, wrap, 1, 1);
	hdr_begin(HDR_AT);
	entry_tag(0x100000);
	hdr_finish();
	expect_fail(parse(0x2000), TANDEM_EINVAL,
		    "segment %u: p_paddr + p_memsz wraps around");
	expect_fail(parse_opts(0x2000, &o), TANDEM_EINVAL,
		    "segment %u: p_paddr + p_memsz wraps around");

	/* Above 4 GiB: GRUB refuses; a 64-bit HRT caller may allow it. */
	memset(img_words, 0, sizeof(img_words));
	elf64(KBASE + 0x10, high, 1, 1);
	hdr_begin(HDR_AT);
	hdr_finish();
	expect_fail(parse(0x2000), TANDEM_EINVAL, "segment %u ends above 4 GiB");
	assert_int_equal(parse_opts(0x2000, &o), 0);
	assert_int_equal(plan.entry, 0x100000010ull);
	assert_int_equal(plan.elf_entry, KBASE + 0x10);
}

static void test_too_many_segments(void **state)
{
	struct seg s[17];
	unsigned i;

	(void)state;
	for (i = 0; i < 17; i++)
		s[i] = (struct seg){ PT_LOAD,
				     0x2000,
				     0x100000 + i * 0x1000,
				     0x100000 + i * 0x1000,
				     0x10,
				     0x10 };
	memset(img_words, 0, sizeof(img_words));
	elf64(0x100000, s, 17, 17);
	hdr_begin(HDR_AT);
	hdr_finish();
	expect_fail(parse(0x2010), TANDEM_E2BIG,
		    "ELF file has more than 16 loadable segments");
	memset(img_words, 0, sizeof(img_words));
	elf64(0x100000, s, 16, 16);
	hdr_begin(HDR_AT);
	hdr_finish();
	assert_int_equal(parse(0x2010), 0);
	assert_int_equal(plan.nsegments, 16);
}

static void test_no_loadable_segment(void **state)
{
	static const struct seg s[] = { { 4, 0x1000, 0x100000, 0x100000, 0x10,
					  0x10 } };

	(void)state;
	memset(img_words, 0, sizeof(img_words));
	elf64(0x100000, s, 1, 1);
	hdr_begin(HDR_AT);
	hdr_finish();
	expect_fail(parse(0x2000), TANDEM_EINVAL,
		    "ELF file has no loadable segment");
}

static void test_section_headers(void **state)
{
	(void)state;
	build_elf64();
	hdr_finish();
	memcpy(img + 40, &(uint64_t){ 0x2800 }, 8); /* e_shoff */
	put16(58, sizeof(struct elf64_shdr));	    /* e_shentsize */
	put16(60, 8);				    /* e_shnum */
	put16(62, 7);				    /* e_shstrndx */
	assert_int_equal(parse(0x2a00), 0);
	assert_int_equal(plan.elf_shoff, 0x2800);
	assert_int_equal(plan.elf_shnum, 8);
	assert_int_equal(plan.elf_shentsize, 64);
	assert_int_equal(plan.elf_shstrndx, 7);

	expect_fail(parse(0x29ff), TANDEM_EINVAL,
		    "ELF section headers run past the end of the file");

	put16(58, 40); /* too small for Elf64_Shdr: dropped with a warning */
	assert_int_equal(parse(0x2800), 0);
	assert_int_equal(plan.elf_shnum, 0);
	assert_true(plan.warnings & MB2_IMAGE_WARN_NO_SECTIONS);
	assert_non_null(plan.warning);
}

/* ---- Address tag (flat binary) kernels ---- */

#define FLAT_LOAD 0x100000u
#define FLAT_HDR  0x40u

static void build_flat(uint32_t load_end, uint32_t bss_end, bool with_entry)
{
	memset(img_words, 0, sizeof(img_words));
	hdr_begin(FLAT_HDR);
	address_tag(FLAT_LOAD + FLAT_HDR, FLAT_LOAD, load_end, bss_end);
	if (with_entry)
		entry_tag(FLAT_LOAD + 0x200);
	hdr_finish();
}

/* An image of @size bytes, header at @hoff with an address and entry tag. */
struct addr_case {
	const char *name;
	uint32_t hoff;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
	uint32_t size;
};

static int parse_addr_case(const struct addr_case *c)
{
	memset(img_words, 0, sizeof(img_words));
	hdr_begin(c->hoff);
	address_tag(c->header_addr, c->load_addr, c->load_end_addr,
		    c->bss_end_addr);
	entry_tag(c->header_addr);
	hdr_finish();
	return parse(c->size);
}

static void test_flat_with_bss(void **state)
{
	(void)state;
	build_flat(FLAT_LOAD + 0x1000, FLAT_LOAD + 0x4000, true);
	assert_int_equal(parse(0x1000), 0);
	assert_int_equal(plan.format, MB2_FORMAT_FLAT);
	assert_int_equal(plan.elf_class, 0);
	assert_int_equal(plan.nsegments, 1);
	expect_segment(0, FLAT_LOAD, 0, 0x1000, 0x4000);
	assert_int_equal(plan.entry, FLAT_LOAD + 0x200);
	assert_int_equal(plan.entry_source, MB2_ENTRY_TAG);
	assert_int_equal(plan.lowest, FLAT_LOAD);
	assert_int_equal(plan.highest, FLAT_LOAD + 0x4000);
	assert_int_equal(plan.header_addr, FLAT_LOAD + FLAT_HDR);
	assert_int_equal(plan.load_addr, FLAT_LOAD);
	assert_int_equal(plan.load_end_addr, FLAT_LOAD + 0x1000);
	assert_int_equal(plan.bss_end_addr, FLAT_LOAD + 0x4000);
	assert_int_equal(plan.warnings, 0);
}

/*
 * What GRUB 2 loads (grub_multiboot2_load): dest = load_addr (or
 * header_addr - header offset for 0xffffffff), file offset = header
 * offset - (header_addr - load) mod 2^32, file bytes = load_end_addr -
 * load_addr of the tag (0: to the end of the file), memory up to
 * bss_end_addr (0: none).
 */
static void test_flat_grub_accepts(void **state)
{
	static const struct {
		struct addr_case in;
		struct {
			uint64_t dest, offset, file_size, mem_size;
			uint32_t warnings;
		} want;
	} cases[] = {
		{ { "load_addr below header_addr, load_end and bss_end", 0x40,
		    0x100040, 0x100000, 0x100800, 0x104000, 0x1000 },
		  { 0x100000, 0, 0x800, 0x4000, 0 } },
		{ { "load_addr below header_addr, not at the file start", 0x40,
		    0x100020, 0x100000, 0x100100, 0, 0x200 },
		  { 0x100000, 0x20, 0x100, 0x100, 0 } },
		{ { "load_addr = header_addr: the header is loaded first", 0x40,
		    0x100040, 0x100040, 0, 0, 0x1000 },
		  { 0x100040, 0x40, 0xfc0, 0xfc0, 0 } },
		/* Nautilus HVM_HRT: the load starts just after its header,
		 * which stays in the file only. */
		{ { "Nautilus: load_addr = header_addr + 0x78, to file end",
		    0x1000, 0x10000000, 0x10000078, 0, 0, 0x3000 },
		  { 0x10000078, 0x1078, 0x1f88, 0x1f88, 0 } },
		{ { "Nautilus: load_addr = header_addr + 0x78, load_end, bss",
		    0x1000, 0x10000000, 0x10000078, 0x10002000, 0x10010000,
		    0x3000 },
		  { 0x10000078, 0x1078, 0x1f88, 0xff88, 0 } },
		{ { "load_addr above header_addr, file end exactly", 0x40,
		    0x200000, 0x200fc0, 0x201000, 0x208000, 0x1040 },
		  { 0x200fc0, 0x1000, 0x40, 0x7040, 0 } },
		{ { "load_addr 0xffffffff: from the file start, to its end",
		    0x40, 0x100040, 0xffffffff, 0, 0, 0x200 },
		  { 0x100000, 0, 0x200, 0x200, 0 } },
		{ { "load_addr 0xffffffff, bss_end", 0x40, 0x100040, 0xffffffff,
		    0, 0x101000, 0x200 },
		  { 0x100000, 0, 0x200, 0x1000, 0 } },
		/* GRUB subtracts the tag's 0xffffffff: load_end + 1 bytes. */
		{ { "load_addr 0xffffffff, load_end: load_end + 1 bytes", 0x40,
		    0x1040, 0xffffffff, 0x7ff, 0, 0x1000 },
		  { 0x1000, 0, 0x800, 0x800, 0 } },
		{ { "load_end 0: the rest of the file", 0x40, 0x100040,
		    0x100000, 0, 0, 0x1234 },
		  { 0x100000, 0, 0x1234, 0x1234, 0 } },
		{ { "bss_end 0: no bss", 0x40, 0x100040, 0x100000, 0x100800, 0,
		    0x1000 },
		  { 0x100000, 0, 0x800, 0x800, 0 } },
		{ { "bss_end = load_end: no bss", 0x40, 0x100040, 0x100000,
		    0x100800, 0x100800, 0x1000 },
		  { 0x100000, 0, 0x800, 0x800, 0 } },
		{ { "bss_end = end of the file with load_end 0", 0x40, 0x100040,
		    0x100000, 0, 0x101000, 0x1000 },
		  { 0x100000, 0, 0x1000, 0x1000, 0 } },
		{ { "load_end = load_addr: bss only", 0x40, 0x100040, 0x100000,
		    0x100000, 0x102000, 0x1000 },
		  { 0x100000, 0, 0, 0x2000, 0 } },
		{ { "load at the end of the file: bss only", 0x40, 0x100040,
		    0x101000, 0, 0x102000, 0x1000 },
		  { 0x101000, 0, 0, 0x1000, 0 } },
		{ { "load_end past the end of the file: the rest zeroed", 0x40,
		    0x100040, 0x100000, 0x102000, 0, 0x1000 },
		  { 0x100000, 0, 0x1000, 0x2000, MB2_IMAGE_WARN_SHORT_FILE } },
		{ { "image ends at 4 GiB exactly", 0x40, 0xfffff040, 0xfffff000,
		    0, 0, 0x1000 },
		  { 0xfffff000, 0, 0x1000, 0x1000, 0 } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("accepted: %s\n", cases[i].in.name);
		assert_int_equal(parse_addr_case(&cases[i].in), 0);
		assert_int_equal(plan.format, MB2_FORMAT_FLAT);
		assert_int_equal(plan.nsegments, 1);
		expect_segment(0, cases[i].want.dest, cases[i].want.offset,
			       cases[i].want.file_size, cases[i].want.mem_size);
		assert_int_equal(plan.lowest, cases[i].want.dest);
		assert_int_equal(plan.highest,
				 cases[i].want.dest + cases[i].want.mem_size);
		assert_int_equal(plan.entry, cases[i].in.header_addr);
		assert_int_equal(plan.warnings, cases[i].want.warnings);
		if (cases[i].want.warnings)
			assert_non_null(plan.warning);
	}
}

/* What GRUB refuses, or where its arithmetic would read or clear past the
 * memory it reserved: refused with one reason. */
static void test_flat_grub_refuses(void **state)
{
	static const struct {
		struct addr_case in;
		const char *why, *message;
	} cases[] = {
		{ { "offset negative: load_addr before the file start", 0x40,
		    0x101000, 0x100000, 0, 0, 0x1000 },
		  "address tag: load_addr %x lies before the start of the file",
		  "address tag: load_addr 0x100000 lies before the start of the file" },
		/* 2 GiB above the header is a negative int offset to GRUB. */
		{ { "offset negative after the 32-bit wrap", 0x40, 0x100000,
		    0x80100000, 0, 0, 0x1000 },
		  "address tag: load_addr %x lies before the start of the file",
		  "address tag: load_addr 0x80100000 lies before the start of the file" },
		{ { "offset past the end of the file", 0x1000, 0x10000000,
		    0x10002001, 0, 0x10004000, 0x3000 },
		  "address tag: load_addr %x lies past the end of the file",
		  "address tag: load_addr 0x10002001 lies past the end of the file" },
		{ { "offset at the end of the file, no bss", 0x40, 0x100040,
		    0x101000, 0, 0, 0x1000 },
		  "address tag: nothing to load",
		  "address tag: nothing to load" },
		{ { "load_end = load_addr, no bss", 0x40, 0x100040, 0x100000,
		    0x100000, 0, 0x1000 },
		  "address tag: nothing to load",
		  "address tag: nothing to load" },
		{ { "load_end before load_addr", 0x40, 0x100040, 0x100000,
		    0xfffff, 0, 0x1000 },
		  "address tag: load_end_addr %x is below load_addr (or 2 GiB past it)",
		  "address tag: load_end_addr 0xfffff is below load_addr (or 2 GiB past it)" },
		{ { "load_end 2 GiB past load_addr", 0x40, 0x1040, 0x1000,
		    0x80001000, 0, 0x1000 },
		  "address tag: load_end_addr %x is below load_addr (or 2 GiB past it)",
		  "address tag: load_end_addr 0x80001000 is below load_addr (or 2 GiB past it)" },
		{ { "bss_end before load_end", 0x40, 0x100040, 0x100000,
		    0x101000, 0x100fff, 0x1000 },
		  "address tag: bss_end_addr %x is below the end of the loaded data",
		  "address tag: bss_end_addr 0x100fff is below the end of the loaded data" },
		{ { "bss_end before load_addr", 0x40, 0x100040, 0x100000,
		    0x100800, 0xff000, 0x1000 },
		  "address tag: bss_end_addr %x is below the end of the loaded data",
		  "address tag: bss_end_addr 0xff000 is below the end of the loaded data" },
		{ { "bss_end before the end of the file, load_end 0", 0x40,
		    0x100040, 0x100000, 0, 0x100800, 0x1000 },
		  "address tag: bss_end_addr %x is below the end of the loaded data",
		  "address tag: bss_end_addr 0x100800 is below the end of the loaded data" },
		/* GRUB loads load_end + 1 bytes here, past its bss end. */
		{ { "load_addr 0xffffffff, load_end + 1 bytes past bss_end",
		    0x40, 0x100040, 0xffffffff, 0x100800, 0x104000, 0x1000 },
		  "address tag: bss_end_addr %x is below the end of the loaded data",
		  "address tag: bss_end_addr 0x104000 is below the end of the loaded data" },
		{ { "load_addr 0xffffffff, header_addr below its offset", 0x40,
		    0x20, 0xffffffff, 0, 0, 0x1000 },
		  "address tag: header_addr %x is below the header's file offset",
		  "address tag: header_addr 0x20 is below the header's file offset" },
		{ { "load range crosses 4 GiB", 0x40, 0xfffff040, 0xfffff000, 0,
		    0, 0x1001 },
		  "address tag: image would end above 4 GiB",
		  "address tag: image would end above 4 GiB" },
		{ { "load_addr 0xffffffff, load_end + 1 bytes cross 4 GiB",
		    0x40, 0xfffff040, 0xffffffff, 0x1000, 0, 0x2000 },
		  "address tag: image would end above 4 GiB",
		  "address tag: image would end above 4 GiB" },
		/* GRUB's load size is an int. The size handed to the parser
		 * is larger than the buffer: only the header is read. */
		{ { "more than 2 GiB to load", 0x40, 0x100040, 0x100040, 0, 0,
		    0x80000040 },
		  "address tag: more than 2 GiB to load",
		  "address tag: more than 2 GiB to load" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("refused: %s\n", cases[i].in.name);
		expect_fail(parse_addr_case(&cases[i].in), TANDEM_EINVAL,
			    cases[i].why);
		assert_string_equal(plan.message, cases[i].message);
	}
}

static void test_flat_errors(void **state)
{
	(void)state;
	build_flat(FLAT_LOAD + 0x1000, 0, false);
	expect_fail(parse(0x1000), TANDEM_EINVAL,
		    "address tag without entry address tag");

	memset(img_words, 0, sizeof(img_words));
	hdr_begin(FLAT_HDR);
	tag_sized(MB2_HTAG_ADDRESS, 0, 20, (uint32_t[]){ 1, 2, 3 }, 12);
	hdr_finish();
	expect_fail(parse(0x1000), TANDEM_EINVAL,
		    "address tag too short (size %u, needs 24)");
	assert_string_equal(plan.message,
			    "address tag too short (size 20, needs 24)");
}

/* ---- Header search (spec 3.1.1, 3.1.2) ---- */

static void test_header_search_window(void **state)
{
	(void)state;
	/* Last place that fits: the whole 24-byte header ends at 32768. */
	build_elf64();
	memset(img + HDR_AT, 0, 32);
	hdr_begin(32768 - 24);
	hdr_finish();
	assert_int_equal(parse(IMG_MAX), 0);
	assert_int_equal(plan.header_offset, 32768 - 24);

	/* Header starts inside but runs out of the window. */
	build_elf64();
	memset(img + HDR_AT, 0, 32);
	hdr_begin(32768 - 16);
	hdr_finish();
	expect_fail(parse(IMG_MAX), TANDEM_EINVAL,
		    "Multiboot2 header runs past the first 32 KiB");

	/* Header just outside: not found at all. */
	build_elf64();
	memset(img + HDR_AT, 0, 32);
	hdr_begin(32768);
	hdr_finish();
	expect_fail(parse(IMG_MAX), TANDEM_ENOENT,
		    "no Multiboot2 header in the first 32 KiB");

	/* Header running past the end of a small file. */
	build_elf64();
	hdr_finish();
	expect_fail(parse(HDR_AT + 20), TANDEM_EINVAL,
		    "Multiboot2 header runs past the end of the file");

	/* Misaligned magic is not a header. */
	build_elf64();
	memset(img + HDR_AT, 0, 32);
	hdr_begin(HDR_AT + 4);
	hdr_finish();
	expect_fail(parse(K64_SIZE), TANDEM_ENOENT,
		    "no Multiboot2 header in the first 32 KiB");

	/* Tiny or missing images. */
	expect_fail(parse(31), TANDEM_EINVAL,
		    "kernel image is shorter than 32 bytes");
	assert_int_equal(mb2_image_parse(NULL, 100, NULL, &plan), -TANDEM_EINVAL);
}

static void test_header_fields(void **state)
{
	(void)state;
	build_elf64();
	hdr_finish();
	img[HDR_AT + 12]++;
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "Multiboot2 header checksum wrong");

	/* MIPS, with a correct checksum. */
	build_elf64();
	put32(HDR_AT + 4, MB2_ARCH_MIPS32);
	put32(HDR_AT + 8, 24);
	put32(HDR_AT + 12, -(MB2_HEADER_MAGIC + MB2_ARCH_MIPS32 + 24));
	put32(HDR_AT + 16, 0);
	put32(HDR_AT + 20, 8);
	expect_fail(parse(K64_SIZE), TANDEM_ENOSYS,
		    "Multiboot2 header is for MIPS (architecture 4), not i386");

	build_elf64();
	put32(HDR_AT + 4, 7);
	put32(HDR_AT + 8, 24);
	put32(HDR_AT + 12, -(MB2_HEADER_MAGIC + 7 + 24));
	expect_fail(parse(K64_SIZE), TANDEM_ENOSYS,
		    "Multiboot2 header architecture %u not supported");
	assert_string_equal(plan.message,
			    "Multiboot2 header architecture 7 not supported");

	build_elf64();
	put32(HDR_AT + 8, 12);
	put32(HDR_AT + 12, -(MB2_HEADER_MAGIC + 12));
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "Multiboot2 header_length %u is below 16");

	/* A broken candidate first, a good header later: GRUB takes the good. */
	build_elf64();
	put32(HDR_AT - 8, MB2_HEADER_MAGIC);
	hdr_finish();
	assert_int_equal(parse(K64_SIZE), 0);
	assert_int_equal(plan.header_offset, HDR_AT);
}

/* ---- Tag walk (spec 3.1.3) ---- */

static void test_tag_structure(void **state)
{
	(void)state;
	build_elf64();
	hdr_finish_len(false, 0);
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "Multiboot2 header has no end tag");

	build_elf64();
	entry_tag(0x100000);
	hdr_finish_len(false, 0);
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "Multiboot2 header has no end tag");

	build_elf64();
	tag_sized(0x1234, MB2_HTAG_OPTIONAL, 4, NULL, 0);
	hdr_finish();
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "header tag %u is shorter than 8 bytes");
	assert_string_equal(plan.message,
			    "header tag 4660 is shorter than 8 bytes");

	build_elf64();
	tag_sized(MB2_HTAG_FRAMEBUFFER, 0, 0, NULL, 0);
	hdr_finish();
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "header tag %u is shorter than 8 bytes");

	/* A tag whose size runs past header_length (end tag not counted). */
	build_elf64();
	entry_tag(0x100000);
	hdr_finish_len(false, (uint32_t)-8);
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "header tag %u runs past header_length");

	build_elf64();
	tag_sized(MB2_HTAG_MODULE_ALIGN, 0, 0x7ff8, NULL, 0);
	hdr_pos = HDR_AT + 24;
	hdr_finish();
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "header tag %u runs past header_length");
}

static void test_known_tags_recorded(void **state)
{
	uint32_t console = MB2_CONSOLE_EGA_TEXT;
	uint32_t fb[3] = { 1024, 768, 32 };
	uint32_t efi = 0x100100;

	(void)state;
	build_elf64();
	tag_u32s(MB2_HTAG_CONSOLE_FLAGS, 0, &console, 1);
	tag_u32s(MB2_HTAG_FRAMEBUFFER, MB2_HTAG_OPTIONAL, fb, 3);
	tag(MB2_HTAG_MODULE_ALIGN, 0, NULL, 0);
	tag(MB2_HTAG_EFI_BS, 0, NULL, 0);
	tag_u32s(MB2_HTAG_ENTRY_EFI32, 0, &efi, 1);
	efi = 0x100200;
	tag_u32s(MB2_HTAG_ENTRY_EFI64, 0, &efi, 1);
	hdr_finish();
	assert_int_equal(parse(K64_SIZE), 0);
	assert_true(mb2_plan_has(&plan, MB2_HTAG_CONSOLE_FLAGS));
	assert_true(mb2_plan_has(&plan, MB2_HTAG_FRAMEBUFFER));
	assert_true(mb2_plan_has(&plan, MB2_HTAG_MODULE_ALIGN));
	assert_true(mb2_plan_has(&plan, MB2_HTAG_EFI_BS));
	assert_true(mb2_plan_has(&plan, MB2_HTAG_ENTRY_EFI32));
	assert_true(mb2_plan_has(&plan, MB2_HTAG_ENTRY_EFI64));
	assert_false(mb2_plan_has(&plan, MB2_HTAG_ADDRESS));
	assert_false(mb2_plan_has(&plan, 40));
	assert_int_equal(plan.console_flags, MB2_CONSOLE_EGA_TEXT);
	assert_int_equal(plan.fb_width, 1024);
	assert_int_equal(plan.fb_height, 768);
	assert_int_equal(plan.fb_depth, 32);
	assert_int_equal(plan.efi32_entry_addr, 0x100100);
	assert_int_equal(plan.efi64_entry_addr, 0x100200);
	/* EFI entries are recorded, never used: the ELF entry stands. */
	assert_int_equal(plan.entry, 0x100020);

	build_elf64();
	tag_sized(MB2_HTAG_ENTRY, 0, 8, NULL, 0);
	hdr_finish();
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "entry address tag too short (size %u, needs 12)");
}

static void test_unknown_tags(void **state)
{
	uint32_t junk[2] = { 1, 2 };

	(void)state;
	build_elf64();
	tag_u32s(0x77, 0, junk, 2);
	hdr_finish();
	expect_fail(parse(K64_SIZE), TANDEM_ENOSYS,
		    "unsupported header tag %x (not marked optional)");
	assert_string_equal(plan.message,
			    "unsupported header tag 0x77 (not marked optional)");

	build_elf64();
	tag_u32s(0x77, MB2_HTAG_OPTIONAL, junk, 2);
	tag(0x78, MB2_HTAG_OPTIONAL, NULL, 0);
	hdr_finish();
	assert_int_equal(parse(K64_SIZE), 0);
	assert_int_equal(plan.unknown_skipped, 2);
	assert_int_equal(plan.unknown_claimed, 0);
}

/* The HRT's caller: claims 0xf00d, checks its payload, refuses 0xbad. */
struct hrt_ctx {
	unsigned calls;
	unsigned seen_f00d;
	uint32_t f00d_offset;
	uint64_t f00d_first;
};

static int hrt_tag(void *ctx, const struct mb2_header_tag *t, const char **why)
{
	struct hrt_ctx *c = ctx;

	c->calls++;
	assert_true(t->payload >= img &&
		    t->payload + t->payload_len <= img + IMG_MAX);
	assert_int_equal(t->payload_len, t->size - 8);
	assert_ptr_equal(t->payload, img + t->offset + 8);
	if (t->type == 0xf00d) {
		c->seen_f00d++;
		c->f00d_offset = t->offset;
		if (t->payload_len >= 8)
			memcpy(&c->f00d_first, t->payload, 8);
		return MB2_TAG_CLAIMED;
	}
	if (t->type == 0xbad) {
		*why = "HRT tag %x asks for a vector below 32";
		return -TANDEM_EINVAL;
	}
	if (t->type == 0xbae)
		return -TANDEM_EPERM;
	return 0;
}

static void test_callback_claims_hrt_tag(void **state)
{
	uint64_t hrt[5] = { 0x200, 0x200000000ull, 0xffff800000000000ull,
			    0xffff800010000078ull, 0x1fffff000ull };
	struct hrt_ctx c = { 0 };
	struct mb2_image_opts o = {
		.info_supported = MB2_IMAGE_INFO_GRUB,
		.tag_fn = hrt_tag,
		.tag_ctx = &c,
	};

	(void)state;
	build_elf64();
	entry_tag(0x100000);
	tag(0xf00d, 0, hrt, sizeof(hrt));
	hdr_finish();
	/* Without the hook the required 0xf00d tag is refused, like GRUB. */
	expect_fail(parse(K64_SIZE), TANDEM_ENOSYS,
		    "unsupported header tag %x (not marked optional)");
	assert_string_equal(plan.message,
			    "unsupported header tag 0xf00d (not marked optional)");

	assert_int_equal(parse_opts(K64_SIZE, &o), 0);
	assert_int_equal(c.calls, 2); /* every tag but the end tag */
	assert_int_equal(c.seen_f00d, 1);
	assert_int_equal(c.f00d_offset, HDR_AT + 16 + 16);
	assert_int_equal(c.f00d_first, 0x200);
	assert_int_equal(plan.unknown_claimed, 1);

	/* The hook can refuse a tag with its own reason. */
	build_elf64();
	tag(0xbad, MB2_HTAG_OPTIONAL, NULL, 0);
	hdr_finish();
	expect_fail(parse_opts(K64_SIZE, &o), TANDEM_EINVAL,
		    "HRT tag %x asks for a vector below 32");
	assert_string_equal(plan.message,
			    "HRT tag 0xbad asks for a vector below 32");

	build_elf64();
	tag(0xbae, MB2_HTAG_OPTIONAL, NULL, 0);
	hdr_finish();
	expect_fail(parse_opts(K64_SIZE, &o), TANDEM_EPERM,
		    "header tag %u refused by the loader");
}

/* ---- Information requests (spec 3.1.4) ---- */

static void test_info_requests(void **state)
{
	uint32_t req[4] = { 1, 6, 15, 99 };
	struct mb2_image_opts o = { .info_supported = (1u << 1) | (1u << 6) };

	(void)state;
	build_elf64();
	tag_u32s(MB2_HTAG_INFO_REQUEST, 0, req, 4);
	hdr_finish();
	expect_fail(parse(K64_SIZE), TANDEM_ENOSYS,
		    "required information request tag %u not supported");
	assert_string_equal(plan.message,
			    "required information request tag 99 not supported");

	/* The same list as an optional request is a hint: accepted. */
	build_elf64();
	tag_u32s(MB2_HTAG_INFO_REQUEST, MB2_HTAG_OPTIONAL, req, 4);
	hdr_finish();
	assert_int_equal(parse(K64_SIZE), 0);
	assert_true(mb2_plan_has(&plan, MB2_HTAG_INFO_REQUEST));
	assert_true(plan.info_optional);
	assert_int_equal(plan.ninfo, 4);
	assert_int_equal(plan.info_listed, 4);
	assert_int_equal(plan.info[0], 1);
	assert_int_equal(plan.info[3], 99);

	/* Required types within GRUB's set pass with the defaults ... */
	build_elf64();
	tag_u32s(MB2_HTAG_INFO_REQUEST, 0, req, 3);
	hdr_finish();
	assert_int_equal(parse(K64_SIZE), 0);
	assert_false(plan.info_optional);
	/* ... but not when the caller says it cannot build type 15. */
	expect_fail(parse_opts(K64_SIZE, &o), TANDEM_ENOSYS,
		    "required information request tag %u not supported");
	assert_int_equal(plan.why_arg, 15);
}

static void test_info_requests_truncated(void **state)
{
	uint32_t req[40];
	unsigned i;

	(void)state;
	for (i = 0; i < 40; i++)
		req[i] = i % 20;
	build_elf64();
	tag_u32s(MB2_HTAG_INFO_REQUEST, 0, req, 20);
	tag_u32s(MB2_HTAG_INFO_REQUEST, MB2_HTAG_OPTIONAL, req + 20, 20);
	hdr_finish();
	assert_int_equal(parse(K64_SIZE), 0);
	assert_int_equal(plan.ninfo, MB2_IMAGE_MAX_INFO);
	assert_int_equal(plan.info_listed, 40);
	assert_false(plan.info_optional); /* the first tag was required */
	assert_true(plan.warnings & MB2_IMAGE_WARN_INFO_TRUNCATED);
}

/* ---- Relocation (spec 3.1.13) ---- */

static void test_relocation(void **state)
{
	(void)state;
	build_elf64();
	reloc_tag(0x200000, 0x40004000, 0x200000, MB2_RELOC_PREF_HIGH);
	hdr_finish();
	assert_int_equal(parse(K64_SIZE), 0);
	assert_true(mb2_plan_has(&plan, MB2_HTAG_RELOCATABLE));
	assert_int_equal(plan.reloc_min_addr, 0x200000);
	assert_int_equal(plan.reloc_max_addr, 0x40004000);
	assert_int_equal(plan.reloc_align, 0x200000);
	assert_int_equal(plan.reloc_preference, MB2_RELOC_PREF_HIGH);

	/* Where it already is: always fine. */
	assert_int_equal(mb2_plan_relocate(&plan, 0x100000), 0);

	assert_int_equal(mb2_plan_relocate(&plan, 0x300000), -TANDEM_ERANGE);
	assert_string_equal(plan.why,
			    "load base %x is not aligned as the relocatable tag asks");
	assert_int_equal(plan.lowest, 0x100000); /* unchanged */

	assert_int_equal(mb2_plan_relocate(&plan, 0), -TANDEM_ERANGE);
	assert_string_equal(plan.why,
			    "load base %x is below the relocatable tag's min_addr");

	assert_int_equal(mb2_plan_relocate(&plan, 0x40200000), -TANDEM_ERANGE);
	assert_string_equal(plan.message,
			    "image at load base 0x40200000 would end above the relocatable tag's max_addr");
	assert_int_equal(mb2_plan_relocate(&plan,
					   UINT64_MAX & ~UINT64_C(0x1fffff)),
			 -TANDEM_ERANGE);

	assert_int_equal(mb2_plan_relocate(&plan, 0x1000000), 0);
	expect_segment(0, 0x1000000, 0x1000, 0x1000, 0x1000);
	expect_segment(1, 0x1001000, 0x2000, 0x800, 0x3000);
	assert_int_equal(plan.entry, 0x1000020);
	assert_int_equal(plan.lowest, 0x1000000);
	assert_int_equal(plan.highest, 0x1004000);

	/* And back down (a negative shift). */
	assert_int_equal(mb2_plan_relocate(&plan, 0x200000), 0);
	assert_int_equal(plan.entry, 0x200020);
	expect_segment(1, 0x201000, 0x2000, 0x800, 0x3000);

	/* Ends exactly at max_addr: allowed. */
	assert_int_equal(mb2_plan_relocate(&plan, 0x40000000), 0);
	assert_int_equal(plan.highest, 0x40004000);
}

static void test_relocation_flat_and_refusals(void **state)
{
	(void)state;
	/* Flat image: link base is load_addr; the entry tag moves too. */
	memset(img_words, 0, sizeof(img_words));
	hdr_begin(FLAT_HDR);
	address_tag(FLAT_LOAD + FLAT_HDR, FLAT_LOAD, FLAT_LOAD + 0x800,
		    FLAT_LOAD + 0x2000);
	entry_tag(FLAT_LOAD + 0x100);
	reloc_tag(0, 0xffffffff, 0, MB2_RELOC_PREF_NONE);
	hdr_finish();
	assert_int_equal(parse(0x1000), 0);
	assert_int_equal(mb2_plan_relocate(&plan, 0x5000), 0);
	expect_segment(0, 0x5000, 0, 0x800, 0x2000);
	assert_int_equal(plan.entry, 0x5100);

	/* Not relocatable. */
	build_elf64();
	hdr_finish();
	assert_int_equal(parse(K64_SIZE), 0);
	assert_int_equal(mb2_plan_relocate(&plan, 0x100000), 0);
	assert_int_equal(mb2_plan_relocate(&plan, 0x200000), -TANDEM_EPERM);
	assert_string_equal(plan.why, "kernel image is not relocatable");
	assert_int_equal(plan.lowest, 0x100000);

	/* Nothing to relocate after a failed parse. */
	build_elf64();
	expect_fail(parse(K64_SIZE), TANDEM_EINVAL,
		    "Multiboot2 header checksum wrong");
	assert_int_equal(mb2_plan_relocate(&plan, 0x200000), -TANDEM_EINVAL);
	assert_string_equal(plan.why, "no load plan to relocate");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf64),
		cmocka_unit_test(test_elf32),
		cmocka_unit_test(test_elf_memsz_zero_and_nonload_skipped),
		cmocka_unit_test(test_entry_tag_overrides_elf),
		cmocka_unit_test(test_elf_entry_errors),
		cmocka_unit_test(test_elf_entry_any_phdr),
		cmocka_unit_test(test_elf_header_errors),
		cmocka_unit_test(test_elf32_wrong_machine),
		cmocka_unit_test(test_segment_past_eof),
		cmocka_unit_test(test_memsz_below_filesz),
		cmocka_unit_test(test_overlapping_segments),
		cmocka_unit_test(test_paddr_overflow_and_4g),
		cmocka_unit_test(test_too_many_segments),
		cmocka_unit_test(test_no_loadable_segment),
		cmocka_unit_test(test_section_headers),
		cmocka_unit_test(test_flat_with_bss),
		cmocka_unit_test(test_flat_grub_accepts),
		cmocka_unit_test(test_flat_grub_refuses),
		cmocka_unit_test(test_flat_errors),
		cmocka_unit_test(test_header_search_window),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_tag_structure),
		cmocka_unit_test(test_known_tags_recorded),
		cmocka_unit_test(test_unknown_tags),
		cmocka_unit_test(test_callback_claims_hrt_tag),
		cmocka_unit_test(test_info_requests),
		cmocka_unit_test(test_info_requests_truncated),
		cmocka_unit_test(test_relocation),
		cmocka_unit_test(test_relocation_flat_and_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
