/*
 * Host unit tests for kernel/mm/paging.c. Table pages come from a fake
 * physical memory (page i at FAKE_BASE + i * 4096, above 4 GiB so high
 * address bits are exercised) that counts allocations and frees, poisons
 * freed pages, rejects double frees and can fail the n-th allocation.
 * Guest page tables for the walker live in a separate small guest memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/paging.h"
#include "tandem/errno.h"

#define FAKE_PAGES 1100
#define FAKE_BASE  0x500000000ull
#define ADDR_MASK  0x000ffffffffff000ull
#define NX	   (1ull << 63)
#define KB4	   PT_SIZE_4K
#define MB2	   PT_SIZE_2M
#define GB1	   PT_SIZE_1G
#define RW	   (PT_READ | PT_WRITE)
#define RWX	   (PT_READ | PT_WRITE | PT_EXEC)

struct fake_mem {
	uint8_t *pages;
	bool live[FAKE_PAGES];
	size_t allocs, frees;
	long fail_after; /* successful allocations left; < 0: never fail */
};

static struct fake_mem fake;

static void *fake_alloc(void *ctx, uint64_t *phys)
{
	struct fake_mem *m = ctx;

	if (m->fail_after == 0)
		return NULL;
	if (m->fail_after > 0)
		m->fail_after--;
	for (size_t i = 0; i < FAKE_PAGES; i++) {
		if (!m->live[i]) {
			m->live[i] = true;
			m->allocs++;
			memset(m->pages + i * KB4, 0, KB4);
			*phys = FAKE_BASE + i * KB4;
			return m->pages + i * KB4;
		}
	}
	return NULL;
}

static size_t fake_index(struct fake_mem *m, uint64_t phys)
{
	size_t i = (phys - FAKE_BASE) / KB4;

	assert_true(phys >= FAKE_BASE && i < FAKE_PAGES);
	assert_int_equal(phys & (KB4 - 1), 0);
	assert_true(m->live[i]);
	return i;
}

static void fake_free(void *ctx, void *virt, uint64_t phys)
{
	struct fake_mem *m = ctx;
	size_t i = fake_index(m, phys);

	assert_ptr_equal(virt, m->pages + i * KB4);
	memset(virt, 0xa5, KB4); /* a stale entry read later looks present */
	m->live[i] = false;
	m->frees++;
}

static void *fake_phys_to_virt(void *ctx, uint64_t phys)
{
	struct fake_mem *m = ctx;

	return m->pages + fake_index(m, phys) * KB4;
}

static const struct pt_ops fake_ops = {
	.alloc_table = fake_alloc,
	.free_table = fake_free,
	.phys_to_virt = fake_phys_to_virt,
	.ctx = &fake,
};

static size_t fake_live(void)
{
	return fake.allocs - fake.frees;
}

static int setup(void **state)
{
	(void)state;
	fake.pages = aligned_alloc(KB4, FAKE_PAGES * KB4);
	memset(fake.live, 0, sizeof(fake.live));
	fake.allocs = fake.frees = 0;
	fake.fail_after = -1;
	return fake.pages ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(fake.pages);
	return 0;
}

static void init(struct page_table *pt, const struct pt_format *fmt,
		 uint64_t max_page, bool nx)
{
	assert_int_equal(pt_init(pt, fmt, &fake_ops, max_page, nx), 0);
}

/* Destroy @pt and check that every page it ever took came back. */
static void destroy(struct page_table *pt)
{
	pt_destroy(pt);
	assert_int_equal(fake_live(), 0);
	assert_null(pt->root);
}

/* The raw entry for @va at @level (3 = root), read straight from memory. */
static uint64_t raw_entry(const struct page_table *pt, uint64_t va, int level)
{
	const uint64_t *t = pt->root;

	for (int l = 3; l > level; l--)
		t = fake_phys_to_virt(&fake, t[(va >> (12 + 9 * l)) & 511] &
						     ADDR_MASK);
	return t[(va >> (12 + 9 * level)) & 511];
}

static void expect_map(const struct page_table *pt, uint64_t va, uint64_t pa,
		       unsigned flags, uint64_t page_size)
{
	uint64_t got_pa = 0, got_size = 0;
	unsigned got_flags = 0;

	assert_true(pt_lookup(pt, va, &got_pa, &got_flags, &got_size));
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_flags, flags);
	assert_int_equal(got_size, page_size);
}

static void expect_unmapped(const struct page_table *pt, uint64_t va)
{
	assert_false(pt_lookup(pt, va, NULL, NULL, NULL));
}

static void test_init(void **state)
{
	struct page_table pt;

	(void)state;
	assert_int_equal(pt_init(&pt, &pt_format_host, &fake_ops, 0x3000, true),
			 -TANDEM_EINVAL);
	assert_int_equal(pt_init(&pt, &pt_format_host, &fake_ops, 4 * MB2, true),
			 -TANDEM_EINVAL);
	assert_int_equal(pt_init(&pt, NULL, &fake_ops, KB4, true),
			 -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, KB4, RW), -TANDEM_EINVAL);
	fake.fail_after = 0;
	assert_int_equal(pt_init(&pt, &pt_format_ept, &fake_ops, KB4, false),
			 -TANDEM_ENOMEM);
	assert_int_equal(fake_live(), 0);
	assert_int_equal(pt_count_tables(&pt), 0);
	pt_destroy(&pt);
	fake.fail_after = -1;

	init(&pt, &pt_format_ept, MB2, true);
	assert_false(pt.nx); /* EPT has an X bit instead */
	assert_int_equal(pt_count_tables(&pt), 1);
	assert_int_equal(pt.root_phys & (KB4 - 1), 0);
	assert_ptr_equal(pt.root, fake_phys_to_virt(&fake, pt.root_phys));
	expect_unmapped(&pt, 0);
	destroy(&pt);
	pt_destroy(&pt); /* twice is harmless */
	assert_int_equal(fake.frees, 1);
}

