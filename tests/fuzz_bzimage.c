/*
 * Fuzz harness for the bzImage parser and zero page writer
 * (kernel/fmt/bzimage.c). Whatever the parser accepts must describe a
 * kernel inside the input, with a header inside its setup part, and the
 * zero page written from it must hold the header as the image has it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/bzimage.h"
#include "fuzz.h"
#include "tandem/errno.h"

static uint8_t zp[BZ_ZERO_PAGE_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bz_e820 map[] = { { 0, 0xa0000, 1 },
					      { 0x100000, 0x7ff00000, 1 } };
	struct bzimage bz;
	struct bzimage_boot in = { .load_addr = 0x1000000,
				   .cmdline_gpa = 0x101000,
				   .initrd_gpa = 0x7f000000,
				   .initrd_size = 0x100000,
				   .e820 = map,
				   .ne820 = 2 };
	const char *why;
	int ret = bzimage_parse(data, size, &bz);

	if (ret) {
		FUZZ_CHECK(ret == -TANDEM_EINVAL || ret == -TANDEM_ENOENT);
		FUZZ_CHECK(bz.why && bz.why[0]);
		return 0;
	}
	FUZZ_CHECK(!bz.why);
	FUZZ_CHECK(bz.version >= BZ_MIN_VERSION);
	FUZZ_CHECK(bz.hdr_end <= bz.setup_size && bz.setup_size < size);
	FUZZ_CHECK(bz.pm_offset == bz.setup_size &&
		   bz.pm_offset + bz.pm_size == size);
	FUZZ_CHECK(bz.init_size >= bz.pm_size);
	FUZZ_CHECK(bz.pref_address >= 0x100000 &&
		   bz.pref_address + bz.init_size <= (UINT64_C(1) << 32));
	FUZZ_CHECK(bz.cmdline_size > 0);

	ret = bzimage_zero_page(data, &bz, &in, zp, &why);
	if (ret) {
		FUZZ_CHECK(ret == -TANDEM_EINVAL && why);
		FUZZ_CHECK(in.initrd_gpa + in.initrd_size - 1 >
			   bz.initrd_addr_max);
		return 0;
	}
	FUZZ_CHECK(!memcmp(zp + 0x202, data + 0x202, 8)); /* magic, version */
	FUZZ_CHECK(zp[0x1e8] == 2 && zp[0x210] == BZ_LOADER_UNKNOWN);
	for (size_t i = bz.hdr_end; i < 0x2d0; i++)
		FUZZ_CHECK(zp[i] == 0 || i == 0x1e8);
	return 0;
}

/* Seeds: the header of Debian 12's kernel (see tests/test_bzimage.c), and
 * one with an older protocol. */
size_t fuzz_seed(unsigned idx, uint8_t *buf, size_t cap)
{
	const size_t size = 5 * 512 + 2048; /* the driver's inputs are small */

	if (idx > 1 || cap < size)
		return 0;
	memset(buf, 0, size);
	buf[0x1f1] = idx ? 0 : 4; /* 0 means 4 */
	buf[0x1fe] = 0x55;
	buf[0x1ff] = 0xaa;
	buf[0x200] = 0xeb;
	buf[0x201] = 0x6a;
	memcpy(buf + 0x202, "HdrS", 4);
	buf[0x206] = idx ? 0x06 : 0x0f;
	buf[0x207] = 0x02;
	buf[0x211] = 1;
	buf[0x22c] = 0xff;
	buf[0x22d] = 0xff;
	buf[0x22e] = 0xff;
	buf[0x22f] = 0x7f;
	buf[0x232] = 0x20; /* alignment 0x200000 */
	buf[0x234] = 1;
	buf[0x236] = 0x7f;
	buf[0x238] = 0xff;
	buf[0x239] = 0x07;
	buf[0x25b] = 0x01; /* pref_address 0x1000000 */
	buf[0x262] = 0xf9; /* init_size 0x3f90000 */
	buf[0x263] = 0x03;
	memset(buf + 5 * 512, 0x90, 2048);
	return size;
}
