/*
 * Host unit tests for kernel/hvm/hrt_image.c and kernel/hvm/hrt_boot.c: HRT kernel
 * images built in memory (ELF64 with the 0xf00d header tag), Palacios's
 * rejections and entry rules, then the boot state: page tables walked back
 * with pt_guest_walk(), the GDT/TSS/IDT, and the boot information parsed
 * back with mb2_parse().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fmt/elf.h"
#include "hvm/hrt_boot.h"
#include "hvm/hrt_image.h"
#include "lib/unaligned.h"
#include "fmt/mb2.h"
#include "fmt/mb2_image.h"
#include "mm/paging.h"
#include "tandem/errno.h"
#include "tandem/hvm.h"

#define IMG_MAX 0x4000
#define HDR_AT	0x1000 /* Multiboot2 header offset in the file */
#define OFF	HRT_GVA_OFFSET_HIGH
#define GIB	(UINT64_C(1) << 30)

static uint64_t img_words[IMG_MAX / 8];
static uint8_t *const img = (uint8_t *)img_words;
static struct hrt_image hrt;
static size_t hdr_pos;

static void put16(size_t off, uint16_t v)
{
	memcpy(img + off, &v, 2);
}
static void put32(size_t off, uint32_t v)
{
	memcpy(img + off, &v, 4);
}

/* ---- image builder ---- */

struct hrt_fields {
	uint64_t flags, max_mem, gva_offset, gva_entry, comm;
	uint8_t vector;
};

static const struct hrt_fields good = {
	.flags = TANDEM_HRT_MAP_4KB | TANDEM_HRT_MAP_2MB,
	.max_mem = GIB,
	.gva_offset = OFF,
	.gva_entry = 0,
	.comm = 0x7000,
	.vector = 0xf0,
};

/* ELF64: one segment, file [0x1000, 0x3000) at physical 0x100000 (virtual
 * OFF + 0x100000), memsz 0x4000, entry at virtual OFF + 0x100020. */
static void elf64(uint64_t paddr, uint64_t entry)
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
		.e_phnum = 1,
	};
	struct elf64_phdr p = {
		.p_type = PT_LOAD,
		.p_flags = PF_R | PF_X,
		.p_offset = 0x1000,
		.p_vaddr = OFF + 0x100000,
		.p_paddr = paddr,
		.p_filesz = 0x2000,
		.p_memsz = 0x4000,
		.p_align = 0x1000,
	};

	memset(img_words, 0, sizeof(img_words));
	memcpy(img, &e, sizeof(e));
	memcpy(img + 64, &p, sizeof(p));
	put32(HDR_AT, MB2_HEADER_MAGIC);
	put32(HDR_AT + 4, MB2_ARCH_I386);
	hdr_pos = HDR_AT + 16;
}

static void tag_raw(uint16_t type, const void *payload, uint32_t len)
{
	put16(hdr_pos, type);
	put16(hdr_pos + 2, 0);
	put32(hdr_pos + 4, 8 + len);
	memcpy(img + hdr_pos + 8, payload, len);
	hdr_pos += (8 + len + 7) & ~7u;
}

static void hrt_tag(const struct hrt_fields *f)
{
	struct tandem_mb2_hrt_tag t = {
		.hrt_flags = f->flags,
		.max_mem_to_map = f->max_mem,
		.gva_offset = f->gva_offset,
		.gva_entry = f->gva_entry,
		.comm_page_gpa = f->comm,
		.int_vector = f->vector,
	};

	tag_raw(TANDEM_MB2_HRT_TAG, (const uint8_t *)&t + 8, sizeof(t) - 8);
}

static void hdr_finish(void)
{
	uint32_t len;

	put16(hdr_pos, MB2_HTAG_END);
	put16(hdr_pos + 2, 0);
	put32(hdr_pos + 4, 8);
	hdr_pos += 8;
	len = (uint32_t)(hdr_pos - HDR_AT);
	put32(HDR_AT + 8, len);
	put32(HDR_AT + 12, -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + len));
}

/* A complete image with tag @f; returns the parse result. */
static int build_parse(const struct hrt_fields *f)
{
	elf64(0x100000, OFF + 0x100020);
	hrt_tag(f);
	hdr_finish();
	return hrt_image_parse(img, 0x3000, &hrt);
}

