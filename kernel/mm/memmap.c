/*
 * Memory map sanitizer and free-range finder (see memmap.h).
 *
 * The sanitizer sweeps the address line from boundary to boundary and asks
 * at each step which entries cover it. That is O(n^2) but needs no scratch
 * memory, and firmware maps have tens of entries, not thousands.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/klib.h"
#include "mm/memmap.h"
#include "tandem/errno.h"

/* Keeps the output count (at most 2n + 1) representable as an int. */
#define MEMMAP_MAX_INPUT (1u << 24)

/* The input of a sweep: an array plus an optional extra entry. */
struct sweep_src {
	const struct memmap_entry *in;
	size_t n;
	const struct memmap_entry *extra;
};

/* Clipped [start, end) of entry @i; false for entries that cover nothing. */
static bool entry_range(const struct sweep_src *s, size_t i, uint64_t *start,
			uint64_t *end, uint32_t *type)
{
	const struct memmap_entry *e = i < s->n ? &s->in[i] : s->extra;

	if (!e->length || e->base >= MEMMAP_END)
		return false;
	*start = e->base;
	*end = e->length > MEMMAP_END - e->base ? MEMMAP_END :
						  e->base + e->length;
	*type = e->type;
	return true;
}

/* Larger rank wins an overlap; see memmap_sanitize() in memmap.h. */
static uint64_t rank(uint32_t type)
{
	if (type == MEMMAP_AVAILABLE)
		return 0;
	if (type == MEMMAP_ACPI_RECLAIMABLE)
		return 1;
	return 2 + (uint64_t)type;
}

static int sweep(const struct sweep_src *s, struct memmap_entry *out, size_t cap)
{
	size_t total = s->n + (s->extra ? 1 : 0);
	size_t i, count = 0;
	uint64_t x = MEMMAP_END, start, end;
	uint32_t type;

	if (s->n > MEMMAP_MAX_INPUT || (s->n && !s->in))
		return -TANDEM_EINVAL;
	for (i = 0; i < total; i++)
		if (entry_range(s, i, &start, &end, &type) && start < x)
			x = start;

	while (x < MEMMAP_END) {
		uint64_t next = MEMMAP_END, best = 0;
		uint32_t best_type = 0;
		bool covered = false;

		/* Which entries cover x, and where does the next boundary lie? */
		for (i = 0; i < total; i++) {
			if (!entry_range(s, i, &start, &end, &type))
				continue;
			if (start > x) {
				if (start < next)
					next = start;
			} else if (end > x) {
				if (!covered || rank(type) > best) {
					best = rank(type);
					best_type = type;
				}
				covered = true;
				if (end < next)
					next = end;
			}
		}
		if (covered) {
			struct memmap_entry *prev = count ? &out[count - 1] :
							    NULL;

			if (prev && prev->type == best_type &&
			    prev->base + prev->length == x) {
				prev->length += next - x;
			} else {
				if (count == cap)
					return -TANDEM_E2BIG;
				out[count].base = x;
				out[count].length = next - x;
				out[count].type = best_type;
				count++;
			}
		}
		x = next;
	}
	return (int)count;
}

int memmap_sanitize(const struct memmap_entry *in, size_t n,
		    struct memmap_entry *out, size_t cap)
{
	struct sweep_src s = { in, n, NULL };

	return sweep(&s, out, cap);
}

int memmap_reserve(const struct memmap_entry *in, size_t n, uint64_t base,
		   uint64_t length, uint32_t type, struct memmap_entry *out,
		   size_t cap)
{
	struct memmap_entry extra = { base, length, type };
	struct sweep_src s = { in, n, &extra };

	return sweep(&s, out, cap);
}

/* Ranges a candidate must avoid: busy ranges and non-available map entries. */
struct avoid {
	const struct memmap_entry *map;
	size_t n;
	const struct memmap_range *busy;
	size_t nbusy;
};

