/*
 * Fuzz harness for the root guest's ACPI view (kernel/fmt/acpi_view.c).
 *
 * Input: byte 0 holds flags, byte 1 one more APIC ID to hide, the rest is
 * firmware memory at IMAGE_BASE with the RSDP at its start. Flag bit 0
 * repairs every checksum first (as tests/fuzz_acpi.c does), so mutations
 * reach the table walk and the MADT entries; bits 1-2 pick the output
 * buffer size. Whenever the view is built, it is read back with
 * kernel/fmt/acpi.c: every checksum holds, the hidden CPUs are gone and the
 * others are still there.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/acpi.h"
#include "fmt/acpi_view.h"
#include "fuzz.h"

#define IMAGE_BASE    0x1000u
#define OUT_GPA	      0x5a5a5a5a000ull
#define FIX_CHECKSUMS 1u

struct mem {
	const uint8_t *img;
	size_t img_len;
	const uint8_t *out; /* NULL while the view is built */
	size_t out_len;
};

static const void *mem_map(void *ctx, uint64_t phys, size_t len)
{
	const struct mem *m = ctx;

	if (phys >= IMAGE_BASE && phys - IMAGE_BASE <= m->img_len &&
	    len <= m->img_len - (phys - IMAGE_BASE))
		return m->img + (phys - IMAGE_BASE);
	if (m->out && phys >= OUT_GPA && phys - OUT_GPA <= m->out_len &&
	    len <= m->out_len - (phys - OUT_GPA))
		return m->out + (phys - OUT_GPA);
	return NULL;
}

static void fix_sum(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;
	size_t i;

	p[at] = 0;
	for (i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)-sum;
}

static void fix_checksums(uint8_t *p, size_t len)
{
	static const char *const sigs[] = { "XSDT", "RSDT", "APIC", "FACP" };
	size_t off, i;

	for (off = 0; off + 36 <= len; off++) {
		for (i = 0; i < 4; i++) {
			uint32_t tl;

			if (memcmp(p + off, sigs[i], 4) != 0)
				continue;
			memcpy(&tl, p + off + 4, 4);
			if (tl >= 10 && tl <= len - off)
				fix_sum(p + off, tl, 9);
		}
	}
	if (len >= 20 && memcmp(p, "RSD PTR ", 8) == 0) {
		fix_sum(p, 20, 8);
		if (len >= 36)
			fix_sum(p, 36, 32);
	}
}

static bool is_hidden(const uint32_t *hide, size_t n, uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (hide[i] == id)
			return true;
	return false;
}

static void check_view(struct mem *m, const struct acpi_view *v,
		       const uint32_t *hide, size_t nhide)
{
	static struct madt_info before, after;
	const uint8_t *out = m->out, *r;
	uint32_t len;
	size_t i, kept = 0;
	int ret_before;

	FUZZ_CHECK(!v->why);
	FUZZ_CHECK(v->used <= m->out_len);
	FUZZ_CHECK(v->rsdp_offset == 0);
	FUZZ_CHECK(v->rsdp_len == 20 || v->rsdp_len == 36);
	r = out + v->rsdp_offset;
	FUZZ_CHECK(acpi_checksum_ok(r, 20));
	if (v->rsdp_len == 36)
		FUZZ_CHECK(acpi_checksum_ok(r, 36));
	memcpy(&len, out + v->root_offset + 4, 4);
	FUZZ_CHECK(v->root_offset + len <= v->used);
	FUZZ_CHECK(acpi_checksum_ok(out + v->root_offset, len));
	memcpy(&len, out + v->madt_offset + 4, 4);
	FUZZ_CHECK(v->madt_offset + len <= v->root_offset);
	FUZZ_CHECK(acpi_checksum_ok(out + v->madt_offset, len));

	/* The firmware as the view was built from it, then the view. */
	m->out = NULL;
	ret_before = acpi_parse_madt(m->img, m->img_len < 36 ? m->img_len : 36,
				     mem_map, m, &before);
	m->out = out;
	if (acpi_parse_madt(r, v->rsdp_len, mem_map, m, &after) != 0)
		return; /* entries kernel/fmt/acpi.c refuses are copied too */
	if (ret_before != 0)
		return; /* ... unless they belonged to hidden CPUs */
	FUZZ_CHECK(after.madt_phys == OUT_GPA + v->madt_offset);
	for (i = 0; i < after.ncpus; i++)
		FUZZ_CHECK(!is_hidden(hide, nhide, after.cpus[i].apic_id));
	for (i = 0; i < before.ncpus; i++)
		kept += !is_hidden(hide, nhide, before.cpus[i].apic_id);
	if (!before.warnings && !after.warnings)
		FUZZ_CHECK(after.ncpus == kept);
	FUZZ_CHECK(after.nioapics == before.nioapics);
	FUZZ_CHECK(after.noverrides_listed == before.noverrides_listed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 64, 256, 1024, 8192 };
	struct acpi_view v;
	struct mem m;
	uint32_t hide[3] = { 1, 300, 0 };
	uint8_t *copy, *out;
	size_t cap;
	int ret;

	if (size < 2)
		return 0;
	hide[2] = data[1];
	m.img_len = size - 2;
	copy = malloc(m.img_len ? m.img_len : 1);
	cap = caps[(data[0] >> 1) & 3];
	out = malloc(cap);
	if (!copy || !out)
		abort();
	memcpy(copy, data + 2, m.img_len);
	if (data[0] & FIX_CHECKSUMS)
		fix_checksums(copy, m.img_len);
	m.img = copy;
	m.out = NULL;
	m.out_len = cap;

	ret = acpi_view_build(copy, m.img_len < 36 ? m.img_len : 36, mem_map,
			      &m, hide, 3, out, cap, OUT_GPA, &v);
	if (ret == 0) {
		m.out = out;
		check_view(&m, &v, hide, 3);
	} else {
		FUZZ_CHECK(ret < 0 && v.why && v.why[0]);
	}
	free(out);
	free(copy);
	return 0;
}