static void expect_fail(int ret, int err, const char *reason)
{
	assert_int_equal(ret, -err);
	assert_non_null(hrt.why);
	if (reason)
		assert_string_equal(hrt.why, reason);
}

/* ---- image tests ---- */

static void test_valid_image(void **state)
{
	(void)state;
	assert_int_equal(build_parse(&good), 0);
	assert_null(hrt.why);
	assert_int_equal(hrt.plan.format, MB2_FORMAT_ELF64);
	assert_int_equal(hrt.plan.nsegments, 1);
	assert_int_equal(hrt.plan.segments[0].dest, 0x100000);
	assert_int_equal(hrt.plan.segments[0].offset, 0x1000);
	assert_int_equal(hrt.plan.segments[0].file_size, 0x2000);
	assert_int_equal(hrt.plan.segments[0].mem_size, 0x4000);
	assert_int_equal(hrt.lowest, 0x100000);
	assert_int_equal(hrt.highest, 0x104000);
	assert_int_equal(hrt.tag.type, TANDEM_MB2_HRT_TAG);
	assert_int_equal(hrt.tag.size, 56);
	assert_int_equal(hrt.tag.max_mem_to_map, GIB);
	assert_int_equal(hrt.page_size, PT_SIZE_2M); /* highest flag wins */
	assert_int_equal(hrt.hrt_flags, TANDEM_HRT_MAP_2MB);
	assert_true(hrt.max_mem_raised);
	assert_int_equal(hrt.max_mem_mapped, 4 * GIB);
	assert_int_equal(hrt.gva_offset, OFF);
	assert_int_equal(hrt.comm_page_gpa, 0x7000);
	assert_int_equal(hrt.int_vector, 0xf0);
	assert_int_equal(hrt.entry_phys, 0x100020);
	assert_int_equal(hrt.entry, OFF + 0x100020);
}

static void test_rejections(void **state)
{
	struct hrt_fields f;

	(void)state;
	elf64(0x100000, OFF + 0x100020);
	hdr_finish();
	expect_fail(hrt_image_parse(img, 0x3000, &hrt), TANDEM_ENOENT,
		    "no HRT tag (0xf00d) in the Multiboot2 header");

	f = good;
	f.vector = 31;
	expect_fail(build_parse(&f), TANDEM_EINVAL, "HRT upcall vector below 32");
	f = good;
	f.vector = 32;
	assert_int_equal(build_parse(&f), 0);

	f = good;
	f.gva_offset = 0xffffffff80000000ull;
	expect_fail(build_parse(&f), TANDEM_EINVAL,
		    "HRT virtual offset is neither 0 nor 0xffff800000000000");
	f = good;
	f.flags |= TANDEM_HRT_RELOCATABLE;
	expect_fail(build_parse(&f), TANDEM_ENOSYS,
		    "relocatable HRT kernels are not supported");
	f = good;
	f.flags |= TANDEM_HRT_MAP_512GB;
	expect_fail(build_parse(&f), TANDEM_ENOSYS,
		    "HRT asks for 512 GiB pages, which x86-64 does not have");
	f = good;
	f.flags = 0;
	expect_fail(build_parse(&f), TANDEM_EINVAL,
		    "HRT tag sets no page-size flag (4 KiB, 2 MiB or 1 GiB)");
	f = good;
	f.comm = 0x7008;
	expect_fail(build_parse(&f), TANDEM_EINVAL,
		    "HRT comm page is not 4 KiB aligned");
	f = good;
	f.max_mem = HRT_MAX_MAPPED + 0x1000;
	expect_fail(build_parse(&f), TANDEM_ERANGE,
		    "HRT asks to map more than 128 TiB");
	f = good;
	f.comm = HRT_MAX_MAPPED;
	expect_fail(build_parse(&f), TANDEM_ERANGE,
		    "HRT comm page lies above 128 TiB");

	/* A tag too short to hold the fields: refused by the hook. */
	elf64(0x100000, OFF + 0x100020);
	tag_raw(TANDEM_MB2_HRT_TAG, &good, 16);
	hdr_finish();
	expect_fail(hrt_image_parse(img, 0x3000, &hrt), TANDEM_EINVAL, NULL);
	assert_non_null(strstr(hrt.why, "shorter than 56"));

	/* Not a Multiboot2 image at all: mb2_image's message. */
	memset(img_words, 0, sizeof(img_words));
	expect_fail(hrt_image_parse(img, 0x3000, &hrt), TANDEM_ENOENT, NULL);
	assert_true(hrt.why[0] != '\0');
}

