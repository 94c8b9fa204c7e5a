/* Host unit tests for kernel/virt/pit_emul.c: the emulated 8254 and port
 * 0x61, driven through their ports with the time in the tests' hands.
 * Most tests run the TSC at PIT_HZ, so one TSC tick is one PIT clock. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "virt/pit_emul.h"

#define CW(ch, access, mode) \
	((uint8_t)((ch) << 6 | (access) << 4 | (mode) << 1))

static struct pit pit;

static void wr(uint16_t port, uint8_t v, uint64_t t)
{
	pit_write(&pit, port, v, t);
}

static uint8_t rd(uint16_t port, uint64_t t)
{
	return pit_read(&pit, port, t);
}

/* Program counter @ch (lobyte then hibyte) with @count at @t. */
static void program(unsigned int ch, unsigned int mode, uint16_t count, uint64_t t)
{
	wr(PIT_PORT_CONTROL, CW(ch, 3, mode), t);
	wr(PIT_PORT_COUNTER(ch), (uint8_t)count, t);
	wr(PIT_PORT_COUNTER(ch), (uint8_t)(count >> 8), t);
}

/* Latch and read a lobyte-then-hibyte counter. */
static uint16_t latched(unsigned int ch, uint64_t t)
{
	uint16_t v;

	wr(PIT_PORT_CONTROL, CW(ch, 0, 0), t);
	v = rd(PIT_PORT_COUNTER(ch), t);
	return (uint16_t)(v | rd(PIT_PORT_COUNTER(ch), t) << 8);
}

static bool out2(uint64_t t)
{
	return rd(PIT_PORT_B, t) & PIT_B_OUT2;
}

static void test_reset_state(void **state)
{
	(void)state;
	pit_reset(&pit, 1000, PIT_HZ);
	/* Mode 3, lo/hi, count 65536 loaded at clock 1, counting by two:
	 * OUT high. */
	wr(PIT_PORT_CONTROL, 0xc2, 1010); /* read-back: count + status of 0 */
	assert_int_equal(rd(PIT_PORT_COUNTER(0), 1010), 0x80 | 0x36);
	assert_int_equal(rd(PIT_PORT_COUNTER(0), 1010), 0xee);
	assert_int_equal(rd(PIT_PORT_COUNTER(0), 1010), 0xff);
	assert_int_equal(rd(PIT_PORT_B, 1010) & ~PIT_B_REFRESH, PIT_B_OUT2);
	assert_int_equal(rd(PIT_PORT_CONTROL, 1010), 0xff);
	/* Counter 2's GATE is low: it stands still; counter 0 counts. */
	assert_int_equal(latched(2, 1100), 0);
	assert_int_equal(latched(0, 1100), 2 * (32768 - 99));
	assert_int_equal(latched(2, 5000), 0);
	assert_int_equal(latched(0, 5000), 2 * (32768 - 3999));
}

/* Linux's pit_calibrate_tsc() and Nautilus's i8254_calib_tsc(): GATE on,
 * mode 0 on counter 2, spin until OUT2 (port 0x61 bit 5) rises. */
static void test_mode0_calibration(void **state)
{
	const uint16_t n = 11932; /* 10 ms */

	(void)state;
	pit_reset(&pit, 0, PIT_HZ);
	wr(PIT_PORT_B,
	   (uint8_t)((rd(PIT_PORT_B, 10) & ~PIT_B_SPEAKER) | PIT_B_GATE2), 10);
	program(2, 0, n, 10);
	assert_false(out2(10));
	/* Loaded at clock 11, reaches 0 after n more. */
	assert_int_equal(latched(2, 11), n);
	assert_int_equal(latched(2, 11 + 100), n - 100);
	assert_false(out2(11 + n - 1));
	assert_true(out2(11 + n));
	assert_int_equal(latched(2, 11 + n), 0);
	/* It goes on down, wrapping; OUT stays high. */
	assert_int_equal(latched(2, 11 + n + 1), 0xffff);
	assert_true(out2(11 + n + 70000));
}

