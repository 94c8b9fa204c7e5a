/*
 * Fuzz harness for exception delivery planning (kernel/virt/exc_frame.c):
 * the input is what a guest controls, its 16-byte IDT gate, the 8-byte GDT
 * descriptor the gate names, its TSS stack field, and its CPL, RSP and
 * RFLAGS. Linked with tests/fuzz_driver.c (seeds below, mutated) or with
 * libFuzzer.
 *
 * Input: 16 bytes gate, 8 descriptor, 8 TSS value, 8 RSP, 8 RFLAGS, then
 * one byte: CPL (bits 0-1), LA57 (bit 2). Every accepted gate has a
 * canonical handler, a non-null GDT selector and IST 0-7; every accepted
 * descriptor is present 64-bit code with the handler's CPL 0 or the old
 * one, never above it; the chosen TSS field lies in a 64-bit TSS; every
 * accepted frame is 16-byte aligned plus 48 below the new stack,
 * canonical at both ends, holds what was pushed, and leaves TF, NT, RF
 * and VM (and IF for an interrupt gate) clear.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tandem/errno.h"
#include "virt/exc_frame.h"

#define INPUT_SIZE (16 + 8 + 8 + 8 + 8 + 1)

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static bool canonical(uint64_t a, unsigned int bits)
{
	return (uint64_t)((int64_t)(a << (64 - bits)) >> (64 - bits)) == a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t in[INPUT_SIZE] = { 0 };
	struct exc_gate g;
	struct exc_code c;
	struct exc_frame f;
	struct exc_frame_in fi;
	const char *why = NULL;
	unsigned int cpl, new_cpl, bits, off;
	int ret;

	memcpy(in, data, size < INPUT_SIZE ? size : INPUT_SIZE);
	cpl = in[48] & 3;
	bits = (in[48] & 4) ? 57 : 48;

	ret = exc_gate_decode(in, bits, &g, &why);
	FUZZ_CHECK(ret == 0 || ret == -TANDEM_EBUSY || ret == -TANDEM_EINVAL);
	FUZZ_CHECK(ret == 0 ? why == NULL : why != NULL);
	if (ret)
		return 0;
	FUZZ_CHECK(canonical(g.offset, bits));
	FUZZ_CHECK((g.sel & ~3u) != 0 && !(g.sel & 4) && g.ist <= 7);

	ret = exc_code_decode(le64(in + 16), cpl, &c, &why);
	FUZZ_CHECK(ret == 0 || ret == -TANDEM_EINVAL);
	new_cpl = cpl;
	if (!ret) {
		FUZZ_CHECK(c.cpl == cpl || c.cpl == 0);
		FUZZ_CHECK((c.attr & 0x98) == 0x98);   /* P, S, code */
		FUZZ_CHECK((c.attr & 0x600) == 0x200); /* L, not D */
		new_cpl = c.cpl;
	}
	off = exc_tss_field(cpl, new_cpl, g.ist);
	FUZZ_CHECK(off == 0 || (off >= 4 && off + 8 <= 104));
	FUZZ_CHECK(off || (!g.ist && new_cpl == cpl));

	fi = (struct exc_frame_in){ .rip = le64(in + 40) ^ 0x1234,
				    .rflags = le64(in + 40),
				    .rsp = le64(in + 32),
				    .cs = g.sel,
				    .ss = (uint16_t)le64(in + 24),
				    .stack = off ? le64(in + 24) : le64(in + 32),
				    .error = 0xf00df00dull,
				    .trap = g.trap,
				    .va_bits = bits };
	why = NULL;
	ret = exc_frame_build(&fi, &f, &why);
	FUZZ_CHECK(ret == 0 || ret == -TANDEM_EINVAL);
	if (ret)
		return 0;
	FUZZ_CHECK(f.rsp == (fi.stack & ~0xfull) - 48);
	FUZZ_CHECK(canonical(f.rsp, bits) && canonical(f.rsp + 47, bits));
	FUZZ_CHECK(f.rsp < f.rsp + 48); /* no wrap */
	FUZZ_CHECK(f.words[0] == fi.error && f.words[1] == fi.rip &&
		   f.words[2] == fi.cs && f.words[3] == fi.rflags &&
		   f.words[4] == fi.rsp && f.words[5] == fi.ss);
	FUZZ_CHECK(!(f.rflags & (EXC_RFLAGS_TF | EXC_RFLAGS_NT | EXC_RFLAGS_RF |
				 EXC_RFLAGS_VM)));
	FUZZ_CHECK(g.trap || !(f.rflags & EXC_RFLAGS_IF));
	FUZZ_CHECK(f.rflags & 2);
	return 0;
}

size_t fuzz_seed(unsigned idx, uint8_t *buf, size_t cap)
{
	static const uint8_t gate_hrt[16] = { 0x34, 0x12, 0x08, 0x00,
					      0x00, 0x8e, 0x20, 0x00,
					      0x00, 0x80, 0xff, 0xff };
	static const uint8_t gate_ist[16] = { 0x00, 0x10, 0x10, 0x00,
					      0x02, 0x8f, 0x40, 0x00 };
	static const uint8_t code64[8] = { 0xff, 0xff, 0, 0, 0, 0x9a, 0xaf, 0 };
	static const uint8_t stack[8] = { 0xf8, 0xff, 0x3f, 0,
					  0,	0x80, 0xff, 0xff };

	if (idx > 3 || cap < INPUT_SIZE)
		return 0;
	memset(buf, 0, INPUT_SIZE);
	memcpy(buf, idx & 1 ? gate_ist : gate_hrt, 16);
	memcpy(buf + 16, code64, 8);
	memcpy(buf + 24, stack, 8);
	memcpy(buf + 32, stack, 8);
	buf[40] = 0x46;
	buf[41] = 0x03;
	buf[48] = (uint8_t)(idx & 2 ? 3 : 0);
	return INPUT_SIZE;
}
