/*
 * Fuzz harness for the instruction decoder (kernel/virt/insn.c): the input is
 * the guest's instruction bytes. Linked with tests/fuzz_driver.c (seeds
 * below, mutated) or with libFuzzer.
 *
 * Each input is decoded in all three modes, once as given and once
 * "shaped" (its first bytes mapped onto prefixes and supported opcodes) so
 * that random bytes also reach the accepting paths. Every accepted decode
 * must be at most 15 and at most the input long, decode identically from
 * exactly its own bytes and fail with one byte less, and report sizes,
 * registers and immediates that can be.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "virt/insn.h"
#include "tandem/errno.h"

/* Decode @n bytes from a heap copy of exactly that size (for ASan). */
static int decode_copy(const uint8_t *data, size_t n, enum insn_mode mode,
		       struct insn_mem *out)
{
	uint8_t *buf = malloc(n ? n : 1);
	int ret;

	FUZZ_CHECK(buf != NULL);
	memcpy(buf, data, n);
	ret = insn_decode_mem(buf, n, mode, out);
	free(buf);
	return ret;
}

static bool is_size(unsigned int s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static void check(const uint8_t *data, size_t size, enum insn_mode mode)
{
	struct insn_mem m, again;
	bool mov_family;
	uint64_t mask;
	int ret;

	ret = decode_copy(data, size, mode, &m);
	FUZZ_CHECK(ret == 0 || ret == -TANDEM_EINVAL);
	if (ret)
		return;

	FUZZ_CHECK(m.length >= 2 && m.length <= size);
	FUZZ_CHECK(m.length <= INSN_MAX_LENGTH);
	FUZZ_CHECK(is_size(m.size));
	FUZZ_CHECK(m.dst_size == 0 || is_size(m.dst_size));
	FUZZ_CHECK(m.reg <= 15 && (!m.high8 || m.reg <= 3));
	FUZZ_CHECK(!m.lock || (m.write && m.op != INSN_OP_MOV));
	FUZZ_CHECK(m.src_kind == INSN_SRC_REG || m.src_kind == INSN_SRC_IMM);
	mov_family = m.op == INSN_OP_MOV || m.op == INSN_OP_MOVZX ||
		     m.op == INSN_OP_MOVSX;
	FUZZ_CHECK(!m.dst_size == (m.write || !mov_family));
	FUZZ_CHECK(!m.zero_upper || m.dst_size == 4);
	mask = m.size == 8 ? ~0ull : (1ull << (8 * m.size)) - 1;
	FUZZ_CHECK((m.imm & ~mask) == 0);
	FUZZ_CHECK((insn_write_value(&m, ~0ull) & ~mask) == 0);
	if (!m.dst_size)
		FUZZ_CHECK(insn_read_result(&m, 0x0123456789abcdefull, ~0ull) ==
			   0x0123456789abcdefull);

	/* The length is exact: it alone decodes the same, one less fails. */
	FUZZ_CHECK(decode_copy(data, m.length, mode, &again) == 0);
	FUZZ_CHECK(memcmp(&again, &m, sizeof(m)) == 0);
	FUZZ_CHECK(decode_copy(data, m.length - 1u, mode, &again) ==
		   -TANDEM_EINVAL);
}

/* MOV to CR8: what is accepted is 0F 22 with at most an F0 and a REX
 * before it, its exact length decodes the same, one byte less fails. */
static void check_cr8(const uint8_t *data, size_t size, enum insn_mode mode)
{
	uint8_t *buf = malloc(size ? size : 1);
	uint8_t gpr, len, gpr2, len2;
	int ret;

	FUZZ_CHECK(buf != NULL);
	memcpy(buf, data, size);
	ret = insn_decode_mov_cr8(buf, size, mode, &gpr, &len);
	FUZZ_CHECK(ret == 0 || ret == -TANDEM_EINVAL);
	if (ret == 0) {
		FUZZ_CHECK(len >= 3 && len <= 5 && len <= size && gpr <= 15);
		FUZZ_CHECK(buf[len - 3] == 0x0f && buf[len - 2] == 0x22);
		FUZZ_CHECK(insn_decode_mov_cr8(buf, len, mode, &gpr2, &len2) == 0 &&
			   gpr2 == gpr && len2 == len);
		FUZZ_CHECK(insn_decode_mov_cr8(buf, len - 1u, mode, &gpr2,
					       &len2) == -TANDEM_EINVAL);
	}
	free(buf);
}

/*
 * Map the first bytes of @data onto up to three prefixes (legacy or REX)
 * and an opcode the decoder supports; the rest is kept. Returns the size
 * written to @out, which has room for @size bytes.
 */
static size_t shape(const uint8_t *data, size_t size, uint8_t *out)
{
	static const uint8_t prefixes[] = {
		0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64,
		0x65, 0x40, 0x41, 0x42, 0x44, 0x48, 0x49, 0x4c, 0x4f,
	};
	static const uint8_t opcodes[] = {
		0x00, 0x01, 0x02, 0x03, 0x08, 0x09, 0x0a, 0x0b, 0x20,
		0x21, 0x22, 0x23, 0x28, 0x29, 0x2a, 0x2b, 0x30, 0x31,
		0x32, 0x33, 0x38, 0x39, 0x3a, 0x3b, 0x63, 0x80, 0x81,
		0x83, 0x84, 0x85, 0x88, 0x89, 0x8a, 0x8b, 0xa0, 0xa1,
		0xa2, 0xa3, 0xc6, 0xc7, 0xf6, 0xf7, 0x0f,
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
	uint8_t shaped[INSN_MAX_LENGTH + 1];
	size_t n;
	int mode;

	/* The decoder never looks further than 15 bytes, plus one to see that. */
	if (size > sizeof(shaped))
		size = sizeof(shaped);
	n = shape(data, size, shaped);
	for (mode = INSN_MODE_16; mode <= INSN_MODE_64; mode++) {
		check(data, size, (enum insn_mode)mode);
		check_cr8(data, size, (enum insn_mode)mode);
		if (n)
			check(shaped, n, (enum insn_mode)mode);
	}
	return 0;
}

/* Seeds for the standalone driver: one of each family, in each address size. */
size_t fuzz_seed(unsigned idx, uint8_t *buf, size_t cap)
{
	static const struct {
		uint8_t n;
		uint8_t b[15];
	} seeds[] = {
		{ 7, { 0x48, 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12 } },
		{ 10,
		  { 0xc7, 0x80, 0x00, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 } },
		{ 3, { 0x66, 0x89, 0x10 } },
		{ 3, { 0x40, 0x88, 0x20 } },
		{ 5, { 0x48, 0x0f, 0xbf, 0x46, 0x08 } },
		{ 8, { 0x48, 0x63, 0x04, 0x8d, 0x00, 0x10, 0x00, 0x00 } },
		{ 9, { 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 } },
		{ 6, { 0x67, 0xa1, 0x00, 0x00, 0xe0, 0xfe } },
		{ 5, { 0xf0, 0x48, 0x83, 0x08, 0x01 } },
		{ 7, { 0x48, 0x81, 0x38, 0x00, 0x00, 0x00, 0x80 } },
		{ 7, { 0xf7, 0x47, 0x04, 0x00, 0x00, 0x00, 0x80 } },
		{ 8, { 0x45, 0x8b, 0x8c, 0xc8, 0x00, 0x01, 0x00, 0x00 } },
		{ 9, { 0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00 } },
		{ 3, { 0x8b, 0x46, 0x02 } },
		{ 8, { 0x67, 0x66, 0x8b, 0x05, 0x20, 0x00, 0xe0, 0xfe } },
		{ 9, { 0x66, 0xc7, 0x06, 0x00, 0x01, 0x78, 0x56, 0x34, 0x12 } },
	};

	if (idx >= sizeof(seeds) / sizeof(seeds[0]) || seeds[idx].n > cap)
		return 0;
	memcpy(buf, seeds[idx].b, seeds[idx].n);
	return seeds[idx].n;
}
