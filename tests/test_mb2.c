/*
 * Host unit tests for kernel/fmt/mb2.c: builder/parser round trip and every
 * validation rule of the parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fmt/mb2.h"
#include "tandem/errno.h"

#define BUF_WORDS 2048
static uint64_t buf[BUF_WORDS]; /* 8-byte aligned, as the spec requires */
static struct mb2_info info;

static uint8_t *bytes(void)
{
	return (uint8_t *)buf;
}

static void put32(size_t off, uint32_t v)
{
	memcpy(bytes() + off, &v, 4);
}

static struct mb2_builder start(void)
{
	struct mb2_builder b;

	memset(buf, 0xa5, sizeof(buf));
	mb2b_init(&b, buf, sizeof(buf));
	return b;
}

static int finish_and_parse(struct mb2_builder *b)
{
	int total = mb2b_finish(b);

	assert_true(total > 0);
	return mb2_parse(buf, (size_t)total, &info);
}

static void expect_fail(int total, const char *reason)
{
	assert_int_equal(mb2_parse(buf, (size_t)total, &info), -TANDEM_EINVAL);
	assert_non_null(info.why);
	assert_string_equal(info.why, reason);
}

static void test_round_trip(void **state)
{
	static const struct mb2_mmap_entry mm[] = {
		{ 0x0, 0x9fc00, MB2_MMAP_AVAILABLE, 0 },
		{ 0x9fc00, 0x400, MB2_MMAP_RESERVED, 0 },
		{ 0x100000, 0x7ee0000, MB2_MMAP_AVAILABLE, 0 },
		{ 0x7fe0000, 0x20000, MB2_MMAP_ACPI_RECLAIMABLE, 0 },
	};
	uint8_t rsdp1[20], rsdp2[36];
	uint64_t systab = 0x7f9e018ull;
	uint32_t load_base = 0x200000;
	struct mb2_framebuffer fb = { 0xfd000000, 4096,	      1024, 768,
				      32,	  MB2_FB_RGB, 16,   8,
				      8,	  8,	      0,    8 };
	struct mb2_builder b = start();
	(void)state;

	memset(rsdp1, 1, sizeof(rsdp1));
	memset(rsdp2, 2, sizeof(rsdp2));
	assert_int_equal(mb2b_cmdline(&b, "console=serial debug", 20), 0);
	assert_int_equal(mb2b_loader_name(&b, "GRUB 2.06", 9), 0);
	assert_int_equal(mb2b_basic_meminfo(&b, 639, 130048), 0);
	assert_int_equal(mb2b_mmap(&b, mm, 4), 0);
	assert_int_equal(mb2b_module(&b, 0x1000000, 0x1010000, "ros quiet", 9),
			 0);
	assert_int_equal(mb2b_module(&b, 0x1010000, 0x1010000, "", 0), 0);
	assert_int_equal(mb2b_rsdp(&b, false, rsdp1, sizeof(rsdp1)), 0);
	assert_int_equal(mb2b_rsdp(&b, true, rsdp2, sizeof(rsdp2)), 0);
	assert_int_equal(mb2b_framebuffer(&b, &fb), 0);
	assert_int_equal(mb2b_raw_tag(&b, MB2_TAG_EFI64, &systab, 8), 0);
	assert_int_equal(mb2b_raw_tag(&b, MB2_TAG_LOAD_BASE_ADDR, &load_base, 4),
			 0);
	assert_int_equal(mb2b_raw_tag(&b, 0x1234, "unknown", 7), 0);
	assert_int_equal(finish_and_parse(&b), 0);

	assert_null(info.why);
	assert_int_equal(info.warnings, 0);
	assert_int_equal(info.cmdline_len, 20);
	assert_memory_equal(info.cmdline, "console=serial debug", 21);
	assert_int_equal(info.loader_name_len, 9);
	assert_string_equal(info.loader_name, "GRUB 2.06");
	assert_true(info.has_meminfo);
	assert_int_equal(info.mem_lower_kib, 639);
	assert_int_equal(info.mem_upper_kib, 130048);
	assert_true(info.has_mmap);
	assert_int_equal(info.mmap_count, 4);
	assert_int_equal(info.mmap_listed, 4);
	assert_memory_equal(info.mmap, mm, sizeof(mm));
	assert_int_equal(mb2_mmap_total_ram(&info), 0x9fc00 + 0x7ee0000);
	assert_int_equal(info.nmodules, 2);
	assert_int_equal(info.modules[0].start, 0x1000000);
	assert_int_equal(info.modules[0].end, 0x1010000);
	assert_string_equal(info.modules[0].string, "ros quiet");
	assert_int_equal(info.modules[0].string_len, 9);
	assert_int_equal(info.modules[1].string_len, 0);
	assert_true(info.rsdp_is_new);
	assert_int_equal(info.rsdp_len, 36);
	assert_memory_equal(info.rsdp, rsdp2, 36);
	assert_true(info.has_framebuffer);
	assert_int_equal(info.fb.addr, 0xfd000000);
	assert_int_equal(info.fb.pitch, 4096);
	assert_int_equal(info.fb.width, 1024);
	assert_int_equal(info.fb.height, 768);
	assert_int_equal(info.fb.bpp, 32);
	assert_int_equal(info.fb.type, MB2_FB_RGB);
	assert_int_equal(info.fb.red_pos, 16);
	assert_int_equal(info.fb.blue_size, 8);
	assert_int_equal(info.firmware, MB2_FW_UEFI);
	assert_int_equal(info.efi_system_table, systab);
	assert_false(info.efi_boot_services);
	assert_true(info.has_load_base);
	assert_int_equal(info.load_base, load_base);
}

