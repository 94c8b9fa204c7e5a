/*
 * The root guest's ACPI view (see acpi_view.h).
 *
 * Firmware tables are outside input: they are validated by acpi.c first,
 * and every length is checked again here before a byte is read, because
 * the map callback is called anew. Fields are read with memcpy: the
 * tables are only byte-aligned.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt/acpi.h"
#include "fmt/acpi_view.h"
#include "lib/fail.h"
#include "lib/klib.h"
#include "lib/unaligned.h"
#include "tandem/errno.h"

#define HDR_LEN	    36 /* system description table header, 5.2.6 */
#define MADT_HDR    44 /* + local APIC address + flags, 5.2.12 */
#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36
#define FOUR_GIB    (UINT64_C(1) << 32)

/* Makes the @len bytes at @p sum to 0 through the byte at @at (5.2.6). */
static void seal(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;
	size_t i;

	p[at] = 0;
	for (i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)-sum;
}

static const uint8_t *map_range(acpi_map_fn map, void *ctx, uint64_t phys,
				size_t len)
{
	if (len && phys > UINT64_MAX - (len - 1))
		return NULL;
	return map(ctx, phys, len);
}

/* Maps a whole table after checking its length field; NULL if unusable. */
static const uint8_t *map_table(acpi_map_fn map, void *ctx, uint64_t phys,
				uint32_t *len)
{
	const uint8_t *p = map_range(map, ctx, phys, HDR_LEN);

	if (!p)
		return NULL;
	*len = rd32(p + 4);
	if (*len < HDR_LEN || *len > ACPI_MAX_TABLE_LEN)
		return NULL;
	return map_range(map, ctx, phys, *len);
}

static bool hidden(const uint32_t *hide, size_t nhide, uint32_t id)
{
	size_t i;

	for (i = 0; i < nhide; i++)
		if (hide[i] == id)
			return true;
	return false;
}

/* Copies @madt[0..len) to @dst without the hidden processors; returns the
 * new length, or 0 for a malformed entry. */
static size_t filter_madt(const uint8_t *madt, uint32_t len, uint8_t *dst,
			  const uint32_t *hide, size_t nhide, size_t *nhidden)
{
	size_t pos = MADT_HDR, n = MADT_HDR;

	memcpy(dst, madt, MADT_HDR);
	while (pos < len) {
		const uint8_t *e = madt + pos;
		uint8_t elen;
		bool drop = false;

		if (len - pos < 2)
			return 0;
		elen = e[1];
		if (elen < 2 || elen > len - pos)
			return 0;
		if (e[0] == 0) { /* 5.2.12.2 processor local APIC */
			if (elen < 8)
				return 0;
			drop = hidden(hide, nhide, e[3]);
		} else if (e[0] == 9) { /* 5.2.12.12 local x2APIC */
			if (elen < 16)
				return 0;
			drop = hidden(hide, nhide, rd32(e + 4));
		}
		if (drop) {
			(*nhidden)++;
		} else {
			memcpy(dst + n, e, elen);
			n += elen;
		}
		pos += elen;
	}
	wr32(dst + 4, (uint32_t)n);
	seal(dst, n, 9);
	return n;
}

