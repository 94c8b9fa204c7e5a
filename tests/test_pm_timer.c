/* Host unit tests for kernel/virt/pm_timer_emul.c: the ACPI PM timer the
 * HRT reads, made from the TSC. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fmt/acpi.h"
#include "virt/pm_timer_emul.h"

#define GHZ 1000000000ull

/* One second of TSC is ACPI_PM_TIMER_HZ counts, at any TSC rate. */
static void test_rate(void **state)
{
	static const uint64_t rates[] = { ACPI_PM_TIMER_HZ, 1 * GHZ,
					  2400000000ull, 3579545ull * 7,
					  5000000000000ull };
	(void)state;

	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		uint64_t hz = rates[i];

		assert_int_equal(pm_timer_count(0, hz, true), 0);
		assert_int_equal(pm_timer_count(hz, hz, true), ACPI_PM_TIMER_HZ);
		assert_int_equal(pm_timer_count(hz / 1000, hz, true),
				 ACPI_PM_TIMER_HZ / 1000);
	}
}

/* 24 bits without TMR_VAL_EXT (the upper byte reads 0), 32 with it. */
static void test_width(void **state)
{
	uint64_t hz = ACPI_PM_TIMER_HZ; /* one TSC tick per count */
	(void)state;

	assert_int_equal(pm_timer_count(0xffffff, hz, false), 0xffffff);
	assert_int_equal(pm_timer_count(0x1000000, hz, false), 0);
	assert_int_equal(pm_timer_count(0x1234567, hz, false), 0x234567);
	assert_int_equal(pm_timer_count(0x1234567, hz, true), 0x1234567);
	assert_int_equal(pm_timer_count(0x100000005ull, hz, true), 5);
}

/* Never goes back between wraps, and large TSCs do not overflow. */
static void test_monotonic(void **state)
{
	uint64_t hz = 2999999999ull, prev = 0;
	(void)state;

	for (uint64_t t = hz - 5000; t < hz + 5000; t += 7) {
		uint32_t c = pm_timer_count(t, hz, true);

		assert_true(c >= prev);
		prev = c;
	}
	/* Ten years of a 3 GHz TSC: counts as the exact product does. */
	uint64_t ten_years = 3 * GHZ * 3600 * 24 * 3650;
	unsigned __int128 exact = (unsigned __int128)ten_years *
				  ACPI_PM_TIMER_HZ / (3 * GHZ);
	assert_int_equal(pm_timer_count(ten_years, 3 * GHZ, true),
			 (uint32_t)exact);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_monotonic),
	};

	return cmocka_run_group_tests_name("pm_timer", tests, NULL, NULL);
}