/* ---- seeds ---- */

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}
static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void header(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = 1;
	memcpy(t + 10, "TANDEM", 6);
}

/* A MADT at @t: 2 local APICs, 2 x2APICs, an I/O APIC, an override. */
static uint32_t build_madt(uint8_t *t)
{
	uint8_t *e = t + 44;

	put32(t + 36, 0xfee00000u);
	put32(t + 40, 1);
	e[0] = 0;
	e[1] = 8;
	e[2] = 0;
	e[3] = 0;
	put32(e + 4, 1);
	e += 8;
	e[0] = 0;
	e[1] = 8;
	e[2] = 1;
	e[3] = 1;
	put32(e + 4, 1);
	e += 8;
	e[0] = 9;
	e[1] = 16;
	put32(e + 4, 300);
	put32(e + 8, 1);
	put32(e + 12, 2);
	e += 16;
	e[0] = 9;
	e[1] = 16;
	put32(e + 4, 301);
	put32(e + 8, 1);
	put32(e + 12, 3);
	e += 16;
	e[0] = 1;
	e[1] = 12;
	e[2] = 2;
	put32(e + 4, 0xfec00000u);
	put32(e + 8, 0);
	e += 12;
	e[0] = 2;
	e[1] = 10;
	e[2] = 0;
	e[3] = 0;
	put32(e + 4, 2);
	e += 10;
	e[0] = 4;
	e[1] = 6;
	e[2] = 0xff;
	e[5] = 1;
	e += 6;
	header(t, "APIC", (uint32_t)(e - t));
	fix_sum(t, (size_t)(e - t), 9);
	return (uint32_t)(e - t);
}

size_t fuzz_seed(unsigned idx, uint8_t *buf, size_t cap)
{
	uint8_t *img = buf + 2;
	const uint32_t root = 48, facp = 112, madt = 160;

	if (idx > 2 || cap < 2048)
		return 0;
	memset(buf, 0, 2048);
	buf[0] = FIX_CHECKSUMS | (3 << 1);
	buf[1] = 0;
	memcpy(img, "RSD PTR ", 8);
	memcpy(img + 9, "TANDEM", 6);
	if (idx != 1) { /* ACPI 2.0: XSDT */
		img[15] = 2;
		put32(img + 20, 36);
		put64(img + 24, IMAGE_BASE + root);
		put64(img + root + 36, IMAGE_BASE + facp);
		put64(img + root + 44, IMAGE_BASE + madt);
		header(img + root, "XSDT", 52);
	} else { /* ACPI 1.0: RSDT */
		img[15] = 0;
		put32(img + 16, IMAGE_BASE + root);
		put32(img + root + 36, IMAGE_BASE + facp);
		put32(img + root + 40, IMAGE_BASE + madt);
		header(img + root, "RSDT", 44);
	}
	if (idx == 2)
		buf[0] = FIX_CHECKSUMS | (1 << 1); /* a small buffer */
	header(img + facp, "FACP", 44);
	return 2 + madt + build_madt(img + madt);
}
