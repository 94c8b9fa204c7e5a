/*
 * Unit tests for kernel/mm/gva.c: guest pointers translated through page
 * tables built in a buffer, in every paging mode the walker knows (4- and
 * 5-level, PAE, 32-bit with and without 4 MiB pages, paging off), with
 * the rights a CPL-3 and a supervisor caller need (U/S, R/W, CR0.WP), and
 * ranges that cross pages which are not physically contiguous.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <tandem/errno.h>

#include "mm/gva.h"

#define MEM_PAGES 64
#define P	  0x1ull
#define RW	  0x2ull
#define US	  0x4ull
#define PS	  0x80ull
#define NX	  (1ull << 63)
#define CR0_PE	  1ull
#define CR0_WP	  (1ull << 16)
#define CR0_PG	  (1ull << 31)
#define CR4_PSE	  (1ull << 4)
#define CR4_PAE	  (1ull << 5)
#define CR4_LA57  (1ull << 12)
#define EFER_LMA  (1ull << 10)
#define EFER_NXE  (1ull << 11)
#define MB2	  0x200000ull
#define GB1	  0x40000000ull

static uint8_t mem[MEM_PAGES * 4096];
static unsigned reads;

static int mem_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
	(void)ctx;
	assert_true(size == 4 || size == 8);
	reads++;
	if (gpa >= sizeof(mem) || sizeof(mem) - gpa < size)
		return -TANDEM_EIO;
	*val = 0;
	memcpy(val, mem + gpa, size);
	return 0;
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(mem + gpa, &v, 4);
}

static const unsigned accesses[4] = { 0, GVA_WRITE, GVA_USER,
				      GVA_USER | GVA_WRITE };

/* Translate @va for @access; the error, or 0 with *gpa checked. */
static int tr(const struct pt_guest_regs *r, uint64_t va, unsigned access,
	      uint64_t want_gpa)
{
	uint64_t gpa = 0xbad;
	int ret = gva_translate(r, va, access, mem_read, NULL, &gpa);

	if (ret)
		assert_int_equal(gpa, 0xbad); /* untouched on failure */
	else
		assert_int_equal(gpa, want_gpa);
	return ret;
}

/* Which of the four accesses (supervisor read, supervisor write, user
 * read, user write) @va allows: bit i for accesses[i]. */
static unsigned allowed(const struct pt_guest_regs *r, uint64_t va,
			uint64_t want_gpa)
{
	unsigned mask = 0;

	for (unsigned i = 0; i < 4; i++) {
		int ret = tr(r, va, accesses[i], want_gpa);

		assert_true(ret == 0 || ret == -TANDEM_EPERM);
		if (!ret)
			mask |= 1u << i;
	}
	return mask;
}

#define SR 1u /* supervisor read */
#define SW 2u
#define UR 4u
#define UW 8u

/* 4-level: PML4 at 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
static struct pt_guest_regs long_regs(void)
{
	return (struct pt_guest_regs){ .cr0 = CR0_PG | CR0_WP | CR0_PE,
				       .cr3 = 0x1000,
				       .cr4 = CR4_PAE,
				       .efer = EFER_LMA | EFER_NXE };
}

static void long_tables(uint64_t top_bits)
{
	memset(mem, 0, sizeof(mem));
	put64(0x1000, 0x2000 | P | top_bits);
	put64(0x2000, 0x3000 | P | top_bits);
	put64(0x3000, 0x4000 | P | top_bits);
}

static void test_long_rights(void **state)
{
	struct pt_guest_regs r = long_regs();

	(void)state;
	long_tables(RW | US);
	put64(0x4000 + 1 * 8, 0x10000 | P | RW | US); /* user, writable */
	put64(0x4000 + 2 * 8, 0x11000 | P | US);      /* user, read-only */
	put64(0x4000 + 3 * 8, 0x12000 | P | RW);      /* supervisor */
	put64(0x4000 + 4 * 8, 0x13000 | P);	      /* supervisor, RO */
	put64(0x4000 + 5 * 8, 0x14000 | RW | US);     /* not present */
	put64(0x4000 + 6 * 8, 0x15000 | P | RW | US | NX);

	assert_int_equal(allowed(&r, 0x1123, 0x10123), SR | SW | UR | UW);
	assert_int_equal(allowed(&r, 0x2ff8, 0x11ff8), SR | UR);
	assert_int_equal(allowed(&r, 0x3000, 0x12000), SR | SW);
	assert_int_equal(allowed(&r, 0x4010, 0x13010), SR);
	/* NX says nothing about data. */
	assert_int_equal(allowed(&r, 0x6000, 0x15000), SR | SW | UR | UW);
	/* CR0.WP clear: a supervisor may write read-only pages, a user
	 * still may not. */
	r.cr0 &= ~CR0_WP;
	assert_int_equal(allowed(&r, 0x2000, 0x11000), SR | SW | UR);
	assert_int_equal(allowed(&r, 0x4000, 0x13000), SR | SW);
	r.cr0 |= CR0_WP;
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(tr(&r, 0x5000, accesses[i], 0), -TANDEM_ENOENT);
		assert_int_equal(tr(&r, 0x7000, accesses[i], 0), -TANDEM_ENOENT);
	}

	/* Rights are the AND of every level: a supervisor-only PDPTE makes
	 * everything below it supervisor-only, a read-only PDE read-only. */
	put64(0x2000, 0x3000 | P | RW);
	assert_int_equal(allowed(&r, 0x1000, 0x10000), SR | SW);
	put64(0x2000, 0x3000 | P | RW | US);
	put64(0x3000, 0x4000 | P | US);
	assert_int_equal(allowed(&r, 0x1000, 0x10000), SR | UR);
	put64(0x1000, 0x2000 | P | RW);
	assert_int_equal(allowed(&r, 0x1000, 0x10000), SR);
}

