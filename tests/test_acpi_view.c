/*
 * Host unit tests for kernel/fmt/acpi_view.c. Fake firmware tables live in a
 * host buffer presented as physical memory at FAKE_BASE (as in
 * tests/test_acpi.c); the view is built into a second buffer at VIEW_GPA
 * and read back through the same map callback with kernel/fmt/acpi.c.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fmt/acpi.h"
#include "fmt/acpi_view.h"
#include "tandem/errno.h"

#define FAKE_BASE 0xe0000ull
#define FAKE_SIZE 0x10000u
#define XSDT_OFF  0x100u
#define RSDT_OFF  0x200u
#define FACP_OFF  0x300u
#define HPET_OFF  0x400u
#define SSDT_OFF  0x500u
#define MADT2_OFF 0x600u
#define MADT_OFF  0x1000u
#define VIEW_GPA  0x7fff0000ull
#define VIEW_SIZE 0x4000u

static uint8_t mem[FAKE_SIZE];
static uint8_t view_buf[VIEW_SIZE];
static uint64_t view_gpa = VIEW_GPA;
static uint8_t rsdp[36];
static uint8_t expected[1024]; /* the MADT without the hidden CPUs */
static size_t madt_len, expected_len;
static struct madt_info info;
static struct acpi_view view;

static const uint32_t hide[] = { 1, 300 };

static const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys >= FAKE_BASE && phys - FAKE_BASE <= FAKE_SIZE &&
	    len <= FAKE_SIZE - (phys - FAKE_BASE))
		return mem + (phys - FAKE_BASE);
	if (phys >= view_gpa && phys - view_gpa <= VIEW_SIZE &&
	    len <= VIEW_SIZE - (phys - view_gpa))
		return view_buf + (phys - view_gpa);
	return NULL;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}
static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}
static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}
static uint64_t get64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void fix_checksum(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;
	size_t i;

	p[at] = 0;
	for (i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)-sum;
}

static void seal_table(size_t off, const char *sig, uint32_t len)
{
	uint8_t *t = mem + off;

	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = 1;
	memcpy(t + 10, "TANDEM", 6);
	memcpy(t + 16, "FAKETBL ", 8);
	fix_checksum(t, len, 9);
}

static void make_rsdp(uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(rsdp, 0, sizeof(rsdp));
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "FWOEM ", 6);
	rsdp[15] = rev;
	put32(rsdp + 16, rsdt);
	put32(rsdp + 20, 36);
	put64(rsdp + 24, xsdt);
	fix_checksum(rsdp, 20, 8);
	fix_checksum(rsdp, 36, 32);
}

/* Appends entry @e of @len bytes to the MADT, and to the expected copy
 * unless @hidden. */
static void entry(const uint8_t *e, uint8_t len, bool hidden)
{
	memcpy(mem + MADT_OFF + madt_len, e, len);
	madt_len += len;
	if (!hidden) {
		memcpy(expected + expected_len, e, len);
		expected_len += len;
	}
}

static void lapic(uint8_t uid, uint8_t id, uint32_t flags, bool hidden)
{
	uint8_t e[8] = { 0, 8, uid, id };

	put32(e + 4, flags);
	entry(e, 8, hidden);
}

static void x2apic(uint32_t id, uint32_t uid, uint32_t flags, bool hidden)
{
	uint8_t e[16] = { 9, 16 };

	put32(e + 4, id);
	put32(e + 8, flags);
	put32(e + 12, uid);
	entry(e, 16, hidden);
}

/* Four CPUs (two local APICs, two x2APICs), an I/O APIC, an override,
 * NMI entries; the tables listed by both an XSDT and an RSDT. */
