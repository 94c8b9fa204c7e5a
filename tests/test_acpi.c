/*
 * Host unit tests for kernel/fmt/acpi.c. Fake firmware tables live in a host
 * buffer that the map callback presents as physical memory at FAKE_BASE.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fmt/acpi.h"
#include "tandem/errno.h"

#define FAKE_BASE 0xe0000ull
#define FAKE_SIZE 0x10000u
#define XSDT_OFF  0x100u
#define RSDT_OFF  0x200u
#define FACP_OFF  0x300u
#define MADT_OFF  0x1000u

static uint8_t mem[FAKE_SIZE];
static uint8_t rsdp[36];
static size_t madt_len;
static struct madt_info info;

static const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys < FAKE_BASE || phys - FAKE_BASE > FAKE_SIZE ||
	    len > FAKE_SIZE - (phys - FAKE_BASE))
		return NULL;
	return mem + (phys - FAKE_BASE);
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}
static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}
static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
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

/* Writes a table header of @len total bytes at @off and fixes its checksum. */
static void seal_table(size_t off, const char *sig, uint32_t len)
{
	uint8_t *t = mem + off;

	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = 1;
	memcpy(t + 10, "TANDEM", 6);
	fix_checksum(t, len, 9);
}

static void make_rsdp(uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(rsdp, 0, sizeof(rsdp));
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "TANDEM", 6);
	rsdp[15] = rev;
	put32(rsdp + 16, rsdt);
	put32(rsdp + 20, 36);
	put64(rsdp + 24, xsdt);
	fix_checksum(rsdp, 20, 8);
	fix_checksum(rsdp, 36, 32);
}

/* Root tables listing FACP then MADT (XSDT with a null entry in between). */
static void make_roots(void)
{
	put64(mem + XSDT_OFF + 36, FAKE_BASE + FACP_OFF);
	put64(mem + XSDT_OFF + 44, 0);
	put64(mem + XSDT_OFF + 52, FAKE_BASE + MADT_OFF);
	seal_table(XSDT_OFF, "XSDT", 36 + 24);
	put32(mem + RSDT_OFF + 36, (uint32_t)(FAKE_BASE + FACP_OFF));
	put32(mem + RSDT_OFF + 40, (uint32_t)(FAKE_BASE + MADT_OFF));
	seal_table(RSDT_OFF, "RSDT", 36 + 8);
	seal_table(FACP_OFF, "FACP", 36 + 8);
}

static void madt_begin(void)
{
	memset(mem + MADT_OFF, 0, FAKE_SIZE - MADT_OFF);
	put32(mem + MADT_OFF + 36, 0xfee00000u);
	put32(mem + MADT_OFF + 40, 1); /* PCAT_COMPAT */
	madt_len = 44;
}

static uint8_t *madt_entry(uint8_t type, uint8_t len)
{
	uint8_t *e = mem + MADT_OFF + madt_len;

	e[0] = type;
	e[1] = len;
	madt_len += len;
	return e;
}

static void lapic(uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t *e = madt_entry(0, 8);

	e[2] = uid;
	e[3] = id;
	put32(e + 4, flags);
}

static void x2apic(uint32_t id, uint32_t uid, uint32_t flags)
{
	uint8_t *e = madt_entry(9, 16);

	put32(e + 4, id);
	put32(e + 8, flags);
	put32(e + 12, uid);
}

static void ioapic(uint8_t id, uint32_t addr, uint32_t gsi)
{
	uint8_t *e = madt_entry(1, 12);

	e[2] = id;
	put32(e + 4, addr);
	put32(e + 8, gsi);
}

static void madt_seal(void)
{
	seal_table(MADT_OFF, "APIC", (uint32_t)madt_len);
}

/* A complete, valid set of tables with a small MADT. */
static void make_standard(void)
{
	uint8_t *e;

	memset(mem, 0, sizeof(mem));
	make_roots();
	madt_begin();
	lapic(0, 0, 1);
	lapic(1, 2, 1);
	lapic(2, 4, 0); /* unusable */
	lapic(3, 6, 2); /* online capable, not enabled */
	ioapic(8, 0xfec00000u, 0);
	e = madt_entry(2, 10); /* ISA IRQ 0 -> GSI 2 */
	e[2] = 0;
	e[3] = 0;
	put32(e + 4, 2);
	put16(e + 8, 0);
	e = madt_entry(4, 6); /* local APIC NMI: ignored */
	e[2] = 0xff;
	madt_seal();
	make_rsdp(2, (uint32_t)(FAKE_BASE + RSDT_OFF), FAKE_BASE + XSDT_OFF);
}