static void test_long_large_pages(void **state)
{
	struct pt_guest_regs r = long_regs();
	const uint64_t va2m = 3 * MB2 + 0x12345, va1g = 5 * GB1 + 0x1234567;

	(void)state;
	long_tables(RW | US);
	/* A 2 MiB page, read-only for users; PAT bit 12 is not address. */
	put64(0x3000 + 3 * 8, 0x40000000 | 0x1000 | PS | P | US);
	assert_int_equal(allowed(&r, va2m, 0x40000000 + 0x12345), SR | UR);
	/* A 1 GiB page, supervisor only. */
	put64(0x2000 + 5 * 8, 0x7c0000000 | PS | P | RW);
	assert_int_equal(allowed(&r, va1g, 0x7c0000000 + 0x1234567), SR | SW);
	/* PS in a PML4E is reserved: the guest would fault. */
	put64(0x1000 + 8, 0x80000000 | PS | P | RW | US);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(tr(&r, 1ull << 39, accesses[i], 0),
				 -TANDEM_ENOENT);
	/* Non-canonical. */
	assert_int_equal(tr(&r, 0x0000800000000000, 0, 0), -TANDEM_EINVAL);
	assert_int_equal(tr(&r, 0xfffe800000000000, 0, 0), -TANDEM_EINVAL);
	/* A table outside the memory: the read's error comes back. */
	put64(0x3000 + 9 * 8, 0x7ff000 | P | RW | US);
	assert_int_equal(tr(&r, 9 * MB2, 0, 0), -TANDEM_EIO);
}

static void test_five_level(void **state)
{
	struct pt_guest_regs r = long_regs();
	const uint64_t va = 0xff12345678abc123;
	const uint64_t i5 = (va >> 48) & 511;

	(void)state;
	r.cr4 |= CR4_LA57;
	r.cr3 = 0x5000;
	long_tables(RW | US);
	put64(0x5000 + i5 * 8, 0x1000 | P | RW | US);
	put64(0x1000 + ((va >> 39) & 511) * 8, 0x2000 | P | RW | US);
	put64(0x2000 + ((va >> 30) & 511) * 8, 0x3000 | P | RW | US);
	put64(0x3000 + ((va >> 21) & 511) * 8, 0x4000 | P | RW | US);
	put64(0x4000 + ((va >> 12) & 511) * 8, 0x9000 | P | US);
	assert_int_equal(allowed(&r, va, 0x9123), SR | UR);
	/* 57 significant bits: this is canonical only with LA57. */
	assert_int_equal(tr(&r, 0x0100000000000000, 0, 0), -TANDEM_EINVAL);
	assert_int_equal(tr(&r, 0x00ff800000000000, 0, 0), -TANDEM_ENOENT);
	/* PS in a PML5E is reserved. */
	put64(0x5000 + i5 * 8, 0x1000 | PS | P | RW | US);
	assert_int_equal(tr(&r, va, 0, 0), -TANDEM_ENOENT);
}

