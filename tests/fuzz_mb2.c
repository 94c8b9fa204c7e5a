/*
 * Fuzz harness for the Multiboot2 parser. Whatever parses must also
 * survive a round trip: rebuilt with the builder, it parses to the same
 * values.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fmt/mb2.h"

static bool inside(const void *p, size_t n, const uint8_t *data, size_t size)
{
	const uint8_t *b = p;

	return b >= data && n <= size && (size_t)(b - data) <= size - n;
}

static void check_invariants(const struct mb2_info *in, const uint8_t *data,
			     size_t size)
{
	size_t i;

	FUZZ_CHECK(!in->why);
	FUZZ_CHECK(in->mmap_count <= MB2_MAX_MMAP &&
		   in->mmap_count <= in->mmap_listed);
	FUZZ_CHECK(in->nmodules <= MB2_MAX_MODULES &&
		   in->nmodules <= in->modules_listed);
	FUZZ_CHECK(!!(in->warnings & MB2_WARN_MMAP_TRUNCATED) ==
		   (in->mmap_listed > MB2_MAX_MMAP));
	if (in->cmdline) {
		FUZZ_CHECK(inside(in->cmdline, in->cmdline_len + 1, data, size));
		FUZZ_CHECK(in->cmdline[in->cmdline_len] == 0);
	}
	if (in->loader_name) {
		FUZZ_CHECK(inside(in->loader_name, in->loader_name_len + 1,
				  data, size));
		FUZZ_CHECK(in->loader_name[in->loader_name_len] == 0);
	}
	for (i = 0; i < in->nmodules; i++) {
		const struct mb2_module *m = &in->modules[i];
		FUZZ_CHECK(m->end >= m->start);
		FUZZ_CHECK(inside(m->string, m->string_len + 1, data, size));
		FUZZ_CHECK(m->string[m->string_len] == 0);
	}
	if (in->rsdp) {
		FUZZ_CHECK(inside(in->rsdp, in->rsdp_len, data, size));
		FUZZ_CHECK(in->rsdp_len >= (in->rsdp_is_new ? 36u : 20u));
	}
	(void)mb2_mmap_total_ram(in);
}

/* Rebuild what was parsed and check that it parses to the same values. */
static void round_trip(const struct mb2_info *a)
{
	static uint64_t buf[4096];
	static struct mb2_info b;
	struct mb2_builder bld;
	size_t i;
	int total;

	mb2b_init(&bld, buf, sizeof(buf));
	if (a->cmdline)
		mb2b_cmdline(&bld, a->cmdline, a->cmdline_len);
	if (a->loader_name)
		mb2b_loader_name(&bld, a->loader_name, a->loader_name_len);
	if (a->has_meminfo)
		mb2b_basic_meminfo(&bld, a->mem_lower_kib, a->mem_upper_kib);
	if (a->has_mmap)
		mb2b_mmap(&bld, a->mmap, a->mmap_count);
	for (i = 0; i < a->nmodules; i++)
		mb2b_module(&bld, a->modules[i].start, a->modules[i].end,
			    a->modules[i].string, a->modules[i].string_len);
	if (a->rsdp)
		mb2b_rsdp(&bld, a->rsdp_is_new, a->rsdp, a->rsdp_len);
	if (a->has_framebuffer)
		mb2b_framebuffer(&bld, &a->fb);
	if (a->has_load_base)
		mb2b_raw_tag(&bld, MB2_TAG_LOAD_BASE_ADDR, &a->load_base, 4);
	total = mb2b_finish(&bld);
	if (total < 0)
		return; /* more than the buffer holds: nothing to compare */

	FUZZ_CHECK(mb2_parse(buf, (size_t)total, &b) == 0);
	FUZZ_CHECK(b.cmdline_len == a->cmdline_len && !b.cmdline == !a->cmdline);
	FUZZ_CHECK(!a->cmdline ||
		   memcmp(a->cmdline, b.cmdline, a->cmdline_len) == 0);
	FUZZ_CHECK(b.loader_name_len == a->loader_name_len);
	FUZZ_CHECK(b.has_meminfo == a->has_meminfo &&
		   b.mem_upper_kib == a->mem_upper_kib &&
		   b.mem_lower_kib == a->mem_lower_kib);
	FUZZ_CHECK(b.has_mmap == a->has_mmap && b.mmap_count == a->mmap_count);
	for (i = 0; i < a->mmap_count; i++)
		FUZZ_CHECK(b.mmap[i].base == a->mmap[i].base &&
			   b.mmap[i].length == a->mmap[i].length &&
			   b.mmap[i].type == a->mmap[i].type);
	FUZZ_CHECK(b.nmodules == a->nmodules);
	for (i = 0; i < a->nmodules; i++)
		FUZZ_CHECK(b.modules[i].start == a->modules[i].start &&
			   b.modules[i].end == a->modules[i].end &&
			   b.modules[i].string_len == a->modules[i].string_len &&
			   memcmp(b.modules[i].string, a->modules[i].string,
				  a->modules[i].string_len) == 0);
	FUZZ_CHECK(b.rsdp_len == a->rsdp_len && b.rsdp_is_new == a->rsdp_is_new);
	FUZZ_CHECK(!a->rsdp || memcmp(a->rsdp, b.rsdp, a->rsdp_len) == 0);
	FUZZ_CHECK(b.has_framebuffer == a->has_framebuffer);
	FUZZ_CHECK(b.fb.addr == a->fb.addr && b.fb.pitch == a->fb.pitch &&
		   b.fb.width == a->fb.width && b.fb.height == a->fb.height &&
		   b.fb.bpp == a->fb.bpp && b.fb.type == a->fb.type &&
		   b.fb.red_pos == a->fb.red_pos &&
		   b.fb.blue_size == a->fb.blue_size);
	FUZZ_CHECK(b.has_load_base == a->has_load_base &&
		   b.load_base == a->load_base);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mb2_info info;

	/* The parser rightly refuses misaligned blocks; malloc'd data is aligned. */
	if (mb2_parse(data, size, &info) == 0) {
		check_invariants(&info, data, size);
		round_trip(&info);
	} else {
		FUZZ_CHECK(info.why && info.why[0]);
	}
	return 0;
}