static void test_page_size_and_memory(void **state)
{
	struct hrt_fields f = good;

	(void)state;
	f.flags = TANDEM_HRT_MAP_4KB | TANDEM_HRT_MAP_2MB | TANDEM_HRT_MAP_1GB;
	f.max_mem = 5 * GIB + 1;
	assert_int_equal(build_parse(&f), 0);
	assert_int_equal(hrt.page_size, PT_SIZE_1G);
	assert_int_equal(hrt.hrt_flags, TANDEM_HRT_MAP_1GB);
	assert_false(hrt.max_mem_raised);
	assert_int_equal(hrt.max_mem_mapped, 6 * GIB); /* rounded to 1 GiB */

	/* Other flags kept: the magic page-fault upcalls' one, for hrt.c. */
	f.flags = TANDEM_HRT_MAP_4KB | TANDEM_HRT_UPCALL_MAGIC_PF;
	f.max_mem = 4 * GIB;
	assert_int_equal(build_parse(&f), 0);
	assert_int_equal(hrt.page_size, PT_SIZE_4K);
	assert_int_equal(hrt.hrt_flags,
			 TANDEM_HRT_MAP_4KB | TANDEM_HRT_UPCALL_MAGIC_PF);
	assert_false(hrt.max_mem_raised);
	assert_int_equal(hrt.max_mem_mapped, 4 * GIB);
}

static void test_entry_rules(void **state)
{
	struct hrt_fields f = good;
	uint32_t entry = 0x100100;

	(void)state;
	/* gva_entry wins over everything. */
	f.gva_entry = OFF + 0x100200;
	assert_int_equal(build_parse(&f), 0);
	assert_int_equal(hrt.entry, OFF + 0x100200);
	assert_int_equal(hrt.entry_phys, 0x100200);

	/* No offset: the physical entry as it is. */
	f = good;
	f.gva_offset = 0;
	assert_int_equal(build_parse(&f), 0);
	assert_int_equal(hrt.entry, 0x100020);
	assert_int_equal(hrt.gva_offset, 0);

	/* An entry address tag overrides e_entry; the offset is added. */
	elf64(0x100000, OFF + 0x100020);
	tag_raw(MB2_HTAG_ENTRY, &entry, 4);
	hrt_tag(&good);
	hdr_finish();
	assert_int_equal(hrt_image_parse(img, 0x3000, &hrt), 0);
	assert_int_equal(hrt.plan.entry_source, MB2_ENTRY_TAG);
	assert_int_equal(hrt.entry, OFF + 0x100100);

	/* An entry outside the mapped memory. */
	f = good;
	f.gva_entry = OFF + 4 * GIB;
	expect_fail(build_parse(&f), TANDEM_ERANGE,
		    "HRT entry point is outside the mapped memory");
}

/*
 * Nautilus's HVM_HRT layout: an ELF whose Multiboot2 header carries an
 * address tag with load_addr above header_addr (the load starts after the
 * 0x78-byte header). The address tag wins over the program headers, as in
 * GRUB and Palacios.
 */