static void test_pae(void **state)
{
	struct pt_guest_regs r = { .cr0 = CR0_PG | CR0_WP | CR0_PE,
				   .cr3 = 0x5020,
				   .cr4 = CR4_PAE };
	const uint32_t va = 0x8a3c5def; /* PDPT 2, PD 0x51, PT 0x1c5 */

	(void)state;
	memset(mem, 0, sizeof(mem));
	put64(0x5020 + 2 * 8, 0x6000 | P); /* PDPTEs carry no rights */
	put64(0x6000 + 0x51 * 8, 0x7000 | P | RW | US);
	put64(0x7000 + 0x1c5 * 8, 0xfedc0000000 | 0xd000 | P | US);
	assert_int_equal(allowed(&r, va, 0xfedc000ddef), SR | UR);
	put64(0x7000 + 0x1c5 * 8, 0xd000 | P | RW | US);
	assert_int_equal(allowed(&r, va, 0xddef), SR | SW | UR | UW);
	/* 2 MiB page, supervisor only. */
	put64(0x6000 + 0x51 * 8, 0x3fe00000 | PS | P | RW);
	assert_int_equal(allowed(&r, va, 0x3fe00000 + (va & (MB2 - 1))), SR | SW);
	assert_int_equal(tr(&r, va ^ (1u << 30), 0, 0), -TANDEM_ENOENT);
}

static void test_32bit(void **state)
{
	struct pt_guest_regs r = { .cr0 = CR0_PG | CR0_WP | CR0_PE,
				   .cr3 = 0x8000 };
	const uint32_t va = 0xc0abc123; /* PD 0x302, PT 0x2bc */

	(void)state;
	memset(mem, 0, sizeof(mem));
	put32(0x8000 + 0x302 * 4, 0x9000 | P | RW | US);
	put32(0x9000 + 0x2bc * 4, 0xfff45000 | P | US);
	assert_int_equal(allowed(&r, va, 0xfff45123), SR | UR);
	put32(0x8000 + 0x302 * 4, 0x9000 | P | RW);
	assert_int_equal(allowed(&r, va, 0xfff45123), SR);
	assert_int_equal(tr(&r, va + 0x1000, 0, 0), -TANDEM_ENOENT);
	/* 4 MiB page with PSE-36 address bits 39:32. */
	r.cr4 = CR4_PSE;
	put32(0x8000 + 0x302 * 4, 0xc0800000 | (0x12 << 13) | PS | P | RW | US);
	assert_int_equal(allowed(&r, va, 0x12c0800000 | (va & 0x3fffff)),
			 SR | SW | UR | UW);
	/* Without CR4.PSE the same PDE names a page table (outside). */
	r.cr4 = 0;
	assert_int_equal(tr(&r, va, 0, 0), -TANDEM_EIO);
}

static void test_paging_off(void **state)
{
	struct pt_guest_regs r = { .cr0 = CR0_PE };

	(void)state;
	reads = 0;
	assert_int_equal(allowed(&r, 0x12345678, 0x12345678), SR | SW | UR | UW);
	assert_int_equal(reads, 0);
}

/* ---- ranges ---- */

struct piece {
	uint64_t gpa;
	size_t offset, len;
};

static struct piece pieces[16];
static unsigned npieces;
static int fail_at = -1; /* piece index the callback refuses */

static int note(void *ctx, uint64_t gpa, size_t offset, size_t len)
{
	(void)ctx;
	if ((int)npieces == fail_at)
		return -TANDEM_E2BIG;
	assert_true(npieces < 16);
	pieces[npieces++] = (struct piece){ gpa, offset, len };
	return 0;
}

static int range(const struct pt_guest_regs *r, uint64_t va, size_t len,
		 unsigned access)
{
	npieces = 0;
	return gva_for_each(r, va, len, access, mem_read, NULL, note, NULL);
}

static void expect_piece(unsigned i, uint64_t gpa, size_t offset, size_t len)
{
	assert_true(i < npieces);
	assert_int_equal(pieces[i].gpa, gpa);
	assert_int_equal(pieces[i].offset, offset);
	assert_int_equal(pieces[i].len, len);
}