static void test_minimal_block(void **state)
{
	struct mb2_builder b = start();
	(void)state;

	assert_int_equal(mb2b_finish(&b), 16);
	assert_int_equal(mb2_parse(buf, 16, &info), 0);
	assert_null(info.cmdline);
	assert_null(info.loader_name);
	assert_null(info.rsdp);
	assert_false(info.has_mmap);
	assert_false(info.has_framebuffer);
	assert_int_equal(info.firmware, MB2_FW_BIOS);
	assert_int_equal(mb2_mmap_total_ram(&info), 0);
}

static void test_header_checks(void **state)
{
	struct mb2_builder b = start();
	(void)state;

	assert_int_equal(mb2b_finish(&b), 16);
	assert_int_equal(mb2_parse(buf, 7, &info), -TANDEM_EINVAL);
	assert_string_equal(info.why, "boot info shorter than its 8-byte header");
	assert_int_equal(mb2_parse(buf, 15, &info), -TANDEM_EINVAL);
	assert_string_equal(info.why,
			    "boot info total_size exceeds readable memory");
	assert_int_equal(mb2_parse(bytes() + 4, 16, &info), -TANDEM_EINVAL);
	assert_string_equal(info.why, "boot info not 8-byte aligned");
	assert_int_equal(mb2_parse(NULL, 16, &info), -TANDEM_EINVAL);
	put32(0, 8);
	expect_fail(16, "boot info total_size below 16");
	put32(0, 0xfffffff8u);
	expect_fail(16, "boot info total_size exceeds readable memory");
}

static void test_missing_end_tag(void **state)
{
	struct mb2_builder b = start();
	int total;
	(void)state;

	mb2b_cmdline(&b, "x", 1);
	total = mb2b_finish(&b);
	assert_int_equal(total, 32);
	/* Cut the end tag off by shrinking total_size. */
	put32(0, 24);
	expect_fail(24, "missing end tag");
	/* Turn the end tag into an unknown tag: the walk runs off the end. */
	put32(0, 32);
	put32(24, 99);
	expect_fail(32, "missing end tag");
	/* End tag with the wrong size. */
	put32(24, 0);
	put32(28, 16);
	expect_fail(32, "tag runs past total_size");
	put32(0, 40);
	put32(32, 0);
	put32(36, 0);
	expect_fail(40, "end tag size is not 8");
}

static void test_bad_tag_sizes(void **state)
{
	struct mb2_builder b = start();
	int total;
	(void)state;

	mb2b_cmdline(&b, "abc", 3);
	total = mb2b_finish(&b);
	put32(12, 4); /* below the 8-byte tag header */
	expect_fail(total, "tag size below 8");
	put32(12, 0x1000); /* oversized: runs past total_size */
	expect_fail(total, "tag runs past total_size");
	put32(12, 0xffffffffu);
	expect_fail(total, "tag runs past total_size");
	put32(12, 17); /* padding then swallows the end tag */
	expect_fail(total, "missing end tag");
}

