/*
 * Physical memory maps (e820-like lists of typed ranges): cleaning up what
 * firmware reports, carving out reserved ranges, finding free space.
 *
 * Pure C over caller arrays, no allocation. The address space is taken as
 * [0, 2^64 - 1): a range reaching past that is clipped, so every end fits
 * in a uint64_t (the last byte of the address space is never RAM).
 */
#ifndef TANDEM_MM_MEMMAP_H
#define TANDEM_MM_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Types as in the e820 / Multiboot2 memory map; only type 1 is usable RAM. */
#define MEMMAP_AVAILABLE	1
#define MEMMAP_RESERVED		2 /* also used for Tandem's own memory */
#define MEMMAP_ACPI_RECLAIMABLE 3
#define MEMMAP_NVS		4
#define MEMMAP_BADRAM		5

/* Exclusive end of the usable address space, see above. */
#define MEMMAP_END		UINT64_MAX

struct memmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type; /* MEMMAP_* or any other firmware value */
};

/* A plain address range [base, base + length). */
struct memmap_range {
	uint64_t base;
	uint64_t length;
};

/*
 * Clean up @n entries of @in into @out (at most @cap entries; must not
 * overlap @in): zero-length entries are dropped, ranges past 2^64 - 1
 * clipped, overlaps resolved by priority, the result sorted by address with
 * adjacent ranges of equal type merged.
 * Priority where ranges overlap: available (1) loses to everything, ACPI
 * reclaimable (3) loses to every other reserved type, and otherwise the
 * higher type number wins (deterministic; no memory becomes more usable).
 * Returns the number of entries written, -TANDEM_E2BIG if @cap is too small,
 * -TANDEM_EINVAL for absurd @n. @out needs at most 2 * @n - 1 entries.
 */
int memmap_sanitize(const struct memmap_entry *in, size_t n,
		    struct memmap_entry *out, size_t cap);

/*
 * Like memmap_sanitize() over @in plus one extra entry [@base, @base +
 * @length) of @type, e.g. MEMMAP_RESERVED to hide Tandem's memory from a
 * guest. The usual priority applies, so reserving never turns firmware-
 * reserved memory into RAM. @out needs at most 2 * @n + 1 entries.
 */
int memmap_reserve(const struct memmap_entry *in, size_t n, uint64_t base,
		   uint64_t length, uint32_t type, struct memmap_entry *out,
		   size_t cap);

/*
 * Find @size bytes aligned to @align (a power of two) that lie inside one
 * available entry of @map, inside [@lo, @hi), and intersect no non-available
 * entry of @map and none of the @nbusy ranges in @busy (may be NULL when 0).
 * @map should be sanitized. Picks the highest such address when @highest,
 * else the lowest, and stores it in *@out.
 * Returns 0, -TANDEM_ENOMEM when nothing fits, -TANDEM_EINVAL for a zero
 * size, bad alignment or an empty window.
 */
int memmap_find_free(const struct memmap_entry *map, size_t n, uint64_t size,
		     uint64_t align, uint64_t lo, uint64_t hi,
		     const struct memmap_range *busy, size_t nbusy,
		     bool highest, uint64_t *out);

/* Total length of the entries of @type, saturating (for sanitized maps). */
uint64_t memmap_total(const struct memmap_entry *map, size_t n, uint32_t type);

#endif
