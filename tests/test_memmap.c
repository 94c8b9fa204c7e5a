/*
 * Host unit tests for kernel/mm/memmap.c: hand-written cases plus randomized
 * cross-checks against a per-address reference model on a small space.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mm/memmap.h"
#include "tandem/errno.h"

#define E(b, l, t)            \
	{                     \
		(b), (l), (t) \
	}

static struct memmap_entry out[64];

static void expect_entry(int i, uint64_t base, uint64_t length, uint32_t type)
{
	assert_int_equal(out[i].base, base);
	assert_int_equal(out[i].length, length);
	assert_int_equal(out[i].type, type);
}

static void test_sort_and_drop_empty(void **state)
{
	static const struct memmap_entry in[] = {
		E(0x100000, 0x7f00000, 1),
		E(0x5000, 0, 2), /* zero length: dropped */
		E(0, 0x9fc00, 1),
		E(0xf0000, 0x10000, 2),
	};
	(void)state;

	assert_int_equal(memmap_sanitize(in, 4, out, 64), 3);
	expect_entry(0, 0, 0x9fc00, 1);
	expect_entry(1, 0xf0000, 0x10000, 2);
	expect_entry(2, 0x100000, 0x7f00000, 1);
	assert_int_equal(memmap_total(out, 3, MEMMAP_AVAILABLE),
			 0x9fc00 + 0x7f00000);
}

static void test_overlaps(void **state)
{
	static const struct memmap_entry in[] = {
		E(0, 0x10000, 1),
		E(0x8000, 0x1000, 2), /* reserved hole inside RAM */
		E(0xc000, 0x8000, 1), /* RAM overlapping RAM: merged */
		E(0x20000, 0x1000, 3),
		E(0x20800, 0x1000, 2), /* reserved beats ACPI reclaimable */
		E(0x30000, 0x1000, 4),
		E(0x30000, 0x1000, 2), /* NVS (4) beats reserved (2) */
	};
	(void)state;

	assert_int_equal(memmap_sanitize(in, 7, out, 64), 6);
	expect_entry(0, 0, 0x8000, 1);
	expect_entry(1, 0x8000, 0x1000, 2);
	expect_entry(2, 0x9000, 0xb000, 1);
	expect_entry(3, 0x20000, 0x800, 3);
	expect_entry(4, 0x20800, 0x1000, 2);
	expect_entry(5, 0x30000, 0x1000, 4);
}

static void test_merge_adjacent(void **state)
{
	static const struct memmap_entry in[] = {
		E(0x2000, 0x1000, 1),
		E(0x0, 0x1000, 1),
		E(0x1000, 0x1000, 1),
		E(0x3000, 0x1000, 2),
		E(0x4000, 0x1000, 2),
		E(0x6000, 0x1000, 2), /* gap before: separate */
	};
	(void)state;

	assert_int_equal(memmap_sanitize(in, 6, out, 64), 3);
	expect_entry(0, 0, 0x3000, 1);
	expect_entry(1, 0x3000, 0x2000, 2);
	expect_entry(2, 0x6000, 0x1000, 2);
}

static void test_overflow_clipped(void **state)
{
	static const struct memmap_entry in[] = {
		E(0xffffffffffff0000ull, 0x20000, 1),
		E(UINT64_MAX, 1, 2), /* the excluded last byte */
		E(0x1000, UINT64_MAX, 2),
		E(0, 0x1000, 1),
	};
	(void)state;

	assert_int_equal(memmap_sanitize(in, 4, out, 64), 2);
	expect_entry(0, 0, 0x1000, 1);
	expect_entry(1, 0x1000, MEMMAP_END - 0x1000, 2);

	assert_int_equal(memmap_sanitize(in, 1, out, 64), 1);
	expect_entry(0, 0xffffffffffff0000ull, 0xffff, 1);
	assert_int_equal(memmap_sanitize(in + 1, 1, out, 64), 0);
}

static void test_nesting(void **state)
{
	static const struct memmap_entry in[] = {
		E(0x1000, 0x1000, 1), /* RAM entirely inside reserved */
		E(0, 0x10000, 2),
	};
	(void)state;

	assert_int_equal(memmap_sanitize(in, 2, out, 64), 1);
	expect_entry(0, 0, 0x10000, 2);
}

static void test_capacity(void **state)
{
	static const struct memmap_entry in[] = {
		E(0, 0x10000, 1),
		E(0x8000, 0x1000, 2),
	};
	(void)state;

	assert_int_equal(memmap_sanitize(in, 2, out, 2), -TANDEM_E2BIG);
	assert_int_equal(memmap_sanitize(in, 2, out, 3), 3);
	assert_int_equal(memmap_sanitize(in, 0, out, 0), 0);
	assert_int_equal(memmap_sanitize(NULL, 3, out, 64), -TANDEM_EINVAL);
}

