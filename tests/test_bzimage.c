/*
 * Host unit tests for kernel/fmt/bzimage.c: a bzImage setup header built in
 * a buffer with the values of Debian 12's kernel (protocol 2.15, 39 setup
 * sectors, relocatable, 2 MiB alignment), parsed, refused when broken, and
 * the zero page written from it read back at the offsets of
 * Documentation/arch/x86/boot.rst and bootparam.h.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fmt/bzimage.h"
#include "tandem/errno.h"

#define SETUP_SECTS 39
#define PM_OFFSET   ((SETUP_SECTS + 1) * 512)
#define IMG_SIZE    (PM_OFFSET + 8192)

static uint8_t img[IMG_SIZE];
static uint8_t zp[BZ_ZERO_PAGE_SIZE];

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	memcpy(p + off, &v, 2);
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	memcpy(p + off, &v, 8);
}

static uint16_t get16(const uint8_t *p, size_t off)
{
	uint16_t v;

	memcpy(&v, p + off, 2);
	return v;
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return v;
}

static uint64_t get64(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, 8);
	return v;
}

/* Debian 12's linux-image-6.1.0-*-amd64 header. */
static void make_image(void)
{
	memset(img, 0x5a, sizeof(img));
	memset(img, 0, PM_OFFSET);
	img[0x1f1] = SETUP_SECTS;
	put16(img, 0x1fe, 0xaa55);
	img[0x200] = 0xeb;
	img[0x201] = 0x6a; /* header ends at 0x26c */
	put32(img, 0x202, 0x53726448);
	put16(img, 0x206, 0x020f);
	img[0x211] = 0x01; /* LOADED_HIGH */
	put32(img, 0x214, 0x100000);
	put32(img, 0x22c, 0x7fffffff);
	put32(img, 0x230, 0x200000);
	img[0x234] = 1;
	img[0x235] = 21;
	put16(img, 0x236, 0x7f);
	put32(img, 0x238, 2047);
	put64(img, 0x258, 0x1000000);
	put32(img, 0x260, 0x3f98000);
	put32(img, 0x264, 0x7c8d20);
	put32(img, 0x268, 0x7d56fc);
}

static void test_parse_debian(void **state)
{
	struct bzimage bz;

	(void)state;
	make_image();
	assert_int_equal(bzimage_parse(img, sizeof(img), &bz), 0);
	assert_null(bz.why);
	assert_int_equal(bz.version, 0x020f);
	assert_int_equal(bz.setup_size, PM_OFFSET);
	assert_int_equal(bz.pm_offset, PM_OFFSET);
	assert_int_equal(bz.pm_size, IMG_SIZE - PM_OFFSET);
	assert_int_equal(bz.hdr_end, 0x26c);
	assert_int_equal(bz.pref_address, 0x1000000);
	assert_int_equal(bz.kernel_alignment, 0x200000);
	assert_int_equal(bz.init_size, 0x3f98000);
	assert_true(bz.relocatable);
	assert_int_equal(bz.xloadflags, 0x7f);
	assert_int_equal(bz.initrd_addr_max, 0x7fffffff);
	assert_int_equal(bz.cmdline_size, 2047);
}

static void expect_refused(int err, const char *why_part)
{
	struct bzimage bz;

	assert_int_equal(bzimage_parse(img, sizeof(img), &bz), err);
	assert_non_null(bz.why);
	assert_non_null(strstr(bz.why, why_part));
	make_image();
}

static void test_refusals(void **state)
{
	struct bzimage bz;

	(void)state;
	make_image();
	/* An ELF or a text file: no header at all. */
	assert_int_equal(bzimage_parse("\177ELF", 4, &bz), -TANDEM_ENOENT);
	img[0x1fe] = 0;
	expect_refused(-TANDEM_ENOENT, "no Linux setup header");
	img[0x205] = 'X';
	expect_refused(-TANDEM_ENOENT, "no Linux setup header");
	put16(img, 0x206, 0x0205);
	expect_refused(-TANDEM_EINVAL, "older than 2.06");
	img[0x211] = 0;
	expect_refused(-TANDEM_EINVAL, "zImage");
	img[0x201] = 0x10; /* header too short for cmdline_size */
	expect_refused(-TANDEM_EINVAL, "setup header length");
	img[0x1f1] = 200; /* setup past the end */
	expect_refused(-TANDEM_EINVAL, "setup sectors");
	put32(img, 0x230, 0x300000);
	expect_refused(-TANDEM_EINVAL, "kernel_alignment");
	put32(img, 0x260, 16);
	expect_refused(-TANDEM_EINVAL, "init_size");
	put64(img, 0x258, 0xfff00000ull);
	expect_refused(-TANDEM_EINVAL, "pref_address");
	put64(img, 0x258, 0x1000);
	expect_refused(-TANDEM_EINVAL, "pref_address");
	put32(img, 0x238, 0);
	expect_refused(-TANDEM_EINVAL, "cmdline_size");
	/* Too short to hold the magic: no header, never a read past. */
	assert_int_equal(bzimage_parse(img, 0x207, &bz), -TANDEM_ENOENT);
	/* setup_sects 0 means 4. */
	img[0x1f1] = 0;
	assert_int_equal(bzimage_parse(img, sizeof(img), &bz), 0);
	assert_int_equal(bz.setup_size, 5 * 512);
}