static void test_address_tag_nautilus(void **state)
{
	uint32_t addr[4] = { 0x100000, 0x100078, 0x102000, 0x104000 };
	uint32_t entry = 0x100100;

	(void)state;
	elf64(0x100000, OFF + 0x100020);
	tag_raw(MB2_HTAG_ADDRESS, addr, sizeof(addr));
	tag_raw(MB2_HTAG_ENTRY, &entry, 4);
	hrt_tag(&good);
	hdr_finish();
	assert_int_equal(hdr_pos - HDR_AT, 0x78);
	assert_int_equal(hrt_image_parse(img, 0x3000, &hrt), 0);
	assert_null(hrt.why);
	assert_int_equal(hrt.plan.format, MB2_FORMAT_FLAT);
	assert_int_equal(hrt.plan.nsegments, 1);
	assert_int_equal(hrt.plan.segments[0].dest, 0x100078);
	assert_int_equal(hrt.plan.segments[0].offset, HDR_AT + 0x78);
	assert_int_equal(hrt.plan.segments[0].file_size, 0x1f88);
	assert_int_equal(hrt.plan.segments[0].mem_size, 0x3f88);
	assert_int_equal(hrt.lowest, 0x100078);
	assert_int_equal(hrt.highest, 0x104000);
	assert_int_equal(hrt.entry_phys, 0x100100);
	assert_int_equal(hrt.entry, OFF + 0x100100);

	/* One byte further and the load would start past the file's end. */
	addr[1] = 0x102001;
	elf64(0x100000, OFF + 0x100020);
	tag_raw(MB2_HTAG_ADDRESS, addr, sizeof(addr));
	tag_raw(MB2_HTAG_ENTRY, &entry, 4);
	hrt_tag(&good);
	hdr_finish();
	expect_fail(hrt_image_parse(img, 0x3000, &hrt), TANDEM_EINVAL,
		    "address tag: load_addr 0x102001 lies past the end of the file");
}

static void test_high_segments(void **state)
{
	struct hrt_fields f = good;

	(void)state;
	/* ELF64 above 4 GiB is allowed, if mapped. */
	elf64(5 * GIB, OFF + 0x100020);
	f.max_mem = 8 * GIB;
	hrt_tag(&f);
	hdr_finish();
	assert_int_equal(hrt_image_parse(img, 0x3000, &hrt), 0);
	assert_int_equal(hrt.lowest, 5 * GIB);
	assert_int_equal(hrt.highest, 5 * GIB + 0x4000);
	assert_int_equal(hrt.entry_phys, 5 * GIB + 0x20);
	assert_int_equal(hrt.entry, OFF + 5 * GIB + 0x20);

	elf64(5 * GIB, OFF + 0x100020);
	hrt_tag(&good); /* maps only 4 GiB */
	hdr_finish();
	expect_fail(hrt_image_parse(img, 0x3000, &hrt), TANDEM_ERANGE,
		    "HRT image lies beyond the memory it asks to map");
}

/* ---- boot state ---- */

#define REGION_GPA 0x40000000ull

struct region_buf {
	struct hrt_region r;
	void *mem;
};

static void region_new(struct region_buf *b, uint64_t size)
{
	b->mem = aligned_alloc(4096, size);
	assert_non_null(b->mem);
	memset(b->mem, 0xa5, size); /* the builders must zero what they use */
	b->r.hva = b->mem;
	b->r.gpa = REGION_GPA;
	b->r.size = size;
	b->r.used = 0;
}

static int guest_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
	const struct hrt_region *r = ctx;

	if (gpa < r->gpa || gpa - r->gpa > r->size - size)
		return -TANDEM_EIO;
	*val = 0;
	memcpy(val, (const uint8_t *)r->hva + (gpa - r->gpa), size);
	return 0;
}

static int walk(const struct hrt_region *r, uint64_t cr3, uint64_t va,
		uint64_t *gpa, unsigned *flags)
{
	struct pt_guest_regs regs = {
		.cr0 = (1u << 31) | 1,
		.cr3 = cr3,
		.cr4 = 1u << 5,
		.efer = (1u << 10) | (1u << 8),
	};

	return pt_guest_walk(&regs, va, guest_read, (void *)r, gpa, flags);
}

static void expect_mapped(const struct hrt_region *r, uint64_t cr3, uint64_t va,
			  uint64_t pa)
{
	uint64_t got = ~0ull;
	unsigned flags = 0;

	assert_int_equal(walk(r, cr3, va, &got, &flags), 0);
	assert_int_equal(got, pa);
	assert_true(flags & PT_WRITE);
	assert_false(flags & PT_USER);
}

static void expect_unmapped(const struct hrt_region *r, uint64_t cr3, uint64_t va)
{
	uint64_t got;

	assert_int_equal(walk(r, cr3, va, &got, NULL), -TANDEM_ENOENT);
}

