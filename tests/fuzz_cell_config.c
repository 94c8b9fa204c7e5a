/*
 * Fuzz harness for the cell configuration validator (kernel/cell/config_check.c).
 *
 * Each input is tried twice against one fixed system: as raw bytes, and
 * "shaped" (header made plausible, region fields folded into a few small
 * address windows) so that most shaped inputs reach the overlap and
 * ownership rules. For both, a naive reference written independently of
 * the validator (O(n^2) pair checks, merged root RAM) computes which error
 * codes the broken rules call for; the validator must accept exactly when
 * no rule is broken, and otherwise return one of those codes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell/config_check.h"
#include "fuzz.h"
#include "lib/unaligned.h"
#include "tandem/errno.h"

#define KIB	 UINT64_C(0x400)
#define MIB	 UINT64_C(0x100000)
#define GIB	 UINT64_C(0x40000000)
#define HDR	 sizeof(struct tandem_cell_desc)
#define MEMSZ	 sizeof(struct tandem_memory_region)
#define PIOSZ	 sizeof(struct tandem_pio_region)

/* Codes a configuration deserves, as a bit set. */
#define R_EINVAL (1u << 0)
#define R_E2BIG	 (1u << 1)
#define R_EBUSY	 (1u << 2)
#define R_EEXIST (1u << 3)

/*
 * The system: RAM [0, 2 GiB) and [4 GiB, 5 GiB); Tandem [1792 MiB, 2 GiB);
 * another cell [1536 MiB, 1792 MiB); the root the rest above 1 MiB, in
 * ranges given out of order and touching at 1 GiB. CPUs 0-7 online; 6
 * calls, 0 and 2 run root code, 3 belongs to another cell. (A real caller
 * also runs root code; kept apart here so each CPU rule shows alone.)
 */
static const struct cfg_range machine_ram[] = {
	{ 4 * GIB, GIB },
	{ 0, 2 * GIB },
};
static const struct cfg_range root_ram[] = {
	{ GIB, 512 * MIB },
	{ 4 * GIB, GIB / 2 },
	{ MIB, GIB - MIB },
};
static const struct cfg_range cells_ram[] = {
	{ 1536 * MIB, 256 * MIB },
};
static const char *const names[] = { "root", "linux-demo" };
/* Another cell's ports: inside both windows the ports are folded into. */
static const struct cfg_range cells_pio[] = {
	{ 0x420, 8 },
	{ 0xfff0, 0x10 },
};

static const struct cell_config_ctx ctx = {
	.online_cpus = 0xff,
	.caller_cpu = 6,
	.other_cells_cpus = 0x08,
	.root_running_cpus = 0x05,
	.root_ram = root_ram,
	.n_root_ram = 3,
	.cells_ram = cells_ram,
	.n_cells_ram = 1,
	.machine_ram = machine_ram,
	.n_machine_ram = 2,
	.cells_pio = cells_pio,
	.n_cells_pio = 2,
	.names = names,
	.n_names = 2,
};

/* ---- the naive reference ---- */

