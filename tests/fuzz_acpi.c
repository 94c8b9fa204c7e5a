/*
 * Fuzz harness for the ACPI parser.
 *
 * Input: byte 0 holds flags, the rest is physical memory starting at
 * IMAGE_BASE with the RSDP at its start. Flag bit 0 makes the harness
 * repair every checksum it can find first, so mutations get past the
 * checksums into the table walk and the MADT entries; bit 1 also feeds
 * the image straight to madt_parse(). A FADT found is given to
 * acpi_fadt_pm_timer().
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/acpi.h"
#include "fuzz.h"

#define IMAGE_BASE    0x1000u
#define FIX_CHECKSUMS 1u
#define PARSE_DIRECT  2u

struct image {
	const uint8_t *p;
	size_t len;
};

static const void *image_map(void *ctx, uint64_t phys, size_t len)
{
	const struct image *im = ctx;

	if (phys < IMAGE_BASE || phys - IMAGE_BASE > im->len ||
	    len > im->len - (phys - IMAGE_BASE))
		return NULL;
	return im->p + (phys - IMAGE_BASE);
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

static void check_madt(const struct madt_info *m)
{
	size_t i, j;

	FUZZ_CHECK(!m->why);
	FUZZ_CHECK(m->ncpus <= MADT_MAX_CPUS && m->ncpus <= m->ncpus_listed);
	FUZZ_CHECK(m->ncpus_enabled <= m->ncpus_listed);
	FUZZ_CHECK(m->nioapics <= MADT_MAX_IOAPICS);
	FUZZ_CHECK(m->noverrides <= MADT_MAX_OVERRIDES &&
		   m->noverrides <= m->noverrides_listed);
	for (i = 0; i < m->ncpus; i++) {
		FUZZ_CHECK(m->cpus[i].enabled || m->cpus[i].online_capable);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(m->cpus[i].apic_id != m->cpus[j].apic_id);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct madt_info info;
	struct acpi_table t;
	struct image im;
	const char *why;
	uint8_t *copy;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	im.len = size - 1;
	copy = malloc(im.len ? im.len : 1);
	if (!copy)
		abort();
	memcpy(copy, data + 1, im.len);
	if (flags & FIX_CHECKSUMS)
		fix_checksums(copy, im.len);
	im.p = copy;

	if (acpi_parse_madt(copy, im.len < 36 ? im.len : 36, image_map, &im,
			    &info) == 0)
		check_madt(&info);
	else
		FUZZ_CHECK(info.why && info.why[0]);

	if (acpi_find_table(copy, im.len < 36 ? im.len : 36, "FACP", image_map,
			    &im, &t, &why) == 0) {
		struct acpi_pm_timer pm;

		FUZZ_CHECK(t.len >= 36 && image_map(&im, t.phys, t.len) == t.ptr);
		if (acpi_fadt_pm_timer(t.ptr, t.len, &pm, &why) == 0)
			FUZZ_CHECK(pm.port ? pm.port <= 0xfffc && !pm.none :
					     pm.none && pm.none[0]);
		else
			FUZZ_CHECK(why && why[0] && !pm.port);
	} else
		FUZZ_CHECK(why && why[0]);

	if (flags & PARSE_DIRECT) {
		if (madt_parse(copy, im.len, &info) == 0)
			check_madt(&info);
		else
			FUZZ_CHECK(info.why && info.why[0]);
	}
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

/*
 * A MADT at @t: 2 local APICs, 1 x2APIC, an I/O APIC and an override, or
 * with @many more CPUs, I/O APICs and overrides than fit.
 */
static uint32_t build_madt(uint8_t *t, bool many)
{
	uint8_t *e = t + 44;
	unsigned i;

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
	put32(e + 8, 2);
	put32(e + 12, 7);
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
	e[8] = 0;
	e[9] = 0;
	e += 10;
	e[0] = 5;
	e[1] = 12;
	put64(e + 4, 0xfee00000u);
	e += 12;
	for (i = 0; many && i < MADT_MAX_CPUS + 6; i++) {
		e[0] = 0;
		e[1] = 8;
		e[2] = (uint8_t)i;
		e[3] = (uint8_t)(i + 2);
		put32(e + 4, 1 + i % 3);
		e += 8;
	}
	for (i = 0; many && i < MADT_MAX_IOAPICS; i++) {
		e[0] = 1;
		e[1] = 12;
		e[2] = (uint8_t)(3 + i);
		put32(e + 4, 0xfec01000u);
		put32(e + 8, 24 * (i + 1));
		e += 12;
	}
	for (i = 0; many && i < MADT_MAX_OVERRIDES; i++) {
		e[0] = 2;
		e[1] = 10;
		e[2] = 0;
		e[3] = (uint8_t)i;
		put32(e + 4, i);
		e[8] = 0;
		e[9] = 0;
		e += 10;
	}
	header(t, "APIC", (uint32_t)(e - t));
	fix_sum(t, (size_t)(e - t), 9);
	return (uint32_t)(e - t);
}

size_t fuzz_seed(unsigned idx, uint8_t *buf, size_t cap)
{
	uint8_t *img = buf + 1;
	const uint32_t root = 48, facp = 112, madt = 400;

	if (idx > 3 || cap < 2048)
		return 0;
	memset(buf, 0, 2048);
	buf[0] = FIX_CHECKSUMS;
	if (idx >= 2) { /* a bare MADT for the direct path */
		buf[0] = PARSE_DIRECT | FIX_CHECKSUMS;
		return 1 + build_madt(img, idx == 3);
	}

	memcpy(img, "RSD PTR ", 8);
	memcpy(img + 9, "TANDEM", 6);
	if (idx == 0) { /* ACPI 2.0: XSDT */
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
	/* The FADT's PM timer (ACPI 5.2.9): PM_TMR_BLK and PM_TMR_LEN, and
	 * for ACPI 2.0 the X_PM_TMR_BLK in I/O space, 32-bit. */
	put32(img + facp + 76, 0xb008);
	img[facp + 91] = 4;
	if (idx == 0) {
		put32(img + facp + 112, 1u << 8);
		img[facp + 208] = 1;
		img[facp + 209] = 32;
		img[facp + 211] = 3;
		put64(img + facp + 212, 0x608);
	}
	header(img + facp, "FACP", idx == 0 ? 276 : 116);
	return 1 + madt + build_madt(img + madt, false);
}