static void test_mode0_real_rate(void **state)
{
	const uint64_t hz = 2400000000ull, start = 7000000000ull;
	uint64_t t = start;

	(void)state;
	pit_reset(&pit, 1000000000ull, hz);
	wr(PIT_PORT_B, PIT_B_GATE2, start);
	program(2, 0, 11932, start);
	while (!out2(t))
		t += 997;
	/* 11933 clocks of 1/1193182 s at 2.4 GHz: 24,002,374 TSC ticks. */
	assert_in_range(t - start, 24002374, 24002374 + 997);
}

static void test_mode0_gate_and_first_byte(void **state)
{
	(void)state;
	pit_reset(&pit, 0, PIT_HZ);
	program(2, 0, 1000, 0); /* GATE low: loaded, not counting */
	assert_int_equal(latched(2, 500), 1000);
	wr(PIT_PORT_B, PIT_B_GATE2, 500);
	assert_int_equal(latched(2, 600), 900);
	wr(PIT_PORT_B, 0, 600); /* suspended */
	assert_int_equal(latched(2, 5000), 900);
	assert_false(out2(5000));
	wr(PIT_PORT_B, PIT_B_GATE2, 5000);
	assert_false(out2(5899));
	assert_true(out2(5900));
	/* A new count's first byte stops the counter and drops OUT. */
	wr(PIT_PORT_COUNTER(2), 0x10, 6000);
	assert_false(out2(6000));
	assert_int_equal(pit_count(&pit, 2, 9000), 0);
	wr(PIT_PORT_COUNTER(2), 0x00, 9000); /* count 16 */
	assert_false(out2(9000 + 16));
	assert_true(out2(9000 + 17));
}

static void test_mode2_rate(void **state)
{
	(void)state;
	pit_reset(&pit, 0, PIT_HZ);
	program(0, 2, 10, 100); /* loaded at 101 */
	for (uint64_t k = 0; k < 30; k++) {
		uint64_t t = 101 + k;

		assert_int_equal(pit_count(&pit, 0, t), 10 - k % 10);
		assert_int_equal(pit_output(&pit, 0, t), k % 10 != 9);
	}
	/* Counter 2 with GATE low: stopped, OUT high; the rising edge
	 * restarts it. */
	program(2, 2, 10, 200);
	assert_true(out2(300));
	wr(PIT_PORT_B, PIT_B_GATE2, 300);
	assert_int_equal(pit_count(&pit, 2, 301), 10);
	assert_false(out2(301 + 9));
	assert_true(out2(301 + 10));
}

static void test_mode3_square(void **state)
{
	unsigned int high = 0;

	(void)state;
	pit_reset(&pit, 0, PIT_HZ);
	program(0, 3, 10, 0); /* loaded at 1 */
	for (uint64_t k = 0; k < 20; k++) {
		uint32_t v = pit_count(&pit, 0, 1 + k);

		high += pit_output(&pit, 0, 1 + k);
		assert_int_equal(v, 10 - 2 * (k % 5)); /* each half: 10..2 */
	}
	assert_int_equal(high, 10);
	program(0, 7, 5, 100); /* mode bits 111 are mode 3; odd count */
	high = 0;
	for (uint64_t k = 0; k < 5; k++)
		high += pit_output(&pit, 0, 101 + k);
	assert_int_equal(high, 3);
	wr(PIT_PORT_CONTROL, 0xe2, 200); /* status of counter 0 only */
	assert_int_equal(rd(PIT_PORT_COUNTER(0), 200) & 0x0e, 7 << 1);
	/* Counter 2: GATE low stops it with OUT high, the rising edge
	 * restarts it from the top. */
	wr(PIT_PORT_B, PIT_B_GATE2, 300);
	program(2, 3, 100, 300); /* loaded at 301 */
	assert_false(out2(301 + 60));
	wr(PIT_PORT_B, 0, 361);
	assert_true(out2(400));
	assert_int_equal(pit_count(&pit, 2, 400), 100 - 2 * 10);
	wr(PIT_PORT_B, PIT_B_GATE2, 400); /* reloaded at 401 */
	assert_int_equal(pit_count(&pit, 2, 401), 100);
	assert_true(out2(401 + 49));
	assert_false(out2(401 + 50));
}