static void test_strings_need_nul(void **state)
{
	struct mb2_builder b = start();
	uint8_t mod[12] = { 0, 0, 1, 0, 0, 0, 2, 0, 'r', 'o', 's', '!' };
	(void)state;

	mb2b_raw_tag(&b, MB2_TAG_CMDLINE, "abc", 3);
	expect_fail(mb2b_finish(&b), "command line not NUL-terminated");

	b = start();
	mb2b_raw_tag(&b, MB2_TAG_CMDLINE, "", 0);
	expect_fail(mb2b_finish(&b), "command line not NUL-terminated");

	b = start();
	mb2b_raw_tag(&b, MB2_TAG_LOADER_NAME, "GRUB", 4);
	expect_fail(mb2b_finish(&b), "boot loader name not NUL-terminated");

	b = start();
	mb2b_raw_tag(&b, MB2_TAG_MODULE, mod, sizeof(mod));
	expect_fail(mb2b_finish(&b), "module string not NUL-terminated");

	b = start();
	mb2b_raw_tag(&b, MB2_TAG_MODULE, mod, 8);
	expect_fail(mb2b_finish(&b), "module tag too short");

	/* A NUL inside the payload ends the string early; that is fine. */
	b = start();
	mb2b_raw_tag(&b, MB2_TAG_CMDLINE, "ab\0cd", 5);
	assert_int_equal(finish_and_parse(&b), 0);
	assert_int_equal(info.cmdline_len, 2);
}

static void test_module_order(void **state)
{
	struct mb2_builder b = start();
	uint8_t mod[9] = { 0, 0, 2, 0, 0, 0, 1, 0, 0 }; /* end < start */
	(void)state;

	assert_int_equal(mb2b_module(&b, 2, 1, "x", 1), -TANDEM_EINVAL);
	b = start();
	mb2b_raw_tag(&b, MB2_TAG_MODULE, mod, sizeof(mod));
	expect_fail(mb2b_finish(&b), "module ends before it starts");
}

static void test_too_many_modules(void **state)
{
	struct mb2_builder b = start();
	uint32_t i;
	(void)state;

	for (i = 0; i < MB2_MAX_MODULES + 3; i++)
		assert_int_equal(mb2b_module(&b, i * 0x1000, i * 0x1000 + 0x800,
					     "m", 1),
				 0);
	assert_int_equal(finish_and_parse(&b), 0);
	assert_int_equal(info.nmodules, MB2_MAX_MODULES);
	assert_int_equal(info.modules_listed, MB2_MAX_MODULES + 3);
	assert_true(info.warnings & MB2_WARN_MODULES_TRUNCATED);
	assert_non_null(info.warning);
	assert_int_equal(info.modules[15].start, 15 * 0x1000);
}

static void test_mmap_entry_size(void **state)
{
	uint8_t payload[8 + 2 * 32];
	uint32_t v;
	uint64_t q;
	struct mb2_builder b;
	(void)state;

	/* entry_size 32: a future, larger entry; the stride must be honoured. */
	memset(payload, 0xee, sizeof(payload));
	v = 32;
	memcpy(payload, &v, 4);
	v = 0;
	memcpy(payload + 4, &v, 4);
	q = 0x100000;
	memcpy(payload + 8, &q, 8);
	q = 0x200000;
	memcpy(payload + 16, &q, 8);
	v = 1;
	memcpy(payload + 24, &v, 4);
	q = 0x400000;
	memcpy(payload + 40, &q, 8);
	q = 0x1000;
	memcpy(payload + 48, &q, 8);
	v = 2;
	memcpy(payload + 56, &v, 4);
	b = start();
	mb2b_raw_tag(&b, MB2_TAG_MMAP, payload, sizeof(payload));
	assert_int_equal(finish_and_parse(&b), 0);
	assert_int_equal(info.mmap_count, 2);
	assert_int_equal(info.mmap[0].base, 0x100000);
	assert_int_equal(info.mmap[0].length, 0x200000);
	assert_int_equal(info.mmap[0].type, 1);
	assert_int_equal(info.mmap[1].base, 0x400000);
	assert_int_equal(info.mmap[1].type, 2);

	v = 16;
	memcpy(payload, &v, 4);
	b = start();
	mb2b_raw_tag(&b, MB2_TAG_MMAP, payload, sizeof(payload));
	expect_fail(mb2b_finish(&b), "memory map entry_size below 24");

	v = 28;
	memcpy(payload, &v, 4);
	b = start();
	mb2b_raw_tag(&b, MB2_TAG_MMAP, payload, sizeof(payload));
	expect_fail(mb2b_finish(&b), "memory map entry_size not a multiple of 8");

	v = 24;
	memcpy(payload, &v, 4);
	b = start();
	mb2b_raw_tag(&b, MB2_TAG_MMAP, payload, 8 + 30);
	expect_fail(mb2b_finish(&b),
		    "memory map tag size not a multiple of entry_size");

	b = start();
	mb2b_raw_tag(&b, MB2_TAG_MMAP, payload, 4);
	expect_fail(mb2b_finish(&b), "memory map tag too short");

	/* Zero entries is a valid, if useless, map. */
	b = start();
	mb2b_mmap(&b, NULL, 0);
	assert_int_equal(finish_and_parse(&b), 0);
	assert_true(info.has_mmap);
	assert_int_equal(info.mmap_count, 0);
}