/* 1 GiB identity map with each largest page size. */
static void test_identity_1g(void **state)
{
	static const struct {
		uint64_t max_page;
		size_t tables;
	} cases[] = {
		{ GB1, 2 },	  /* PML4 + PDPT holding one 1 GiB leaf */
		{ MB2, 3 },	  /* + one PD of 512 2 MiB leaves */
		{ KB4, 3 + 512 }, /* + 512 page tables */
	};
	struct page_table pt;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		init(&pt, &pt_format_host, cases[i].max_page, true);
		assert_int_equal(pt_map(&pt, 0, 0, GB1, RWX), 0);
		assert_int_equal(pt_count_tables(&pt), cases[i].tables);
		assert_int_equal(fake_live(), cases[i].tables);
		expect_map(&pt, 0, 0, RWX, cases[i].max_page);
		expect_map(&pt, 0x12345678, 0x12345678, RWX, cases[i].max_page);
		expect_map(&pt, GB1 - 1, GB1 - 1, RWX, cases[i].max_page);
		expect_unmapped(&pt, GB1);
		destroy(&pt);
	}
}

/* The largest page that alignment of va and pa allows, not just of va. */
static void test_page_size_choice(void **state)
{
	struct page_table pt;

	(void)state;
	init(&pt, &pt_format_ept, GB1, false);
	/* pa only 2 MiB aligned: 2 MiB pages even though va is 1 GiB aligned. */
	assert_int_equal(pt_map(&pt, GB1, 0x200000, GB1, RWX), 0);
	assert_int_equal(pt_count_tables(&pt), 3);
	expect_map(&pt, GB1 + 0x1234, 0x201234, RWX, MB2);
	destroy(&pt);

	/* 4 KiB head up to a 2 MiB boundary, 2 MiB body, 4 KiB tail. */
	init(&pt, &pt_format_ept, GB1, false);
	assert_int_equal(pt_map(&pt, MB2 - 0x3000, 0x7fd000,
				0x3000 + MB2 + 0x1000, RW),
			 0);
	assert_int_equal(pt_count_tables(&pt), 5);
	expect_map(&pt, MB2 - 0x3000, 0x7fd000, RW, KB4);
	expect_map(&pt, MB2 - 0x1000, 0x7ff000, RW, KB4);
	expect_map(&pt, MB2, 0x800000, RW, MB2);
	expect_map(&pt, 2 * MB2 + 0x80, 0xa00080, RW, KB4);
	expect_unmapped(&pt, 2 * MB2 + 0x1000);
	expect_unmapped(&pt, MB2 - 0x4000);
	destroy(&pt);
}

static void test_bits_ept(void **state)
{
	struct page_table pt;
	uint64_t e;

	(void)state;
	init(&pt, &pt_format_ept, GB1, false);
	assert_int_equal(pt_map(&pt, 0x40000000, 0x40000000, GB1,
				PT_READ | PT_EXEC),
			 0);
	assert_int_equal(pt_map(&pt, 0x80000000, 0x80000000, MB2, RWX), 0);
	assert_int_equal(pt_map(&pt, 0x80200000, 0x80200000, MB2,
				RWX | PT_UNCACHED),
			 0);
	assert_int_equal(pt_map(&pt, 0x80400000, 0xfee00000, KB4,
				RW | PT_UNCACHED),
			 0);
	assert_int_equal(pt_map(&pt, 0x80401000, 0x123456000, KB4, PT_READ), 0);
	assert_int_equal(pt_map(&pt, 0x80402000, 0x5000, KB4, RWX | PT_USER), 0);

	/* Tables: R|W|X and the address, nothing else (SDM Vol. 3C 29.3.2). */
	e = raw_entry(&pt, 0x80000000, 3);
	assert_int_equal(e & ~ADDR_MASK, 0x7);
	e = raw_entry(&pt, 0x80000000, 2);
	assert_int_equal(e & ~ADDR_MASK, 0x7);
	/* 1 GiB R-X, WB (6 << 3), PAT not ignored (it combines), large. */
	assert_int_equal(raw_entry(&pt, 0x40000000, 2), 0x40000000 | 0xb5);
	/* 2 MiB RWX WB. */
	assert_int_equal(raw_entry(&pt, 0x80000000, 1), 0x80000000 | 0xb7);
	/* 2 MiB RWX UC: type 0, PAT not ignored (UC wins anyway). */
	assert_int_equal(raw_entry(&pt, 0x80200000, 1), 0x80200000 | 0x87);
	/* 4 KiB: no large bit. */
	assert_int_equal(raw_entry(&pt, 0x80400000, 0), 0xfee00000 | 0x03);
	assert_int_equal(raw_entry(&pt, 0x80401000, 0), 0x123456000 | 0x31);
	assert_int_equal(raw_entry(&pt, 0x80402000, 0), 0x5000 | 0x37);
	/* WC, WT, WP leaves: the type in bits 5:3, PAT not ignored. */
	assert_int_equal(pt_map(&pt, 0x80403000, 0x6000, KB4, RW | PT_MT(1)), 0);
	assert_int_equal(raw_entry(&pt, 0x80403000, 0), 0x6000 | 0x0b);
	expect_map(&pt, 0x80403000, 0x6000, RW | PT_MT(1), KB4);
	assert_int_equal(pt_map(&pt, 0x80404000, 0x7000, KB4, RW | PT_MT(5)), 0);
	assert_int_equal(raw_entry(&pt, 0x80404000, 0), 0x7000 | 0x2b);
	/* PT_MT(WB) is the default, PT_MT(UC) is PT_UNCACHED */
	assert_int_equal(pt_map(&pt, 0x80405000, 0x8000, KB4, RW | PT_MT(6)), 0);
	expect_map(&pt, 0x80405000, 0x8000, RW, KB4);
	assert_int_equal(pt_map(&pt, 0x80406000, 0x9000, KB4, RW | PT_MT(0)), 0);
	expect_map(&pt, 0x80406000, 0x9000, RW | PT_UNCACHED, KB4);

	expect_map(&pt, 0x40000000, 0x40000000, PT_READ | PT_EXEC, GB1);
	expect_map(&pt, 0x80200000, 0x80200000, RWX | PT_UNCACHED, MB2);
	expect_map(&pt, 0x80400000, 0xfee00000, RW | PT_UNCACHED, KB4);
	expect_map(&pt, 0x80401000, 0x123456000, PT_READ, KB4);
	expect_map(&pt, 0x80402000, 0x5000, RWX, KB4); /* EPT has no U */
	destroy(&pt);
}