/* The leaf entry for @va: its level (3 PDPTE, 2 PDE, 1 PTE). */
static int leaf_level(const struct hrt_region *r, uint64_t cr3, uint64_t va)
{
	uint64_t table = cr3, e;
	int level;

	for (level = 4; level >= 1; level--) {
		assert_int_equal(guest_read((void *)r,
					    table + 8 * ((va >>
							  (12 + 9 * (level - 1))) &
							 511),
					    8, &e),
				 0);
		assert_true(e & 1);
		if (level == 1 || (level < 4 && (e & 0x80)))
			return level;
		table = e & 0x000ffffffffff000ull;
	}
	return 0;
}

static void check_tables(uint64_t page, int level, uint64_t comm)
{
	struct hrt_map_params p = {
		.max_mem = 4 * GIB,
		.page_size = page,
		.gva_offset = OFF,
		.comm_page_gpa = comm,
	};
	struct hrt_page_tables pt;
	struct region_buf b;
	const char *why = NULL;
	uint64_t need = hrt_page_tables_pages(&p);
	static const uint64_t probes[] = {
		0,	    0x1234,	0x1ff000,      0x200000,
		0x3fffffff, 0x40000000, 0xe3456789ull, 4 * GIB - 1,
	};
	size_t i;

	region_new(&b, (need + 1) * 4096);
	b.r.used = 100; /* tables start at the next page */
	assert_int_equal(hrt_build_page_tables(&b.r, &p, &pt, &why), 0);
	assert_int_equal(pt.cr3, REGION_GPA + 4096);
	assert_int_equal(b.r.used, 4096 * (1 + pt.pages));
	assert_true(pt.pages <= need);
	if (comm < p.max_mem)
		assert_int_equal(pt.pages, need);

	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		expect_mapped(&b.r, pt.cr3, probes[i], probes[i]);
		expect_mapped(&b.r, pt.cr3, OFF + probes[i], probes[i]);
		assert_int_equal(leaf_level(&b.r, pt.cr3, probes[i]), level);
		assert_int_equal(leaf_level(&b.r, pt.cr3, OFF + probes[i]),
				 level);
	}
	expect_unmapped(&b.r, pt.cr3, 4 * GIB + 8 * GIB);
	expect_unmapped(&b.r, pt.cr3, OFF + 4 * GIB + 8 * GIB);
	expect_unmapped(&b.r, pt.cr3, 0xffffffff80000000ull);
	if (comm >= p.max_mem) {
		expect_mapped(&b.r, pt.cr3, comm + 0x10, comm + 0x10);
		expect_mapped(&b.r, pt.cr3, OFF + comm, comm);
		assert_int_equal(leaf_level(&b.r, pt.cr3, comm), 1);
		expect_unmapped(&b.r, pt.cr3, comm + 0x1000);
		expect_unmapped(&b.r, pt.cr3, comm - 0x1000);
		expect_unmapped(&b.r, pt.cr3, OFF + comm + 0x1000);
	} else {
		expect_unmapped(&b.r, pt.cr3, 4 * GIB);
	}
	free(b.mem);
}

static void test_page_tables(void **state)
{
	(void)state;
	check_tables(PT_SIZE_4K, 1, 0x7000);
	check_tables(PT_SIZE_2M, 2, 0x7000);
	check_tables(PT_SIZE_1G, 3, 0x7000);
	/* Comm page beyond max_mem: in the same PDPT, and in a new one. */
	check_tables(PT_SIZE_4K, 1, 5 * GIB + 0x3000);
	check_tables(PT_SIZE_2M, 2, 5 * GIB + 0x3000);
	check_tables(PT_SIZE_1G, 3, 5 * GIB + 0x3000);
	check_tables(PT_SIZE_1G, 3, 600 * GIB);
}

