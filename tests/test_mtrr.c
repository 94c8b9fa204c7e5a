/*
 * Host unit tests for kernel/mm/mtrr.c: memory types and uniform runs for
 * the MTRR layouts of real machines (tests/mtrr_ref.h), the SDM's overlap
 * rules, and EPT maps built by pt_map_mtrr() (types per leaf, large pages
 * split where a type changes), each against the naive reference.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/mtrr.h"
#include "mm/paging.h"
#include "mtrr_ref.h"
#include "tandem/errno.h"

#define KB4 0x1000ull
#define MB2 0x200000ull
#define GIB REF_GIB
#define MIB REF_MIB

/* The run from @addr must be uniform per the reference and end where the
 * reference type changes (or at @limit). Checked page by page up to 64 Ki
 * pages, then at its ends. */
static void expect_run(const struct mtrr_state *s, uint64_t addr,
		       uint64_t limit, unsigned int want_type, uint64_t want_len)
{
	unsigned int t = 99;
	uint64_t n = mtrr_run(s, addr, limit, &t);

	assert_int_equal(t, want_type);
	assert_int_equal(n, want_len);
	assert_int_equal(ref_type(s, addr), want_type);
	if (n / KB4 <= 65536)
		for (uint64_t a = addr; a < addr + n; a += KB4)
			assert_int_equal(ref_type(s, a), want_type);
	assert_int_equal(ref_type(s, addr + n - KB4), want_type);
	if (n < limit)
		assert_int_not_equal(ref_type(s, addr + n), want_type);
}

static void test_seabios(void **state)
{
	struct mtrr_state s;

	(void)state;
	ref_layout_seabios(&s);
	assert_int_equal(mtrr_type(&s, 0), MT_WB);
	assert_int_equal(mtrr_type(&s, 0x9f000), MT_WB);
	assert_int_equal(mtrr_type(&s, 0xa0000), MT_UC); /* VGA window */
	assert_int_equal(mtrr_type(&s, 0xbf000), MT_UC);
	assert_int_equal(mtrr_type(&s, 0xc0000), MT_WP); /* option ROMs */
	assert_int_equal(mtrr_type(&s, 0xff000), MT_WP);
	assert_int_equal(mtrr_type(&s, 0x100000), MT_WB);
	assert_int_equal(mtrr_type(&s, 0xdffff000), MT_WB);
	assert_int_equal(mtrr_type(&s, 0xe0000000), MT_UC); /* PCI hole */
	assert_int_equal(mtrr_type(&s, 0xfec00000), MT_UC); /* IOAPIC */
	assert_int_equal(mtrr_type(&s, 0xfee00000), MT_UC); /* local APIC */
	assert_int_equal(mtrr_type(&s, 4 * GIB), MT_WB);
	expect_run(&s, 0, 8 * GIB, MT_WB, 0xa0000);
	expect_run(&s, 0xa0000, 8 * GIB, MT_UC, 0x20000);
	expect_run(&s, 0xc0000, 8 * GIB, MT_WP, 0x40000);
	expect_run(&s, 0x100000, 8 * GIB, MT_WB, 0xe0000000 - 0x100000);
	expect_run(&s, 0xe0000000, 8 * GIB, MT_UC, 512 * MIB);
	expect_run(&s, 4 * GIB, 4 * GIB, MT_WB, 4 * GIB);
	expect_run(&s, 0x1000, 0x2000, MT_WB, 0x2000); /* stops at the limit */
}