static void test_bits_host(void **state)
{
	struct page_table pt;

	(void)state;
	init(&pt, &pt_format_host, GB1, true);
	assert_int_equal(pt_map(&pt, 0xffffffffc0000000, 0x40000000, GB1, RWX),
			 0);
	assert_int_equal(pt_map(&pt, 0xffff880000000000, 0x1000000, MB2,
				PT_READ | PT_EXEC),
			 0);
	assert_int_equal(pt_map(&pt, 0xffffc90000000000, 0xfee00000, KB4,
				RW | PT_UNCACHED),
			 0);
	assert_int_equal(pt_map(&pt, 0x1000, 0x2000, KB4, PT_READ | PT_USER), 0);

	/* Tables: P|RW|U; rights are decided by the leaf (SDM Vol. 3A 4.6). */
	assert_int_equal(raw_entry(&pt, 0xffffffffc0000000, 3) & ~ADDR_MASK, 0x7);
	/* 1 GiB: P|RW|PS, executable so no NX. */
	assert_int_equal(raw_entry(&pt, 0xffffffffc0000000, 2),
			 0x40000000 | 0x83);
	/* 2 MiB: P|PS, read-only, executable. */
	assert_int_equal(raw_entry(&pt, 0xffff880000000000, 1), 0x1000000 | 0x81);
	/* 4 KiB: P|RW|PWT|PCD|NX. */
	assert_int_equal(raw_entry(&pt, 0xffffc90000000000, 0),
			 0xfee00000 | 0x1b | NX);
	/* 4 KiB: P|U|NX. */
	assert_int_equal(raw_entry(&pt, 0x1000, 0), 0x2000 | 0x5 | NX);

	expect_map(&pt, 0xffffffffc0123456, 0x40123456, RWX, GB1);
	expect_map(&pt, 0xffff880000000000, 0x1000000, PT_READ | PT_EXEC, MB2);
	expect_map(&pt, 0xffffc90000000010, 0xfee00010, RW | PT_UNCACHED, KB4);
	expect_map(&pt, 0x1000, 0x2000, PT_READ | PT_USER, KB4);
	destroy(&pt);

	/* Without NX the bit is reserved: never set, everything executes. */
	init(&pt, &pt_format_host, MB2, false);
	assert_int_equal(pt_map(&pt, 0, 0x200000, MB2, PT_READ), 0);
	assert_int_equal(raw_entry(&pt, 0, 1), 0x200000 | 0x81);
	expect_map(&pt, 0, 0x200000, PT_READ | PT_EXEC, MB2);
	destroy(&pt);
}

static void test_bits_npt(void **state)
{
	struct page_table pt;

	(void)state;
	init(&pt, &pt_format_npt, MB2, false);
	assert_int_equal(pt_map(&pt, 0, 0x100000000, KB4, RW), 0);
	assert_int_equal(pt_map(&pt, MB2, 0xc0000000, MB2, PT_READ | PT_UNCACHED),
			 0);
	/* U on every level (APM Vol. 2 15.25); no NX unless asked for. */
	for (int level = 3; level > 0; level--)
		assert_int_equal(raw_entry(&pt, 0, level) & ~ADDR_MASK, 0x7);
	assert_int_equal(raw_entry(&pt, 0, 0), 0x100000000 | 0x7);
	assert_int_equal(raw_entry(&pt, MB2, 1), 0xc0000000 | 0x9d);
	expect_map(&pt, 0, 0x100000000, RWX | PT_USER, KB4);
	expect_map(&pt, MB2, 0xc0000000,
		   PT_READ | PT_EXEC | PT_USER | PT_UNCACHED, MB2);
	destroy(&pt);

	init(&pt, &pt_format_npt, MB2, true);
	assert_int_equal(pt_map(&pt, 0, 0x100000000, KB4, RW), 0);
	assert_int_equal(raw_entry(&pt, 0, 0), 0x100000000 | 0x7 | NX);
	expect_map(&pt, 0, 0x100000000, RW | PT_USER, KB4);
	destroy(&pt);
}