size_t fuzz_seed(unsigned idx, uint8_t *buf, size_t cap)
{
	static const struct mb2_mmap_entry mm[] = {
		{ 0, 0x9fc00, 1, 0 },	       { 0x9fc00, 0x400, 2, 0 },
		{ 0xf0000, 0x10000, 2, 0 },    { 0x100000, 0x7ee0000, 1, 0 },
		{ 0xfffc0000, 0x40000, 2, 0 },
	};
	static const struct mb2_framebuffer fb = {
		0xfd000000, 4096, 1024, 768, 32, MB2_FB_RGB, 16, 8, 8, 8, 0, 8,
	};
	uint8_t rsdp[36] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };
	uint64_t systab = 0x7f9e018;
	uint32_t base = 0x200000;
	struct mb2_builder b;
	int total;

	static struct mb2_mmap_entry many[MB2_MAX_MMAP + 2];
	unsigned i;

	if (idx > 3 || ((uintptr_t)buf & 7))
		return 0;
	mb2b_init(&b, buf, cap);
	switch (idx) {
	case 0: /* GRUB on a BIOS machine */
		mb2b_cmdline(&b, "debug cpus=2", 12);
		mb2b_loader_name(&b, "GRUB 2.06", 9);
		mb2b_module(&b, 0x1000000, 0x1040000, "ros", 3);
		mb2b_module(&b, 0x1040000, 0x1080000, "hrt", 3);
		mb2b_basic_meminfo(&b, 639, 130048);
		mb2b_mmap(&b, mm, 5);
		mb2b_rsdp(&b, false, rsdp, 20);
		mb2b_framebuffer(&b, &fb);
		break;
	case 1: /* GRUB on UEFI */
		mb2b_cmdline(&b, "", 0);
		mb2b_raw_tag(&b, MB2_TAG_EFI64, &systab, 8);
		mb2b_mmap(&b, mm, 4);
		mb2b_rsdp(&b, true, rsdp, 36);
		mb2b_raw_tag(&b, MB2_TAG_EFI_BS, NULL, 0);
		mb2b_raw_tag(&b, MB2_TAG_LOAD_BASE_ADDR, &base, 4);
		break;
	case 2: /* more modules and memory map entries than fit */
		for (i = 0; i < MB2_MAX_MMAP + 2; i++) {
			many[i].base = (uint64_t)i << 20;
			many[i].length = 1u << 19;
			many[i].type = 1 + i % 3;
		}
		mb2b_mmap(&b, many, MB2_MAX_MMAP + 2);
		for (i = 0; i < MB2_MAX_MODULES + 1; i++)
			mb2b_module(&b, i << 16, (i << 16) + 0x8000, "m", 1);
		break;
	default: /* minimal */
		break;
	}
	total = mb2b_finish(&b);
	return total > 0 ? (size_t)total : 0;
}