static void test_desktop(void **state)
{
	struct mtrr_state s;

	(void)state;
	ref_layout_desktop(&s);
	assert_int_equal(mtrr_type(&s, 0x10000), MT_WB);
	assert_int_equal(mtrr_type(&s, 0xa0000), MT_UC);
	assert_int_equal(mtrr_type(&s, 0xc0000), MT_UC);
	assert_int_equal(mtrr_type(&s, 0xc3000), MT_UC);
	assert_int_equal(mtrr_type(&s, 0xc4000), MT_WP);
	assert_int_equal(mtrr_type(&s, 0xe4000), MT_WP);
	assert_int_equal(mtrr_type(&s, 0x7bfff000), MT_WB);
	assert_int_equal(mtrr_type(&s, 0x7c000000), MT_UC); /* UC over WB */
	assert_int_equal(mtrr_type(&s, 0x80000000), MT_UC);
	assert_int_equal(mtrr_type(&s, 0xfee00000), MT_UC);
	assert_int_equal(mtrr_type(&s, 4 * GIB), MT_WB);
	assert_int_equal(mtrr_type(&s, 16 * GIB - KB4), MT_WB);
	assert_int_equal(mtrr_type(&s, 16 * GIB), MT_UC);   /* default */
	assert_int_equal(mtrr_type(&s, 128 * GIB), MT_WC);  /* BAR */
	assert_int_equal(mtrr_type(&s, 1ull << 39), MT_UC); /* no such memory */
	expect_run(&s, 0x100000, 16 * GIB, MT_WB, 0x7c000000 - 0x100000);
	expect_run(&s, 0x7c000000, 16 * GIB, MT_UC, 4 * GIB - 0x7c000000);
	/* Two WB ranges back to back make one run. */
	expect_run(&s, 4 * GIB, 64 * GIB, MT_WB, 12 * GIB);
	expect_run(&s, 16 * GIB, 512 * GIB, MT_UC, 112 * GIB);
	expect_run(&s, 128 * GIB, 512 * GIB, MT_WC, 256 * MIB);
}

/* Default WB, a WC framebuffer range inside the UC PCI hole and one
 * outside it, WT over WB, overlaps the SDM leaves undefined. */
static void test_overlaps(void **state)
{
	struct mtrr_state s = { .present = true, .phys_bits = 36 };

	(void)state;
	s.def_type = REF_E | MT_WB;
	ref_var(&s, 0xc0000000, GIB, MT_UC);
	ref_var(&s, 0xd0000000, 256 * MIB, MT_WC); /* WC over UC: UC */
	ref_var(&s, 0x90000000, 16 * MIB, MT_WC);  /* WC alone */
	ref_var(&s, 0x40000000, GIB, MT_WT);
	ref_var(&s, 0x40000000, 512 * MIB, MT_WB); /* WT over WB: WT */
	ref_var(&s, 0x60000000, 256 * MIB, MT_WP); /* WP, WT: UC */
	ref_var(&s, 0x20000000, 256 * MIB, 2);	   /* reserved code: UC */
	s.mask[s.nvar] = 0; /* a range not valid: ignored */
	s.base[s.nvar++] = 0 | MT_UC;
	assert_int_equal(mtrr_type(&s, 0), MT_WB); /* no fixed ranges */
	assert_int_equal(mtrr_type(&s, 0xa0000), MT_WB);
	assert_int_equal(mtrr_type(&s, 0xd0000000), MT_UC);
	assert_int_equal(mtrr_type(&s, 0x90000000), MT_WC);
	assert_int_equal(mtrr_type(&s, 0x40000000), MT_WT);
	assert_int_equal(mtrr_type(&s, 0x60000000), MT_UC);
	assert_int_equal(mtrr_type(&s, 0x70000000), MT_WT);
	assert_int_equal(mtrr_type(&s, 0x20000000), MT_UC);
	expect_run(&s, 0, 64 * GIB, MT_WB, 0x20000000);
	expect_run(&s, 0x40000000, 64 * GIB, MT_WT, 0x20000000);
	expect_run(&s, 0x60000000, 64 * GIB, MT_UC, 0x10000000);
	expect_run(&s, 0x90000000, 64 * GIB, MT_WC, 16 * MIB);
	expect_run(&s, 0xb0000000, 64 * GIB, MT_WB, 0x10000000);
	expect_run(&s, 0xc0000000, 64 * GIB, MT_UC, GIB);
	expect_run(&s, 4 * GIB, 60 * GIB, MT_WB, 60 * GIB);
}

static void test_off_absent_fe(void **state)
{
	struct mtrr_state s;

	(void)state;
	ref_layout_seabios(&s);
	s.def_type &= ~REF_E; /* MTRRs off: everything UC */
	assert_int_equal(mtrr_type(&s, 0), MT_UC);
	expect_run(&s, 0, 8 * GIB, MT_UC, 8 * GIB);
	ref_layout_seabios(&s);
	s.def_type &= ~REF_FE; /* fixed ranges off: variable/default below 1 MiB */
	assert_int_equal(mtrr_type(&s, 0xa0000), MT_WB);
	expect_run(&s, 0, 8 * GIB, MT_WB, 0xe0000000);
	ref_layout_seabios(&s);
	s.fixed_supported = false; /* FE set, but no fixed ranges */
	assert_int_equal(mtrr_type(&s, 0xc0000), MT_WB);
	s.present = false; /* no MTRRs at all: WB, as before */
	assert_int_equal(mtrr_type(&s, 0xfee00000), MT_WB);
	expect_run(&s, 0, 8 * GIB, MT_WB, 8 * GIB);
}