/* Unmapping 4 KiB inside a 2 MiB page splits it; the rest still maps. */
static void test_unmap_splits(void **state)
{
	struct page_table pt;

	(void)state;
	init(&pt, &pt_format_ept, MB2, false);
	assert_int_equal(pt_map(&pt, 0x40000000, 0x80000000, MB2, RW), 0);
	assert_int_equal(pt_count_tables(&pt), 3);
	assert_int_equal(pt_unmap(&pt, 0x40005000, KB4), 0);
	assert_int_equal(pt_count_tables(&pt), 4);
	expect_unmapped(&pt, 0x40005000);
	expect_unmapped(&pt, 0x40005fff);
	expect_map(&pt, 0x40000000, 0x80000000, RW, KB4);
	expect_map(&pt, 0x40004fff, 0x80004fff, RW, KB4);
	expect_map(&pt, 0x40006000, 0x80006000, RW, KB4);
	expect_map(&pt, 0x401ff123, 0x801ff123, RW, KB4);
	/* The split-off leaves keep WB and lose the large bit. */
	assert_int_equal(raw_entry(&pt, 0x40006000, 0), 0x80006000 | 0x33);

	/* Unmapping the rest frees the page table, then PD and PDPT. */
	assert_int_equal(pt_unmap(&pt, 0x40000000, 0x5000), 0);
	assert_int_equal(pt_unmap(&pt, 0x40006000, MB2 - 0x6000), 0);
	assert_int_equal(pt_count_tables(&pt), 1);
	assert_int_equal(fake_live(), 1);
	/* Unmapping nothing is fine. */
	assert_int_equal(pt_unmap(&pt, 0, GB1), 0);
	destroy(&pt);

	/* A 1 GiB page splits into 2 MiB pages, then one of those into 4 KiB. */
	init(&pt, &pt_format_host, GB1, true);
	assert_int_equal(pt_map(&pt, 0, 0, GB1, RWX), 0);
	assert_int_equal(pt_unmap(&pt, 0x12345000, KB4), 0);
	assert_int_equal(pt_count_tables(&pt), 4);
	expect_unmapped(&pt, 0x12345000);
	expect_map(&pt, 0x12344000, 0x12344000, RWX, KB4);
	expect_map(&pt, 0x12346000, 0x12346000, RWX, KB4);
	expect_map(&pt, 0x12200000 - 1, 0x12200000 - 1, RWX, MB2);
	expect_map(&pt, 0x12400000, 0x12400000, RWX, MB2);
	expect_map(&pt, GB1 - 1, GB1 - 1, RWX, MB2);
	assert_int_equal(raw_entry(&pt, 0, 1), 0x83);
	assert_int_equal(raw_entry(&pt, 0x12346000, 0), 0x12346000 | 0x3);
	destroy(&pt);
}

/* Mapping over a mapping replaces it, splitting and re-merging. */
static void test_remap(void **state)
{
	struct page_table pt;

	(void)state;
	init(&pt, &pt_format_npt, MB2, true);
	assert_int_equal(pt_map(&pt, 0, 0x40000000, MB2, RW), 0);
	assert_int_equal(pt_map(&pt, 0x1000, 0x90000000, KB4, PT_READ | PT_EXEC),
			 0);
	assert_int_equal(pt_count_tables(&pt), 4);
	expect_map(&pt, 0x0, 0x40000000, RW | PT_USER, KB4);
	expect_map(&pt, 0x1000, 0x90000000, PT_READ | PT_EXEC | PT_USER, KB4);
	expect_map(&pt, 0x2000, 0x40002000, RW | PT_USER, KB4);

	/* Same again: nothing changes shape. */
	assert_int_equal(pt_map(&pt, 0x1000, 0x90000000, KB4, PT_READ | PT_EXEC),
			 0);
	assert_int_equal(pt_count_tables(&pt), 4);

	/* The whole 2 MiB again: back to one large leaf, the table freed. */
	assert_int_equal(pt_map(&pt, 0, 0x60000000, MB2, RWX), 0);
	assert_int_equal(pt_count_tables(&pt), 3);
	assert_int_equal(fake_live(), 3);
	expect_map(&pt, 0x1000, 0x60001000, RWX | PT_USER, MB2);

	/* Over a range partly mapped and partly not. */
	assert_int_equal(pt_map(&pt, MB2 - 0x2000, 0x3000, 0x4000, RW), 0);
	expect_map(&pt, MB2 - 0x3000, 0x601fd000, RWX | PT_USER, KB4);
	expect_map(&pt, MB2 - 0x2000, 0x3000, RW | PT_USER, KB4);
	expect_map(&pt, MB2 + 0x1000, 0x6000, RW | PT_USER, KB4);
	expect_unmapped(&pt, MB2 + 0x2000);
	destroy(&pt);
}

/* Cell Create takes 1 MiB out of the root's map, Cell Destroy maps it
 * back: the tables the split made are merged back and freed (both vendors'
 * formats; accessed and dirty bits the MMU set do not prevent it). */