static int parse(void)
{
	return acpi_parse_madt(rsdp, sizeof(rsdp), fake_map, NULL, &info);
}

static void expect_fail(int err, const char *reason)
{
	assert_int_equal(parse(), err);
	assert_non_null(info.why);
	assert_string_equal(info.why, reason);
}

static void test_xsdt_path(void **state)
{
	(void)state;
	make_standard();
	assert_int_equal(parse(), 0);
	assert_null(info.why);
	assert_true(info.used_xsdt);
	assert_int_equal(info.rsdp_revision, 2);
	assert_int_equal(info.madt_phys, FAKE_BASE + MADT_OFF);
	assert_int_equal(info.lapic_addr, 0xfee00000u);
	assert_true(info.pcat_compat);
	assert_int_equal(info.ncpus_listed, 4);
	assert_int_equal(info.ncpus_enabled, 2);
	assert_int_equal(info.ncpus, 3);
	assert_int_equal(info.cpus[0].apic_id, 0);
	assert_true(info.cpus[0].enabled);
	assert_int_equal(info.cpus[1].apic_id, 2);
	assert_int_equal(info.cpus[1].acpi_uid, 1);
	assert_int_equal(info.cpus[2].apic_id, 6);
	assert_false(info.cpus[2].enabled);
	assert_true(info.cpus[2].online_capable);
	assert_int_equal(info.nioapics, 1);
	assert_int_equal(info.ioapics[0].id, 8);
	assert_int_equal(info.ioapics[0].addr, 0xfec00000u);
	assert_int_equal(info.noverrides, 1);
	assert_int_equal(info.overrides[0].gsi, 2);
	assert_int_equal(info.warnings, 0);
}

static void test_rsdt_path(void **state)
{
	(void)state;
	make_standard();
	make_rsdp(0, (uint32_t)(FAKE_BASE + RSDT_OFF), 0);
	/* An ACPI 1.0 RSDP is only 20 bytes long. */
	assert_int_equal(acpi_parse_madt(rsdp, 20, fake_map, NULL, &info), 0);
	assert_false(info.used_xsdt);
	assert_int_equal(info.ncpus, 3);

	/* Revision 2 without an XSDT address falls back to the RSDT. */
	make_rsdp(2, (uint32_t)(FAKE_BASE + RSDT_OFF), 0);
	assert_int_equal(parse(), 0);
	assert_false(info.used_xsdt);
}

static void test_lapic_override(void **state)
{
	uint8_t *e;
	(void)state;

	make_standard();
	madt_begin();
	lapic(0, 0, 1);
	e = madt_entry(5, 12);
	put64(e + 4, 0x1fee00000ull);
	madt_seal();
	assert_int_equal(parse(), 0);
	assert_int_equal(info.lapic_addr, 0x1fee00000ull);
	assert_true(info.pcat_compat);
}

static void test_bad_rsdp(void **state)
{
	(void)state;
	make_standard();
	rsdp[0] = 'X';
	expect_fail(-TANDEM_EINVAL, "bad RSDP signature");

	make_standard();
	rsdp[16] ^= 1;
	expect_fail(-TANDEM_EINVAL, "bad RSDP checksum");

	make_standard();
	rsdp[24] ^= 1; /* only covered by the extended checksum */
	expect_fail(-TANDEM_EINVAL, "bad RSDP extended checksum");

	make_standard();
	assert_int_equal(acpi_parse_madt(rsdp, 20, fake_map, NULL, &info),
			 -TANDEM_EINVAL);
	assert_string_equal(info.why,
			    "RSDP revision 2 but shorter than 36 bytes");
	assert_int_equal(acpi_parse_madt(rsdp, 19, fake_map, NULL, &info),
			 -TANDEM_EINVAL);
	assert_string_equal(info.why, "RSDP shorter than 20 bytes");
	assert_int_equal(acpi_parse_madt(NULL, 36, fake_map, NULL, &info),
			 -TANDEM_EINVAL);

	make_standard();
	put32(rsdp + 20, 40); /* length beyond the 36 bytes we have */
	fix_checksum(rsdp, 36, 32);
	expect_fail(-TANDEM_EINVAL, "bad RSDP length");

	make_rsdp(0, 0, 0);
	expect_fail(-TANDEM_EINVAL, "RSDP has no RSDT/XSDT address");
}

