/* Host unit tests for kernel/lib/ratelimit.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/ratelimit.h"

bool cpu_relax_is_barrier; /* kernel/hw/machine.c in Tandem */

static void test_burst_then_hold(void **state)
{
	struct ratelimit rl = { 0 };
	unsigned int held = 99;

	(void)state;
	for (unsigned int i = 0; i < RATELIMIT_BURST; i++) {
		assert_true(ratelimit_allow(&rl, 1000 + i, &held));
		assert_int_equal(held, 0);
	}
	for (unsigned int i = 0; i < 500; i++)
		assert_false(ratelimit_allow(&rl, 2000 + i, &held));
	/* Still inside the window: held. */
	assert_false(ratelimit_allow(&rl, 1000 + RATELIMIT_WINDOW_US - 1, &held));
	/* The next window: allowed, and it reports what was held back. */
	assert_true(ratelimit_allow(&rl, 1000 + RATELIMIT_WINDOW_US, &held));
	assert_int_equal(held, 501);
	assert_true(ratelimit_allow(&rl, 1001 + RATELIMIT_WINDOW_US, &held));
	assert_int_equal(held, 0);
}

static void test_clock_going_back_restarts(void **state)
{
	struct ratelimit rl = { 0 };
	unsigned int held;

	(void)state;
	for (unsigned int i = 0; i < RATELIMIT_BURST; i++)
		assert_true(ratelimit_allow(&rl, 5000000, &held));
	assert_false(ratelimit_allow(&rl, 5000001, &held));
	/* A clock read on another CPU may be behind: never stuck forever. */
	assert_true(ratelimit_allow(&rl, 10, &held));
	assert_int_equal(held, 1);
}

static void test_starts_at_zero_time(void **state)
{
	struct ratelimit rl = { 0 };
	unsigned int held;

	(void)state;
	assert_true(ratelimit_allow(&rl, 0, &held));
	assert_int_equal(held, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_hold),
		cmocka_unit_test(test_clock_going_back_restarts),
		cmocka_unit_test(test_starts_at_zero_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