static void test_merge_back(void **state)
{
	static const struct pt_format *const fmts[] = { &pt_format_npt,
							&pt_format_ept };

	(void)state;
	for (size_t f = 0; f < 2; f++) {
		struct page_table pt;
		size_t base;
		uint64_t *pt0;
		/* EPT has no user bit to read back. */
		unsigned seen = f ? RWX : RWX | PT_USER;

		init(&pt, fmts[f], GB1, true);
		assert_int_equal(pt_map(&pt, 0, 0, 4 * GB1, RWX | PT_USER), 0);
		assert_int_equal(pt_unmap(&pt, 0x1000, KB4), 0); /* as Tandem's */
		base = pt_count_tables(&pt);
		assert_int_equal(fake_live(), base);
		assert_int_equal(pt_unmap(&pt, 0x4000000, 0x100000), 0);
		assert_int_equal(pt_count_tables(&pt), base + 1);
		/* The MMU marks a few of the leaves accessed and dirty. */
		pt0 = fake_phys_to_virt(&fake, raw_entry(&pt, 0x4100000, 1) &
						       ADDR_MASK);
		for (int i = 256; i < 260; i++)
			pt0[i] |= f ? (3ull << 8) : (3ull << 5);
		assert_int_equal(pt_map(&pt, 0x4000000, 0x4000000, 0x100000,
					RWX | PT_USER),
				 0);
		assert_int_equal(pt_count_tables(&pt), base);
		assert_int_equal(fake_live(), base);
		expect_map(&pt, 0x4080000, 0x4080000, seen, MB2);
		/* Inside an untouched 1 GiB page: split twice, merged twice. */
		assert_int_equal(pt_unmap(&pt, 2 * GB1 + MB2, KB4), 0);
		assert_int_equal(pt_count_tables(&pt), base + 2);
		assert_int_equal(pt_map(&pt, 2 * GB1 + MB2, 2 * GB1 + MB2, KB4,
					RWX | PT_USER),
				 0);
		assert_int_equal(pt_count_tables(&pt), base);
		expect_map(&pt, 2 * GB1 + 5 * MB2, 2 * GB1 + 5 * MB2, seen, GB1);
		/* Different rights in one page: no merge. */
		assert_int_equal(pt_map(&pt, 3 * GB1, 3 * GB1, KB4, PT_READ), 0);
		assert_int_equal(pt_count_tables(&pt), base + 2);
		destroy(&pt);
	}
}

static void test_protect(void **state)
{
	struct page_table pt;

	(void)state;
	init(&pt, &pt_format_host, MB2, true);
	assert_int_equal(pt_map(&pt, 0, 0x200000, 2 * MB2, RWX), 0);
	assert_int_equal(pt_protect(&pt, 0x3000, KB4, PT_READ), 0);
	assert_int_equal(pt_count_tables(&pt), 4);
	expect_map(&pt, 0x3000, 0x203000, PT_READ, KB4);
	expect_map(&pt, 0x4000, 0x204000, RWX, KB4);
	/* Whole large pages keep their size; holes stay holes. */
	assert_int_equal(pt_protect(&pt, MB2, 2 * MB2, RW | PT_UNCACHED), 0);
	expect_map(&pt, MB2 + 8, 0x400008, RW | PT_UNCACHED, MB2);
	expect_unmapped(&pt, 2 * MB2);
	assert_int_equal(pt_protect(&pt, 0, KB4, PT_WRITE), -TANDEM_EINVAL);
	destroy(&pt);
}

static void test_bad_arguments(void **state)
{
	struct page_table pt;

	(void)state;
	init(&pt, &pt_format_host, GB1, true);
	assert_int_equal(pt_map(&pt, 0x1001, 0, KB4, RW), -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0x800, KB4, RW), -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0, 0x800, RW), -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0, 0, RW), -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0, KB4, PT_WRITE), -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0, KB4, 0), -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0, KB4, PT_READ | 0x100),
			 -TANDEM_EINVAL);
	/* Non-canonical, and ranges running into or over the hole or 2^64. */
	assert_int_equal(pt_map(&pt, 0x0000800000000000, 0, KB4, RW),
			 -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0xfff0000000000000, 0, KB4, RW),
			 -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0xffff7ffffffff000, 0, KB4, RW),
			 -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0x00007ffffffff000, 0, 2 * KB4, RW),
			 -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0xfffffffffffff000, 0, 2 * KB4, RW),
			 -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, 0xfffffffffffff000, RW),
			 -TANDEM_EINVAL);
	/* Physical addresses end at 2^52. */
	assert_int_equal(pt_map(&pt, 0, 1ull << 52, KB4, RW), -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0, (1ull << 52) - KB4, 2 * KB4, RW),
			 -TANDEM_EINVAL);
	assert_int_equal(pt_unmap(&pt, 0x0000800000000000, KB4), -TANDEM_EINVAL);
	assert_int_equal(pt_unmap(&pt, 0x1000, 0x1800), -TANDEM_EINVAL);
	assert_int_equal(pt_count_tables(&pt), 1);
	expect_unmapped(&pt, 0x0000800000000000);

	/* The last page of each half is fine. */
	assert_int_equal(pt_map(&pt, 0x00007ffffffff000, (1ull << 52) - KB4,
				KB4, RW),
			 0);
	assert_int_equal(pt_map(&pt, 0xfffffffffffff000, 0x5000, KB4, RW), 0);
	assert_int_equal(pt_map(&pt, 0xffff800000000000, 0x6000, KB4, RW), 0);
	expect_map(&pt, 0x00007fffffffffff, (1ull << 52) - 1, RW, KB4);
	expect_map(&pt, 0xffffffffffffffff, 0x5fff, RW, KB4);
	expect_map(&pt, 0xffff800000000000, 0x6000, RW, KB4);
	assert_int_equal(pt_unmap(&pt, 0xfffffffffffff000, KB4), 0);
	expect_unmapped(&pt, 0xfffffffffffff000);
	destroy(&pt);

	/* Guest-physical formats: below 2^48, no sign extension. */
	init(&pt, &pt_format_ept, GB1, false);
	assert_int_equal(pt_map(&pt, 0xffff800000000000, 0, KB4, RW),
			 -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 1ull << 48, 0, KB4, RW), -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, (1ull << 48) - KB4, 0, 2 * KB4, RW),
			 -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, (1ull << 48) - GB1, 0, GB1, RW), 0);
	expect_map(&pt, (1ull << 48) - 1, GB1 - 1, RW, GB1);
	expect_unmapped(&pt, 0xffffffffc0000000);
	destroy(&pt);
}