static const struct bz_e820 map[] = {
	{ 0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0x100000, 0x3ff00000, 1 },
	{ 0x3ffd0000, 0x10000, 3 },
};

static struct bzimage_boot boot_in(void)
{
	return (struct bzimage_boot){
		.load_addr = 0x1000000,
		.cmdline_gpa = 0x101000,
		.initrd_gpa = 0x3f000000,
		.initrd_size = 0x200000,
		.rsdp_gpa = 0x3ffd0000,
		.e820 = map,
		.ne820 = 4,
		.alt_mem_k = 0x3ff00000 >> 10,
	};
}

static void test_zero_page(void **state)
{
	struct bzimage bz;
	struct bzimage_boot in = boot_in();
	const char *why = "x";

	(void)state;
	make_image();
	assert_int_equal(bzimage_parse(img, sizeof(img), &bz), 0);
	memset(zp, 0xcc, sizeof(zp));
	assert_int_equal(bzimage_zero_page(img, &bz, &in, zp, &why), 0);
	assert_null(why);
	/* Zeroed outside what is set. */
	assert_int_equal(zp[0x00], 0);
	assert_int_equal(zp[0x1ef], 0); /* sentinel */
	assert_int_equal(zp[0xfff], 0);
	/* The header as in the image, with the loader's fields. */
	assert_int_equal(get32(zp, 0x202), 0x53726448);
	assert_int_equal(get16(zp, 0x206), 0x020f);
	assert_int_equal(get64(zp, 0x258), 0x1000000);
	assert_int_equal(zp[0x210], 0xff);
	assert_int_equal(get16(zp, 0x1fa), 0xffff);
	assert_int_equal(get32(zp, 0x214), 0x1000000);
	assert_int_equal(get32(zp, 0x228), 0x101000);
	assert_int_equal(get32(zp, 0x218), 0x3f000000);
	assert_int_equal(get32(zp, 0x21c), 0x200000);
	assert_int_equal(get64(zp, 0x070), 0x3ffd0000);
	assert_int_equal(get32(zp, 0x1e0), 0x3ff00000 >> 10);
	/* Nothing after the header comes from the image. */
	assert_int_equal(zp[0x26c], 0);
	/* e820 */
	assert_int_equal(zp[0x1e8], 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(get64(zp, 0x2d0 + i * 20), map[i].addr);
		assert_int_equal(get64(zp, 0x2d0 + i * 20 + 8), map[i].size);
		assert_int_equal(get32(zp, 0x2d0 + i * 20 + 16), map[i].type);
	}
	assert_int_equal(get64(zp, 0x2d0 + 4 * 20), 0);
	/* No screen without a framebuffer. */
	assert_int_equal(zp[0x0f], 0);
}

static void test_rsdp_needs_2_14(void **state)
{
	struct bzimage bz;
	struct bzimage_boot in = boot_in();
	const char *why;

	(void)state;
	make_image();
	put16(img, 0x206, 0x020d);
	assert_int_equal(bzimage_parse(img, sizeof(img), &bz), 0);
	assert_int_equal(bzimage_zero_page(img, &bz, &in, zp, &why), 0);
	assert_int_equal(get64(zp, 0x070), 0);
}