static void test_bad_root(void **state)
{
	(void)state;
	make_standard();
	mem[XSDT_OFF + 40] ^= 0x40;
	expect_fail(-TANDEM_EINVAL, "bad XSDT checksum");

	make_standard();
	make_rsdp(1, (uint32_t)(FAKE_BASE + RSDT_OFF), 0);
	mem[RSDT_OFF + 36] ^= 0x40;
	expect_fail(-TANDEM_EINVAL, "bad RSDT checksum");

	make_standard();
	memcpy(mem + XSDT_OFF, "RSDT", 4);
	fix_checksum(mem + XSDT_OFF, 60, 9);
	expect_fail(-TANDEM_EINVAL, "bad XSDT signature");

	make_standard();
	put32(mem + XSDT_OFF + 4, 20);
	expect_fail(-TANDEM_EINVAL, "bad XSDT length");
	put32(mem + XSDT_OFF + 4, ACPI_MAX_TABLE_LEN + 1);
	expect_fail(-TANDEM_EINVAL, "bad XSDT length");
	put32(mem + XSDT_OFF + 4, FAKE_SIZE); /* runs past readable memory */
	expect_fail(-TANDEM_EINVAL, "XSDT not readable");

	make_standard();
	make_rsdp(2, 0, 0xfffffffffffffff0ull); /* wraps around */
	expect_fail(-TANDEM_EINVAL, "XSDT not readable");
}

static void test_no_madt(void **state)
{
	(void)state;
	make_standard();
	memcpy(mem + MADT_OFF, "SSDT", 4);
	expect_fail(-TANDEM_ENOENT, "no MADT");

	/* An XSDT entry pointing at unreadable memory is noted in the reason. */
	make_standard();
	put64(mem + XSDT_OFF + 52, 0x1000);
	seal_table(XSDT_OFF, "XSDT", 60);
	expect_fail(-TANDEM_ENOENT,
		    "no MADT (some RSDT/XSDT entries unreadable)");

	/* Empty XSDT. */
	make_standard();
	seal_table(XSDT_OFF, "XSDT", 36);
	expect_fail(-TANDEM_ENOENT, "no MADT");
}

static void test_bad_madt(void **state)
{
	(void)state;
	make_standard();
	mem[MADT_OFF + 50] ^= 1;
	expect_fail(-TANDEM_EINVAL, "bad MADT checksum");

	make_standard();
	put32(mem + MADT_OFF + 4, 40); /* shorter than the fixed part */
	fix_checksum(mem + MADT_OFF, 40, 9);
	expect_fail(-TANDEM_EINVAL, "MADT shorter than 44 bytes");

	make_standard();
	put32(mem + MADT_OFF + 4, 30);
	expect_fail(-TANDEM_EINVAL, "MADT length out of range");
}

static void test_truncated_entries(void **state)
{
	uint8_t *e;
	(void)state;

	/* Last entry claims more bytes than the table has, by 4 and by 1. */
	make_standard();
	madt_begin();
	lapic(0, 0, 1);
	e = madt_entry(1, 12);
	madt_len -= 4;
	(void)e;
	madt_seal();
	expect_fail(-TANDEM_EINVAL, "MADT entry truncated");

	make_standard();
	madt_begin();
	madt_entry(0x7f, 6); /* unknown type: only its length matters */
	madt_len -= 1;
	madt_seal();
	expect_fail(-TANDEM_EINVAL, "MADT entry truncated");

	/* A single dangling byte after the last entry. */
	make_standard();
	madt_begin();
	lapic(0, 0, 1);
	madt_len += 1;
	madt_seal();
	expect_fail(-TANDEM_EINVAL, "MADT entry truncated");

	/* Zero-length entry would loop forever if accepted. */
	make_standard();
	madt_begin();
	lapic(0, 0, 1);
	madt_entry(0, 0);
	madt_len += 8;
	madt_seal();
	expect_fail(-TANDEM_EINVAL, "MADT entry length below 2");

	make_standard();
	madt_begin();
	madt_entry(7, 1);
	madt_len += 1;
	madt_seal();
	expect_fail(-TANDEM_EINVAL, "MADT entry length below 2");

	/* Known types shorter than their structure. */
	make_standard();
	madt_begin();
	madt_entry(0, 6);
	madt_seal();
	expect_fail(-TANDEM_EINVAL, "MADT local APIC entry too short");

	make_standard();
	madt_begin();
	madt_entry(9, 12);
	madt_seal();
	expect_fail(-TANDEM_EINVAL, "MADT local x2APIC entry too short");

	make_standard();
	madt_begin();
	madt_entry(1, 8);
	madt_seal();
	expect_fail(-TANDEM_EINVAL, "MADT I/O APIC entry too short");

	make_standard();
	madt_begin();
	madt_entry(2, 8);
	madt_seal();
	expect_fail(-TANDEM_EINVAL,
		    "MADT interrupt source override entry too short");

	make_standard();
	madt_begin();
	madt_entry(5, 10);
	madt_seal();
	expect_fail(-TANDEM_EINVAL,
		    "MADT local APIC address override entry too short");

	/* Unknown types may be as short as 2 bytes. */
	make_standard();
	madt_begin();
	madt_entry(0x7f, 2);
	lapic(0, 0, 1);
	madt_seal();
	assert_int_equal(parse(), 0);
	assert_int_equal(info.ncpus, 1);
}