/*
 * The mapping used for allocation-failure injection, with max_page 1 GiB:
 * two 4 KiB pages, one 2 MiB page, one 1 GiB page, one 2 MiB page and three
 * 4 KiB pages, the last ones over part of an existing 2 MiB page.
 */
#define BIG_VA	   (0x3fe00000ull - 0x2000)
#define BIG_SIZE   (0x2000 + MB2 + GB1 + MB2 + 0x3000)
#define BIG_PA	   (BIG_VA + 0x100000000ull)
#define BIG_1G_OFF (0x2000 + MB2)
#define OLD_2M_VA  0x80200000ull /* split by the tail of BIG */
#define OLD_2M_PA  0x7400000ull
#define OLD_1G_VA  0xc0000000ull /* shares the PDPT */
#define OLD_4K_VA  0x80400000ull /* shares the PD of the tail */

static void check_old_mappings(const struct page_table *pt)
{
	expect_map(pt, OLD_1G_VA + 0x1234, 0x1234, PT_READ, GB1);
	expect_map(pt, OLD_4K_VA, 0x9000, PT_READ, KB4);
	/* The part of the old 2 MiB page BIG does not cover, split or not. */
	for (uint64_t off = 0x3000; off < MB2; off += KB4) {
		uint64_t pa, size;
		unsigned flags;

		assert_true(pt_lookup(pt, OLD_2M_VA + off, &pa, &flags, &size));
		assert_int_equal(pa, OLD_2M_PA + off);
		assert_int_equal(flags, PT_READ);
		assert_true(size == KB4 || size == MB2);
	}
}

/* Each page of BIG is either unmapped, mapped as BIG, or (in the part over
 * the old 2 MiB page) still mapped as that. */
static void check_big_range(const struct page_table *pt, bool complete)
{
	for (uint64_t off = 0; off < BIG_SIZE; off += KB4) {
		uint64_t va = BIG_VA + off, pa;
		unsigned flags;

		/* The 1 GiB page in the middle: sample it. */
		if (off >= BIG_1G_OFF && off < BIG_1G_OFF + GB1 &&
		    (off - BIG_1G_OFF) % (MB2 + KB4))
			continue;
		if (!pt_lookup(pt, va, &pa, &flags, NULL)) {
			assert_false(complete);
			assert_true(va < OLD_2M_VA);
			continue;
		}
		if (va >= OLD_2M_VA && pa == OLD_2M_PA + (va - OLD_2M_VA)) {
			assert_false(complete);
			assert_int_equal(flags, PT_READ);
			continue;
		}
		assert_int_equal(pa, BIG_PA + off);
		assert_int_equal(flags, RW);
	}
}

static void test_alloc_failure(void **state)
{
	struct page_table pt;
	long n;

	(void)state;
	for (n = 0;; n++) {
		size_t before_allocs, before_tables;
		int ret;

		init(&pt, &pt_format_ept, GB1, false);
		assert_int_equal(pt_map(&pt, OLD_1G_VA, 0, GB1, PT_READ), 0);
		assert_int_equal(pt_map(&pt, OLD_2M_VA, OLD_2M_PA, MB2, PT_READ),
				 0);
		assert_int_equal(pt_map(&pt, OLD_4K_VA, 0x9000, KB4, PT_READ), 0);
		before_allocs = fake.allocs;
		before_tables = pt_count_tables(&pt);
		fake.fail_after = n;
		ret = pt_map(&pt, BIG_VA, BIG_PA, BIG_SIZE, RW);
		fake.fail_after = -1;
		check_old_mappings(&pt);
		/* Nothing unreachable: every live page is a table in use. */
		assert_int_equal(pt_count_tables(&pt), fake_live());
		if (ret == 0) {
			check_big_range(&pt, true);
			/* PD and PT for the head, PT for the split tail. */
			assert_int_equal(fake.allocs - before_allocs, 3);
			assert_int_equal(n, 3);
			destroy(&pt);
			break;
		}
		assert_int_equal(ret, -TANDEM_ENOMEM);
		assert_int_equal(fake.allocs - before_allocs, n);
		/* Failing at the head's PT maps nothing: its new PD is freed. */
		if (n < 2)
			assert_int_equal(pt_count_tables(&pt), before_tables);
		check_big_range(&pt, false);
		/* Retrying with memory completes the job. */
		assert_int_equal(pt_map(&pt, BIG_VA, BIG_PA, BIG_SIZE, RW), 0);
		check_big_range(&pt, true);
		check_old_mappings(&pt);
		destroy(&pt);
	}

	/* Splitting for an unmap can fail too; nothing else changes then. */
	for (n = 0; n < 2; n++) {
		init(&pt, &pt_format_host, GB1, true);
		assert_int_equal(pt_map(&pt, 0, 0, GB1, RW), 0);
		fake.fail_after = n;
		assert_int_equal(pt_unmap(&pt, 0x1000, KB4), -TANDEM_ENOMEM);
		fake.fail_after = -1;
		assert_int_equal(pt_count_tables(&pt), fake_live());
		expect_map(&pt, 0x1000, 0x1000, RW, n ? MB2 : GB1);
		destroy(&pt);
	}
}

