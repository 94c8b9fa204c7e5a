/*
 * Memory types from an MTRR snapshot (see mtrr.h). Fixed ranges cover the
 * first MiB (SDM Vol. 3A 13.11.2.2), variable ranges match where
 * (addr & mask) == (base & mask) (13.11.2.3), and overlaps resolve as in
 * 13.11.4.1.
 */
#include <stddef.h>

#include "mm/mtrr.h"
#include "mm/paging.h"

#define DEF_TYPE_FE (1ull << 10)
#define DEF_TYPE_E  (1ull << 11)
#define MASK_VALID  (1ull << 11)
#define FIXED_END   0x100000ull
#define NO_BOUNDARY UINT64_MAX

struct mtrr_state host_mtrrs;

static bool valid_type(uint64_t t)
{
	return t == MT_UC || t == MT_WC || t == MT_WT || t == MT_WP || t == MT_WB;
}

/* Reserved codes are taken as UC: never cache what we do not understand. */
static unsigned int checked(uint64_t t)
{
	return valid_type(t) ? (unsigned int)t : MT_UC;
}

static bool fixed_on(const struct mtrr_state *s)
{
	return s->fixed_supported && (s->def_type & DEF_TYPE_FE);
}

static unsigned int fixed_type(const struct mtrr_state *s, uint64_t addr)
{
	unsigned int msr, byte;

	if (addr < 0x80000) {
		msr = 0;
		byte = (unsigned int)(addr >> 16);
	} else if (addr < 0xc0000) {
		msr = 1 + (unsigned int)((addr - 0x80000) >> 17);
		byte = (unsigned int)((addr - 0x80000) >> 14) & 7;
	} else {
		msr = 3 + (unsigned int)((addr - 0xc0000) >> 15);
		byte = (unsigned int)((addr - 0xc0000) >> 12) & 7;
	}
	return checked((s->fixed[msr] >> (8 * byte)) & 0xff);
}

/* The end of the fixed range around @addr (< 1 MiB). */
static uint64_t fixed_next(uint64_t addr)
{
	uint64_t step = addr < 0x80000 ? 0x10000 :
			addr < 0xc0000 ? 0x4000 :
					 0x1000;

	return (addr | (step - 1)) + 1;
}

static uint64_t addr_mask(const struct mtrr_state *s)
{
	return ((1ull << s->phys_bits) - 1) & ~0xfffull;
}

static bool var_valid(const struct mtrr_state *s, unsigned int i)
{
	return s->mask[i] & MASK_VALID;
}

static bool var_match(const struct mtrr_state *s, unsigned int i, uint64_t addr)
{
	if (addr >> s->phys_bits)
		return false; /* no such host-physical address */
	return !((addr ^ s->base[i]) & s->mask[i] & addr_mask(s));
}

/*
 * The next address above @addr where range @i may start or stop matching.
 * A mask of contiguous ones (what firmware writes) matches one aligned
 * block; any other mask matches a repeating pattern whose smallest unit is
 * the lowest mask bit.
 */
static uint64_t var_next(const struct mtrr_state *s, unsigned int i, uint64_t addr)
{
	uint64_t am = addr_mask(s), m = s->mask[i] & am;
	uint64_t g = m ? m & -m : 1ull << s->phys_bits;

	if (addr >> s->phys_bits)
		return NO_BOUNDARY;
	if (m == (am & ~(g - 1))) {
		uint64_t start = s->base[i] & m;

		if (addr < start)
			return start;
		if (addr < start + g)
			return start + g;
		return NO_BOUNDARY;
	}
	return (addr | (g - 1)) + 1;
}

static unsigned int var_type(const struct mtrr_state *s, uint64_t addr)
{
	bool any = false;
	unsigned int t = MT_UC;

	for (unsigned int i = 0; i < s->nvar && i < MTRR_MAX_VAR; i++) {
		unsigned int vt;

		if (!var_valid(s, i) || !var_match(s, i, addr))
			continue;
		vt = checked(s->base[i] & 0xff);
		if (!any)
			t = vt;
		else if (t != vt)
			t = (t == MT_WT || t == MT_WB) &&
					    (vt == MT_WT || vt == MT_WB) ?
				    MT_WT :
				    MT_UC;
		any = true;
	}
	return any ? t : checked(s->def_type & 0xff);
}

unsigned int mtrr_type(const struct mtrr_state *s, uint64_t addr)
{
	if (!s->present)
		return MT_WB;
	if (!(s->def_type & DEF_TYPE_E))
		return MT_UC; /* MTRRs off: all memory is UC (13.11.2.1) */
	if (addr < FIXED_END && fixed_on(s))
		return fixed_type(s, addr);
	return var_type(s, addr);
}

/* The next address above @addr at which the type may change. */
static uint64_t next_boundary(const struct mtrr_state *s, uint64_t addr)
{
	uint64_t next = NO_BOUNDARY;

	if (!s->present || !(s->def_type & DEF_TYPE_E))
		return NO_BOUNDARY;
	if (addr < FIXED_END && fixed_on(s))
		return fixed_next(addr);
	for (unsigned int i = 0; i < s->nvar && i < MTRR_MAX_VAR; i++) {
		uint64_t n;

		if (!var_valid(s, i))
			continue;
		n = var_next(s, i, addr);
		if (n < next)
			next = n;
	}
	return next;
}

uint64_t mtrr_run(const struct mtrr_state *s, uint64_t addr, uint64_t limit,
		  unsigned int *type)
{
	unsigned int t = mtrr_type(s, addr);
	uint64_t end = addr + limit, pos = addr;

	*type = t;
	for (;;) {
		pos = next_boundary(s, pos);
		if (pos >= end || pos <= addr)
			return limit;
		if (mtrr_type(s, pos) != t)
			return pos - addr;
	}
}

int pt_map_mtrr(struct page_table *pt, const struct mtrr_state *s, uint64_t va,
		uint64_t pa, uint64_t size, unsigned int flags)
{
	flags &= ~PT_MT_MASK;
	/* Forced UC and bad arguments: pt_map() alone decides. */
	if ((flags & PT_UNCACHED) || !size || ((pa | size) & 0xfff) ||
	    pa + size < pa)
		return pt_map(pt, va, pa, size, flags);
	while (size) {
		unsigned int t;
		uint64_t n = mtrr_run(s, pa, size, &t);
		int err = pt_map(pt, va, pa, n,
				 flags | (t == MT_UC ? PT_UNCACHED : PT_MT(t)));

		if (err)
			return err;
		va += n;
		pa += n;
		size -= n;
	}
	return 0;
}
