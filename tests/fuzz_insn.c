/*
 * Fuzz harness for kernel/insn.c, for libFuzzer (build with
 * -DTANDEM_LIBFUZZER -fsanitize=fuzzer) or for the standalone main()
 * below, which runs a fixed number of deterministic pseudo-random inputs.
 *
 * Each input is decoded in all three modes, once as given and once
 * "shaped" (its first bytes mapped onto prefixes and supported opcodes) so
 * that plain random bytes also reach the accepting paths. Every accepted
 * decode must satisfy the invariants in check(); a violation aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insn.h"
#include "tandem/errno.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decode @n bytes from a heap copy of exactly that size (for ASan). */
static int decode_copy(const uint8_t *data, size_t n, enum insn_mode mode,
		       struct insn_mem *out)
{
	uint8_t *buf = malloc(n);
	int ret;

	if (n) {
		if (!buf)
			abort();
		memcpy(buf, data, n);
	}
	ret = insn_decode_mem(buf, n, mode, out);
	free(buf);
	return ret;
}

static int is_size(unsigned int s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static void check(const uint8_t *data, size_t size, enum insn_mode mode)
{
	struct insn_mem m, again;
	uint64_t mask;
	int ret;

	ret = insn_decode_mem(data, size, mode, &m);
	if (ret == -TANDEM_EINVAL)
		return;
	if (ret != 0)
		abort();

	if (m.length < 2 || m.length > size || m.length > INSN_MAX_LENGTH)
		abort();
	if (!is_size(m.size) || (m.dst_size && !is_size(m.dst_size)))
		abort();
	if (m.reg > 15 || (m.high8 && m.reg > 3) || (m.lock && !m.write))
		abort();
	if (m.src_kind != INSN_SRC_REG && m.src_kind != INSN_SRC_IMM)
		abort();
	if (m.write && m.dst_size)
		abort();
	mask = m.size == 8 ? ~0ull : (1ull << (8 * m.size)) - 1;
	if (m.imm & ~mask)
		abort();
	if (insn_write_value(&m, ~0ull) & ~mask)
		abort();
	(void)insn_read_result(&m, 0x0123456789abcdefull, ~0ull);

	/* The length is exact: it alone decodes the same, one less fails. */
	if (decode_copy(data, m.length, mode, &again) != 0 ||
	    memcmp(&again, &m, sizeof(m)) != 0)
		abort();
	if (decode_copy(data, m.length - 1u, mode, &again) != -TANDEM_EINVAL)
		abort();
}

/*
 * Map the first bytes of @data onto up to three prefixes (from the legacy
 * set and REX) and an opcode the decoder supports; the rest is kept.
 */
static size_t shape(const uint8_t *data, size_t size, uint8_t *out)
{
	static const uint8_t prefixes[] = {
		0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64,
		0x65, 0x40, 0x41, 0x42, 0x44, 0x48, 0x49, 0x4c, 0x4f,
	};
	static const uint8_t opcodes[] = {
		0x00, 0x01, 0x02, 0x03, 0x08, 0x09, 0x0a, 0x0b, 0x20, 0x21,
		0x22, 0x23, 0x28, 0x29, 0x2a, 0x2b, 0x30, 0x31, 0x32, 0x33,
		0x38, 0x39, 0x3a, 0x3b, 0x63, 0x80, 0x81, 0x83, 0x84, 0x85,
		0x88, 0x89, 0x8a, 0x8b, 0xa0, 0xa1, 0xa2, 0xa3, 0xc6, 0xc7,
		0xf6, 0xf7, 0x0f,
	};
	size_t i = 0, o = 0, np;

	if (size < 2)
		return 0;
	np = data[i++] % 4;
	while (np-- && i < size)
		out[o++] = prefixes[data[i++] % sizeof(prefixes)];
	if (i < size)
		out[o++] = opcodes[data[i++] % sizeof(opcodes)];
	if (o && out[o - 1] == 0x0f && i < size) {
		/* B6 B7 BE BF */
		out[o++] = 0xb6 | (data[i] & 1) | (data[i] & 2 ? 8 : 0);
		i++;
	}
	while (i < size)
		out[o++] = data[i++];
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *shaped;
	size_t n;
	int mode;

	for (mode = INSN_MODE_16; mode <= INSN_MODE_64; mode++)
		check(data, size, (enum insn_mode)mode);

	shaped = malloc(size ? size : 1);
	if (!shaped)
		abort();
	n = shape(data, size, shaped);
	if (n) {
		/* Exact-size copy so ASan sees reads past the end. */
		uint8_t *exact = malloc(n);

		if (!exact)
			abort();
		memcpy(exact, shaped, n);
		for (mode = INSN_MODE_16; mode <= INSN_MODE_64; mode++)
			check(exact, n, (enum insn_mode)mode);
		free(exact);
	}
	free(shaped);
	return 0;
}

#ifndef TANDEM_LIBFUZZER
static uint64_t xorshift64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Usage: fuzz_insn [runs [seed]]; defaults 200000 runs, a fixed seed. */
int main(int argc, char **argv)
{
	unsigned long runs = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed1e55ull;
	unsigned long r;

	if (seed == 0)
		seed = 1;
	for (r = 0; r < runs; r++) {
		size_t size = xorshift64(&seed) % 24, i;
		uint8_t *buf = malloc(size ? size : 1);

		if (!buf)
			abort();
		for (i = 0; i < size; i++)
			buf[i] = (uint8_t)(xorshift64(&seed) >> 24);
		LLVMFuzzerTestOneInput(buf, size);
		free(buf);
	}
	printf("fuzz_insn: %lu inputs, no invariant broken\n", runs);
	return 0;
}
#endif