/* Interleaved maps and unmaps of mixed sizes: destroy frees it all. */
static void test_destroy_frees_all(void **state)
{
	struct page_table pt;

	(void)state;
	init(&pt, &pt_format_npt, GB1, true);
	for (uint64_t i = 0; i < 64; i++) {
		uint64_t va = (i * 0x1234567000ull) & 0x7fffffff000ull;

		assert_int_equal(pt_map(&pt, va, i * MB2, MB2 + KB4 * i, RWX), 0);
		if (i % 3 == 0)
			assert_int_equal(pt_unmap(&pt, va + KB4, KB4 * i + KB4),
					 0);
	}
	assert_int_equal(pt_map(&pt, 4 * GB1, 4 * GB1, 3 * GB1, RW), 0);
	assert_int_equal(pt_count_tables(&pt), fake_live());
	assert_true(fake_live() > 64);
	destroy(&pt);
	assert_int_equal(fake.allocs, fake.frees);
}

/* ---- guest page-table walker ---- */

#define GUEST_PAGES 64
#define G_P	    0x1ull
#define G_RW	    0x2ull
#define G_US	    0x4ull
#define G_PS	    0x80ull
#define G_NX	    (1ull << 63)
#define CR0_PG	    (1ull << 31)
#define CR4_PSE	    (1ull << 4)
#define CR4_PAE	    (1ull << 5)
#define CR4_LA57    (1ull << 12)
#define EFER_LMA    (1ull << 10)
#define EFER_NXE    (1ull << 11)

static uint8_t guest[GUEST_PAGES * 4096];
static unsigned guest_reads;

static int guest_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
	(void)ctx;
	assert_true(size == 4 || size == 8);
	assert_int_equal(gpa & (size - 1), 0);
	guest_reads++;
	if (gpa >= sizeof(guest) || sizeof(guest) - gpa < size)
		return -TANDEM_EIO;
	*val = 0;
	memcpy(val, guest + gpa, size);
	return 0;
}

static void gput64(uint64_t gpa, uint64_t v)
{
	memcpy(guest + gpa, &v, 8);
}

static void gput32(uint64_t gpa, uint32_t v)
{
	memcpy(guest + gpa, &v, 4);
}

static void expect_walk(const struct pt_guest_regs *r, uint64_t va,
			uint64_t gpa, unsigned flags)
{
	uint64_t got = 0;
	unsigned got_flags = 0;

	assert_int_equal(pt_guest_walk(r, va, guest_read, NULL, &got, &got_flags),
			 0);
	assert_int_equal(got, gpa);
	assert_int_equal(got_flags, flags);
}

static int walk_err(const struct pt_guest_regs *r, uint64_t va)
{
	uint64_t gpa = 0xdead;
	int ret = pt_guest_walk(r, va, guest_read, NULL, &gpa, NULL);

	assert_int_equal(gpa, 0xdead); /* untouched on failure */
	return ret;
}

static void test_guest_long_mode(void **state)
{
	struct pt_guest_regs r = {
		.cr0 = CR0_PG | 1,
		.cr3 = 0x1000 | 0x18,
		.cr4 = CR4_PAE,
		.efer = EFER_LMA | EFER_NXE | (1 << 8),
	};
	const uint64_t va = 0xffff812345678abc; /* PML4 258, PDPT 0x8d, PD 0x2b, PT 0x78 */
	const unsigned all = PT_READ | PT_WRITE | PT_USER | PT_EXEC;

	(void)state;
	memset(guest, 0, sizeof(guest));
	gput64(0x1000 + 258 * 8, 0x2000 | G_P | G_RW | G_US);
	gput64(0x2000 + 0x8d * 8, 0x3000 | G_P | G_RW | G_US);
	gput64(0x3000 + 0x2b * 8, 0x4000 | G_P | G_RW | G_US);
	gput64(0x4000 + 0x78 * 8, 0x123456000 | G_P | G_RW | G_US | 0x60);
	expect_walk(&r, va, 0x123456abc, all);

	/* Rights are the AND over levels; NX anywhere removes EXEC. */
	gput64(0x2000 + 0x8d * 8, 0x3000 | G_P | G_US | G_NX);
	expect_walk(&r, va, 0x123456abc, PT_READ | PT_USER);
	r.efer &= ~EFER_NXE;
	expect_walk(&r, va, 0x123456abc, PT_READ | PT_USER | PT_EXEC);
	r.efer |= EFER_NXE;
	gput64(0x2000 + 0x8d * 8, 0x3000 | G_P | G_RW);
	expect_walk(&r, va, 0x123456abc, PT_READ | PT_WRITE | PT_EXEC);
	gput64(0x2000 + 0x8d * 8, 0x3000 | G_P | G_RW | G_US);

	/* 2 MiB page: PAT bit 12 is not address. */
	gput64(0x3000 + 0x2b * 8, 0x40200000 | 0x1000 | G_PS | G_P | G_RW | G_US);
	expect_walk(&r, va, 0x40200000 + (va & (MB2 - 1)), all);
	/* 1 GiB page. */
	gput64(0x2000 + 0x8d * 8, 0x2c0000000 | G_PS | G_P | G_US);
	expect_walk(&r, va, 0x2c0000000 + (va & (GB1 - 1)),
		    PT_READ | PT_USER | PT_EXEC);

	/* Not present at each level. */
	assert_int_equal(walk_err(&r, va ^ (1ull << 39)), -TANDEM_ENOENT);
	assert_int_equal(walk_err(&r, va ^ (1ull << 30)), -TANDEM_ENOENT);
	gput64(0x2000 + 0x8d * 8, 0x3000 | G_P | G_RW | G_US);
	gput64(0x3000 + 0x2b * 8, 0x4000 | G_P | G_RW | G_US);
	assert_int_equal(walk_err(&r, va ^ (1ull << 21)), -TANDEM_ENOENT);
	assert_int_equal(walk_err(&r, va ^ (1ull << 12)), -TANDEM_ENOENT);
	gput64(0x4000 + 0x78 * 8, 0x123456000 | G_RW);
	assert_int_equal(walk_err(&r, va), -TANDEM_ENOENT);

	/* Non-canonical, 5-level (the PML4 read as a PML5: its entry 511 is
	 * empty; tests/test_gva.c walks 5 levels), unreadable tables. */
	assert_int_equal(walk_err(&r, 0x0000800000000000), -TANDEM_EINVAL);
	r.cr4 |= CR4_LA57;
	assert_int_equal(walk_err(&r, va), -TANDEM_ENOENT);
	r.cr4 &= ~CR4_LA57;
	gput64(0x3000 + 0x2b * 8, 0x7ff000 | G_P | G_RW);
	assert_int_equal(walk_err(&r, va), -TANDEM_EIO);
	r.cr3 = 0x100000;
	assert_int_equal(walk_err(&r, va), -TANDEM_EIO);
}

