/*
 * Host unit tests for kernel/mm/palloc.c, including a randomized comparison
 * with a one-bool-per-page reference allocator.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mm/palloc.h"
#include "tandem/errno.h"

#define PG POOL_PAGE_SIZE

static uint64_t bitmap[POOL_BITMAP_WORDS(1024) + 1]; /* +1: canary word */
static struct page_pool pool;

static void setup_pool(uint64_t base, size_t pages)
{
	memset(bitmap, 0xff, sizeof(bitmap));
	assert_int_equal(pool_init(&pool, "test pool", base, pages, bitmap), 0);
}

static void test_init_checks(void **state)
{
	(void)state;
	assert_int_equal(pool_init(&pool, "p", 0x1001, 8, bitmap),
			 -TANDEM_EINVAL);
	assert_int_equal(pool_init(&pool, "p", 0x1000, 8, NULL), -TANDEM_EINVAL);
	assert_int_equal(pool_init(&pool, "p", 0xfffffffffffff000ull, 2, bitmap),
			 -TANDEM_EINVAL);
	assert_int_equal(pool_init(&pool, "p", 0xfffffffffffff000ull, 1, bitmap),
			 0);
	assert_int_equal(pool_init(&pool, "p", 0, 0, NULL), 0);
	assert_int_equal(pool_alloc(&pool, 1, 1), POOL_ALLOC_FAIL);
	setup_pool(0x100000, 100);
	assert_string_equal(pool.name, "test pool");
	assert_int_equal(pool.pages, 100);
	assert_int_equal(pool.used, 0);
	assert_int_equal(bitmap[0], 0);
	assert_int_equal(bitmap[1], 0);
	assert_int_equal(bitmap[2], UINT64_MAX); /* untouched beyond the pool */
}

static void test_alloc_sequential(void **state)
{
	int i;
	(void)state;

	setup_pool(0x100000, 100);
	for (i = 0; i < 100; i++)
		assert_int_equal(pool_alloc(&pool, 1, 1),
				 0x100000 + (uint64_t)i * PG);
	assert_int_equal(pool.used, 100);
	assert_int_equal(pool_alloc(&pool, 1, 1), POOL_ALLOC_FAIL);
	assert_int_equal(pool_free(&pool, 0x100000 + 37 * PG, 1), 0);
	assert_int_equal(pool.used, 99);
	assert_int_equal(pool_alloc(&pool, 1, 0), 0x100000 + 37 * PG);
	assert_int_equal(bitmap[2], UINT64_MAX);
}

static void test_alloc_bad_args(void **state)
{
	(void)state;
	setup_pool(0x100000, 100);
	assert_int_equal(pool_alloc(&pool, 0, 1), POOL_ALLOC_FAIL);
	assert_int_equal(pool_alloc(&pool, 1, 3), POOL_ALLOC_FAIL);
	assert_int_equal(pool_alloc(&pool, 101, 1), POOL_ALLOC_FAIL);
	assert_int_equal(pool_alloc(&pool, SIZE_MAX, 1), POOL_ALLOC_FAIL);
	assert_int_equal(pool_alloc(&pool, 1, (size_t)1 << 40), POOL_ALLOC_FAIL);
	assert_int_equal(pool.used, 0);
	assert_int_equal(pool_alloc(&pool, 100, 1), 0x100000);
}

static void test_alignment_is_of_address(void **state)
{
	uint64_t a;
	(void)state;

	/* Base 1 MiB + 4 KiB: a 2 MiB aligned block starts at index 255. */
	setup_pool(0x101000, 1024);
	a = pool_alloc(&pool, 512, 512);
	assert_int_equal(a, 0x200000);
	assert_int_equal(pool.used, 512);
	/* The 255 pages below it are still free and first fit takes them. */
	assert_int_equal(pool_alloc(&pool, 255, 1), 0x101000);
	assert_int_equal(pool_alloc(&pool, 2, 2), 0x400000);
	assert_int_equal(pool_alloc(&pool, 512, 512), POOL_ALLOC_FAIL);
}

static void test_free_errors(void **state)
{
	uint64_t a, b;
	(void)state;

	setup_pool(0x100000, 100);
	a = pool_alloc(&pool, 4, 1);
	b = pool_alloc(&pool, 4, 1);
	assert_int_equal(pool.used, 8);

	assert_int_equal(pool_free(&pool, a + 1, 1),
			 -TANDEM_ERANGE); /* misaligned */
	assert_int_equal(pool_free(&pool, 0x1000, 1), -TANDEM_ERANGE); /* below */
	assert_int_equal(pool_free(&pool, 0x100000 + 100 * PG, 1),
			 -TANDEM_ERANGE);
	assert_int_equal(pool_free(&pool, 0x100000 + 99 * PG, 2), -TANDEM_ERANGE);
	assert_int_equal(pool_free(&pool, a, SIZE_MAX), -TANDEM_ERANGE);
	assert_int_equal(pool_free(&pool, a, 0), -TANDEM_EINVAL);
	assert_int_equal(pool_free(&pool, b, 5),
			 -TANDEM_EINVAL); /* one page not in use */
	assert_int_equal(pool.used, 8);

	assert_int_equal(pool_free(&pool, a, 4), 0);
	assert_int_equal(pool_free(&pool, a, 4), -TANDEM_EINVAL); /* double free */
	assert_int_equal(pool_free(&pool, a + PG, 1), -TANDEM_EINVAL);
	assert_int_equal(pool.used, 4);
	assert_int_equal(pool_free(&pool, b + 2 * PG, 2), 0); /* partial free */
	assert_int_equal(pool_free(&pool, b, 2), 0);
	assert_int_equal(pool.used, 0);
	assert_int_equal(bitmap[0], 0);
	assert_int_equal(bitmap[1], 0);
}