/* A mask that is not contiguous matches a repeating pattern. */
static void test_sparse_mask(void **state)
{
	struct mtrr_state s = { .present = true, .phys_bits = 36 };
	uint64_t am = ((1ull << 36) - 1) & ~0xfffull;

	(void)state;
	s.def_type = REF_E | MT_WB;
	/* matches where bit 28 is set and bits 27:21 are 0 */
	s.base[0] = (1ull << 28) | MT_UC;
	s.mask[0] = (am & ~((1ull << 21) - 1) & ~(0xfull << 32) &
		     ~(1ull << 29) & ~(1ull << 30) & ~(1ull << 31)) |
		    REF_VALID;
	s.nvar = 1;
	assert_int_equal(mtrr_type(&s, 1ull << 28), MT_UC);
	assert_int_equal(mtrr_type(&s, (1ull << 28) + MB2), MT_WB);
	assert_int_equal(mtrr_type(&s, (1ull << 28) | (1ull << 30)), MT_UC);
	assert_int_equal(mtrr_type(&s, (1ull << 28) | (5ull << 32)), MT_UC);
	expect_run(&s, 1ull << 28, 64 * GIB, MT_UC, MB2);
	expect_run(&s, (1ull << 28) + MB2, 64 * GIB, MT_WB,
		   (1ull << 29) + (1ull << 28) - (1ull << 28) - MB2);
}

/* Random layouts and queries against the reference (the fuzzer goes
 * further: tests/fuzz_mtrr.c). */
static void test_random_vs_reference(void **state)
{
	(void)state;
	srand(14);
	for (int round = 0; round < 300; round++) {
		struct mtrr_state s = { .present = true,
					.phys_bits = 36,
					.fixed_supported = true };
		static const unsigned int types[] = { 0, 1, 4, 5, 6, 2 };

		s.def_type = REF_E | (rand() & 1 ? REF_FE : 0) |
			     types[rand() % 6];
		for (int i = 0; i < 11; i++)
			s.fixed[i] = REF_BYTES(types[rand() % 5]) ^
				     ((uint64_t)(rand() & 1) << 58);
		for (unsigned int i = 0, n = 1 + rand() % 8; i < n; i++) {
			uint64_t size = 1ull << (12 + rand() % 22);

			ref_var(&s,
				((uint64_t)rand() << 12) & ~(size - 1) &
					((1ull << 34) - 1),
				size, types[rand() % 6]);
		}
		for (int q = 0; q < 20; q++) {
			uint64_t a = ((uint64_t)rand() << 12) &
				     ((1ull << 34) - 1);
			uint64_t lim = (1 + rand() % 4096) * KB4;
			unsigned int t;
			uint64_t n;

			if (q < 4)
				a = (uint64_t)(rand() % 256) * KB4;
			n = mtrr_run(&s, a, lim, &t);
			assert_true(n > 0 && n <= lim && !(n & 0xfff));
			for (uint64_t p = a; p < a + n; p += KB4)
				assert_int_equal(ref_type(&s, p), t);
			if (n < lim)
				assert_int_not_equal(ref_type(&s, a + n), t);
		}
	}
}

/* ---- EPT maps built from a layout ---- */

#define FAKE_PAGES 64

static uint8_t fake_pages[FAKE_PAGES * 4096] __attribute__((aligned(4096)));
static bool fake_live[FAKE_PAGES];

static void *fake_alloc(void *ctx, uint64_t *phys)
{
	(void)ctx;
	for (size_t i = 0; i < FAKE_PAGES; i++)
		if (!fake_live[i]) {
			fake_live[i] = true;
			memset(fake_pages + i * KB4, 0, KB4);
			*phys = 0x700000000ull + i * KB4;
			return fake_pages + i * KB4;
		}
	return NULL;
}

static void fake_free(void *ctx, void *virt, uint64_t phys)
{
	(void)ctx;
	(void)virt;
	fake_live[(phys - 0x700000000ull) / KB4] = false;
}

static void *fake_virt(void *ctx, uint64_t phys)
{
	(void)ctx;
	return fake_pages + (phys - 0x700000000ull);
}

static const struct pt_ops fake_ops = { fake_alloc, fake_free, fake_virt, NULL };

