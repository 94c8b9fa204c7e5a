/*
 * Fuzz harness for kernel/mm/mtrr.c: the input is an MTRR layout (physical
 * address width, enable bits, default type, fixed ranges, variable ranges,
 * masks often made contiguous as firmware writes them) and a list of
 * queries. Every page of every run mtrr_run() reports must have the run's
 * type by the naive reference (tests/mtrr_ref.h), a run shorter than its
 * limit must end where the reference type changes, and mtrr_type() must
 * agree with the reference.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mm/mtrr.h"
#include "mtrr_ref.h"

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++) {
		v |= (uint64_t)(in->left ? *in->p : 0) << (8 * i);
		if (in->left) {
			in->p++;
			in->left--;
		}
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct mtrr_state s = { 0 };
	uint64_t am, space;
	unsigned int flags = (unsigned int)take(&in, 1);

	s.phys_bits = 36 + (unsigned int)take(&in, 1) % 17;
	s.present = !(flags & 1);
	s.fixed_supported = !(flags & 2);
	s.def_type = take(&in, 2);
	for (unsigned int i = 0; i < MTRR_FIXED_MSRS; i++)
		s.fixed[i] = take(&in, 8);
	s.nvar = (unsigned int)take(&in, 1) % (MTRR_MAX_VAR + 1);
	am = ((1ull << s.phys_bits) - 1) & ~0xfffull;
	for (unsigned int i = 0; i < s.nvar; i++) {
		unsigned int shape = (unsigned int)take(&in, 1);

		s.base[i] = take(&in, 8);
		s.mask[i] = take(&in, 8);
		if (shape & 0x80) { /* contiguous, 2^(12 + shape % 40) bytes */
			uint64_t sz = 1ull << (12 + (shape & 0x7f) % 40);

			s.mask[i] = (am & ~(sz - 1)) | REF_VALID;
			s.base[i] &= (((1ull << s.phys_bits) - 1) & ~(sz - 1)) |
				     0xff;
		}
	}
	/* queries: near 0, near the ranges, anywhere up to 2^phys_bits + */
	space = 1ull << (s.phys_bits + 1);
	while (in.left) {
		uint64_t a = take(&in, 8), lim = take(&in, 2) % 1024 + 1;
		unsigned int pick = (unsigned int)take(&in, 1), t;
		uint64_t n;

		if (pick % 3 == 0)
			a %= 0x200000;
		else if (pick % 3 == 1 && s.nvar)
			a = (s.base[pick % s.nvar] & ~0xfffull) +
			    (a % 0x100000) - 0x80000;
		a = (a % space) & ~0xfffull;
		lim *= 0x1000;
		FUZZ_CHECK(mtrr_type(&s, a) == ref_type(&s, a));
		n = mtrr_run(&s, a, lim, &t);
		FUZZ_CHECK(t == ref_type(&s, a));
		FUZZ_CHECK(n > 0 && n <= lim && !(n & 0xfff));
		for (uint64_t p = a; p < a + n; p += 0x1000)
			FUZZ_CHECK(ref_type(&s, p) == t);
		FUZZ_CHECK(n == lim || ref_type(&s, a + n) != t);
	}
	return 0;
}

/* Seeds: the layouts of tests/mtrr_ref.h, encoded, with a few queries. */
static size_t encode(const struct mtrr_state *s, uint8_t *buf, size_t cap)
{
	size_t n = 0;

#define PUT(v, bytes)                                                    \
	do {                                                             \
		for (unsigned int k_ = 0; k_ < (bytes) && n < cap; k_++) \
			buf[n++] = (uint8_t)((uint64_t)(v) >> (8 * k_)); \
	} while (0)
	PUT((s->present ? 0 : 1) | (s->fixed_supported ? 0 : 2), 1);
	PUT(s->phys_bits - 36, 1);
	PUT(s->def_type, 2);
	for (unsigned int i = 0; i < MTRR_FIXED_MSRS; i++)
		PUT(s->fixed[i], 8);
	PUT(s->nvar, 1);
	for (unsigned int i = 0; i < s->nvar; i++) {
		PUT(0, 1);
		PUT(s->base[i], 8);
		PUT(s->mask[i], 8);
	}
	for (unsigned int q = 0; q < 6; q++) {
		PUT(0xdff00000ull + q * 0x40000, 8);
		PUT(0x3ff, 2);
		PUT(q, 1);
	}
#undef PUT
	return n <= cap ? n : 0;
}

size_t fuzz_seed(unsigned idx, uint8_t *buf, size_t cap)
{
	struct mtrr_state s;

	if (idx == 0)
		ref_layout_seabios(&s);
	else if (idx == 1)
		ref_layout_desktop(&s);
	else
		return 0;
	return encode(&s, buf, cap);
}