static void test_mmap_overflow_is_warning(void **state)
{
	static struct mb2_mmap_entry mm[MB2_MAX_MMAP + 10];
	struct mb2_builder b = start();
	size_t i;
	(void)state;

	for (i = 0; i < MB2_MAX_MMAP + 10; i++) {
		mm[i].base = i * 0x10000;
		mm[i].length = 0x8000;
		mm[i].type = MB2_MMAP_AVAILABLE;
	}
	assert_int_equal(mb2b_mmap(&b, mm, MB2_MAX_MMAP + 10), 0);
	assert_int_equal(finish_and_parse(&b), 0);
	assert_int_equal(info.mmap_count, MB2_MAX_MMAP);
	assert_int_equal(info.mmap_listed, MB2_MAX_MMAP + 10);
	assert_int_equal(info.warnings, MB2_WARN_MMAP_TRUNCATED);
	assert_int_equal(info.mmap[MB2_MAX_MMAP - 1].base,
			 (MB2_MAX_MMAP - 1) * 0x10000);
	assert_int_equal(mb2_mmap_total_ram(&info), MB2_MAX_MMAP * 0x8000ull);
}

static void test_total_ram_saturates(void **state)
{
	static const struct mb2_mmap_entry mm[] = {
		{ 0, 0xffffffffffff0000ull, 1, 0 },
		{ 0, 0x20000, 1, 0 },
	};
	struct mb2_builder b = start();
	(void)state;

	mb2b_mmap(&b, mm, 2);
	assert_int_equal(finish_and_parse(&b), 0);
	assert_int_equal(mb2_mmap_total_ram(&info), UINT64_MAX);
}

static void test_duplicates(void **state)
{
	struct mb2_builder b = start();
	(void)state;

	mb2b_cmdline(&b, "a", 1);
	mb2b_cmdline(&b, "b", 1);
	expect_fail(mb2b_finish(&b), "duplicate command line tag");

	b = start();
	mb2b_basic_meminfo(&b, 1, 2);
	mb2b_basic_meminfo(&b, 1, 2);
	expect_fail(mb2b_finish(&b), "duplicate basic meminfo tag");
}

static void test_rsdp_tags(void **state)
{
	uint8_t r[36] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };
	struct mb2_builder b = start();
	(void)state;

	mb2b_rsdp(&b, false, r, 20);
	assert_int_equal(finish_and_parse(&b), 0);
	assert_false(info.rsdp_is_new);
	assert_int_equal(info.rsdp_len, 20);
	assert_memory_equal(info.rsdp, r, 20);

	b = start();
	mb2b_raw_tag(&b, MB2_TAG_ACPI_OLD, r, 19);
	expect_fail(mb2b_finish(&b), "ACPI old RSDP tag too short");

	b = start();
	mb2b_raw_tag(&b, MB2_TAG_ACPI_NEW, r, 20);
	expect_fail(mb2b_finish(&b), "ACPI new RSDP tag too short");

	b = start();
	assert_int_equal(mb2b_rsdp(&b, true, r, 20), -TANDEM_EINVAL);
}

static void test_framebuffer(void **state)
{
	struct mb2_framebuffer fb = { 0xb8000, 160, 80, 25, 16, MB2_FB_EGA_TEXT,
				      0,       0,   0,	0,  0,	0 };
	uint8_t raw[30];
	struct mb2_builder b = start();
	(void)state;

	mb2b_framebuffer(&b, &fb);
	assert_int_equal(finish_and_parse(&b), 0);
	assert_true(info.has_framebuffer);
	assert_int_equal(info.fb.type, MB2_FB_EGA_TEXT);
	assert_int_equal(info.fb.width, 80);

	memset(raw, 0, sizeof(raw));
	raw[21] = MB2_FB_RGB;
	b = start();
	mb2b_raw_tag(&b, MB2_TAG_FRAMEBUFFER, raw, 24);
	expect_fail(mb2b_finish(&b), "framebuffer tag lacks RGB colour info");

	b = start();
	mb2b_raw_tag(&b, MB2_TAG_FRAMEBUFFER, raw, 20);
	expect_fail(mb2b_finish(&b), "framebuffer tag too short");
}