static void test_page_tables_no_offset_and_merge(void **state)
{
	struct hrt_map_params p = {
		.max_mem = 4 * GIB,
		.page_size = PT_SIZE_2M,
		.gva_offset = 0,
		.comm_page_gpa = 0,
	};
	struct hrt_page_tables pt;
	struct region_buf b;
	uint8_t *pml4;

	(void)state;
	region_new(&b, 64 * 4096);
	assert_int_equal(hrt_build_page_tables(&b.r, &p, &pt, NULL), 0);
	assert_int_equal(pt.pages, 1 + 1 + 4);
	expect_mapped(&b.r, pt.cr3, 0x300000, 0x300000);
	expect_unmapped(&b.r, pt.cr3, OFF);

	/* With the offset: a merge that clears the lower half of the PML4
	 * (as the HRT does before copying the ROS's) keeps the upper half. */
	p.gva_offset = OFF;
	b.r.used = 0;
	assert_int_equal(hrt_build_page_tables(&b.r, &p, &pt, NULL), 0);
	pml4 = (uint8_t *)b.r.hva + (pt.cr3 - REGION_GPA);
	memset(pml4, 0, 2048);
	expect_unmapped(&b.r, pt.cr3, 0x300000);
	expect_mapped(&b.r, pt.cr3, OFF + 0x300000, 0x300000);
	free(b.mem);
}

static void test_page_tables_errors(void **state)
{
	struct hrt_map_params p = {
		.max_mem = 4 * GIB,
		.page_size = PT_SIZE_4K,
		.gva_offset = OFF,
		.comm_page_gpa = 5 * GIB,
	};
	struct hrt_page_tables pt;
	struct region_buf b;
	const char *why = NULL;

	(void)state;
	region_new(&b, 64 * 4096);
	b.r.used = 8;
	assert_int_equal(hrt_build_page_tables(&b.r, &p, &pt, &why),
			 -TANDEM_ENOMEM);
	assert_non_null(why);
	assert_int_equal(b.r.used, 8);

	/* Fits but for the comm page's tables: fails late, rolls back. */
	p.page_size = PT_SIZE_2M;
	b.r.size = 4096 * (1 + 1 + 4 + 1); /* 1 spare: PD, PT missing */
	b.r.used = 0;
	assert_int_equal(hrt_build_page_tables(&b.r, &p, &pt, &why),
			 -TANDEM_ENOMEM);
	assert_int_equal(b.r.used, 0);
	b.r.size = 4096 * (1 + 1 + 4 + 2);
	assert_int_equal(hrt_build_page_tables(&b.r, &p, &pt, &why), 0);
	assert_int_equal(pt.pages, 8);

	b.r.size = 64 * 4096;
	b.r.used = 0;
	p.max_mem = 4 * GIB + PT_SIZE_4K; /* not a page multiple */
	assert_int_equal(hrt_build_page_tables(&b.r, &p, &pt, &why),
			 -TANDEM_EINVAL);
	p.max_mem = 4 * GIB;
	p.gva_offset = 0xffffffff80000000ull; /* not 512 GiB aligned */
	assert_int_equal(hrt_build_page_tables(&b.r, &p, &pt, &why),
			 -TANDEM_EINVAL);
	p.gva_offset = OFF;
	p.comm_page_gpa = 0x1800;
	assert_int_equal(hrt_build_page_tables(&b.r, &p, &pt, &why),
			 -TANDEM_EINVAL);
	p.comm_page_gpa = 0;
	p.page_size = 0x400000;
	assert_int_equal(hrt_build_page_tables(&b.r, &p, &pt, &why),
			 -TANDEM_EINVAL);
	assert_int_equal(hrt_page_tables_pages(&p), 0);
	p.page_size = PT_SIZE_2M;
	b.r.gpa = REGION_GPA + 8; /* misaligned region */
	assert_int_equal(hrt_build_page_tables(&b.r, &p, &pt, &why),
			 -TANDEM_EINVAL);
	free(b.mem);
}