static void test_mode4_strobe(void **state)
{
	(void)state;
	pit_reset(&pit, 0, PIT_HZ);
	program(1, 4, 50, 0); /* loaded at 1 */
	assert_true(pit_output(&pit, 1, 50));
	assert_false(pit_output(&pit, 1, 51));
	assert_true(pit_output(&pit, 1, 52));
	assert_true(pit_output(&pit, 1, 100000));
}

/* Nautilus's APIC timer calibration: mode 1 on counter 2, the count
 * written, then GATE low and high to trigger it. */
static void test_mode1_and_5_triggered(void **state)
{
	(void)state;
	pit_reset(&pit, 0, PIT_HZ);
	wr(PIT_PORT_B, PIT_B_GATE2, 0);
	program(2, 1, 100, 10);
	assert_true(out2(500)); /* waits for its trigger */
	assert_int_equal(pit_count(&pit, 2, 500), 0);
	wr(PIT_PORT_B, 0, 500);
	wr(PIT_PORT_B, PIT_B_GATE2, 500);
	assert_false(out2(501));
	wr(PIT_PORT_B, 0, 550); /* GATE low does not stop mode 1 */
	assert_false(out2(600));
	assert_true(out2(601));
	wr(PIT_PORT_B, PIT_B_GATE2, 700); /* retriggered */
	assert_false(out2(701));
	assert_true(out2(801));

	program(2, 5, 20, 1000);
	assert_true(out2(1100));
	wr(PIT_PORT_B, 0, 1100);
	wr(PIT_PORT_B, PIT_B_GATE2, 1100);
	assert_true(out2(1120));
	assert_false(out2(1121));
	assert_true(out2(1122));
}

static void test_latch(void **state)
{
	(void)state;
	pit_reset(&pit, 0, PIT_HZ);
	program(0, 2, 1000, 0);			/* loaded at 1 */
	wr(PIT_PORT_CONTROL, CW(0, 0, 0), 101); /* 900 latched */
	wr(PIT_PORT_CONTROL, CW(0, 0, 0), 201); /* ignored: not read */
	assert_int_equal(rd(PIT_PORT_COUNTER(0), 301), 900 & 0xff);
	assert_int_equal(rd(PIT_PORT_COUNTER(0), 401), 900 >> 8);
	/* Released: the live count again, LSB then MSB. */
	assert_int_equal(rd(PIT_PORT_COUNTER(0), 501), 500 & 0xff);
	assert_int_equal(rd(PIT_PORT_COUNTER(0), 501), 500 >> 8);
}

static void test_read_back(void **state)
{
	(void)state;
	pit_reset(&pit, 0, PIT_HZ);
	wr(PIT_PORT_CONTROL, CW(1, 3, 0), 10);
	/* After the control word: null count, OUT low (mode 0). */
	wr(PIT_PORT_CONTROL, 0xe4, 10); /* status of counter 1 */
	assert_int_equal(rd(PIT_PORT_COUNTER(1), 10), 0x40 | 0x30);
	wr(PIT_PORT_COUNTER(1), 200, 10);
	wr(PIT_PORT_COUNTER(1), 0, 10);
	wr(PIT_PORT_CONTROL, 0xe4, 10); /* not loaded before the next clock */
	assert_int_equal(rd(PIT_PORT_COUNTER(1), 10), 0x40 | 0x30);
	/* Count and status of counters 1 and 2 at once: status first. */
	wr(PIT_PORT_B, PIT_B_GATE2, 20);
	program(2, 2, 300, 20);
	wr(PIT_PORT_CONTROL, 0xcc, 71); /* 11 0 0 1 1 0 0 */
	assert_int_equal(rd(PIT_PORT_COUNTER(1), 500), 0x30);
	assert_int_equal(rd(PIT_PORT_COUNTER(1), 500), 140);
	assert_int_equal(rd(PIT_PORT_COUNTER(1), 500), 0);
	assert_int_equal(rd(PIT_PORT_COUNTER(2), 500), 0x80 | 0x34);
	assert_int_equal(rd(PIT_PORT_COUNTER(2), 500), 250 & 0xff);
	assert_int_equal(rd(PIT_PORT_COUNTER(2), 500), 250 >> 8);
	/* Counter 0 was not selected: its live count. */
	wr(PIT_PORT_CONTROL, 0xd2, 600);	/* count only, counter 0 */
	wr(PIT_PORT_CONTROL, CW(0, 3, 0), 600); /* a control word drops it */
	wr(PIT_PORT_COUNTER(0), 5, 600);
	wr(PIT_PORT_COUNTER(0), 0, 600);
	assert_int_equal(rd(PIT_PORT_COUNTER(0), 603), 3);
}