static void test_firmware_detection(void **state)
{
	static const uint32_t efi_tags[] = {
		MB2_TAG_EFI32,	MB2_TAG_EFI64,	  MB2_TAG_EFI_MMAP,
		MB2_TAG_EFI_BS, MB2_TAG_EFI32_IH, MB2_TAG_EFI64_IH,
	};
	uint8_t payload[16];
	size_t i;
	(void)state;

	memset(payload, 0, sizeof(payload));
	for (i = 0; i < sizeof(efi_tags) / sizeof(efi_tags[0]); i++) {
		struct mb2_builder b = start();

		mb2b_raw_tag(&b, efi_tags[i], payload,
			     efi_tags[i] == MB2_TAG_EFI_BS ? 0 : 16);
		assert_int_equal(finish_and_parse(&b), 0);
		assert_int_equal(info.firmware, MB2_FW_UEFI);
		assert_int_equal(info.efi_boot_services,
				 efi_tags[i] == MB2_TAG_EFI_BS);
	}
	{
		struct mb2_builder b = start();

		mb2b_raw_tag(&b, MB2_TAG_EFI64, payload, 4);
		expect_fail(mb2b_finish(&b), "EFI64 system table tag too short");
	}
}

static void test_builder_overflow(void **state)
{
	uint64_t small[9];
	struct mb2_builder b;
	uint8_t *canary = (uint8_t *)small + 32;
	static const struct mb2_mmap_entry mm[4];
	(void)state;

	memset(small, 0x5a, sizeof(small));
	mb2b_init(&b, small, 32);
	assert_int_equal(mb2b_cmdline(&b, "12345678", 8), 0); /* 8 + 9 -> 24 */
	assert_int_equal(mb2b_cmdline(&b, "1", 1), -TANDEM_E2BIG);
	assert_int_equal(mb2b_mmap(&b, mm, 4), -TANDEM_E2BIG); /* sticky */
	assert_int_equal(mb2b_finish(&b), -TANDEM_E2BIG);
	for (size_t i = 0; i < 40; i++)
		assert_int_equal(canary[i], 0x5a);

	/* Exactly full: 8 header + 16 cmdline + 8 end tag = 32. */
	mb2b_init(&b, small, 32);
	assert_int_equal(mb2b_cmdline(&b, "1234567", 7), 0);
	assert_int_equal(mb2b_finish(&b), 32);
	assert_int_equal(mb2_parse(small, 32, &info), 0);
	assert_string_equal(info.cmdline, "1234567");
	for (size_t i = 0; i < 40; i++)
		assert_int_equal(canary[i], 0x5a);

	mb2b_init(&b, small, 4);
	assert_int_equal(mb2b_finish(&b), -TANDEM_E2BIG);
	mb2b_init(&b, NULL, 64);
	assert_int_equal(mb2b_finish(&b), -TANDEM_EINVAL);
	mb2b_init(&b, small, 32);
	assert_int_equal(mb2b_mmap(&b, mm, SIZE_MAX / 8), -TANDEM_E2BIG);
}

static void test_builder_bad_args(void **state)
{
	struct mb2_builder b = start();
	(void)state;

	assert_int_equal(mb2b_raw_tag(&b, MB2_TAG_END, NULL, 0), -TANDEM_EINVAL);
	assert_int_equal(mb2b_finish(&b), -TANDEM_EINVAL);
	b = start();
	assert_int_equal(mb2b_cmdline(&b, "a\0b", 3), -TANDEM_EINVAL);
	b = start();
	assert_int_equal(mb2b_cmdline(&b, NULL, 3), -TANDEM_EINVAL);
	b = start();
	assert_int_equal(mb2b_framebuffer(&b, NULL), -TANDEM_EINVAL);
	b = start();
	assert_int_equal(mb2b_raw_tag(&b, 77, NULL, 0),
			 0); /* empty payload is fine */
	assert_int_equal(finish_and_parse(&b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_minimal_block),
		cmocka_unit_test(test_header_checks),
		cmocka_unit_test(test_missing_end_tag),
		cmocka_unit_test(test_bad_tag_sizes),
		cmocka_unit_test(test_strings_need_nul),
		cmocka_unit_test(test_module_order),
		cmocka_unit_test(test_too_many_modules),
		cmocka_unit_test(test_mmap_entry_size),
		cmocka_unit_test(test_mmap_overflow_is_warning),
		cmocka_unit_test(test_total_ram_saturates),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_rsdp_tags),
		cmocka_unit_test(test_framebuffer),
		cmocka_unit_test(test_firmware_detection),
		cmocka_unit_test(test_builder_overflow),
		cmocka_unit_test(test_builder_bad_args),
	};

	return cmocka_run_group_tests_name("mb2", tests, NULL, NULL);
}
