/*
 * ACPI RSDP/RSDT/XSDT walk and MADT parser (see acpi.h).
 *
 * Firmware tables are outside input: every length is checked against what
 * was mapped before a byte is read, and fields are read with memcpy because
 * the tables are only byte-aligned.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt/acpi.h"
#include "lib/fail.h"
#include "lib/klib.h"
#include "lib/unaligned.h"
#include "tandem/errno.h"

#define HDR_LEN		      36 /* system description table header, ACPI 5.2.6 */
#define MADT_HDR	      44 /* header + local APIC address + flags, ACPI 5.2.12 */

/* FADT (ACPI 5.2.9, table 5.9) offsets. An ACPI 1.0 FADT ends after the
 * flags; the 12-byte generic address structure X_PM_TMR_BLK came with
 * ACPI 2.0. */
#define FADT_PM_TMR_BLK	      76
#define FADT_PM_TMR_LEN	      91
#define FADT_FLAGS	      112
#define FADT_V1_LEN	      116
#define FADT_X_PM_TMR_BLK     208
#define FADT_FLAG_TMR_VAL_EXT (1u << 8)
#define FADT_FLAG_HW_REDUCED  (1u << 20)
#define GAS_LEN		      12
#define GAS_SYSTEM_IO	      1 /* address space ID, ACPI 5.2.3.2 */

/* Why a table could not be loaded (see load_table()). */
struct load_reasons {
	const char *unreadable;
	const char *bad_length;
	const char *bad_checksum;
};

/* Reasons used while locating one table; MADT gets its own wording. */
struct find_reasons {
	struct load_reasons load;
	const char *not_found;
	const char *not_found_unreadable;
};

static const struct find_reasons generic_reasons = {
	.load = {
		.unreadable = "ACPI table not readable",
		.bad_length = "ACPI table length out of range",
		.bad_checksum = "bad ACPI table checksum",
	},
	.not_found = "ACPI table not found",
	.not_found_unreadable =
		"ACPI table not found (some RSDT/XSDT entries unreadable)",
};

static const struct find_reasons madt_reasons = {
	.load = {
		.unreadable = "MADT not readable",
		.bad_length = "MADT length out of range",
		.bad_checksum = "bad MADT checksum",
	},
	.not_found = "no MADT",
	.not_found_unreadable = "no MADT (some RSDT/XSDT entries unreadable)",
};

static const struct load_reasons xsdt_reasons = {
	.unreadable = "XSDT not readable",
	.bad_length = "bad XSDT length",
	.bad_checksum = "bad XSDT checksum",
};

static const struct load_reasons rsdt_reasons = {
	.unreadable = "RSDT not readable",
	.bad_length = "bad RSDT length",
	.bad_checksum = "bad RSDT checksum",
};

/* What the RSDP said about the root table. */
struct root_info {
	uint8_t revision;
	bool xsdt;
};

bool acpi_checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum == 0;
}

static const uint8_t *map_range(acpi_map_fn map, void *ctx, uint64_t phys,
				size_t len)
{
	if (len && phys > UINT64_MAX - (len - 1))
		return NULL; /* would wrap around the address space */
	return map(ctx, phys, len);
}

/* ACPI 5.2.5.3: finds the root table's address and kind. */
static int check_rsdp(const uint8_t *r, size_t len, struct root_info *ri,
		      uint64_t *root, const char **why)
{
	uint32_t xlen;

	if (!r || len < 20)
		return fail(why, TANDEM_EINVAL, "RSDP shorter than 20 bytes");
	if (memcmp(r, "RSD PTR ", 8) != 0)
		return fail(why, TANDEM_EINVAL, "bad RSDP signature");
	if (!acpi_checksum_ok(r, 20))
		return fail(why, TANDEM_EINVAL, "bad RSDP checksum");
	ri->revision = r[15];
	ri->xsdt = false;
	if (ri->revision >= 2) {
		if (len < 36)
			return fail(why, TANDEM_EINVAL,
				    "RSDP revision 2 but shorter than 36 bytes");
		xlen = rd32(r + 20);
		if (xlen < 36 || xlen > len)
			return fail(why, TANDEM_EINVAL, "bad RSDP length");
		if (!acpi_checksum_ok(r, xlen))
			return fail(why, TANDEM_EINVAL,
				    "bad RSDP extended checksum");
		*root = rd64(r + 24);
		if (*root) {
			ri->xsdt = true;
			return 0;
		}
	}
	*root = rd32(r + 16);
	if (!*root)
		return fail(why, TANDEM_EINVAL, "RSDP has no RSDT/XSDT address");
	return 0;
}