static void test_many_cpus_clamped(void **state)
{
	uint32_t i;
	(void)state;

	make_standard();
	madt_begin();
	for (i = 0; i < MADT_MAX_CPUS + 100; i++)
		x2apic(i, i + 1000, 1);
	for (i = 0; i < 10; i++)
		x2apic(5000 + i, 0, 0); /* unusable placeholders */
	madt_seal();
	assert_int_equal(parse(), 0);
	assert_int_equal(info.ncpus, MADT_MAX_CPUS);
	assert_int_equal(info.ncpus_enabled, MADT_MAX_CPUS + 100);
	assert_int_equal(info.ncpus_listed, MADT_MAX_CPUS + 110);
	assert_true(info.warnings & MADT_WARN_CPUS_TRUNCATED);
	assert_non_null(info.warning);
	assert_int_equal(info.cpus[MADT_MAX_CPUS - 1].apic_id, MADT_MAX_CPUS - 1);
	assert_int_equal(info.cpus[MADT_MAX_CPUS - 1].acpi_uid,
			 MADT_MAX_CPUS - 1 + 1000);
}

/* The CPUs Tandem takes from a MADT: APIC IDs above 254 only in x2APIC
 * mode (no emulator here gives such IDs: QEMU's TCG has no x2APIC, Bochs
 * numbers its CPUs from 0), the boot CPU first, at most max. */
static void test_pick_cpus(void **state)
{
	static struct madt_info m;
	static const uint32_t table[] = { 5, 1, 255, 300, 0x12345, 0, 2 };
	uint32_t ids[8];
	bool en[8];
	unsigned int n, left;
	(void)state;

	memset(&m, 0, sizeof(m));
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		m.cpus[m.ncpus].apic_id = table[i];
		m.cpus[m.ncpus++].enabled = table[i] != 2;
	}
	/* xAPIC: 255, 300 and 0x12345 left out; the BSP (0) first. */
	n = madt_pick_cpus(&m, 0, false, 256, ids, en, &left);
	assert_int_equal(n, 4);
	assert_int_equal(left, 3);
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[1], 5);
	assert_int_equal(ids[2], 1);
	assert_int_equal(ids[3], 2);
	assert_true(en[0] && en[1] && en[2] && !en[3]);
	/* x2APIC: every ID kept, in table order after the BSP. */
	n = madt_pick_cpus(&m, 0, true, 256, ids, en, &left);
	assert_int_equal(n, 7);
	assert_int_equal(left, 0);
	assert_int_equal(ids[3], 255);
	assert_int_equal(ids[4], 300);
	assert_int_equal(ids[5], 0x12345);
	/* At most max CPUs, the BSP counted. */
	n = madt_pick_cpus(&m, 300, true, 3, ids, en, &left);
	assert_int_equal(n, 3);
	assert_int_equal(left, 4);
	assert_int_equal(ids[0], 300);
	assert_int_equal(ids[1], 5);
	assert_int_equal(ids[2], 1);
	/* A BSP the table does not list still comes first. */
	n = madt_pick_cpus(&m, 7, false, 256, ids, en, &left);
	assert_int_equal(n, 5);
	assert_int_equal(ids[0], 7);
	assert_int_equal(ids[4], 2);
}

