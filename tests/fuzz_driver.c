/*
 * Standalone fuzz driver for gcc builds without libFuzzer. Linked with one
 * harness (tests/fuzz_*.c); runs N deterministic iterations of random
 * inputs and mutations of the harness's seeds, each in an exactly-sized
 * heap buffer so AddressSanitizer catches any read past the end.
 *
 * usage: fuzz_xxx [iterations [rng-seed]]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define MAX_SEEDS 16
#define MAX_INPUT 8192

static uint64_t rng;

static uint64_t next(void)
{
	/* xorshift64*: deterministic, good enough to steer mutations. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static size_t below(size_t n)
{
	return n ? (size_t)(next() % n) : 0;
}

/* Values that tend to sit on boundaries of size and count checks. */
static const uint64_t interesting[] = {
	0,
	1,
	2,
	7,
	8,
	9,
	15,
	16,
	17,
	20,
	24,
	31,
	32,
	36,
	44,
	0x7f,
	0x80,
	0xff,
	0x100,
	0xfff,
	0x1000,
	0x7fff,
	0xffff,
	0x10000,
	0x7fffffff,
	0x80000000,
	0xfffffff8,
	0xffffffff,
	0x100000000ull,
	0x7fffffffffffffffull,
	0xfffffffffffffff8ull,
	0xffffffffffffffffull,
};

#define NINTERESTING (sizeof(interesting) / sizeof(interesting[0]))

static size_t mutate(uint8_t *buf, size_t len)
{
	size_t rounds = 1 + below(8), r;

	for (r = 0; r < rounds; r++) {
		size_t pos = below(len), n;
		uint64_t v;

		switch (below(10)) {
		case 0: /* flip a bit */
			if (len)
				buf[pos] ^= (uint8_t)(1u << below(8));
			break;
		case 1: /* random byte */
			if (len)
				buf[pos] = (uint8_t)next();
			break;
		case 2: /* interesting byte */
			if (len)
				buf[pos] = (uint8_t)
					interesting[below(NINTERESTING)];
			break;
		case 3: /* interesting u32, often aligned */
		case 4:
			if (len >= 4) {
				pos = below(len - 3);
				if (below(2))
					pos &= ~(size_t)3;
				v = interesting[below(NINTERESTING)];
				if (below(4) == 0)
					v += below(16) - 8;
				memcpy(buf + pos, &v, 4);
			}
			break;
		case 5: /* interesting u64 */
			if (len >= 8) {
				pos = below(len - 7) &
				      ~(size_t)(below(2) ? 7 : 0);
				v = interesting[below(NINTERESTING)];
				memcpy(buf + pos, &v, 8);
			}
			break;
		case 6: /* truncate */
			len = below(len + 1);
			break;
		case 7: /* append random bytes */
			n = below(64);
			if (len + n > MAX_INPUT)
				n = MAX_INPUT - len;
			for (; n; n--)
				buf[len++] = (uint8_t)next();
			break;
		case 8: /* duplicate a chunk */
			if (len) {
				size_t from = below(len);
				n = 1 + below(len - from);
				if (len + n > MAX_INPUT)
					n = MAX_INPUT - len;
				memmove(buf + pos + n, buf + pos, len - pos);
				memmove(buf + pos,
					buf + (from < pos ? from : from + n), n);
				len += n;
			}
			break;
		default: /* delete a chunk */
			if (len) {
				n = 1 + below(len - pos);
				memmove(buf + pos, buf + pos + n, len - pos - n);
				len -= n;
			}
			break;
		}
	}
	return len;
}

static void run_one(const uint8_t *data, size_t len)
{
	/* malloc(0) may return NULL; the harness must still get a valid pointer. */
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy) {
		perror("malloc");
		exit(2);
	}
	memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
}

int main(int argc, char **argv)
{
	/* uint64_t storage: seeds such as Multiboot2 blocks must be 8-aligned. */
	static uint64_t seed_store[MAX_SEEDS][MAX_INPUT / 8];
	static uint8_t work[2 * MAX_INPUT];
	size_t seed_len[MAX_SEEDS], nseeds = 0;
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000;
	unsigned long i;

	rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x9e3779b97f4a7c15ull;
	if (!rng)
		rng = 1;

	while (nseeds < MAX_SEEDS) {
		size_t n = fuzz_seed((unsigned)nseeds,
				     (uint8_t *)seed_store[nseeds], MAX_INPUT);
		if (!n)
			break;
		seed_len[nseeds++] = n;
	}

	for (i = 0; i < iters; i++) {
		size_t len;

		if (i < nseeds) { /* every seed as is, first */
			run_one((const uint8_t *)seed_store[i], seed_len[i]);
			continue;
		}
		if (!nseeds || below(10) == 0) { /* pure noise */
			len = below(512);
			for (size_t k = 0; k < len; k++)
				work[k] = (uint8_t)next();
		} else {
			size_t s = below(nseeds);
			memcpy(work, seed_store[s], seed_len[s]);
			len = mutate(work, seed_len[s]);
		}
		run_one(work, len);
	}
	printf("%s: %lu iterations, %zu seeds, no failures\n", argv[0], iters,
	       nseeds);
	return 0;
}