/* Maps a whole table after checking its length field (ACPI 5.2.6). */
static int load_table(acpi_map_fn map, void *ctx, uint64_t phys,
		      struct acpi_table *t, const struct load_reasons *reasons,
		      const char **why)
{
	const uint8_t *p = map_range(map, ctx, phys, HDR_LEN);
	uint32_t len;

	if (!p)
		return fail(why, TANDEM_EINVAL, reasons->unreadable);
	len = rd32(p + 4);
	if (len < HDR_LEN || len > ACPI_MAX_TABLE_LEN)
		return fail(why, TANDEM_EINVAL, reasons->bad_length);
	p = map_range(map, ctx, phys, len);
	if (!p)
		return fail(why, TANDEM_EINVAL, reasons->unreadable);
	if (!acpi_checksum_ok(p, len))
		return fail(why, TANDEM_EINVAL, reasons->bad_checksum);
	t->ptr = p;
	t->len = len;
	t->phys = phys;
	return 0;
}

static int find_table(const void *rsdp, size_t rsdp_len, const char *sig,
		      acpi_map_fn map, void *ctx,
		      const struct find_reasons *reasons, struct root_info *ri,
		      struct acpi_table *table, const char **why)
{
	struct acpi_table root;
	uint64_t root_phys = 0;
	size_t esize, n, i, unreadable = 0;
	const uint8_t *rp;
	int ret;

	if (why)
		*why = NULL;
	ret = check_rsdp(rsdp, rsdp_len, ri, &root_phys, why);
	if (ret)
		return ret;

	ret = load_table(map, ctx, root_phys, &root,
			 ri->xsdt ? &xsdt_reasons : &rsdt_reasons, why);
	if (ret)
		return ret;
	rp = root.ptr;
	if (memcmp(rp, ri->xsdt ? "XSDT" : "RSDT", 4) != 0)
		return fail(why, TANDEM_EINVAL,
			    ri->xsdt ? "bad XSDT signature" :
				       "bad RSDT signature");

	/* ACPI 5.2.7/5.2.8: 32-bit (RSDT) or 64-bit (XSDT) physical addresses. */
	esize = ri->xsdt ? 8 : 4;
	n = (root.len - HDR_LEN) / esize;
	for (i = 0; i < n; i++) {
		const uint8_t *e = rp + HDR_LEN + i * esize;
		uint64_t phys = ri->xsdt ? rd64(e) : rd32(e);
		const uint8_t *hdr;

		if (!phys)
			continue;
		hdr = map_range(map, ctx, phys, HDR_LEN);
		if (!hdr) {
			unreadable++; /* other tables may still be fine */
			continue;
		}
		if (memcmp(hdr, sig, 4) != 0)
			continue;
		return load_table(map, ctx, phys, table, &reasons->load, why);
	}
	return fail(why, TANDEM_ENOENT,
		    unreadable ? reasons->not_found_unreadable :
				 reasons->not_found);
}

int acpi_find_table(const void *rsdp, size_t rsdp_len, const char *sig,
		    acpi_map_fn map, void *ctx, struct acpi_table *table,
		    const char **why)
{
	struct root_info ri;

	return find_table(rsdp, rsdp_len, sig, map, ctx, &generic_reasons, &ri,
			  table, why);
}

/* A port of a 4-byte register block: all four bytes below 0x10000. */
static bool pm_timer_port(uint64_t addr, struct acpi_pm_timer *out)
{
	if (addr > 0xfffc) {
		out->none = "the FADT's PM timer port is beyond 0xfffc";
		return false;
	}
	out->port = (uint16_t)addr;
	return true;
}