static bool ranges_meet(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* [base, base + size) inside one interval of the merged root RAM. */
static bool in_root_ram(uint64_t base, uint64_t size)
{
	struct cfg_range m[3];
	unsigned n = 0;

	/* Merge touching ranges: sort by base (3 entries), then join. */
	struct cfg_range s[3] = { root_ram[0], root_ram[1], root_ram[2] };
	for (unsigned i = 0; i < 3; i++)
		for (unsigned j = i + 1; j < 3; j++)
			if (s[j].base < s[i].base) {
				struct cfg_range t = s[i];
				s[i] = s[j];
				s[j] = t;
			}
	for (unsigned i = 0; i < 3; i++) {
		if (n && m[n - 1].base + m[n - 1].size == s[i].base)
			m[n - 1].size += s[i].size;
		else
			m[n++] = s[i];
	}
	for (unsigned i = 0; i < n; i++)
		if (base >= m[i].base && base + size <= m[i].base + m[i].size)
			return true;
	return false;
}

static bool is_ram(const struct tandem_memory_region *r)
{
	return !(r->flags & TANDEM_MEM_IO) &&
	       !(r->flags & TANDEM_MEM_COMM_REGION);
}

/* Rules of one memory region that need nothing else; true if all hold. */
static bool region_ok(const struct tandem_memory_region *r)
{
	if (r->flags & ~(uint64_t)0x7f)
		return false;
	if (r->size == 0 || r->size % 4096 || r->phys_start % 4096 ||
	    r->virt_start % 4096)
		return false;
	if (r->virt_start > (UINT64_C(1) << 48) ||
	    r->size > (UINT64_C(1) << 48) - r->virt_start)
		return false;
	if (r->phys_start > (UINT64_C(1) << 52) ||
	    r->size > (UINT64_C(1) << 52) - r->phys_start)
		return false;
	if (r->flags & TANDEM_MEM_COMM_REGION) {
		if (r->size != 4096 || r->phys_start != 0)
			return false;
		if (r->flags & (TANDEM_MEM_IO | TANDEM_MEM_LOADABLE |
				TANDEM_MEM_ROOTSHARED))
			return false;
	} else if (!(r->flags & TANDEM_MEM_READ)) {
		return false;
	}
	if ((r->flags & TANDEM_MEM_IO) && (r->flags & TANDEM_MEM_LOADABLE))
		return false;
	/* Not the local APIC page (0xfee00000), but as the comm region. */
	if (!(r->flags & TANDEM_MEM_COMM_REGION) &&
	    r->phys_start <= 0xfee00000 && r->phys_start + r->size > 0xfee00000)
		return false;
	return true;
}

static unsigned reference(const uint8_t *cfg, size_t len)
{
	struct tandem_cell_desc d;
	const struct tandem_memory_region *mem;
	const struct tandem_pio_region *pio;
	unsigned codes = 0, nm, np, comms = 0;
	bool regions_sane = true, entry_ok = false;
	size_t namelen;

	if (len < HDR)
		return R_EINVAL;
	if (len > TANDEM_CELL_CONFIG_MAX)
		return R_E2BIG;
	memcpy(&d, cfg, HDR);
	if (memcmp(d.signature, "TNDMCELL", 8) || d.revision != 1)
		return R_EINVAL;
	if (d.num_memory_regions > 64 || d.num_pio_regions > 64)
		return R_E2BIG;
	nm = d.num_memory_regions;
	np = d.num_pio_regions;
	if (len != HDR + nm * MEMSZ + np * PIOSZ)
		return R_EINVAL;
	mem = (const void *)(cfg + HDR);
	pio = (const void *)(cfg + HDR + nm * MEMSZ);

	if (d.flags > 1 || d.reserved0 || d.reserved1 || d.cpu_set == 0)
		codes |= R_EINVAL;
	namelen = strnlen(d.name, 32);
	if (namelen == 0 || namelen == 32)
		codes |= R_EINVAL;
	for (size_t i = 0; i < namelen; i++)
		if (!((unsigned char)d.name[i] >= ' ' &&
		      (unsigned char)d.name[i] <= '~'))
			codes |= R_EINVAL;
	if (namelen < 32 &&
	    (!strcmp(d.name, "root") || !strcmp(d.name, "linux-demo")))
		codes |= R_EEXIST;

	if (d.cpu_set & ~ctx.online_cpus)
		codes |= R_EINVAL;
	if (d.cpu_set & (1u << ctx.caller_cpu))
		codes |= R_EBUSY;
	if (d.cpu_set & (ctx.other_cells_cpus | ctx.root_running_cpus))
		codes |= R_EBUSY;

	if (nm == 0)
		codes |= R_EINVAL;
	for (unsigned i = 0; i < nm; i++) {
		if (!region_ok(&mem[i])) {
			codes |= R_EINVAL;
			regions_sane = false;
		}
		if (mem[i].flags & TANDEM_MEM_COMM_REGION)
			comms++;
	}
	if (comms > 1)
		codes |= R_EINVAL;

	/* The rest sums region fields: only with every region in range. */
	if (regions_sane) {
		for (unsigned i = 0; i < nm; i++)
			for (unsigned j = 0; j < nm; j++) {
				if (i == j)
					continue;
				if (ranges_meet(mem[i].virt_start, mem[i].size,
						mem[j].virt_start, mem[j].size))
					codes |= R_EINVAL;
				if (is_ram(&mem[i]) && is_ram(&mem[j]) &&
				    ranges_meet(mem[i].phys_start, mem[i].size,
						mem[j].phys_start, mem[j].size))
					codes |= R_EINVAL;
			}
		for (unsigned i = 0; i < nm; i++) {
			const struct tandem_memory_region *r = &mem[i];

			if (r->flags & TANDEM_MEM_IO) {
				for (unsigned k = 0; k < 2; k++)
					if (ranges_meet(r->phys_start, r->size,
							machine_ram[k].base,
							machine_ram[k].size))
						codes |= R_EINVAL;
			} else if (is_ram(r)) {
				if (ranges_meet(r->phys_start, r->size,
						cells_ram[0].base,
						cells_ram[0].size))
					codes |= R_EBUSY;
				else if (!in_root_ram(r->phys_start, r->size))
					codes |= R_EINVAL;
			}
			if (is_ram(r) && (r->flags & TANDEM_MEM_READ) &&
			    (r->flags & TANDEM_MEM_EXECUTE) &&
			    d.reset_entry >= r->virt_start &&
			    d.reset_entry < r->virt_start + r->size)
				entry_ok = true;
		}
	}
	if (d.reset_entry >= (UINT64_C(1) << 32) || (regions_sane && !entry_ok))
		codes |= R_EINVAL;

	for (unsigned i = 0; i < np; i++) {
		if (pio[i].length == 0 || pio[i].reserved ||
		    pio[i].base + pio[i].length > 0x10000)
			codes |= R_EINVAL;
		for (unsigned j = 0; j < i; j++)
			if (ranges_meet(pio[i].base, pio[i].length, pio[j].base,
					pio[j].length))
				codes |= R_EINVAL;
		for (unsigned k = 0; k < 2; k++)
			if (ranges_meet(pio[i].base, pio[i].length,
					cells_pio[k].base, cells_pio[k].size))
				codes |= R_EBUSY;
	}
	return codes;
}

/* ---- driving the validator ---- */

static unsigned code_bit(int ret)
{
	switch (ret) {
	case -TANDEM_EINVAL:
		return R_EINVAL;
	case -TANDEM_E2BIG:
		return R_E2BIG;
	case -TANDEM_EBUSY:
		return R_EBUSY;
	case -TANDEM_EEXIST:
		return R_EEXIST;
	default:
		return 0;
	}
}

/* @cfg is 8-byte aligned and exactly @len bytes long. */
static void check(const uint8_t *cfg, size_t len)
{
	struct cell_config_error err, err2;
	unsigned want = reference(cfg, len);
	int ret, ret2;

	ret = cell_config_validate(cfg, len, &ctx, &err);
	if (ret == 0) {
		if (want) {
			fprintf(stderr, "accepted, reference wants 0x%x\n", want);
			FUZZ_CHECK(want == 0);
		}
		FUZZ_CHECK(err.why == NULL && err.index == -1 && err.other == -1);
	} else {
		if (!(code_bit(ret) & want))
			fprintf(stderr, "ret %d (%s, %d, %d), reference 0x%x\n",
				ret, err.why, err.index, err.other, want);
		FUZZ_CHECK(code_bit(ret) & want);
		FUZZ_CHECK(err.why && err.why[0]);
		FUZZ_CHECK(err.index >= -1 && err.index < 64);
		FUZZ_CHECK(err.other == -1 ||
			   (err.other >= 0 && err.other < err.index));
	}

	/* Deterministic, and the same without an error record. */
	ret2 = cell_config_validate(cfg, len, &ctx, &err2);
	FUZZ_CHECK(ret2 == ret && err2.why == err.why &&
		   err2.index == err.index && err2.other == err.other);
	FUZZ_CHECK(cell_config_validate(cfg, len, &ctx, NULL) == ret);

	/* Step 1 on the header agrees with step 2 on the copy. */
	if (len >= HDR && len <= TANDEM_CELL_CONFIG_MAX) {
		struct tandem_cell_desc h;
		size_t total = 0;
		int s;

		memcpy(&h, cfg, HDR);
		s = cell_config_size(&h, &total, &err2);
		if (s)
			FUZZ_CHECK(ret == s);
		else
			FUZZ_CHECK(total >= HDR &&
				   total <= TANDEM_CELL_CONFIG_MAX &&
				   (total == len || ret == -TANDEM_EINVAL));
	}
	if (ret == 0) {
		const struct tandem_cell_desc *d = (const void *)cfg;

		FUZZ_CHECK((const uint8_t *)cell_config_mem(d) == cfg + HDR);
		FUZZ_CHECK((const uint8_t *)(cell_config_pio(d) +
					     d->num_pio_regions) == cfg + len);
	}
}

/* Two independent input bits both set: a repair skipped 1 time in 4. */
static bool skip(uint64_t bits, unsigned k)
{
	return (bits >> k) & (bits >> (k + 32)) & 1;
}

/* Folds region @r into a few address windows, keeping its kind. */
static void shape_region(struct tandem_memory_region *r)
{
	static const uint64_t windows[8] = {
		256 * MIB,
		GIB - 64 * KIB,
		1536 * MIB - 64 * KIB,
		1792 * MIB - 64 * KIB,
		0xfeb00000,
		4 * GIB + GIB / 2 - 64 * KIB,
		0,
		(UINT64_C(1) << 52) - 64 * KIB,
	};
	const uint64_t io = TANDEM_MEM_IO, comm = TANDEM_MEM_COMM_REGION;
	uint64_t p = r->phys_start, v = r->virt_start, f = r->flags;

	if (skip(f, 16)) /* the region as it is */
		return;
	r->phys_start = windows[p & 7] + ((p >> 3) & 0x1f) * 4 * KIB;
	r->size = ((r->size & 0x1f) + 1) * 4 * KIB;
	r->virt_start = (v & 0xff) * 4 * KIB;
	if (v & (UINT64_C(1) << 63)) /* ending around 2^48 */
		r->virt_start = (UINT64_C(1) << 48) - r->size +
				((v >> 8) & 3) * 4 * KIB - 4 * KIB;
	if ((f & (io | comm)) == comm) {
		r->flags = comm | (f & (TANDEM_MEM_READ | TANDEM_MEM_WRITE));
		r->phys_start = 0;
		r->size = 4 * KIB;
	} else if ((f & (io | comm)) == io) {
		r->flags = TANDEM_MEM_READ | io |
			   (f & (TANDEM_MEM_WRITE | TANDEM_MEM_EXECUTE |
				 TANDEM_MEM_ROOTSHARED));
		if (!(p & (1u << 8))) /* mostly real MMIO */
			r->phys_start = 0xfeb00000 + ((p >> 3) & 0x1f) * 4 * KIB;
	} else {
		r->flags = TANDEM_MEM_READ |
			   (f & (TANDEM_MEM_WRITE | TANDEM_MEM_EXECUTE |
				 TANDEM_MEM_LOADABLE | TANDEM_MEM_ROOTSHARED));
	}
	if (skip(f, 17)) /* raw flag bits on top */
		r->flags |= f & TANDEM_MEM_VALID_FLAGS;
}

/*
 * Folds @raw into a configuration that passes the size rules and keeps
 * addresses in a few windows where regions meet each other and the
 * system's ranges: root RAM around 256 MiB and across 1 GiB, the other
 * cell's RAM and Tandem's at 1536-2048 MiB, MMIO at 0xfeb00000, the tops
 * of the physical and cell address spaces. Each repair is sometimes
 * skipped, so shaped inputs still break single rules.
 */
static size_t shape(const uint8_t *raw, size_t size, uint8_t *out)
{
	static const char *const fz_names[8] = {
		"fz0",	 "fz1",	      "root",	     "linux-demo",
		"rootx", "linux-dem", "linux-demo2", "Root",
	};
	struct tandem_cell_desc d;
	unsigned nm, np;
	uint64_t sel;

	if (size < HDR)
		return 0;
	memcpy(&d, raw, HDR);
	sel = rd64(raw + 8); /* revision .. flags: what to repair */
	memcpy(d.signature, TANDEM_CELL_CONFIG_SIGNATURE, 8);
	d.revision = TANDEM_CELL_CONFIG_REVISION;
	if (!skip(sel, 16))
		d.reserved0 = d.reserved1 = 0;
	if (!skip(sel, 17))
		d.flags &= TANDEM_CELL_PASSIVE_COMMREG;
	if (!skip(sel, 18)) {
		/* cpu_set bits 8-11, cleared below: existing names and
		 * near misses, half of the time. */
		unsigned k = (unsigned)(d.cpu_set >> 8) & 7;

		memset(d.name, 0, sizeof(d.name));
		strcpy(d.name, fz_names[(d.cpu_set >> 11) & 1 ? k : k & 1]);
	}
	if (!skip(sel, 19))
		d.cpu_set = (d.cpu_set & 0xb2) | (skip(sel, 20) ? 0 : 0x2);

	nm = (unsigned)((size - HDR) / MEMSZ);
	if (nm > (d.num_memory_regions & 0xf) + 1)
		nm = (d.num_memory_regions & 0xf) + 1;
	np = (unsigned)((size - HDR - nm * MEMSZ) / PIOSZ);
	if (np > (d.num_pio_regions & 0x7))
		np = d.num_pio_regions & 0x7;
	d.num_memory_regions = nm;
	d.num_pio_regions = np;

	for (unsigned i = 0; i < nm; i++) {
		struct tandem_memory_region r;

		memcpy(&r, raw + HDR + i * MEMSZ, MEMSZ);
		shape_region(&r);
		memcpy(out + HDR + i * MEMSZ, &r, MEMSZ);
	}
	/* Mostly aim the entry at a region, made executable unless asked. */
	if (nm && !skip(sel, 21)) {
		struct tandem_memory_region r;
		unsigned k = (unsigned)(d.reset_entry % nm);

		memcpy(&r, out + HDR + k * MEMSZ, MEMSZ);
		d.reset_entry = r.virt_start + ((d.reset_entry >> 8) & 0x1fff);
		if (!skip(sel, 22))
			r.flags |= TANDEM_MEM_READ | TANDEM_MEM_EXECUTE;
		memcpy(out + HDR + k * MEMSZ, &r, MEMSZ);
	}
	memcpy(out, &d, HDR);

	for (unsigned i = 0; i < np; i++) {
		struct tandem_pio_region r;

		memcpy(&r, raw + HDR + nm * MEMSZ + i * PIOSZ, PIOSZ);
		if ((r.reserved & 0x10001) != 0x10001) { /* else: raw */
			/* Around the UARTs, or at the top of the port space. */
			r.base = (uint16_t)((r.base & 0x8000 ? 0xffe0 : 0x3f0) +
					    (r.base & 0x3f));
			r.length = (uint16_t)(r.length & 0xf);
			r.reserved = 0;
		}
		memcpy(out + HDR + nm * MEMSZ + i * PIOSZ, &r, PIOSZ);
	}
	return TANDEM_CELL_CONFIG_SIZE(nm, np);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_on_copy(data, size, check);
	if (size >= HDR) {
		uint8_t *shaped = malloc(TANDEM_CELL_CONFIG_MAX);

		if (!shaped)
			abort();
		fuzz_on_copy(shaped, shape(data, size, shaped), check);
		free(shaped);
	}
	return 0;
}

/* Seeds: the unit tests' valid configuration, and variations. */
size_t fuzz_seed(unsigned idx, uint8_t *buf, size_t cap)
{
	struct tandem_cell_desc d = {
		.signature = { 'T', 'N', 'D', 'M', 'C', 'E', 'L', 'L' },
		.revision = TANDEM_CELL_CONFIG_REVISION,
		.flags = TANDEM_CELL_PASSIVE_COMMREG,
		.name = "rtos",
		.cpu_set = 0x2,
		.reset_entry = 0xfff0,
	};
	const uint64_t rwx = TANDEM_MEM_READ | TANDEM_MEM_WRITE |
			     TANDEM_MEM_EXECUTE;
	struct tandem_memory_region m[16] = {
		{ 256 * MIB, 0, MIB, rwx | TANDEM_MEM_LOADABLE },
		{ 0, MIB, 4 * KIB,
		  TANDEM_MEM_READ | TANDEM_MEM_WRITE | TANDEM_MEM_COMM_REGION },
		{ 0xfeb00000, 0xfeb00000, 4 * KIB,
		  TANDEM_MEM_READ | TANDEM_MEM_WRITE | TANDEM_MEM_IO },
		{ 512 * MIB, 2 * MIB, 8 * KIB,
		  TANDEM_MEM_READ | TANDEM_MEM_WRITE | TANDEM_MEM_ROOTSHARED },
	};
	struct tandem_pio_region p[8] = {
		{ 0x3f8, 8, 0 },
		{ 0x2f8, 8, 0 },
	};
	unsigned nm = 4, np = 2;
	size_t len;

	switch (idx) {
	case 0:
		break;
	case 1: /* 16 adjacent regions, across two root ranges */
		nm = 16;
		np = 8;
		for (unsigned i = 4; i < 16; i++)
			m[i] = (struct tandem_memory_region){
				GIB - 6 * 64 * KIB + i * 64 * KIB,
				16 * MIB + i * 64 * KIB, 64 * KIB, TANDEM_MEM_READ
			};
		for (unsigned i = 2; i < 8; i++)
			p[i] = (struct tandem_pio_region){
				(uint16_t)(0x60 + 4 * i), 4, 0
			};
		break;
	case 2: /* no communication region, no ports */
		nm = 1;
		np = 0;
		d.flags = 0;
		break;
	case 3: /* communication region first, two views of a device */
		m[3] = (struct tandem_memory_region){ 0xfeb01000, 0xfec00000,
						      4 * KIB,
						      TANDEM_MEM_READ |
							      TANDEM_MEM_IO };
		m[1] = m[0];
		m[0] = (struct tandem_memory_region){ 0, MIB, 4 * KIB,
						      TANDEM_MEM_COMM_REGION };
		d.reset_entry = 0xfff1; /* % 4: region 1 when shaped, too */
		p[1] = (struct tandem_pio_region){ 0xfff0, 16, 0 };
		break;
	default:
		return 0;
	}
	d.num_memory_regions = nm;
	d.num_pio_regions = np;
	len = TANDEM_CELL_CONFIG_SIZE(nm, np);
	if (len > cap)
		return 0;
	memcpy(buf, &d, HDR);
	memcpy(buf + HDR, m, nm * MEMSZ);
	memcpy(buf + HDR + nm * MEMSZ, p, np * PIOSZ);
	return len;
}