static void make_firmware(void)
{
	static const uint8_t ioapic[12] = { 1, 12, 8, 0, 0, 0, 0xc0, 0xfe };
	static const uint8_t override[10] = { 2, 10, 0, 0, 2 };
	static const uint8_t nmi[6] = { 4, 6, 0xff, 0, 0, 1 };
	static const uint8_t x2nmi[12] = { 0xa,	 12,   0,    0, 0xff,
					   0xff, 0xff, 0xff, 1 };

	memset(mem, 0, sizeof(mem));
	put32(mem + MADT_OFF + 36, 0xfee00000u);
	put32(mem + MADT_OFF + 40, 1);
	madt_len = 44;
	expected_len = 0;
	lapic(0, 0, 1, false);
	lapic(1, 1, 1, true);
	entry(ioapic, 12, false);
	x2apic(2, 2, 1, false);
	entry(override, 10, false);
	x2apic(300, 3, 1, true);
	entry(nmi, 6, false);
	entry(x2nmi, 12, false);
	seal_table(MADT_OFF, "APIC", (uint32_t)madt_len);

	seal_table(FACP_OFF, "FACP", 36 + 8);
	seal_table(HPET_OFF, "HPET", 36 + 20);
	seal_table(SSDT_OFF, "SSDT", 36 + 4);

	put64(mem + XSDT_OFF + 36, FAKE_BASE + FACP_OFF);
	put64(mem + XSDT_OFF + 44, 0); /* a null entry */
	put64(mem + XSDT_OFF + 52, FAKE_BASE + MADT_OFF);
	put64(mem + XSDT_OFF + 60, FAKE_BASE + HPET_OFF);
	put64(mem + XSDT_OFF + 68, FAKE_BASE + SSDT_OFF);
	seal_table(XSDT_OFF, "XSDT", 36 + 40);
	put32(mem + RSDT_OFF + 36, (uint32_t)(FAKE_BASE + FACP_OFF));
	put32(mem + RSDT_OFF + 40, (uint32_t)(FAKE_BASE + MADT_OFF));
	put32(mem + RSDT_OFF + 44, (uint32_t)(FAKE_BASE + HPET_OFF));
	seal_table(RSDT_OFF, "RSDT", 36 + 12);
	make_rsdp(2, (uint32_t)(FAKE_BASE + RSDT_OFF), FAKE_BASE + XSDT_OFF);
}

static int build(void)
{
	memset(view_buf, 0xcc, sizeof(view_buf));
	return acpi_view_build(rsdp, sizeof(rsdp), fake_map, NULL, hide, 2,
			       view_buf, VIEW_SIZE, view_gpa, &view);
}

static const uint8_t *view_rsdp(void)
{
	return view_buf + view.rsdp_offset;
}

/* The new MADT holds exactly the expected entries, header kept. */
static void check_madt_bytes(void)
{
	const uint8_t *m = view_buf + view.madt_offset;

	assert_int_equal(get32(m + 4), 44 + expected_len);
	assert_true(acpi_checksum_ok(m, 44 + expected_len));
	assert_memory_equal(m, mem + MADT_OFF, 4);
	assert_memory_equal(m + 8, mem + MADT_OFF + 8, 1);
	assert_memory_equal(m + 10, mem + MADT_OFF + 10, 34);
	assert_memory_equal(m + 44, expected, expected_len);
}

static void check_cpus(void)
{
	assert_int_equal(acpi_parse_madt(view_rsdp(), view.rsdp_len, fake_map,
					 NULL, &info),
			 0);
	assert_int_equal(info.madt_phys, view_gpa + view.madt_offset);
	assert_int_equal(info.ncpus, 2);
	assert_int_equal(info.ncpus_listed, 2);
	assert_int_equal(info.cpus[0].apic_id, 0);
	assert_int_equal(info.cpus[1].apic_id, 2);
	assert_int_equal(info.nioapics, 1);
	assert_int_equal(info.ioapics[0].id, 8);
	assert_int_equal(info.noverrides, 1);
	assert_int_equal(info.overrides[0].gsi, 2);
	assert_int_equal(info.lapic_addr, 0xfee00000u);
	assert_true(info.pcat_compat);
}