static bool clip(uint64_t base, uint64_t length, uint64_t *start, uint64_t *end)
{
	if (!length || base >= MEMMAP_END)
		return false;
	*start = base;
	*end = length > MEMMAP_END - base ? MEMMAP_END : base + length;
	return true;
}

/* Returns true and the conflicting range if [a, a + size) hits one. */
static bool conflict(const struct avoid *av, uint64_t a, uint64_t size,
		     uint64_t *cstart, uint64_t *cend)
{
	uint64_t s, e;
	size_t i;

	for (i = 0; i < av->nbusy; i++) {
		if (clip(av->busy[i].base, av->busy[i].length, &s, &e) &&
		    s < a + size && a < e) {
			*cstart = s;
			*cend = e;
			return true;
		}
	}
	for (i = 0; i < av->n; i++) {
		if (av->map[i].type != MEMMAP_AVAILABLE &&
		    clip(av->map[i].base, av->map[i].length, &s, &e) &&
		    s < a + size && a < e) {
			*cstart = s;
			*cend = e;
			return true;
		}
	}
	return false;
}

/*
 * Lowest aligned fit in [rs, re). Each conflict pushes the candidate past
 * that range's end, so every range is hit at most once.
 */
static bool scan_up(const struct avoid *av, uint64_t rs, uint64_t re,
		    uint64_t size, uint64_t align, uint64_t *found)
{
	uint64_t a = rs, cs, ce;

	for (;;) {
		if (a > UINT64_MAX - (align - 1))
			return false;
		a = (a + align - 1) & ~(align - 1);
		if (a >= re || re - a < size)
			return false;
		if (!conflict(av, a, size, &cs, &ce)) {
			*found = a;
			return true;
		}
		a = ce;
	}
}

/* Highest aligned fit in [rs, re), moving below each conflict. */
static bool scan_down(const struct avoid *av, uint64_t rs, uint64_t re,
		      uint64_t size, uint64_t align, uint64_t *found)
{
	uint64_t a, cs, ce;

	if (re - rs < size)
		return false;
	a = (re - size) & ~(align - 1);
	for (;;) {
		if (a < rs)
			return false;
		if (!conflict(av, a, size, &cs, &ce)) {
			*found = a;
			return true;
		}
		if (cs < size)
			return false;
		a = (cs - size) & ~(align - 1);
	}
}

int memmap_find_free(const struct memmap_entry *map, size_t n, uint64_t size,
		     uint64_t align, uint64_t lo, uint64_t hi,
		     const struct memmap_range *busy, size_t nbusy,
		     bool highest, uint64_t *out)
{
	struct avoid av = { map, n, busy, nbusy };
	bool any = false;
	uint64_t best = 0;
	size_t i;

	if (!size || !align || (align & (align - 1)) || lo >= hi ||
	    (n && !map) || (nbusy && !busy) || !out)
		return -TANDEM_EINVAL;
	if (hi > MEMMAP_END)
		hi = MEMMAP_END;

	for (i = 0; i < n; i++) {
		uint64_t rs, re, cand;

		if (map[i].type != MEMMAP_AVAILABLE ||
		    !clip(map[i].base, map[i].length, &rs, &re))
			continue;
		if (rs < lo)
			rs = lo;
		if (re > hi)
			re = hi;
		if (rs >= re)
			continue;
		if (highest ? !scan_down(&av, rs, re, size, align, &cand) :
			      !scan_up(&av, rs, re, size, align, &cand))
			continue;
		if (!any || (highest ? cand > best : cand < best))
			best = cand;
		any = true;
	}
	if (!any)
		return -TANDEM_ENOMEM;
	*out = best;
	return 0;
}

uint64_t memmap_total(const struct memmap_entry *map, size_t n, uint32_t type)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (map[i].type != type)
			continue;
		if (map[i].length > UINT64_MAX - sum)
			return UINT64_MAX;
		sum += map[i].length;
	}
	return sum;
}