int acpi_fadt_pm_timer(const void *fadt, size_t len, struct acpi_pm_timer *out,
		       const char **why)
{
	const uint8_t *p = fadt;
	uint32_t tlen, flags;

	memset(out, 0, sizeof(*out));
	if (why)
		*why = NULL;
	if (!p || len < HDR_LEN)
		return fail(why, TANDEM_EINVAL, "FADT shorter than its header");
	if (memcmp(p, "FACP", 4) != 0)
		return fail(why, TANDEM_EINVAL, "bad FADT signature");
	tlen = rd32(p + 4);
	if (tlen < FADT_V1_LEN || tlen > len || tlen > ACPI_MAX_TABLE_LEN)
		return fail(why, TANDEM_EINVAL, "FADT length out of range");
	if (!acpi_checksum_ok(p, tlen))
		return fail(why, TANDEM_EINVAL, "bad FADT checksum");

	flags = rd32(p + FADT_FLAGS);
	out->ext32 = flags & FADT_FLAG_TMR_VAL_EXT;
	if (flags & FADT_FLAG_HW_REDUCED) {
		out->none = "hardware-reduced ACPI: no PM timer";
		return 0;
	}
	if (tlen >= FADT_X_PM_TMR_BLK + GAS_LEN) {
		const uint8_t *gas = p + FADT_X_PM_TMR_BLK;
		uint64_t addr = rd64(gas + 4);

		if (addr) {
			if (gas[0] != GAS_SYSTEM_IO) {
				out->none = "the FADT's PM timer is not in I/O space";
				return 0;
			}
			pm_timer_port(addr, out);
			return 0;
		}
	}
	if (!rd32(p + FADT_PM_TMR_BLK) || p[FADT_PM_TMR_LEN] != 4) {
		out->none = "the FADT names no PM timer";
		return 0;
	}
	pm_timer_port(rd32(p + FADT_PM_TMR_BLK), out);
	return 0;
}

static void warn(struct madt_info *out, uint32_t bit, const char *why)
{
	if (!out->warning)
		out->warning = why;
	out->warnings |= bit;
}

/*
 * ACPI 5.2.12.2 / 5.2.12.12: flags bit 0 = enabled, bit 1 = online capable.
 * With both clear the processor is unusable and is only counted.
 */
static void add_cpu(struct madt_info *out, uint32_t apic_id, uint32_t uid,
		    uint32_t flags)
{
	struct madt_cpu *c;
	size_t i;

	out->ncpus_listed++;
	if (!(flags & 3))
		return;
	for (i = 0; i < out->ncpus; i++) {
		if (out->cpus[i].apic_id == apic_id) {
			warn(out, MADT_WARN_DUPLICATE_APIC_ID,
			     "duplicate APIC ID in MADT, ignored");
			return;
		}
	}
	if (flags & 1)
		out->ncpus_enabled++;
	if (out->ncpus == MADT_MAX_CPUS) {
		warn(out, MADT_WARN_CPUS_TRUNCATED,
		     "more CPUs in MADT than MADT_MAX_CPUS, extra ignored");
		return;
	}
	c = &out->cpus[out->ncpus++];
	c->apic_id = apic_id;
	c->acpi_uid = uid;
	c->enabled = flags & 1;
	c->online_capable = !(flags & 1) && (flags & 2);
}

/* One interrupt controller structure; @e has @len (>= 2) readable bytes. */
static int parse_entry(struct madt_info *out, const uint8_t *e, uint8_t len)
{
	switch (e[0]) {
	case 0: /* processor local APIC, 5.2.12.2 */
		if (len < 8)
			return fail(&out->why, TANDEM_EINVAL,
				    "MADT local APIC entry too short");
		add_cpu(out, e[3], e[2], rd32(e + 4));
		return 0;
	case 1: /* I/O APIC, 5.2.12.3 */
		if (len < 12)
			return fail(&out->why, TANDEM_EINVAL,
				    "MADT I/O APIC entry too short");
		if (out->nioapics == MADT_MAX_IOAPICS) {
			warn(out, MADT_WARN_IOAPICS_TRUNCATED,
			     "more I/O APICs in MADT than MADT_MAX_IOAPICS, extra ignored");
			return 0;
		}
		out->ioapics[out->nioapics].id = e[2];
		out->ioapics[out->nioapics].addr = rd32(e + 4);
		out->ioapics[out->nioapics].gsi_base = rd32(e + 8);
		out->nioapics++;
		return 0;
	case 2: /* interrupt source override, 5.2.12.5 */
		if (len < 10)
			return fail(&out->why, TANDEM_EINVAL,
				    "MADT interrupt source override entry too short");
		out->noverrides_listed++;
		if (out->noverrides == MADT_MAX_OVERRIDES) {
			warn(out, MADT_WARN_OVERRIDES_TRUNCATED,
			     "more interrupt overrides in MADT than fit, extra ignored");
			return 0;
		}
		out->overrides[out->noverrides].bus = e[2];
		out->overrides[out->noverrides].source = e[3];
		out->overrides[out->noverrides].gsi = rd32(e + 4);
		out->overrides[out->noverrides].flags = rd16(e + 8);
		out->noverrides++;
		return 0;
	case 5: /* local APIC address override, 5.2.12.8 */
		if (len < 12)
			return fail(&out->why, TANDEM_EINVAL,
				    "MADT local APIC address override entry too short");
		out->lapic_addr = rd64(e + 4);
		return 0;
	case 9: /* processor local x2APIC, 5.2.12.12 */
		if (len < 16)
			return fail(&out->why, TANDEM_EINVAL,
				    "MADT local x2APIC entry too short");
		add_cpu(out, rd32(e + 4), rd32(e + 12), rd32(e + 8));
		return 0;
	default:
		return 0; /* NMI sources, GIC etc. are not used */
	}
}