static void test_reserve(void **state)
{
	static const struct memmap_entry in[] = {
		E(0, 0x9fc00, 1), E(0x100000, 0x7f00000, 1),
		E(0x7f00000, 0x100000, 4), /* NVS overlapping the RAM tail */
	};
	(void)state;

	assert_int_equal(memmap_reserve(in, 3, 0x200000, 0x200000,
					MEMMAP_RESERVED, out, 64),
			 5);
	expect_entry(0, 0, 0x9fc00, 1);
	expect_entry(1, 0x100000, 0x100000, 1);
	expect_entry(2, 0x200000, 0x200000, 2);
	expect_entry(3, 0x400000, 0x7b00000, 1);
	expect_entry(4, 0x7f00000, 0x100000, 4);

	/* Reserving over NVS keeps NVS: reserving never loses firmware info. */
	assert_int_equal(memmap_reserve(in, 3, 0x7e00000, 0x200000,
					MEMMAP_RESERVED, out, 64),
			 4);
	expect_entry(1, 0x100000, 0x7d00000, 1);
	expect_entry(2, 0x7e00000, 0x100000, 2);
	expect_entry(3, 0x7f00000, 0x100000, 4);

	/* "Reserving" as available cannot punch RAM into the NVS range. */
	assert_int_equal(memmap_reserve(in, 3, 0x7f00000, 0x100000,
					MEMMAP_AVAILABLE, out, 64),
			 3);
	expect_entry(2, 0x7f00000, 0x100000, 4);

	/* Zero length: same as sanitizing. */
	assert_int_equal(memmap_reserve(in, 3, 0x1000, 0, 2, out, 64), 3);
}

static void test_find_free_basic(void **state)
{
	static const struct memmap_entry map[] = {
		E(0, 0x9f000, 1), E(0x100000, 0x700000, 1), /* 1 MiB .. 8 MiB */
		E(0x800000, 0x100000, 2),
		E(0x900000, 0x700000, 1), /* 9 MiB .. 16 MiB */
	};
	static const struct memmap_range busy[] = {
		{ 0x100000, 0x180000 }, /* image at 1 MiB */
		{ 0xe00000, 0x300000 }, /* a module across the top */
	};
	uint64_t a;
	(void)state;

	assert_int_equal(memmap_find_free(map, 4, 0x1000, 0x1000, 0, UINT64_MAX,
					  NULL, 0, false, &a),
			 0);
	assert_int_equal(a, 0);
	assert_int_equal(memmap_find_free(map, 4, 0x200000, 0x200000, 0x100000,
					  UINT64_MAX, busy, 2, false, &a),
			 0);
	assert_int_equal(a, 0x400000);
	assert_int_equal(memmap_find_free(map, 4, 0x200000, 0x200000, 0,
					  UINT64_MAX, busy, 2, true, &a),
			 0);
	assert_int_equal(a, 0xc00000);
	assert_int_equal(memmap_find_free(map, 4, 0x100000, 0x1000, 0, 0x800000,
					  busy, 2, true, &a),
			 0);
	assert_int_equal(a, 0x700000);
	/* Nothing of 8 MiB in one piece. */
	assert_int_equal(memmap_find_free(map, 4, 0x800000, 0x1000, 0,
					  UINT64_MAX, NULL, 0, false, &a),
			 -TANDEM_ENOMEM);
	/* Window below everything usable. */
	assert_int_equal(memmap_find_free(map, 4, 0x2000, 0x1000, 0x9f000,
					  0x100000, NULL, 0, false, &a),
			 -TANDEM_ENOMEM);
	assert_int_equal(memmap_find_free(map, 4, 0, 0x1000, 0, UINT64_MAX,
					  NULL, 0, false, &a),
			 -TANDEM_EINVAL);
	assert_int_equal(memmap_find_free(map, 4, 0x1000, 0x1800, 0, UINT64_MAX,
					  NULL, 0, false, &a),
			 -TANDEM_EINVAL);
	assert_int_equal(memmap_find_free(map, 4, 0x1000, 0x1000, 5, 5, NULL, 0,
					  false, &a),
			 -TANDEM_EINVAL);
}

static void test_find_free_unsanitized(void **state)
{
	/* A reserved entry overlapping RAM is honoured even if not sanitized. */
	static const struct memmap_entry map[] = {
		E(0, 0x10000, 1),
		E(0x0, 0x8000, 2),
	};
	uint64_t a;
	(void)state;

	assert_int_equal(memmap_find_free(map, 2, 0x1000, 0x1000, 0, UINT64_MAX,
					  NULL, 0, false, &a),
			 0);
	assert_int_equal(a, 0x8000);
}

static void test_find_free_top_of_space(void **state)
{
	static const struct memmap_entry map[] = {
		E(0xfffffffffff00000ull, 0x200000, 1),
	};
	uint64_t a;
	(void)state;

	assert_int_equal(memmap_find_free(map, 1, 0x1000, 0x1000, 0, UINT64_MAX,
					  NULL, 0, true, &a),
			 0);
	assert_int_equal(a, 0xffffffffffffe000ull);
	assert_int_equal(memmap_find_free(map, 1, 0x1000, 1ull << 63, 0,
					  UINT64_MAX, NULL, 0, false, &a),
			 -TANDEM_ENOMEM);
}