static void test_duplicates_and_limits(void **state)
{
	int i;
	(void)state;

	make_standard();
	madt_begin();
	lapic(0, 5, 1);
	x2apic(5, 9, 1); /* same APIC ID again */
	for (i = 0; i < MADT_MAX_IOAPICS + 2; i++)
		ioapic((uint8_t)i, 0xfec00000u + (uint32_t)i * 0x1000,
		       (uint32_t)i * 24);
	madt_seal();
	assert_int_equal(parse(), 0);
	assert_int_equal(info.ncpus, 1);
	assert_int_equal(info.ncpus_listed, 2);
	assert_int_equal(info.ncpus_enabled, 1);
	assert_true(info.warnings & MADT_WARN_DUPLICATE_APIC_ID);
	assert_true(info.warnings & MADT_WARN_IOAPICS_TRUNCATED);
	assert_int_equal(info.nioapics, MADT_MAX_IOAPICS);
	assert_string_equal(info.warning, "duplicate APIC ID in MADT, ignored");
}

static void test_madt_parse_direct(void **state)
{
	(void)state;
	make_standard();
	assert_int_equal(madt_parse(mem + MADT_OFF, madt_len, &info), 0);
	assert_int_equal(info.ncpus, 3);
	assert_int_equal(madt_parse(mem + MADT_OFF, madt_len - 1, &info),
			 -TANDEM_EINVAL);
	assert_string_equal(info.why, "MADT length out of range");
	assert_int_equal(madt_parse(mem + MADT_OFF, 10, &info), -TANDEM_EINVAL);
	assert_string_equal(info.why, "MADT shorter than 44 bytes");
	assert_int_equal(madt_parse(mem + FACP_OFF, 44, &info), -TANDEM_EINVAL);
	assert_string_equal(info.why, "bad MADT signature");
}

static void test_find_table(void **state)
{
	struct acpi_table t;
	const char *why;
	(void)state;

	make_standard();
	assert_int_equal(acpi_find_table(rsdp, 36, "FACP", fake_map, NULL, &t,
					 &why),
			 0);
	assert_null(why);
	assert_int_equal(t.phys, FAKE_BASE + FACP_OFF);
	assert_int_equal(t.len, 44);
	assert_ptr_equal(t.ptr, mem + FACP_OFF);
	assert_int_equal(acpi_find_table(rsdp, 36, "HPET", fake_map, NULL, &t,
					 &why),
			 -TANDEM_ENOENT);
	assert_string_equal(why, "ACPI table not found");
	mem[FACP_OFF + 40] ^= 1;
	assert_int_equal(acpi_find_table(rsdp, 36, "FACP", fake_map, NULL, &t,
					 &why),
			 -TANDEM_EINVAL);
	assert_string_equal(why, "bad ACPI table checksum");
}

/* FADT PM timer fields (ACPI 5.2.9): what each FADT gives. */
struct fadt_case {
	const char *name;
	uint32_t len;	  /* table length */
	uint32_t blk;	  /* PM_TMR_BLK */
	uint8_t blk_len;  /* PM_TMR_LEN */
	uint32_t flags;	  /* bit 8 TMR_VAL_EXT, bit 20 HW_REDUCED_ACPI */
	uint8_t x_space;  /* X_PM_TMR_BLK address space */
	uint64_t x_addr;  /* X_PM_TMR_BLK address */
	uint16_t port;	  /* expected; 0: none */
	bool ext32;	  /* expected */
	const char *none; /* expected reason when port is 0 */
};

static const struct fadt_case fadt_cases[] = {
	{ "ACPI 1.0, QEMU i440fx", 116, 0xb008, 4, 0, 0, 0, 0xb008, false, NULL },
	{ "ACPI 1.0, 32-bit", 116, 0xb008, 4, 1u << 8, 0, 0, 0xb008, true, NULL },
	{ "X block wins", 276, 0xb008, 4, 0, 1, 0x608, 0x608, false, NULL },
	{ "X block zero: legacy", 276, 0x608, 4, 1u << 8, 1, 0, 0x608, true,
	  NULL },
	{ "X block with legacy length 0", 244, 0, 0, 0, 1, 0x1808, 0x1808,
	  false, NULL },
	{ "short table: X block ignored", 219, 0x408, 4, 0, 1, 0x608, 0x408,
	  false, NULL },
	{ "no timer", 276, 0, 4, 0, 0, 0, 0, false, "the FADT names no PM timer" },
	{ "PM_TMR_LEN not 4", 116, 0xb008, 3, 0, 0, 0, 0, false,
	  "the FADT names no PM timer" },
	{ "memory space", 276, 0xb008, 4, 0, 0, 0xfed00000, 0, false,
	  "the FADT's PM timer is not in I/O space" },
	{ "hardware-reduced", 276, 0xb008, 4, 1u << 20, 1, 0x608, 0, false,
	  "hardware-reduced ACPI: no PM timer" },
	{ "port beyond 0xfffc", 276, 0, 0, 0, 1, 0xfffd, 0, false,
	  "the FADT's PM timer port is beyond 0xfffc" },
	{ "port past 16 bits", 116, 0x10008, 4, 0, 0, 0, 0, false,
	  "the FADT's PM timer port is beyond 0xfffc" },
};