/* Parses the MADT without clearing what acpi_parse_madt() already set. */
static int parse_madt(const uint8_t *p, size_t avail, struct madt_info *out)
{
	uint32_t len;
	size_t off;

	if (!p || avail < MADT_HDR)
		return fail(&out->why, TANDEM_EINVAL,
			    "MADT shorter than 44 bytes");
	if (memcmp(p, "APIC", 4) != 0)
		return fail(&out->why, TANDEM_EINVAL, "bad MADT signature");
	len = rd32(p + 4);
	if (len < MADT_HDR || len > avail || len > ACPI_MAX_TABLE_LEN)
		return fail(&out->why, TANDEM_EINVAL, "MADT length out of range");
	if (!acpi_checksum_ok(p, len))
		return fail(&out->why, TANDEM_EINVAL, "bad MADT checksum");

	out->lapic_addr = rd32(p + 36);
	out->pcat_compat = rd32(p + 40) & 1;

	for (off = MADT_HDR; off < len;) {
		uint8_t elen;
		int ret;

		if (len - off < 2)
			return fail(&out->why, TANDEM_EINVAL,
				    "MADT entry truncated");
		elen = p[off + 1];
		if (elen < 2)
			return fail(&out->why, TANDEM_EINVAL,
				    "MADT entry length below 2");
		if (elen > len - off)
			return fail(&out->why, TANDEM_EINVAL,
				    "MADT entry truncated");
		ret = parse_entry(out, p + off, elen);
		if (ret)
			return ret;
		off += elen;
	}
	return 0;
}

int madt_parse(const void *madt, size_t len, struct madt_info *out)
{
	memset(out, 0, sizeof(*out));
	return parse_madt(madt, len, out);
}

int acpi_parse_madt(const void *rsdp, size_t rsdp_len, acpi_map_fn map,
		    void *ctx, struct madt_info *out)
{
	struct acpi_table t;
	struct root_info ri = { 0, false };
	int err;

	memset(out, 0, sizeof(*out));
	err = find_table(rsdp, rsdp_len, "APIC", map, ctx, &madt_reasons, &ri,
			 &t, &out->why);
	out->rsdp_revision = ri.revision;
	out->used_xsdt = ri.xsdt;
	if (err)
		return err;
	out->madt_phys = t.phys;
	return parse_madt(t.ptr, t.len, out);
}

unsigned int madt_pick_cpus(const struct madt_info *m, uint32_t bsp,
			    bool x2apic, unsigned int max, uint32_t *ids,
			    bool *enabled, unsigned int *left_out)
{
	unsigned int n = 1;

	ids[0] = bsp;
	enabled[0] = true;
	*left_out = 0;
	for (size_t i = 0; i < m->ncpus; i++) {
		if (m->cpus[i].apic_id == bsp)
			continue;
		if (n == max || (!x2apic && m->cpus[i].apic_id > 254)) {
			(*left_out)++;
			continue;
		}
		enabled[n] = m->cpus[i].enabled;
		ids[n++] = m->cpus[i].apic_id;
	}
	return n;
}