static void test_guest_pae(void **state)
{
	struct pt_guest_regs r = {
		.cr0 = CR0_PG | 1,
		.cr3 = 0x5020,
		.cr4 = CR4_PAE,
		.efer = EFER_NXE,
	};
	const uint32_t va = 0x8a3c5def; /* PDPT 2, PD 0x51, PT 0x1c5 */

	(void)state;
	memset(guest, 0, sizeof(guest));
	gput64(0x5020 + 2 * 8, 0x6000 | G_P);
	gput64(0x6000 + 0x51 * 8, 0x7000 | G_P | G_RW | G_US);
	gput64(0x7000 + 0x1c5 * 8, 0xfedc0000000 | 0xd000 | G_P | G_RW | G_NX);
	expect_walk(&r, va, 0xfedc000ddef, PT_READ | PT_WRITE);
	/* The high half of a 64-bit va is ignored outside long mode. */
	expect_walk(&r, 0x1234567800000000 | va, 0xfedc000ddef,
		    PT_READ | PT_WRITE);

	gput64(0x6000 + 0x51 * 8, 0x3fe00000 | G_PS | G_P | G_US);
	expect_walk(&r, va, 0x3fe00000 + (va & (MB2 - 1)),
		    PT_READ | PT_USER | PT_EXEC);
	assert_int_equal(walk_err(&r, va ^ (1u << 21)), -TANDEM_ENOENT);
	assert_int_equal(walk_err(&r, va ^ (1u << 30)), -TANDEM_ENOENT);
	gput64(0x6000 + 0x51 * 8, 0x7000 | G_P | G_RW | G_US);
	assert_int_equal(walk_err(&r, va ^ (1u << 12)), -TANDEM_ENOENT);
}

static void test_guest_32bit(void **state)
{
	struct pt_guest_regs r = { .cr0 = CR0_PG | 1, .cr3 = 0x8000 };
	const uint32_t va = 0xc0abc123; /* PD 0x302, PT 0x2bc */

	(void)state;
	memset(guest, 0, sizeof(guest));
	gput32(0x8000 + 0x302 * 4, 0x9000 | G_P | G_RW | G_US);
	gput32(0x9000 + 0x2bc * 4, 0xfff45000 | G_P | G_US);
	expect_walk(&r, va, 0xfff45123, PT_READ | PT_USER | PT_EXEC);
	assert_int_equal(walk_err(&r, va + 0x1000), -TANDEM_ENOENT);
	assert_int_equal(walk_err(&r, va + 0x400000), -TANDEM_ENOENT);

	/* 4 MiB page with PSE-36 bits 20:13 -> address bits 39:32. */
	gput32(0x8000 + 0x302 * 4, 0xc0800000 | (0x12 << 13) | G_PS | G_P | G_RW);
	r.cr4 = CR4_PSE;
	expect_walk(&r, va, 0x12c0800000 | (va & 0x3fffff),
		    PT_READ | PT_WRITE | PT_EXEC);
	/* Without CR4.PSE the same PDE points to a page table (out of memory). */
	r.cr4 = 0;
	assert_int_equal(walk_err(&r, va), -TANDEM_EIO);

	/* Paging off: linear is physical, 32 bits. */
	r.cr0 = 1;
	guest_reads = 0;
	expect_walk(&r, 0x100000012345, 0x12345,
		    PT_READ | PT_WRITE | PT_EXEC | PT_USER);
	assert_int_equal(guest_reads, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_1g, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_size_choice, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bits_ept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bits_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bits_npt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_splits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_remap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failure, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_destroy_frees_all, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_guest_long_mode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_guest_pae, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_32bit, setup, teardown),
	};

	return cmocka_run_group_tests_name("paging", tests, NULL, NULL);
}
