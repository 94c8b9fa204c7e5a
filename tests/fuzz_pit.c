/*
 * Fuzz harness for the emulated PIT (kernel/virt/pit_emul.c): the input is
 * a guest's sequence of byte accesses to ports 0x40-0x43 and 0x61 with the
 * time between them. Linked with tests/fuzz_driver.c (seeds below,
 * mutated) or with libFuzzer.
 *
 * Input: byte 0 picks the TSC rate; then 3 bytes per access: the access
 * (bit 7 read, bits 2-0 the port: 0x40, 0x41, 0x42, 0x43, 0x61), the value
 * written, and the time to advance before it (above 200: a large step).
 *
 * After every access, for every counter: its count lies in its range
 * (modes 2 and 3: 1..n; the others: 1..the modulus; 0 only before a
 * count is loaded), the status's OUT bit agrees with pit_output() and
 * port 0x61 bit 5 with counter 2's OUT, a latched count equals the
 * count, and the PIT's time never goes back.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "virt/pit_emul.h"

static const uint16_t ports[8] = { 0x40, 0x41, 0x42, 0x43,
				   0x61, 0x40, 0x42, 0x61 };

static void check_counter(const struct pit *p, unsigned int n, uint64_t now)
{
	const struct pit_counter *c = &p->c[n];
	uint32_t m = c->bcd ? 10000 : 65536, v;
	struct pit copy = *p;
	uint8_t st, lo, hi;

	v = pit_count(&copy, n, now);
	FUZZ_CHECK(!c->running || (c->n >= 1 && c->n <= m));
	FUZZ_CHECK(!c->have_count || (c->cr >= 1 && c->cr <= m));
	if (!c->running) {
		FUZZ_CHECK(v == 0);
	} else if (c->mode == 2 || c->mode == 3) {
		FUZZ_CHECK(v >= 1 && v <= c->n);
	} else {
		FUZZ_CHECK(v >= 1 && v <= m);
	}
	FUZZ_CHECK(c->mode <= 5 && c->access >= 1 && c->access <= 3);

	/* The status's OUT, read back from a copy without latches. */
	copy = *p;
	copy.c[n].count_latched = copy.c[n].status_latched = false;
	copy.c[n].read_msb = false;
	pit_write(&copy, PIT_PORT_CONTROL, (uint8_t)(0xc0 | 2u << n), now);
	st = pit_read(&copy, PIT_PORT_COUNTER(n), now);
	FUZZ_CHECK(!!(st & 0x80) == pit_output(&copy, n, now));
	FUZZ_CHECK(((st >> 4) & 3) == c->access);
	if (c->access == 3) {
		uint32_t want = pit_count(&copy, n, now) % m;

		lo = pit_read(&copy, PIT_PORT_COUNTER(n), now);
		hi = pit_read(&copy, PIT_PORT_COUNTER(n), now);
		if (!c->bcd)
			FUZZ_CHECK((uint32_t)(hi << 8 | lo) == want);
		FUZZ_CHECK(!copy.c[n].count_latched);
	}
	if (n == 2) {
		copy = *p;
		FUZZ_CHECK(!!(pit_read(&copy, PIT_PORT_B, now) & PIT_B_OUT2) ==
			   pit_output(&copy, 2, now));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t rates[4] = { 0, PIT_HZ, 2400000000ull, 3 };
	struct pit p;
	uint64_t now = 12345, last;

	if (!size)
		return 0;
	pit_reset(&p, now, rates[data[0] & 3]);
	last = p.last;
	for (size_t i = 1; i + 3 <= size; i += 3) {
		uint8_t op = data[i], val = data[i + 1], dt = data[i + 2];
		uint16_t port = ports[op & 7];

		now += dt <= 200 ? dt : (uint64_t)(dt - 200) << 24;
		if (dt == 255)
			now -= 1000; /* another core's TSC, a little behind */
		if (op & 0x80) {
			uint8_t v = pit_read(&p, port, now);

			if (port == PIT_PORT_B)
				FUZZ_CHECK((v & 0xc0) == 0);
		} else {
			pit_write(&p, port, val, now);
		}
		FUZZ_CHECK(p.last >= last);
		last = p.last;
		for (unsigned int n = 0; n < 3; n++)
			check_counter(&p, n, now);
	}
	return 0;
}

size_t fuzz_seed(unsigned idx, uint8_t *buf, size_t cap)
{
	/* Linux's and Nautilus's TSC calibration (GATE on, counter 2 mode 0
	 * 11932, spin on port 0x61), Nautilus's APIC calibration (mode 1,
	 * GATE toggled), then latches and read-backs, BCD and byte access. */
	static const uint8_t seeds[][40] = {
		{ 2,   0x84, 0,	   1,	0x04, 0x01, 1,	0x03, 0xb0,
		  0,   0x02, 0x9c, 0,	0x02, 0x2e, 0,	0x84, 0,
		  210, 0x84, 0,	   210, 0x84, 0,    210 },
		{ 1, 0x04, 0x01, 0,   0x03, 0xb2, 0,  0x02, 0x9c,
		  0, 0x02, 0x2e, 5,   0x04, 0x00, 1,  0x04, 0x01,
		  1, 0x84, 0,	 100, 0x84, 0,	  255 },
		{ 1,	0x03, 0x34, 0,	  0x00, 0x10, 0,    0x00, 0x00, 3,
		  0x03, 0x00, 7,    0x80, 0,	0,    0x80, 0,	  0,	0x03,
		  0xde, 9,    0x81, 0,	  0,	0x81, 0,    1 },
		{ 0,	0x03, 0x57, 0,	  0x01, 0x99, 0,    0x03, 0x92, 2,
		  0x02, 0x40, 1,    0x04, 0x03, 1,    0x83, 0,	  4,	0x03,
		  0xca, 4,    0x82, 0,	  0,	0x82, 0,    220 },
	};

	if (idx >= sizeof(seeds) / sizeof(seeds[0]) || cap < sizeof(seeds[0]))
		return 0;
	memcpy(buf, seeds[idx], sizeof(seeds[0]));
	return sizeof(seeds[0]);
}