static void test_reserve(void **state)
{
	(void)state;
	setup_pool(0x100000, 200);
	assert_int_equal(pool_reserve(&pool, 0x100000, 10), 0);
	assert_int_equal(pool_reserve(&pool, 0x100000 + 60 * PG, 10), 0);
	assert_int_equal(pool.used, 20);
	assert_int_equal(pool_reserve(&pool, 0x100000 + 65 * PG, 10),
			 -TANDEM_EBUSY);
	assert_int_equal(pool_reserve(&pool, 0x100000 + 195 * PG, 10),
			 -TANDEM_ERANGE);
	assert_int_equal(pool_reserve(&pool, 0x100000, 0), -TANDEM_EINVAL);
	assert_int_equal(pool.used, 20);
	/* 60 pages do not fit between the reservations; first fit goes above. */
	assert_int_equal(pool_alloc(&pool, 60, 1), 0x100000 + 70 * PG);
	assert_int_equal(pool_alloc(&pool, 50, 1), 0x100000 + 10 * PG);
	assert_int_equal(pool.used, 130);
	assert_true(pool_contains(&pool, 0x100000 + 199 * PG + 5));
	assert_false(pool_contains(&pool, 0x100000 + 200 * PG));
	assert_false(pool_contains(&pool, 0xff000));
}

static void test_create_destroy_cycle(void **state)
{
	uint64_t a[10];
	size_t base_used;
	int round, i;
	(void)state;

	setup_pool(0x100000, 1024);
	pool_reserve(&pool, 0x100000, 3);
	base_used = pool.used;
	for (round = 0; round < 5; round++) {
		for (i = 0; i < 10; i++) {
			a[i] = pool_alloc(&pool, (size_t)(1 + i * 7),
					  (size_t)1 << (i % 4));
			assert_int_not_equal(a[i], POOL_ALLOC_FAIL);
		}
		for (i = 9; i >= 0; i--)
			assert_int_equal(pool_free(&pool, a[i],
						   (size_t)(1 + i * 7)),
					 0);
		assert_int_equal(pool.used, base_used);
	}
}

/* ---- randomized comparison with a reference model ---- */

#define RPAGES 300

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static size_t ref_first_fit(const bool *used, uint64_t base_page, size_t n,
			    size_t align)
{
	size_t i, j;

	for (i = 0; i + n <= RPAGES; i++) {
		if ((base_page + i) % align)
			continue;
		for (j = 0; j < n && !used[i + j]; j++)
			;
		if (j == n)
			return i;
	}
	return SIZE_MAX;
}

static void test_random_vs_reference(void **state)
{
	static bool used[RPAGES];
	const uint64_t base = 0x7000;
	int iter;
	(void)state;

	setup_pool(base, RPAGES);
	memset(used, 0, sizeof(used));
	for (iter = 0; iter < 20000; iter++) {
		size_t n = 1 + rnd(rnd(4) ? 8 : 64), align = (size_t)1 << rnd(5);
		size_t start = rnd(RPAGES), i, cnt = 0;
		uint64_t addr = base + start * PG;
		bool all_used = true, none_used = true;
		int r;

		for (i = start; i < start + n && i < RPAGES; i++) {
			all_used &= used[i];
			none_used &= !used[i];
		}
		switch (rnd(3)) {
		case 0: {
			size_t expect = ref_first_fit(used, base / PG, n, align);
			uint64_t got = pool_alloc(&pool, n, align);

			if (expect == SIZE_MAX) {
				assert_int_equal(got, POOL_ALLOC_FAIL);
			} else {
				assert_int_equal(got, base + expect * PG);
				for (i = expect; i < expect + n; i++)
					used[i] = true;
			}
			break;
		}
		case 1:
			r = pool_free(&pool, addr, n);
			if (start + n > RPAGES)
				assert_int_equal(r, -TANDEM_ERANGE);
			else if (!all_used)
				assert_int_equal(r, -TANDEM_EINVAL);
			else {
				assert_int_equal(r, 0);
				for (i = start; i < start + n; i++)
					used[i] = false;
			}
			break;
		default:
			r = pool_reserve(&pool, addr, n);
			if (start + n > RPAGES)
				assert_int_equal(r, -TANDEM_ERANGE);
			else if (!none_used)
				assert_int_equal(r, -TANDEM_EBUSY);
			else {
				assert_int_equal(r, 0);
				for (i = start; i < start + n; i++)
					used[i] = true;
			}
			break;
		}
		for (i = 0; i < RPAGES; i++)
			cnt += used[i];
		assert_int_equal(pool.used, cnt);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_checks),
		cmocka_unit_test(test_alloc_sequential),
		cmocka_unit_test(test_alloc_bad_args),
		cmocka_unit_test(test_alignment_is_of_address),
		cmocka_unit_test(test_free_errors),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_create_destroy_cycle),
		cmocka_unit_test(test_random_vs_reference),
	};

	return cmocka_run_group_tests_name("palloc", tests, NULL, NULL);
}