static size_t make_fadt(const struct fadt_case *c)
{
	uint8_t *f = mem + FACP_OFF;

	memset(f, 0, 0x400);
	put32(f + 76, c->blk);
	f[91] = c->blk_len;
	put32(f + 112, c->flags);
	f[208] = c->x_space;
	f[209] = 32;
	f[211] = 3; /* dword access */
	put64(f + 212, c->x_addr);
	seal_table(FACP_OFF, "FACP", c->len);
	return c->len;
}

static void test_fadt_pm_timer(void **state)
{
	struct acpi_pm_timer pm;
	const char *why;
	(void)state;

	for (size_t i = 0; i < sizeof(fadt_cases) / sizeof(fadt_cases[0]); i++) {
		const struct fadt_case *c = &fadt_cases[i];
		size_t len = make_fadt(c);

		print_message("%s\n", c->name);
		assert_int_equal(acpi_fadt_pm_timer(mem + FACP_OFF, len, &pm,
						    &why),
				 0);
		assert_null(why);
		assert_int_equal(pm.port, c->port);
		if (c->port) {
			assert_null(pm.none);
			assert_int_equal(pm.ext32, c->ext32);
		} else {
			assert_string_equal(pm.none, c->none);
		}
	}
}

static void test_fadt_refused(void **state)
{
	static const struct fadt_case good = { "good", 276, 0xb008, 4,	   0,
					       0,      0,   0xb008, false, NULL };
	struct acpi_pm_timer pm;
	const char *why;
	size_t len;
	(void)state;

	len = make_fadt(&good);
	assert_int_equal(acpi_fadt_pm_timer(mem + FACP_OFF, 35, &pm, &why),
			 -TANDEM_EINVAL);
	assert_string_equal(why, "FADT shorter than its header");
	assert_int_equal(acpi_fadt_pm_timer(NULL, 276, &pm, &why),
			 -TANDEM_EINVAL);
	/* The length field beyond what is readable. */
	assert_int_equal(acpi_fadt_pm_timer(mem + FACP_OFF, len - 1, &pm, &why),
			 -TANDEM_EINVAL);
	assert_string_equal(why, "FADT length out of range");
	put32(mem + FACP_OFF + 4, 115);
	fix_checksum(mem + FACP_OFF, 115, 9);
	assert_int_equal(acpi_fadt_pm_timer(mem + FACP_OFF, len, &pm, &why),
			 -TANDEM_EINVAL);
	assert_string_equal(why, "FADT length out of range");
	len = make_fadt(&good);
	mem[FACP_OFF + 76] ^= 1;
	assert_int_equal(acpi_fadt_pm_timer(mem + FACP_OFF, len, &pm, &why),
			 -TANDEM_EINVAL);
	assert_string_equal(why, "bad FADT checksum");
	assert_int_equal(pm.port, 0);
	len = make_fadt(&good);
	memcpy(mem + FACP_OFF, "APIC", 4);
	assert_int_equal(acpi_fadt_pm_timer(mem + FACP_OFF, len, &pm, &why),
			 -TANDEM_EINVAL);
	assert_string_equal(why, "bad FADT signature");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xsdt_path),
		cmocka_unit_test(test_rsdt_path),
		cmocka_unit_test(test_lapic_override),
		cmocka_unit_test(test_bad_rsdp),
		cmocka_unit_test(test_bad_root),
		cmocka_unit_test(test_no_madt),
		cmocka_unit_test(test_bad_madt),
		cmocka_unit_test(test_truncated_entries),
		cmocka_unit_test(test_many_cpus_clamped),
		cmocka_unit_test(test_pick_cpus),
		cmocka_unit_test(test_duplicates_and_limits),
		cmocka_unit_test(test_madt_parse_direct),
		cmocka_unit_test(test_find_table),
		cmocka_unit_test(test_fadt_pm_timer),
		cmocka_unit_test(test_fadt_refused),
	};

	return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