static void test_range_crosses_pages(void **state)
{
	struct pt_guest_regs r = long_regs();

	(void)state;
	long_tables(RW | US);
	/* Virtual 0x1000, 0x2000, 0x3000 -> physical 0x20000, 0x11000,
	 * 0x30000: neighbours in the guest, scattered in memory. */
	put64(0x4000 + 1 * 8, 0x20000 | P | RW | US);
	put64(0x4000 + 2 * 8, 0x11000 | P | RW | US);
	put64(0x4000 + 3 * 8, 0x30000 | P | US);
	put64(0x4000 + 4 * 8, 0x31000 | P | RW);

	/* 80 bytes from 0x1fb0 end exactly at the page boundary. */
	assert_int_equal(range(&r, 0x1fb0, 80, GVA_USER | GVA_WRITE), 0);
	assert_int_equal(npieces, 1);
	expect_piece(0, 0x20fb0, 0, 0x50);
	assert_int_equal(range(&r, 0x1fc0, 80, GVA_USER | GVA_WRITE), 0);
	assert_int_equal(npieces, 2);
	expect_piece(0, 0x20fc0, 0, 0x40);
	expect_piece(1, 0x11000, 0x40, 0x10);
	/* Three pages, read by a user. */
	assert_int_equal(range(&r, 0x1800, 0x2000, GVA_USER), 0);
	assert_int_equal(npieces, 3);
	expect_piece(0, 0x20800, 0, 0x800);
	expect_piece(1, 0x11000, 0x800, 0x1000);
	expect_piece(2, 0x30000, 0x1800, 0x800);
	/* The third page is read-only: a user write stops before it, after
	 * the pieces that were allowed. */
	assert_int_equal(range(&r, 0x1800, 0x2000, GVA_USER | GVA_WRITE),
			 -TANDEM_EPERM);
	assert_int_equal(npieces, 2);
	/* The fourth is supervisor-only. */
	assert_int_equal(range(&r, 0x3ff0, 0x20, GVA_USER), -TANDEM_EPERM);
	assert_int_equal(npieces, 1);
	assert_int_equal(range(&r, 0x3ff0, 0x20, 0), 0);
	assert_int_equal(npieces, 2);
	expect_piece(1, 0x31000, 0x10, 0x10);
	/* The fifth is not mapped. */
	assert_int_equal(range(&r, 0x4ff8, 9, 0), -TANDEM_ENOENT);
	assert_int_equal(npieces, 1);
	/* The callback's error stops the walk and comes back. */
	fail_at = 1;
	assert_int_equal(range(&r, 0x1800, 0x2000, 0), -TANDEM_E2BIG);
	assert_int_equal(npieces, 1);
	fail_at = -1;
	/* One byte, and nothing. */
	assert_int_equal(range(&r, 0x2fff, 1, GVA_USER), 0);
	assert_int_equal(npieces, 1);
	expect_piece(0, 0x11fff, 0, 1);
	reads = 0;
	assert_int_equal(range(&r, 0x5000, 0, GVA_USER), 0);
	assert_int_equal(npieces, 0);
	assert_int_equal(reads, 0);
}

static void test_range_large_page(void **state)
{
	struct pt_guest_regs r = long_regs();

	(void)state;
	long_tables(RW | US);
	put64(0x3000 + 1 * 8, 0x600000 | PS | P | RW | US);
	/* Inside one 2 MiB page a range is still cut at 4 KiB. */
	assert_int_equal(range(&r, MB2 + 0xf00, 0x200, GVA_USER), 0);
	assert_int_equal(npieces, 2);
	expect_piece(0, 0x600f00, 0, 0x100);
	expect_piece(1, 0x601000, 0x100, 0x100);
}

static void test_range_wraps(void **state)
{
	struct pt_guest_regs r = long_regs();
	struct pt_guest_regs r32 = { .cr0 = CR0_PE };

	(void)state;
	long_tables(RW | US);
	reads = 0;
	assert_int_equal(range(&r, 0xfffffffffffff000, 0x1001, 0),
			 -TANDEM_EINVAL);
	assert_int_equal(range(&r, 2, SIZE_MAX, 0), -TANDEM_EINVAL);
	assert_int_equal(reads, 0);
	assert_int_equal(npieces, 0);
	/* Up to the last byte is fine (it is not canonical here, though). */
	assert_int_equal(range(&r, 0xffffffffffffff00, 0x100, 0), -TANDEM_ENOENT);
	/* Outside long mode the top is 4 GiB. */
	assert_int_equal(range(&r32, 0xfffff000, 0x1000, GVA_USER | GVA_WRITE),
			 0);
	expect_piece(0, 0xfffff000, 0, 0x1000);
	assert_int_equal(range(&r32, 0xfffff000, 0x1001, 0), -TANDEM_EINVAL);
	assert_int_equal(npieces, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_rights),
		cmocka_unit_test(test_long_large_pages),
		cmocka_unit_test(test_five_level),
		cmocka_unit_test(test_pae),
		cmocka_unit_test(test_32bit),
		cmocka_unit_test(test_paging_off),
		cmocka_unit_test(test_range_crosses_pages),
		cmocka_unit_test(test_range_large_page),
		cmocka_unit_test(test_range_wraps),
	};

	return cmocka_run_group_tests_name("gva", tests, NULL, NULL);
}
