/* Host unit tests for kernel/virt/icr_filter.c: which CPUs an IPI
 * reaches, and that a partition's IPIs reach its own CPUs only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "virt/icr_filter.h"

/* Four CPUs: 0 and 1 the sender's partition (0 sends), 2 and 3 another's
 * (2 and 3 in logical cluster mode, 0 and 1 flat). */
static const struct icr_cpu cpus[4] = {
	{ .apic_id = 0, .ldr = 0x01000000, .own = true },
	{ .apic_id = 1, .ldr = 0x02000000, .own = true },
	{ .apic_id = 2, .ldr = 0x11000000, .cluster = true },
	{ .apic_id = 0x12, .ldr = 0x12000000, .cluster = true },
};

static struct icr_decision decide(uint32_t lo, uint32_t dest, bool x2apic)
{
	struct icr_request r = {
		.low = lo, .dest = dest, .x2apic = x2apic, .self = 0
	};
	struct icr_decision d;

	icr_decide(cpus, 4, &r, &d);
	return d;
}

static void test_fixed_physical(void **state)
{
	struct icr_decision d;

	(void)state;
	d = decide(0x40f0, 1, false); /* fixed, vector 0xf0, to APIC 1 */
	assert_int_equal(d.action, ICR_SEND_FIXED);
	assert_int_equal(d.own, 0x2);
	assert_int_equal(d.foreign, 0);
	d = decide(0x40f0, 2, false); /* another partition's CPU */
	assert_int_equal(d.own, 0);
	assert_int_equal(d.foreign, 0x4);
	d = decide(0x40f0, 7, false); /* nobody */
	assert_int_equal(d.own | d.foreign, 0);
	/* xAPIC ids are 8 bits: 0x112 is not APIC 0x12 ... */
	d = decide(0x40f0, 0x12, false);
	assert_int_equal(d.foreign, 0x8);
	/* ... and x2APIC 0x112 is nobody. */
	d = decide(0x40f0, 0x112, true);
	assert_int_equal(d.own | d.foreign, 0);
}

static void test_broadcasts(void **state)
{
	struct icr_decision d;

	(void)state;
	d = decide(0x40f0, 0xff, false);
	assert_int_equal(d.own, 0x3);
	assert_int_equal(d.foreign, 0xc);
	/* 0xff is an ordinary id in x2APIC mode, 0xffffffff broadcasts. */
	d = decide(0x40f0, 0xff, true);
	assert_int_equal(d.own | d.foreign, 0);
	d = decide(0x40f0, 0xffffffff, true);
	assert_int_equal(d.own, 0x3);
	assert_int_equal(d.foreign, 0xc);
}

static void test_shorthands(void **state)
{
	struct icr_decision d;

	(void)state;
	d = decide(0x40f0 | 1u << 18, 2, false); /* self: dest ignored */
	assert_int_equal(d.own, 0x1);
	assert_int_equal(d.foreign, 0);
	d = decide(0x40f0 | 2u << 18, 0, false); /* all including self */
	assert_int_equal(d.own, 0x3);
	assert_int_equal(d.foreign, 0xc);
	d = decide(0x40f0 | 3u << 18, 0, true); /* all but self */
	assert_int_equal(d.own, 0x2);
	assert_int_equal(d.foreign, 0xc);
}

static void test_xapic_logical(void **state)
{
	struct icr_decision d;

	(void)state;
	/* Flat: MDA bit 1 is CPU 1's LDR. */
	d = decide(0x40f0 | ICR_LOGICAL, 0x02, false);
	assert_int_equal(d.own, 0x2);
	assert_int_equal(d.foreign, 0);
	/* Flat MDA 0x03: CPUs 0 and 1; CPU 2 (cluster LDR 0x11) matches
	 * only in cluster terms, cluster 0 != 1. */
	d = decide(0x40f0 | ICR_LOGICAL, 0x03, false);
	assert_int_equal(d.own, 0x3);
	assert_int_equal(d.foreign, 0);
	/* Cluster 1, members 1 and 2: CPUs 2 and 3 (and flat CPU 0, whose
	 * LDR bit 0 is in 0x13). */
	d = decide(0x40f0 | ICR_LOGICAL, 0x13, false);
	assert_int_equal(d.foreign, 0xc);
	assert_int_equal(d.own, 0x3);
	d = decide(0x40f0 | ICR_LOGICAL, 0xff, false);
	assert_int_equal(d.foreign, 0xc);
}

static void test_x2apic_logical(void **state)
{
	struct icr_decision d;

	(void)state;
	assert_int_equal(icr_x2apic_ldr(0x12), 0x10004);
	assert_int_equal(icr_x2apic_ldr(1), 0x2);
	/* Cluster 0, bits for ids 0..2: CPUs 0, 1 (own) and 2. */
	d = decide(0x40f0 | ICR_LOGICAL, 0x7, true);
	assert_int_equal(d.own, 0x3);
	assert_int_equal(d.foreign, 0x4);
	/* Cluster 1, bit 2: APIC 0x12. */
	d = decide(0x40f0 | ICR_LOGICAL, 0x10004, true);
	assert_int_equal(d.own, 0);
	assert_int_equal(d.foreign, 0x8);
}

static void test_modes(void **state)
{
	struct icr_decision d;

	(void)state;
	d = decide(0x4100 | 0x30, 0xff, false); /* lowest priority: one */
	assert_int_equal(d.action, ICR_SEND_FIXED);
	assert_int_equal(d.own, 0x1);
	assert_int_equal(d.foreign, 0xc);
	d = decide(0x4400, 2, false); /* NMI to a foreign CPU */
	assert_int_equal(d.action, ICR_ABSORB);
	assert_int_equal(d.foreign, 0x4);
	d = decide(0x4400, 1, false); /* NMI to an own one: absorbed */
	assert_int_equal(d.action, ICR_ABSORB);
	assert_int_equal(d.own, 0x2);
	d = decide(0x4500, 0xff, false); /* INIT broadcast */
	assert_int_equal(d.action, ICR_INIT);
	assert_int_equal(d.own, 0x3);
	assert_int_equal(d.foreign, 0xc);
	d = decide(0x0500, 0xff, false); /* INIT de-assert: nothing */
	assert_int_equal(d.action, ICR_IGNORE);
	assert_int_equal(d.own | d.foreign, 0);
	d = decide(0x4608, 3, true); /* SIPI to nobody */
	assert_int_equal(d.action, ICR_STARTUP);
	assert_int_equal(d.own | d.foreign, 0);
	d = decide(0x4200, 1, false); /* SMI, even to an own CPU */
	assert_int_equal(d.action, ICR_REFUSE);
	assert_int_equal(d.own, 0);
	for (uint32_t mode = 3; mode <= 7; mode += 4) {
		d = decide(0x4000 | mode << 8, 1, false);
		assert_int_equal(d.action, ICR_REFUSE);
		assert_int_equal(d.own, 0);
	}
}

/* Whatever the ICR, only own CPUs are ever acted on. */
static void test_never_foreign(void **state)
{
	uint32_t seed = 12345;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		struct icr_decision d;

		seed = seed * 1103515245u + 12345u;
		uint32_t lo = seed;
		seed = seed * 1103515245u + 12345u;
		d = decide(lo, seed >> (seed & 7) * 4, (seed & 0x100) != 0);
		assert_int_equal(d.own & 0xc, 0);
		assert_int_equal(d.own & d.foreign, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_physical),
		cmocka_unit_test(test_broadcasts),
		cmocka_unit_test(test_shorthands),
		cmocka_unit_test(test_xapic_logical),
		cmocka_unit_test(test_x2apic_logical),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_never_foreign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