static void test_gdt(void **state)
{
	struct hrt_gdt g;
	struct region_buf b;
	const uint8_t *gdt, *idt, *tss;
	uint64_t lo, hi, base;
	size_t i;

	(void)state;
	region_new(&b, 3 * 4096);
	b.r.used = 4096;
	assert_int_equal(hrt_build_gdt(&b.r, &g, NULL), 0);
	assert_int_equal(g.gdtr_base, REGION_GPA + 4096);
	assert_int_equal(g.gdtr_limit, 39);
	assert_int_equal(g.cs, 0x08);
	assert_int_equal(g.ds, 0x10);
	assert_int_equal(g.tr, 0x18);
	assert_int_equal(g.cs_attr, 0xa9b);
	assert_int_equal(g.ds_attr, 0xc93);
	assert_int_equal(g.tss_attr, 0x8b);
	assert_int_equal(g.tss_limit, 103);
	assert_int_equal(g.idtr_limit, 4095);
	assert_int_equal(g.idtr_base % 4096, 0);
	assert_true(b.r.used == g.idtr_base - REGION_GPA + 4096);

	gdt = (uint8_t *)b.mem + (g.gdtr_base - REGION_GPA);
	assert_int_equal(rd64(gdt), 0);
	assert_int_equal(rd64(gdt + 8), 0x00af9b000000ffffull);
	assert_int_equal(rd64(gdt + 16), 0x00cf93000000ffffull);
	lo = rd64(gdt + 24);
	hi = rd64(gdt + 32);
	base = ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24) | (hi << 32);
	assert_int_equal(base, g.tss_base);
	assert_int_equal(lo & 0xffff, 103);
	assert_int_equal((lo >> 40) & 0xff, 0x89);
	assert_true(g.tss_base >= g.gdtr_base + 40);
	tss = (uint8_t *)b.mem + (g.tss_base - REGION_GPA);
	assert_int_equal(tss[102] | tss[103] << 8, 104);
	idt = (uint8_t *)b.mem + (g.idtr_base - REGION_GPA);
	for (i = 0; i < 4096; i++)
		assert_int_equal(idt[i], 0);

	/* Too small: nothing taken. */
	b.r.used = 8192 + 8;
	assert_int_equal(hrt_build_gdt(&b.r, &g, NULL), -TANDEM_ENOMEM);
	assert_int_equal(b.r.used, 8192 + 8);
	free(b.mem);
}

static void test_boot_info(void **state)
{
	static const struct mb2_mmap_entry mmap[] = {
		{ 0, 0x9fc00, MB2_MMAP_AVAILABLE, 0 },
		{ 0xf0000, 0x10000, MB2_MMAP_RESERVED, 0 },
		{ 0x100000, 0x3ff00000, MB2_MMAP_AVAILABLE, 0 },
		{ 0x40000000, 0x40000000, MB2_MMAP_AVAILABLE, 0 },
	};
	struct hrt_boot_params p = {
		.cmdline = "hrt console=serial",
		.mmap = mmap,
		.mmap_count = 4,
		.total_num_apics = 4,
		.first_hrt_apic_id = 2,
		.cpu_freq_khz = 2400000,
		.hrt_flags = TANDEM_HRT_MAP_2MB,
		.max_mem_mapped = 4 * GIB,
		.first_hrt_gpa = 0x40000000,
		.boot_state_gpa = REGION_GPA,
		.gva_offset = OFF,
		.comm_page_gpa = 0x7000,
		.hrt_int_vector = 0xf0,
	};
	struct tandem_mb2_hrt_info info;
	struct hrt_boot_info bi;
	struct region_buf b;
	static struct mb2_info mi;
	const uint8_t *blk, *t;
	uint8_t rsdp[36] = "RSD PTR ";
	bool found = false;
	uint32_t size;
	size_t pos;

	(void)state;
	region_new(&b, 4096);
	b.r.used = 3;
	rsdp[15] = 2;
	p.rsdp = rsdp;
	p.rsdp_len = sizeof(rsdp);
	assert_int_equal(hrt_build_boot_info(&b.r, &p, &bi, NULL), 0);
	assert_int_equal(bi.gpa, REGION_GPA + 8);
	assert_int_equal(b.r.used, 8 + bi.len);
	blk = (uint8_t *)b.mem + 8;

	assert_int_equal(mb2_parse(blk, bi.len, &mi), 0);
	assert_string_equal(mi.cmdline, "hrt console=serial");
	assert_string_equal(mi.loader_name, "Tandem");
	assert_true(mi.has_meminfo);
	assert_int_equal(mi.mem_lower_kib, 0x9fc00 / 1024);
	assert_int_equal(mi.mem_upper_kib, (2 * GIB - 0x100000) / 1024);
	assert_true(mi.has_mmap);
	assert_int_equal(mi.mmap_count, 4);
	assert_memory_equal(mi.mmap, mmap, sizeof(mmap));
	assert_non_null(mi.rsdp);
	assert_true(mi.rsdp_is_new);

	/* Walk the tags (spec 3.6.2) for the HRT info tag. */
	for (pos = 8; pos + 8 <= bi.len; pos += (size + 7) & ~(size_t)7) {
		uint32_t type;

		t = blk + pos;
		memcpy(&type, t, 4);
		memcpy(&size, t + 4, 4);
		if (type == 0 || size < 8)
			break;
		if (type == TANDEM_MB2_INFO_HRT) {
			assert_int_equal(size, sizeof(info));
			memcpy(&info, t, sizeof(info));
			found = true;
			break;
		}
	}
	assert_true(found);
	assert_int_equal(info.total_num_apics, 4);
	assert_int_equal(info.first_hrt_apic_id, 2);
	assert_int_equal(info.have_hrt_ioapic, 0);
	assert_int_equal(info.first_hrt_ioapic_entry, 0);
	assert_int_equal(info.cpu_freq_khz, 2400000);
	assert_int_equal(info.hrt_flags, TANDEM_HRT_MAP_2MB);
	assert_int_equal(info.max_mem_mapped, 4 * GIB);
	assert_int_equal(info.first_hrt_gpa, 0x40000000);
	assert_int_equal(info.boot_state_gpa, REGION_GPA);
	assert_int_equal(info.gva_offset, OFF);
	assert_int_equal(info.comm_page_gpa, 0x7000);
	assert_int_equal(info.hrt_int_vector, 0xf0);

	/* Too small: nothing taken. */
	b.r.used = 4096 - 64;
	assert_int_equal(hrt_build_boot_info(&b.r, &p, &bi, NULL),
			 -TANDEM_ENOMEM);
	assert_int_equal(b.r.used, 4096 - 64);
	free(b.mem);
}

