/*
 * A naive reference for kernel/mm/mtrr.c, written straight from SDM Vol. 3A
 * 13.11 one address at a time, and MTRR layouts of real machines; shared by
 * tests/test_mtrr.c and tests/fuzz_mtrr.c.
 */
#ifndef TANDEM_TESTS_MTRR_REF_H
#define TANDEM_TESTS_MTRR_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/mtrr.h"

#define REF_E	     (1ull << 11)
#define REF_FE	     (1ull << 10)
#define REF_VALID    (1ull << 11)
#define REF_GIB	     0x40000000ull
#define REF_MIB	     0x100000ull
#define REF_BYTES(t) (0x0101010101010101ull * (uint64_t)(t))

static inline unsigned int ref_checked(uint64_t t)
{
	return (t == 0 || t == 1 || t == 4 || t == 5 || t == 6) ?
		       (unsigned int)t :
		       MT_UC;
}

static inline unsigned int ref_type(const struct mtrr_state *s, uint64_t a)
{
	uint64_t am = ((1ull << s->phys_bits) - 1) & ~0xfffull;
	bool seen[8] = { false };
	unsigned int n = 0, last = 0;

	if (!s->present)
		return MT_WB;
	if (!(s->def_type & REF_E))
		return MT_UC;
	if (a < REF_MIB && s->fixed_supported && (s->def_type & REF_FE)) {
		/* 8 x 64 KiB, 16 x 16 KiB, 64 x 4 KiB: walk them in order */
		uint64_t start = 0;

		for (unsigned int k = 0; k < 88; k++) {
			uint64_t size = k < 8  ? 0x10000 :
					k < 24 ? 0x4000 :
						 0x1000;

			if (a < start + size)
				return ref_checked(
					(s->fixed[k / 8] >> (8 * (k % 8))) & 0xff);
			start += size;
		}
	}
	for (unsigned int i = 0; i < s->nvar; i++) {
		unsigned int t;

		if (!(s->mask[i] & REF_VALID) || (a >> s->phys_bits))
			continue;
		if ((a & s->mask[i] & am) != (s->base[i] & s->mask[i] & am))
			continue;
		t = ref_checked(s->base[i] & 0xff);
		if (!seen[t])
			n++;
		seen[t] = true;
		last = t;
	}
	if (n == 0)
		return ref_checked(s->def_type & 0xff);
	if (n == 1)
		return last;
	if (n == 2 && seen[MT_WT] && seen[MT_WB])
		return MT_WT;
	return MT_UC;
}

/* A variable range of @size (a power of two) at @base. */
static inline void ref_var(struct mtrr_state *s, uint64_t base, uint64_t size,
			   unsigned int type)
{
	uint64_t am = ((1ull << s->phys_bits) - 1) & ~0xfffull;

	s->base[s->nvar] = base | type;
	s->mask[s->nvar] = (am & ~(size - 1)) | REF_VALID;
	s->nvar++;
}

/*
 * QEMU/SeaBIOS-like (pc machine, 8 GiB): default WB, the legacy area from
 * the fixed ranges (RAM WB, VGA window UC, option and BIOS ROMs WP), the
 * 32-bit PCI hole [3.5 GiB, 4 GiB) UC.
 */
static inline void ref_layout_seabios(struct mtrr_state *s)
{
	*s = (struct mtrr_state){ .present = true,
				  .fixed_supported = true,
				  .phys_bits = 40 };
	s->def_type = REF_E | REF_FE | MT_WB;
	s->fixed[0] = REF_BYTES(MT_WB);
	s->fixed[1] = REF_BYTES(MT_WB);
	s->fixed[2] = REF_BYTES(MT_UC);
	for (int i = 3; i < 11; i++)
		s->fixed[i] = REF_BYTES(MT_WP);
	ref_var(s, 0xe0000000, 512 * REF_MIB, MT_UC);
}

/*
 * A desktop's firmware (Intel, 16 GiB, 39 physical address bits): default
 * UC, WB variable ranges for RAM (0-8 GiB, 8-16 GiB), the PCI hole carved
 * out below 4 GiB by UC ranges overlapping the WB one (UC wins), a
 * write-combining framebuffer BAR, legacy area from fixed ranges.
 */
static inline void ref_layout_desktop(struct mtrr_state *s)
{
	*s = (struct mtrr_state){ .present = true,
				  .fixed_supported = true,
				  .phys_bits = 39 };
	s->def_type = REF_E | REF_FE | MT_UC;
	s->fixed[0] = REF_BYTES(MT_WB);
	s->fixed[1] = REF_BYTES(MT_WB);
	s->fixed[2] = REF_BYTES(MT_UC);
	for (int i = 3; i < 11; i++)
		s->fixed[i] = 0x0505050500000000ull; /* C0000 UC, then WP */
	ref_var(s, 0, 8 * REF_GIB, MT_WB);
	ref_var(s, 8 * REF_GIB, 8 * REF_GIB, MT_WB);
	ref_var(s, 0x80000000, 2 * REF_GIB, MT_UC);
	ref_var(s, 0x7c000000, 64 * REF_MIB, MT_UC); /* stolen graphics */
	ref_var(s, 0x4000000000ull >> 1, 256 * REF_MIB, MT_WC); /* 256 GiB: BAR */
}

#endif