int acpi_view_build(const void *rsdp, size_t rsdp_len, acpi_map_fn map,
		    void *ctx, const uint32_t *hide, size_t nhide, void *out,
		    size_t cap, uint64_t out_gpa, struct acpi_view *view)
{
	const uint8_t *r = rsdp, *root;
	struct acpi_table madt;
	uint8_t *buf = out, *nroot, *nrsdp;
	uint64_t root_phys, madt_gpa;
	uint32_t root_len, esize, nent, i;
	size_t root_off, madt_len, n;
	bool xsdt, seen_madt = false;
	int ret;

	memset(view, 0, sizeof(*view));
	if (!map || !buf || (nhide && !hide) || (out_gpa & 15) ||
	    out_gpa + cap < out_gpa)
		return fail(&view->why, TANDEM_EINVAL, "bad ACPI view arguments");

	/* Validates the RSDP, the root table and the MADT. */
	ret = acpi_find_table(rsdp, rsdp_len, "APIC", map, ctx, &madt,
			      &view->why);
	if (ret < 0)
		return ret;

	/*
	 * Copy the MADT first, while its mapping is fresh; the root table
	 * goes after it, no longer than the firmware's.
	 */
	if (cap < ACPI_VIEW_MADT_OFFSET || cap - ACPI_VIEW_MADT_OFFSET < madt.len)
		return fail(&view->why, TANDEM_E2BIG,
			    "no room for the ACPI view");
	memset(buf, 0, ACPI_VIEW_MADT_OFFSET);
	madt_len = filter_madt(madt.ptr, madt.len, buf + ACPI_VIEW_MADT_OFFSET,
			       hide, nhide, &view->nhidden);
	if (!madt_len)
		return fail(&view->why, TANDEM_EINVAL, "malformed MADT entry");
	madt_gpa = out_gpa + ACPI_VIEW_MADT_OFFSET;

	/* The same choice of root table as acpi.c. */
	xsdt = r[15] >= 2 && rd64(r + 24) != 0;
	root_phys = xsdt ? rd64(r + 24) : rd32(r + 16);
	esize = xsdt ? 8 : 4;
	root = map_table(map, ctx, root_phys, &root_len);
	if (!root || memcmp(root, xsdt ? "XSDT" : "RSDT", 4) != 0)
		return fail(&view->why, TANDEM_EINVAL, "ACPI root table changed");
	nent = (root_len - HDR_LEN) / esize;
	root_off = ALIGN_UP(ACPI_VIEW_MADT_OFFSET + madt_len, 16);
	if (cap < root_off || cap - root_off < root_len)
		return fail(&view->why, TANDEM_E2BIG,
			    "no room for the ACPI view");
	if (!xsdt && out_gpa + root_off + root_len > FOUR_GIB)
		return fail(&view->why, TANDEM_ERANGE,
			    "ACPI view above 4 GiB but the firmware has only an RSDT");

	memset(buf + ACPI_VIEW_MADT_OFFSET + madt_len, 0,
	       root_off - ACPI_VIEW_MADT_OFFSET - madt_len);
	nroot = buf + root_off;
	memcpy(nroot, root, HDR_LEN);
	n = HDR_LEN;
	for (i = 0; i < nent; i++) {
		uint64_t phys = xsdt ? rd64(root + HDR_LEN + 8 * i) :
				       rd32(root + HDR_LEN + 4 * i);
		const uint8_t *hdr = phys ? map_range(map, ctx, phys, HDR_LEN) :
					    NULL;

		if (phys == madt.phys) {
			if (seen_madt)
				continue;
			seen_madt = true;
			phys = madt_gpa;
		} else if (hdr && memcmp(hdr, "APIC", 4) == 0) {
			continue; /* a second MADT would undo the hiding */
		}
		if (xsdt)
			wr64(nroot + n, phys);
		else
			wr32(nroot + n, (uint32_t)phys);
		n += esize;
		view->ntables++;
	}
	wr32(nroot + 4, (uint32_t)n);
	seal(nroot, n, 9);

	nrsdp = buf;
	memcpy(nrsdp, r, RSDP_V1_LEN);
	if (r[15] >= 2) {
		memset(nrsdp + RSDP_V1_LEN, 0, RSDP_V2_LEN - RSDP_V1_LEN);
		wr32(nrsdp + 16, xsdt ? 0 : (uint32_t)(out_gpa + root_off));
		wr32(nrsdp + 20, RSDP_V2_LEN);
		wr64(nrsdp + 24, xsdt ? out_gpa + root_off : 0);
		seal(nrsdp, RSDP_V1_LEN, 8);
		seal(nrsdp, RSDP_V2_LEN, 32);
		view->rsdp_len = RSDP_V2_LEN;
	} else {
		wr32(nrsdp + 16, (uint32_t)(out_gpa + root_off));
		seal(nrsdp, RSDP_V1_LEN, 8);
		view->rsdp_len = RSDP_V1_LEN;
	}

	view->rsdp_offset = 0;
	view->root_offset = root_off;
	view->madt_offset = ACPI_VIEW_MADT_OFFSET;
	view->used = root_off + n;
	view->xsdt = xsdt;
	return 0;
}