static void expect_table(const char *sig, uint64_t phys)
{
	struct acpi_table t;
	const char *why = NULL;

	assert_int_equal(acpi_find_table(view_rsdp(), view.rsdp_len, sig,
					 fake_map, NULL, &t, &why),
			 0);
	assert_int_equal(t.phys, phys);
}

static void test_xsdt_view(void **state)
{
	const uint8_t *r, *x;

	(void)state;
	make_firmware();
	assert_int_equal(build(), 0);
	assert_null(view.why);
	assert_int_equal(view.nhidden, 2);
	assert_true(view.xsdt);
	assert_int_equal(view.ntables, 5);
	assert_int_equal(view.rsdp_offset, 0);
	assert_int_equal(view.rsdp_len, 36);
	assert_int_equal(view.madt_offset, ACPI_VIEW_MADT_OFFSET);
	assert_true(view.root_offset >= view.madt_offset + 44 + expected_len);
	assert_int_equal(view.used, view.root_offset + 36 + 5 * 8);

	r = view_rsdp();
	assert_memory_equal(r, "RSD PTR ", 8);
	assert_memory_equal(r + 9, "FWOEM ", 6);
	assert_int_equal(r[15], 2);
	assert_true(acpi_checksum_ok(r, 20));
	assert_true(acpi_checksum_ok(r, 36));
	assert_int_equal(get32(r + 20), 36);
	assert_int_equal(get32(r + 16), 0);
	assert_int_equal(get64(r + 24), view_gpa + view.root_offset);

	x = view_buf + view.root_offset;
	assert_memory_equal(x, "XSDT", 4);
	assert_int_equal(get32(x + 4), 36 + 40);
	assert_true(acpi_checksum_ok(x, 36 + 40));
	assert_memory_equal(x + 10, mem + XSDT_OFF + 10, 26);
	assert_int_equal(get64(x + 36), FAKE_BASE + FACP_OFF);
	assert_int_equal(get64(x + 44), 0);
	assert_int_equal(get64(x + 52), view_gpa + view.madt_offset);
	assert_int_equal(get64(x + 60), FAKE_BASE + HPET_OFF);
	assert_int_equal(get64(x + 68), FAKE_BASE + SSDT_OFF);

	check_madt_bytes();
	check_cpus();
	assert_true(info.used_xsdt);
	expect_table("FACP", FAKE_BASE + FACP_OFF);
	expect_table("HPET", FAKE_BASE + HPET_OFF);
	expect_table("SSDT", FAKE_BASE + SSDT_OFF);

	/* The firmware's tables are untouched. */
	assert_int_equal(acpi_parse_madt(rsdp, 36, fake_map, NULL, &info), 0);
	assert_int_equal(info.ncpus, 4);
}