/* Everything in one region, from a parsed image, as the loader will do. */
static void test_whole_boot_state(void **state)
{
	struct hrt_map_params mp;
	struct hrt_page_tables pt;
	struct hrt_boot_params bp;
	struct hrt_boot_info bi;
	struct hrt_gdt g;
	struct region_buf b;
	static struct mb2_info mi;

	(void)state;
	assert_int_equal(build_parse(&good), 0);
	mp.max_mem = hrt.max_mem_mapped;
	mp.page_size = hrt.page_size;
	mp.gva_offset = hrt.gva_offset;
	mp.comm_page_gpa = hrt.comm_page_gpa;
	region_new(&b, (hrt_page_tables_pages(&mp) + 3) * 4096);
	assert_int_equal(hrt_build_page_tables(&b.r, &mp, &pt, NULL), 0);
	assert_int_equal(hrt_build_gdt(&b.r, &g, NULL), 0);
	memset(&bp, 0, sizeof(bp));
	bp.hrt_flags = hrt.hrt_flags;
	bp.boot_state_gpa = b.r.gpa;
	bp.hrt_int_vector = hrt.int_vector;
	assert_int_equal(hrt_build_boot_info(&b.r, &bp, &bi, NULL), 0);
	assert_true(b.r.used <= b.r.size);
	assert_true(g.gdtr_base >= pt.cr3 + 4096 * pt.pages);
	assert_true(bi.gpa >= g.idtr_base + 4096);
	expect_mapped(&b.r, pt.cr3, hrt.entry, hrt.entry_phys);
	expect_mapped(&b.r, pt.cr3, g.gdtr_base, g.gdtr_base);
	assert_int_equal(mb2_parse((uint8_t *)b.mem + (bi.gpa - b.r.gpa),
				   bi.len, &mi),
			 0);
	assert_string_equal(mi.cmdline, "");
	assert_false(mi.has_mmap);
	free(b.mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_image),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_page_size_and_memory),
		cmocka_unit_test(test_entry_rules),
		cmocka_unit_test(test_address_tag_nautilus),
		cmocka_unit_test(test_high_segments),
		cmocka_unit_test(test_page_tables),
		cmocka_unit_test(test_page_tables_no_offset_and_merge),
		cmocka_unit_test(test_page_tables_errors),
		cmocka_unit_test(test_gdt),
		cmocka_unit_test(test_boot_info),
		cmocka_unit_test(test_whole_boot_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