static unsigned int leaf_type(const struct page_table *pt, uint64_t gpa,
			      uint64_t *page)
{
	uint64_t pa;
	unsigned int f;

	assert_true(pt_lookup(pt, gpa, &pa, &f, page));
	assert_int_equal(pa, gpa);
	if (f & PT_UNCACHED)
		return MT_UC;
	return PT_MT_OF(f) >= 0 ? (unsigned int)PT_MT_OF(f) : MT_WB;
}

static void test_ept_map(void **state)
{
	const unsigned int all = PT_READ | PT_WRITE | PT_EXEC | PT_USER;
	struct page_table pt;
	struct mtrr_state s;
	uint64_t page;

	(void)state;
	ref_layout_seabios(&s);
	ref_var(&s, 0xd0000000, 16 * MIB, MT_WC); /* framebuffer */
	memset(fake_live, 0, sizeof(fake_live));
	assert_int_equal(pt_init(&pt, &pt_format_ept, &fake_ops, GIB, false), 0);
	assert_int_equal(pt_map_mtrr(&pt, &s, 0, 0, 8 * GIB, all), 0);
	assert_int_equal(leaf_type(&pt, 0, &page), MT_WB);
	assert_int_equal(page, KB4); /* the first 2 MiB is split */
	assert_int_equal(leaf_type(&pt, 0xa0000, &page), MT_UC);
	assert_int_equal(leaf_type(&pt, 0xc0000, &page), MT_WP);
	assert_int_equal(leaf_type(&pt, 0x100000, &page), MT_WB);
	assert_int_equal(page, KB4);
	assert_int_equal(leaf_type(&pt, MB2, &page), MT_WB);
	assert_int_equal(page, MB2);
	assert_int_equal(leaf_type(&pt, GIB, &page), MT_WB);
	assert_int_equal(page, GIB);
	assert_int_equal(leaf_type(&pt, 0xd0000000, &page), MT_WC);
	assert_int_equal(page, MB2);
	assert_int_equal(leaf_type(&pt, 0xe0000000, &page), MT_UC);
	assert_int_equal(page, MB2);
	assert_int_equal(leaf_type(&pt, 0xfee00000, &page), MT_UC);
	assert_int_equal(leaf_type(&pt, 4 * GIB, &page), MT_WB);
	assert_int_equal(page, GIB);
	/* every page against the reference, first 4 GiB in 2 MiB steps */
	for (uint64_t a = 0; a < MB2; a += KB4)
		assert_int_equal(leaf_type(&pt, a, NULL), ref_type(&s, a));
	for (uint64_t a = MB2; a < 4 * GIB; a += MB2)
		assert_int_equal(leaf_type(&pt, a, NULL), ref_type(&s, a));
	/* forced UC stays UC whatever the MTRRs say */
	assert_int_equal(pt_map_mtrr(&pt, &s, 0x1000, 0x1000, KB4,
				     all | PT_UNCACHED),
			 0);
	assert_int_equal(leaf_type(&pt, 0x1000, NULL), MT_UC);
	/* bad arguments: pt_map()'s answer, nothing mapped */
	assert_int_equal(pt_map_mtrr(&pt, &s, 0, 0, 0x800, all), -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, KB4, all | PT_MT(2)), -TANDEM_EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, KB4, all | PT_MT(7)), -TANDEM_EINVAL);
	pt_destroy(&pt);
	for (int i = 0; i < FAKE_PAGES; i++)
		assert_false(fake_live[i]);

	/* NPT carries no types: WB leaves, UC only where forced or UC */
	assert_false(pt_format_typed(&pt_format_npt));
	assert_true(pt_format_typed(&pt_format_ept));
	assert_int_equal(pt_init(&pt, &pt_format_npt, &fake_ops, GIB, false), 0);
	assert_int_equal(pt_map_mtrr(&pt, &s, 0, 0, 8 * GIB, all), 0);
	assert_int_equal(leaf_type(&pt, 0xc0000, NULL), MT_WB);
	assert_int_equal(leaf_type(&pt, 0xd0000000, NULL), MT_WB);
	assert_int_equal(leaf_type(&pt, 0xe0000000, NULL), MT_UC);
	pt_destroy(&pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seabios),
		cmocka_unit_test(test_desktop),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_off_absent_fe),
		cmocka_unit_test(test_sparse_mask),
		cmocka_unit_test(test_random_vs_reference),
		cmocka_unit_test(test_ept_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