static void test_rsdt_only(void **state)
{
	const uint8_t *r, *t;

	(void)state;
	make_firmware();
	make_rsdp(0, (uint32_t)(FAKE_BASE + RSDT_OFF), 0);
	assert_int_equal(build(), 0);
	assert_false(view.xsdt);
	assert_int_equal(view.rsdp_len, 20);
	assert_int_equal(view.ntables, 3);
	r = view_rsdp();
	assert_int_equal(r[15], 0);
	assert_true(acpi_checksum_ok(r, 20));
	assert_int_equal(get32(r + 16), view_gpa + view.root_offset);
	t = view_buf + view.root_offset;
	assert_memory_equal(t, "RSDT", 4);
	assert_int_equal(get32(t + 4), 36 + 12);
	assert_true(acpi_checksum_ok(t, 36 + 12));
	assert_int_equal(get32(t + 36), FAKE_BASE + FACP_OFF);
	assert_int_equal(get32(t + 40), view_gpa + view.madt_offset);
	assert_int_equal(get32(t + 44), FAKE_BASE + HPET_OFF);
	check_madt_bytes();
	check_cpus();
	assert_false(info.used_xsdt);
	assert_int_equal(info.rsdp_revision, 0);
	expect_table("FACP", FAKE_BASE + FACP_OFF);
	expect_table("HPET", FAKE_BASE + HPET_OFF);

	/* Revision 2 without an XSDT: an RSDT, revision kept. */
	make_rsdp(2, (uint32_t)(FAKE_BASE + RSDT_OFF), 0);
	assert_int_equal(build(), 0);
	assert_false(view.xsdt);
	assert_int_equal(view.rsdp_len, 36);
	r = view_rsdp();
	assert_int_equal(r[15], 2);
	assert_true(acpi_checksum_ok(r, 36));
	assert_int_equal(get64(r + 24), 0);
	check_cpus();
	assert_false(info.used_xsdt);

	/* An RSDT cannot point above 4 GiB. */
	make_rsdp(0, (uint32_t)(FAKE_BASE + RSDT_OFF), 0);
	view_gpa = 0xffffffc0ull;
	assert_int_equal(build(), -TANDEM_ERANGE);
	assert_non_null(view.why);
	view_gpa = VIEW_GPA;
}

static void test_nothing_hidden_and_second_madt(void **state)
{
	(void)state;
	make_firmware();
	assert_int_equal(acpi_view_build(rsdp, 36, fake_map, NULL, NULL, 0,
					 view_buf, VIEW_SIZE, view_gpa, &view),
			 0);
	assert_int_equal(view.nhidden, 0);
	assert_memory_equal(view_buf + view.madt_offset, mem + MADT_OFF,
			    madt_len);

	/* A second "APIC" table listed in the XSDT is dropped. */
	memcpy(mem + MADT2_OFF, mem + MADT_OFF, madt_len);
	put64(mem + XSDT_OFF + 44, FAKE_BASE + MADT2_OFF);
	seal_table(XSDT_OFF, "XSDT", 36 + 40);
	assert_int_equal(build(), 0);
	assert_int_equal(view.ntables, 4);
	assert_int_equal(get32(view_buf + view.root_offset + 4), 36 + 32);
	check_cpus();
}

static void test_errors(void **state)
{
	(void)state;
	make_firmware();
	rsdp[8] ^= 1;
	assert_int_equal(build(), -TANDEM_EINVAL);
	assert_string_equal(view.why, "bad RSDP checksum");

	make_firmware();
	put64(mem + XSDT_OFF + 52, 0);
	seal_table(XSDT_OFF, "XSDT", 36 + 40);
	assert_int_equal(build(), -TANDEM_ENOENT);
	assert_non_null(view.why);

	make_firmware();
	mem[MADT_OFF + 44 + 1] = 1; /* entry length 1 */
	seal_table(MADT_OFF, "APIC", (uint32_t)madt_len);
	assert_int_equal(build(), -TANDEM_EINVAL);
	assert_string_equal(view.why, "malformed MADT entry");

	make_firmware();
	assert_int_equal(acpi_view_build(rsdp, 36, fake_map, NULL, hide, 2,
					 view_buf, 64 + madt_len, view_gpa, &view),
			 -TANDEM_E2BIG);
	assert_int_equal(acpi_view_build(rsdp, 36, fake_map, NULL, hide, 2,
					 view_buf, 32, view_gpa, &view),
			 -TANDEM_E2BIG);
	assert_int_equal(acpi_view_build(rsdp, 36, fake_map, NULL, hide, 2,
					 view_buf, VIEW_SIZE, view_gpa + 8, &view),
			 -TANDEM_EINVAL);
	assert_int_equal(acpi_view_build(rsdp, 36, fake_map, NULL, NULL, 2,
					 view_buf, VIEW_SIZE, view_gpa, &view),
			 -TANDEM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xsdt_view),
		cmocka_unit_test(test_rsdt_only),
		cmocka_unit_test(test_nothing_hidden_and_second_madt),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