static void test_screens(void **state)
{
	struct bzimage bz;
	struct bzimage_boot in = boot_in();
	struct mb2_framebuffer text = { .addr = 0xb8000,
					.pitch = 160,
					.width = 80,
					.height = 25,
					.bpp = 16,
					.type = MB2_FB_EGA_TEXT };
	struct mb2_framebuffer gop = { .addr = 0x80000000,
				       .pitch = 4096,
				       .width = 1024,
				       .height = 768,
				       .bpp = 32,
				       .type = MB2_FB_RGB,
				       .red_pos = 16,
				       .red_size = 8,
				       .green_pos = 8,
				       .green_size = 8,
				       .blue_pos = 0,
				       .blue_size = 8 };
	const char *why;

	(void)state;
	make_image();
	assert_int_equal(bzimage_parse(img, sizeof(img), &bz), 0);

	in.fb = &text;
	assert_int_equal(bzimage_zero_page(img, &bz, &in, zp, &why), 0);
	assert_int_equal(zp[0x0f], 0x22); /* VIDEO_TYPE_VGAC */
	assert_int_equal(zp[0x06], 3);
	assert_int_equal(zp[0x07], 80);
	assert_int_equal(zp[0x0e], 25);
	assert_int_equal(get16(zp, 0x10), 16);

	in.fb = &gop;
	in.fb_efi = true;
	assert_int_equal(bzimage_zero_page(img, &bz, &in, zp, &why), 0);
	assert_int_equal(zp[0x0f], 0x70); /* VIDEO_TYPE_EFI */
	assert_int_equal(get16(zp, 0x12), 1024);
	assert_int_equal(get16(zp, 0x14), 768);
	assert_int_equal(get16(zp, 0x16), 32);
	assert_int_equal(get32(zp, 0x18), 0x80000000);
	assert_int_equal(get32(zp, 0x1c), 4096 * 768); /* bytes for efifb */
	assert_int_equal(get16(zp, 0x24), 4096);
	assert_int_equal(zp[0x26], 8);
	assert_int_equal(zp[0x27], 16);
	assert_int_equal(zp[0x28], 8);
	assert_int_equal(zp[0x29], 8);
	assert_int_equal(zp[0x2a], 8);
	assert_int_equal(zp[0x2b], 0);
	assert_int_equal(zp[0x2c], 8);
	assert_int_equal(zp[0x2d], 24);
	assert_int_equal(get32(zp, 0x36), 0);

	/* VESA under BIOS: size in 64 KiB units; a base above 4 GiB. */
	gop.addr = 0x800000000ull;
	in.fb_efi = false;
	assert_int_equal(bzimage_zero_page(img, &bz, &in, zp, &why), 0);
	assert_int_equal(zp[0x0f], 0x23); /* VIDEO_TYPE_VLFB */
	assert_int_equal(get32(zp, 0x1c), 4096 * 768 / 65536);
	assert_int_equal(get32(zp, 0x18), 0);
	assert_int_equal(get32(zp, 0x3a), 8);
	assert_int_equal(get32(zp, 0x36), 2); /* VIDEO_CAPABILITY_64BIT_BASE */

	/* Indexed colour: no early screen at all. */
	gop.type = MB2_FB_INDEXED;
	assert_int_equal(bzimage_zero_page(img, &bz, &in, zp, &why), 0);
	assert_int_equal(zp[0x0f], 0);
}

static void test_zero_page_refusals(void **state)
{
	struct bzimage bz;
	struct bz_e820 many[BZ_E820_MAX + 1];
	struct bzimage_boot in = boot_in();
	const char *why;

	(void)state;
	make_image();
	assert_int_equal(bzimage_parse(img, sizeof(img), &bz), 0);
	memset(many, 0, sizeof(many));
	in.e820 = many;
	in.ne820 = BZ_E820_MAX;
	assert_int_equal(bzimage_zero_page(img, &bz, &in, zp, &why), 0);
	assert_int_equal(zp[0x1e8], BZ_E820_MAX);
	in.ne820 = BZ_E820_MAX + 1;
	assert_int_equal(bzimage_zero_page(img, &bz, &in, zp, &why),
			 -TANDEM_E2BIG);
	assert_non_null(strstr(why, "128"));

	in = boot_in();
	in.initrd_gpa = 0x7ff00000; /* ends past initrd_addr_max */
	assert_int_equal(bzimage_zero_page(img, &bz, &in, zp, &why),
			 -TANDEM_EINVAL);
	assert_non_null(strstr(why, "initrd_addr_max"));
	in.initrd_gpa = 0x7fe00000; /* ends exactly at 2 GiB: fits */
	assert_int_equal(bzimage_zero_page(img, &bz, &in, zp, &why), 0);

	in = boot_in();
	in.cmdline_gpa = 0x100000000ull;
	assert_int_equal(bzimage_zero_page(img, &bz, &in, zp, &why),
			 -TANDEM_EINVAL);
	in = boot_in();
	in.load_addr = 0x100000000ull;
	assert_int_equal(bzimage_zero_page(img, &bz, &in, zp, &why),
			 -TANDEM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_debian),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_zero_page),
		cmocka_unit_test(test_rsdp_needs_2_14),
		cmocka_unit_test(test_screens),
		cmocka_unit_test(test_zero_page_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