/* ---- randomized cross-check on a 256-unit address space ---- */

#define SPACE 256

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static uint64_t ref_rank(uint32_t t)
{
	return t == 1 ? 0 : t == 3 ? 1 : 2 + (uint64_t)t;
}

/* Reference: type per unit (0 = hole), from the priority rule. */
static void reference(const struct memmap_entry *in, size_t n, uint32_t *ref)
{
	size_t i, a;

	memset(ref, 0, SPACE * sizeof(*ref));
	for (i = 0; i < n; i++)
		for (a = in[i].base; a < in[i].base + in[i].length; a++)
			if (!ref[a] || ref_rank(in[i].type) > ref_rank(ref[a]))
				ref[a] = in[i].type;
}

static void test_random_sanitize(void **state)
{
	struct memmap_entry in[12];
	uint32_t ref[SPACE];
	int iter;
	(void)state;

	for (iter = 0; iter < 3000; iter++) {
		size_t n = rnd(12), i, a;
		int cnt;
		uint64_t pos = 0;

		for (i = 0; i < n; i++) {
			in[i].base = rnd(SPACE);
			in[i].length = rnd((uint32_t)(SPACE - in[i].base + 1));
			in[i].type = 1 + rnd(5);
		}
		reference(in, n, ref);
		cnt = memmap_sanitize(in, n, out, 64);
		assert_true(cnt >= 0);
		assert_true((size_t)cnt <= (n ? 2 * n - 1 : 0));
		for (i = 0; i < (size_t)cnt; i++) {
			assert_true(out[i].length > 0);
			assert_true(out[i].base >= pos);
			if (i) /* merged: no equal-type neighbours touching */
				assert_false(out[i - 1].type == out[i].type &&
					     out[i - 1].base + out[i - 1].length ==
						     out[i].base);
			for (a = pos; a < out[i].base; a++)
				assert_int_equal(ref[a], 0);
			for (a = out[i].base; a < out[i].base + out[i].length; a++)
				assert_int_equal(ref[a], out[i].type);
			pos = out[i].base + out[i].length;
		}
		for (a = pos; a < SPACE; a++)
			assert_int_equal(ref[a], 0);
	}
}

static bool ref_fits(const uint32_t *ref, const bool *busy, uint64_t a,
		     uint64_t size)
{
	uint64_t i;

	for (i = a; i < a + size; i++)
		if (ref[i] != 1 || busy[i])
			return false;
	return true;
}

static void test_random_find_free(void **state)
{
	struct memmap_entry in[8];
	struct memmap_range br[4];
	uint32_t ref[SPACE];
	bool busy[SPACE];
	int iter;
	(void)state;

	for (iter = 0; iter < 3000; iter++) {
		size_t n = 1 + rnd(8), nb = rnd(4), i;
		int cnt;
		uint64_t size = 1 + rnd(40), align = 1ull << rnd(5);
		uint64_t lo = rnd(SPACE),
			 hi = lo + 1 + rnd((uint32_t)(SPACE - lo));
		int dir;

		for (i = 0; i < n; i++) {
			in[i].base = rnd(SPACE);
			in[i].length = rnd((uint32_t)(SPACE - in[i].base + 1));
			in[i].type = 1 + rnd(3);
		}
		cnt = memmap_sanitize(in, n, out, 64);
		assert_true(cnt >= 0);
		reference(out, (size_t)cnt, ref);
		memset(busy, 0, sizeof(busy));
		for (i = 0; i < nb; i++) {
			uint64_t a;

			br[i].base = rnd(SPACE);
			br[i].length = rnd((uint32_t)(SPACE - br[i].base + 1));
			for (a = br[i].base; a < br[i].base + br[i].length; a++)
				busy[a] = true;
		}
		for (dir = 0; dir < 2; dir++) {
			uint64_t got = 0, a, expect = UINT64_MAX;
			int r = memmap_find_free(out, (size_t)cnt, size, align,
						 lo, hi, br, nb, dir, &got);

			/* Sanitized and merged, so "inside one entry" = "all RAM". */
			for (a = 0; a + size <= SPACE; a += align) {
				if (a < lo || a + size > hi ||
				    !ref_fits(ref, busy, a, size))
					continue;
				if (expect == UINT64_MAX || dir)
					expect = a;
				if (!dir)
					break;
			}
			if (expect == UINT64_MAX) {
				assert_int_equal(r, -TANDEM_ENOMEM);
			} else {
				assert_int_equal(r, 0);
				assert_int_equal(got, expect);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_and_drop_empty),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_merge_adjacent),
		cmocka_unit_test(test_overflow_clipped),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_find_free_basic),
		cmocka_unit_test(test_find_free_unsanitized),
		cmocka_unit_test(test_find_free_top_of_space),
		cmocka_unit_test(test_random_sanitize),
		cmocka_unit_test(test_random_find_free),
	};

	return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