static void test_byte_access_and_bcd(void **state)
{
	(void)state;
	pit_reset(&pit, 0, PIT_HZ);
	wr(PIT_PORT_CONTROL, CW(0, 1, 0), 0); /* LSB only: MSB is 0 */
	wr(PIT_PORT_COUNTER(0), 0x40, 0);
	assert_int_equal(rd(PIT_PORT_COUNTER(0), 1), 0x40);
	assert_int_equal(rd(PIT_PORT_COUNTER(0), 17), 0x30);
	wr(PIT_PORT_CONTROL, CW(0, 2, 0), 100); /* MSB only: LSB is 0 */
	wr(PIT_PORT_COUNTER(0), 0x02, 100);
	assert_int_equal(pit_count(&pit, 0, 101), 0x200);
	assert_int_equal(rd(PIT_PORT_COUNTER(0), 101 + 0x100), 0x01);
	/* BCD: 0x0100 is 100; counts read in BCD. */
	wr(PIT_PORT_CONTROL, CW(0, 3, 0) | 1, 1000);
	wr(PIT_PORT_COUNTER(0), 0x00, 1000);
	wr(PIT_PORT_COUNTER(0), 0x01, 1000);
	assert_int_equal(latched(0, 1002), 0x0099);
	assert_int_equal(latched(0, 1001 + 100), 0);
	assert_true(pit_output(&pit, 0, 1001 + 100));
	assert_int_equal(latched(0, 1001 + 101), 0x9999);
}

static void test_port_b(void **state)
{
	uint8_t first, flips = 0;

	(void)state;
	pit_reset(&pit, 0, PIT_HZ);
	wr(PIT_PORT_B, 0xff, 0);
	assert_int_equal(rd(PIT_PORT_B, 0) & 0xcf, 0x0f);
	wr(PIT_PORT_B, 0x02, 0);
	assert_int_equal(rd(PIT_PORT_B, 0) & 0x0f, 0x02);
	/* Refresh: bit 4 flips every PIT_REFRESH_CLOCKS clocks. */
	first = rd(PIT_PORT_B, 0) & PIT_B_REFRESH;
	for (uint64_t t = 1; t <= 10 * PIT_REFRESH_CLOCKS; t++) {
		uint8_t now = rd(PIT_PORT_B, t) & PIT_B_REFRESH;

		flips += now != first;
		first = now;
	}
	assert_int_equal(flips, 10);
}

static void test_time_never_goes_back(void **state)
{
	uint64_t big = 1ull << 62;

	(void)state;
	pit_reset(&pit, 0, 3000000000ull);
	program(0, 2, 0, 0); /* 65536 */
	assert_int_equal(latched(0, 3000000000ull),
			 0x10000 - PIT_HZ % 0x10000 + 1);
	/* Another core's TSC a little behind: the count does not go up. */
	assert_int_equal(latched(0, 2999000000ull),
			 0x10000 - PIT_HZ % 0x10000 + 1);
	/* Far ahead: no overflow in the conversion. */
	(void)latched(0, big);
	assert_true(pit.last >= big / 3000000000ull * PIT_HZ);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_state),
		cmocka_unit_test(test_mode0_calibration),
		cmocka_unit_test(test_mode0_real_rate),
		cmocka_unit_test(test_mode0_gate_and_first_byte),
		cmocka_unit_test(test_mode2_rate),
		cmocka_unit_test(test_mode3_square),
		cmocka_unit_test(test_mode4_strobe),
		cmocka_unit_test(test_mode1_and_5_triggered),
		cmocka_unit_test(test_latch),
		cmocka_unit_test(test_read_back),
		cmocka_unit_test(test_byte_access_and_bcd),
		cmocka_unit_test(test_port_b),
		cmocka_unit_test(test_time_never_goes_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
