/*
 * Host unit tests for kernel/fmt/jh_cell.c: Jailhouse cell descriptions
 * (rules J1 - J12 of fmt/jh_cell.h). A description laid out like
 * Jailhouse's configs/x86/apic-demo.c, then one crafted description per
 * rule, each expected to give exactly that rule's error (code, text and
 * index); the translations of good descriptions then go through Tandem's
 * own validator, as Cell Create does. Every description is translated
 * from a heap copy of exactly its size, so AddressSanitizer catches a
 * read outside it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cell/config_check.h"
#include "fmt/jh_cell.h"
#include "tandem/errno.h"

#define KIB  UINT64_C(0x400)
#define MIB  UINT64_C(0x100000)
#define GIB  UINT64_C(0x40000000)
#define JRWX (JH_MEM_READ | JH_MEM_WRITE | JH_MEM_EXECUTE)
#define JRW  (JH_MEM_READ | JH_MEM_WRITE)

_Static_assert(JH_CELL_MAX_MEM == CELL_CONFIG_MAX_MEM, "J2 agrees");
_Static_assert(JH_CELL_MAX_PIO == CELL_CONFIG_MAX_PIO, "J2 agrees");

/* The machine for the validator: RAM [0, 2 GiB), Tandem at the top, the
 * root cell's RAM [1 MiB, 1536 MiB); CPUs 0-3, 0 calls, 3 free, 1 and 2
 * run root code. A cell "other" owns ports 0x60-0x64. */
static const struct cfg_range machine_ram[] = { { 0, 2 * GIB } };
static const struct cfg_range root_ram[] = { { MIB, 1535 * MIB } };
static const struct cfg_range cells_pio[] = { { 0x60, 5 } };
static const char *const names[] = { "root", "other" };
static const struct cell_config_ctx ctx = {
	.online_cpus = 0xf,
	.caller_cpu = 0,
	.root_running_cpus = 0x7,
	.root_ram = root_ram,
	.n_root_ram = 1,
	.machine_ram = machine_ram,
	.n_machine_ram = 1,
	.cells_pio = cells_pio,
	.n_cells_pio = 1,
	.names = names,
	.n_names = 2,
};

/* The description's parts, laid out by pack(). */
static struct jh_cell_desc h;
static uint8_t cpus[64];
static struct jh_memory jmem[JH_CELL_MAX_MEM + 2];
static struct jh_cache jcache[4];
static struct jh_pio jpio[JH_CELL_MAX_PIO + 2];
static uint8_t desc[2 * JH_CELL_CONFIG_MAX];
static size_t desc_len;

static uint64_t out_words[JH_CELL_TRANSLATION_MAX / 8 + 1];
static struct tandem_cell_desc *const out = (struct tandem_cell_desc *)out_words;
static size_t out_len;
static struct jh_cell_info info;
static struct jh_cell_error err;

static void put(size_t *at, const void *src, uint64_t n)
{
	if (*at + n <= sizeof(desc)) {
		if (src)
			memcpy(desc + *at, src, n);
		else
			memset(desc + *at, 0, n);
	}
	*at += n;
}

/* Lays the parts out in Jailhouse's order; returns the size (the arrays
 * the tests leave zero are zero bytes). */
static size_t pack(void)
{
	size_t at = 0;
	uint64_t n;

	memset(desc, 0, sizeof(desc));
	put(&at, &h, sizeof(h));
	put(&at, h.cpu_set_size <= sizeof(cpus) ? cpus : NULL, h.cpu_set_size);
	n = h.num_memory_regions;
	put(&at, n <= JH_CELL_MAX_MEM + 2 ? jmem : NULL, n * sizeof(jmem[0]));
	n = h.num_cache_regions;
	put(&at, n <= 4 ? jcache : NULL, n * sizeof(jcache[0]));
	put(&at, NULL, (uint64_t)h.num_irqchips * sizeof(struct jh_irqchip));
	n = h.num_pio_regions;
	put(&at, n <= JH_CELL_MAX_PIO + 2 ? jpio : NULL, n * sizeof(jpio[0]));
	put(&at, NULL, (uint64_t)h.num_pci_devices * JH_PCI_DEVICE_SIZE);
	put(&at, NULL, (uint64_t)h.num_pci_caps * JH_PCI_CAPABILITY_SIZE);
	put(&at, NULL, (uint64_t)h.num_stream_ids * JH_STREAM_ID_SIZE);
	desc_len = at <= sizeof(desc) ? at : sizeof(desc);
	return desc_len;
}

/* Translates the first @len bytes of desc from an exact heap copy. */
static int translate_len(size_t len)
{
	void *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, desc, len);
	memset(out_words, 0xa5, sizeof(out_words));
	memset(&info, 0x5a, sizeof(info));
	out_len = 0;
	ret = jh_cell_translate(copy, len, out, sizeof(out_words), &out_len,
				&info, &err);
	free(copy);
	return ret;
}

static int translate(void)
{
	return translate_len(pack());
}

static int validate(void)
{
	struct cell_config_error e;

	return cell_config_validate(out, out_len, &ctx, &e);
}

/* Like apic-demo.c: CPU 3, 1 MiB RAM at cell 0 (loadable), the comm
 * region at 1 MiB, one L3 cache region, three serial port ranges. */
static void build_apic_demo(void)
{
	memset(&h, 0, sizeof(h));
	memset(cpus, 0, sizeof(cpus));
	memset(jmem, 0, sizeof(jmem));
	memset(jcache, 0, sizeof(jcache));
	memset(jpio, 0, sizeof(jpio));
	memcpy(h.signature, JH_CELL_SIGNATURE, 5);
	h.revision = JH_CONFIG_REVISION;
	h.architecture = JH_ARCH_X86;
	strcpy(h.name, "apic-demo");
	h.flags = JH_CELL_VIRTUAL_CONSOLE_PERMITTED;
	h.cpu_set_size = 8;
	h.num_memory_regions = 2;
	h.num_cache_regions = 1;
	h.num_pio_regions = 3;
	h.console.type = JH_CON_TYPE_8250;
	h.console.address = 0x3f8;
	cpus[0] = 0x8;
	jmem[0] = (struct jh_memory){ 0x3ef00000, 0, MIB, JRWX | JH_MEM_LOADABLE };
	jmem[1] = (struct jh_memory){ 0, MIB, 4 * KIB, JRW | JH_MEM_COMM_REGION };
	jcache[0] = (struct jh_cache){ 0, 2, 3, 0, 0 };
	jpio[0] = (struct jh_pio){ 0x2f8, 8 };
	jpio[1] = (struct jh_pio){ 0x3f8, 8 };
	jpio[2] = (struct jh_pio){ 0xe010, 8 };
}

static void expect(int ret, int code, const char *why, int index)
{
	assert_int_equal(ret, code);
	assert_non_null(err.why);
	assert_string_equal(err.why, why);
	assert_int_equal(err.index, index);
}

static void expect_translate(int code, const char *why, int index)
{
	expect(translate(), code, why, index);
}

static void test_apic_demo(void **state)
{
	const struct tandem_memory_region *m;
	const struct tandem_pio_region *p;

	(void)state;
	build_apic_demo();
	assert_int_equal(pack(), 132 + 8 + 2 * 32 + 12 + 3 * 4);
	assert_int_equal(translate(), 0);
	assert_null(err.why);
	assert_int_equal(out_len, TANDEM_CELL_CONFIG_SIZE(2, 3));
	assert_memory_equal(out->signature, "TNDMCELL", 8);
	assert_int_equal(out->revision, TANDEM_CELL_CONFIG_REVISION);
	assert_int_equal(out->reserved0, 0);
	assert_int_equal(out->reserved1, 0);
	assert_int_equal(out->flags, 0);
	assert_string_equal(out->name, "apic-demo");
	for (size_t i = strlen("apic-demo"); i < TANDEM_CELL_NAME_LEN; i++)
		assert_int_equal(out->name[i], 0);
	assert_int_equal(out->cpu_set, 0x8);
	assert_int_equal(out->num_memory_regions, 2);
	assert_int_equal(out->num_pio_regions, 3);
	assert_int_equal(out->reset_entry, 0);
	assert_int_equal(out->msg_reply_timeout_ms, 0);
	m = cell_config_mem(out);
	assert_int_equal(m[0].phys_start, 0x3ef00000);
	assert_int_equal(m[0].virt_start, 0);
	assert_int_equal(m[0].size, MIB);
	assert_int_equal(m[0].flags, TANDEM_MEM_READ | TANDEM_MEM_WRITE |
					     TANDEM_MEM_EXECUTE |
					     TANDEM_MEM_LOADABLE);
	assert_int_equal(m[1].phys_start, 0);
	assert_int_equal(m[1].virt_start, MIB);
	assert_int_equal(m[1].size, 4 * KIB);
	assert_int_equal(m[1].flags, TANDEM_MEM_READ | TANDEM_MEM_WRITE |
					     TANDEM_MEM_COMM_REGION);
	p = cell_config_pio(out);
	assert_int_equal(p[0].base, 0x2f8);
	assert_int_equal(p[0].length, 8);
	assert_int_equal(p[1].base, 0x3f8);
	assert_int_equal(p[2].base, 0xe010);
	assert_int_equal(p[2].reserved, 0);
	assert_int_equal(info.flags, JH_CELL_VIRTUAL_CONSOLE_PERMITTED);
	assert_int_equal(info.cpu_reset_address, 0);
	assert_int_equal(info.msg_reply_timeout, 0);
	assert_int_equal(info.console.type, JH_CON_TYPE_8250);
	assert_int_equal(info.console.address, 0x3f8);
	assert_int_equal(info.hints, JH_HINT_CACHE_REGIONS);
	/* Tandem's own rules and the system accept it as it is. */
	assert_int_equal(validate(), 0);
}

static void test_size_step(void **state)
{
	size_t total = 0;

	(void)state;
	build_apic_demo();
	assert_int_equal(jh_cell_size(&h, &total, &err), 0);
	assert_int_equal(total, pack());
	/* err may be NULL. */
	h.revision = 13;
	assert_int_equal(jh_cell_size(&h, &total, NULL), -TANDEM_EINVAL);
	assert_int_equal(translate_len(sizeof(h)), -TANDEM_EINVAL);
}

static void test_signature(void **state)
{
	(void)state;
	build_apic_demo();
	h.signature[4] = 'X';
	expect_translate(-TANDEM_EINVAL,
			 "not a Jailhouse cell description (signature is not JHCLL)",
			 -1);
	build_apic_demo();
	memcpy(h.signature, "TNDMC", 5);
	expect_translate(-TANDEM_EINVAL,
			 "not a Jailhouse cell description (signature is not JHCLL)",
			 -1);
	build_apic_demo();
	h.architecture = 1; /* ARM */
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse architecture is not x86 (0)", -1);
	build_apic_demo();
	h.revision = 13;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse configuration revision is not 14", -1);
	build_apic_demo();
	h.revision = 15;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse configuration revision is not 14", -1);
}

static void test_counts(void **state)
{
	size_t total;

	(void)state;
	build_apic_demo();
	h.num_memory_regions = JH_CELL_MAX_MEM + 1;
	expect(jh_cell_size(&h, &total, &err), -TANDEM_E2BIG,
	       "Jailhouse num_memory_regions above 64", -1);
	build_apic_demo();
	h.num_pio_regions = JH_CELL_MAX_PIO + 1;
	expect(jh_cell_size(&h, &total, &err), -TANDEM_E2BIG,
	       "Jailhouse num_pio_regions above 64", -1);
	/* Huge counts and bitmap: the 64-bit sum cannot wrap to small. */
	build_apic_demo();
	h.num_cache_regions = UINT32_MAX;
	h.num_irqchips = UINT32_MAX;
	h.num_pci_devices = UINT32_MAX;
	h.num_pci_caps = UINT32_MAX;
	h.num_stream_ids = UINT32_MAX;
	h.cpu_set_size = UINT32_MAX;
	expect(jh_cell_size(&h, &total, &err), -TANDEM_E2BIG,
	       "Jailhouse description larger than 8192 bytes", -1);
	build_apic_demo();
	h.cpu_set_size = UINT32_MAX - 131;
	expect(jh_cell_size(&h, &total, &err), -TANDEM_E2BIG,
	       "Jailhouse description larger than 8192 bytes", -1);
	/* One byte over: 132 + 8 + 2 * 32 + 12 * n + 3 * 4 + ... */
	build_apic_demo();
	h.num_cache_regions = 0;
	h.num_pio_regions = 0;
	h.num_stream_ids = (JH_CELL_CONFIG_MAX - 132 - 8 - 64) / 4;
	assert_int_equal(jh_cell_size(&h, &total, &err), 0);
	assert_int_equal(total, JH_CELL_CONFIG_MAX);
	h.cpu_set_size = 16;
	expect(jh_cell_size(&h, &total, &err), -TANDEM_E2BIG,
	       "Jailhouse description larger than 8192 bytes", -1);
}

/* 64 memory and 64 PIO regions: the largest translation. */
static void test_max_regions(void **state)
{
	(void)state;
	build_apic_demo();
	h.num_cache_regions = 0;
	h.num_memory_regions = JH_CELL_MAX_MEM;
	h.num_pio_regions = JH_CELL_MAX_PIO;
	for (unsigned i = 2; i < JH_CELL_MAX_MEM; i++)
		jmem[i] = (struct jh_memory){ 0x3f000000 + i * 4 * KIB,
					      2 * MIB + i * 4 * KIB, 4 * KIB,
					      JRW };
	for (unsigned i = 0; i < JH_CELL_MAX_PIO; i++)
		jpio[i] = (struct jh_pio){ (uint16_t)(0x1000 + 4 * i), 4 };
	assert_int_equal(translate(), 0);
	assert_int_equal(out_len, JH_CELL_TRANSLATION_MAX);
	assert_int_equal(cell_config_pio(out)[63].base, 0x1000 + 4 * 63);
	assert_int_equal(cell_config_mem(out)[63].virt_start,
			 2 * MIB + 63 * 4 * KIB);
	assert_int_equal(info.hints, 0);
	assert_int_equal(validate(), 0);
}

static void test_copy(void **state)
{
	size_t len;

	(void)state;
	build_apic_demo();
	len = pack();
	expect(translate_len(sizeof(h) - 1), -TANDEM_EINVAL,
	       "Jailhouse description shorter than its header", -1);
	expect(translate_len(len - 1), -TANDEM_EINVAL,
	       "Jailhouse description size disagrees with its counts", -1);
	expect(translate_len(len + 1), -TANDEM_EINVAL,
	       "Jailhouse description size disagrees with its counts", -1);
	expect(translate_len(JH_CELL_CONFIG_MAX + 1), -TANDEM_E2BIG,
	       "Jailhouse description larger than 8192 bytes", -1);
	/* The output buffer: too small by one byte, or misaligned. */
	assert_int_equal(jh_cell_translate(desc, len, out,
					   TANDEM_CELL_CONFIG_SIZE(2, 3) - 1,
					   &out_len, &info, &err),
			 -TANDEM_EINVAL);
	assert_string_equal(err.why,
			    "translation buffer too small or not 8-byte aligned");
	assert_int_equal(jh_cell_translate(desc, len, (uint8_t *)out_words + 4,
					   sizeof(out_words) - 8, &out_len,
					   &info, &err),
			 -TANDEM_EINVAL);
	assert_int_equal(jh_cell_translate(desc, len, out,
					   TANDEM_CELL_CONFIG_SIZE(2, 3),
					   &out_len, &info, NULL),
			 0);
	/* The description itself may sit at any address (packed). */
	memmove(desc + 3, desc, len);
	assert_int_equal(jh_cell_translate(desc + 3, len, out, sizeof(out_words),
					   &out_len, &info, &err),
			 0);
	assert_string_equal(out->name, "apic-demo");
}

static void test_name(void **state)
{
	(void)state;
	build_apic_demo();
	memset(h.name, 'a', sizeof(h.name));
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse name not NUL-terminated within 32 bytes", -1);
	build_apic_demo();
	memset(h.name, 'a', sizeof(h.name));
	h.name[31] = '\0'; /* 31 characters: the longest */
	assert_int_equal(translate(), 0);
	assert_int_equal(strlen(out->name), 31);
	build_apic_demo();
	memset(h.name, 0, sizeof(h.name));
	h.name[1] = 'x'; /* bytes after the NUL are not looked at */
	expect_translate(-TANDEM_EINVAL, "Jailhouse name empty", -1);
	build_apic_demo();
	h.name[4] = '\n';
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse name has a byte that is not printable ASCII",
			 4);
	build_apic_demo();
	h.name[0] = (char)0x80;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse name has a byte that is not printable ASCII",
			 0);
	/* Garbage after the NUL never reaches the translation. */
	build_apic_demo();
	memset(h.name + 10, 'z', sizeof(h.name) - 10);
	assert_int_equal(translate(), 0);
	for (size_t i = 9; i < TANDEM_CELL_NAME_LEN; i++)
		assert_int_equal(out->name[i], 0);
}

static void test_flags(void **state)
{
	static const uint32_t bad[] = { 0x8, 0x100, 0x10000, 0x20000000 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build_apic_demo();
		h.flags |= bad[i];
		expect_translate(-TANDEM_EINVAL, "Jailhouse cell flags unknown",
				 -1);
	}
	build_apic_demo();
	h.flags |= JH_CELL_AARCH32;
	expect_translate(-TANDEM_EINVAL, "Jailhouse cell flag AARCH32 on x86",
			 -1);
	/* ACTIVE implies PERMITTED. */
	build_apic_demo();
	h.flags = JH_CELL_VIRTUAL_CONSOLE_ACTIVE;
	assert_int_equal(translate(), 0);
	assert_int_equal(info.flags, JH_CELL_VIRTUAL_CONSOLE_ACTIVE |
					     JH_CELL_VIRTUAL_CONSOLE_PERMITTED);
	assert_int_equal(out->flags, 0);
	/* PASSIVE_COMMREG becomes Tandem's; TEST_DEVICE is a hint. */
	build_apic_demo();
	h.flags = JH_CELL_PASSIVE_COMMREG | JH_CELL_TEST_DEVICE;
	assert_int_equal(translate(), 0);
	assert_int_equal(out->flags, TANDEM_CELL_PASSIVE_COMMREG);
	assert_int_equal(info.flags,
			 JH_CELL_PASSIVE_COMMREG | JH_CELL_TEST_DEVICE);
	assert_int_equal(info.hints, JH_HINT_CACHE_REGIONS | JH_HINT_TEST_DEVICE);
	assert_int_equal(validate(), 0);
}

static void test_cpus(void **state)
{
	static const uint32_t bad_size[] = { 0, 1, 4, 7, 12 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad_size) / sizeof(bad_size[0]); i++) {
		build_apic_demo();
		h.cpu_set_size = bad_size[i];
		expect_translate(-TANDEM_EINVAL,
				 "Jailhouse cpu_set_size not a non-zero multiple of 8",
				 -1);
	}
	/* Two longs: the second must be empty. */
	build_apic_demo();
	h.cpu_set_size = 16;
	assert_int_equal(translate(), 0);
	assert_int_equal(out->cpu_set, 0x8);
	cpus[8] = 0x1;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse cpu set names a CPU above 63", 64);
	cpus[8] = 0;
	cpus[12] = 0x30;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse cpu set names a CPU above 63", 100);
	build_apic_demo();
	h.cpu_set_size = 64;
	cpus[63] = 0x80;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse cpu set names a CPU above 63", 511);
	build_apic_demo();
	cpus[0] = 0;
	expect_translate(-TANDEM_EINVAL, "Jailhouse cpu set empty", -1);
	/* Bit 63 is the last Tandem names: translated, then the validator
	 * finds no such CPU. */
	build_apic_demo();
	cpus[0] = 0;
	cpus[7] = 0x80;
	assert_int_equal(translate(), 0);
	assert_int_equal(out->cpu_set, UINT64_C(1) << 63);
	assert_int_equal(validate(), -TANDEM_EINVAL);
	/* Every byte of the first long lands in its place. */
	build_apic_demo();
	for (unsigned i = 0; i < 8; i++)
		cpus[i] = (uint8_t)(0x11 * (i + 1));
	assert_int_equal(translate(), 0);
	assert_int_equal(out->cpu_set, UINT64_C(0x8877665544332211));
}

static void test_refused_arrays(void **state)
{
	(void)state;
	build_apic_demo();
	h.num_irqchips = 1;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse num_irqchips not 0 (no interrupt controller is passed to cells)",
			 -1);
	build_apic_demo();
	h.num_pci_devices = 1;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse num_pci_devices not 0 (no PCI pass-through)",
			 -1);
	build_apic_demo();
	h.num_pci_caps = 2;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse num_pci_caps not 0 (no PCI pass-through)",
			 -1);
	build_apic_demo();
	h.num_stream_ids = 3;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse num_stream_ids not 0 (no IOMMU)", -1);
}

static void test_reset_address(void **state)
{
	(void)state;
	build_apic_demo();
	h.cpu_reset_address = 4 * GIB;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse cpu_reset_address not below 4 GiB", -1);
	build_apic_demo();
	h.cpu_reset_address = UINT64_MAX;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse cpu_reset_address not below 4 GiB", -1);
	build_apic_demo();
	h.cpu_reset_address = 0xff000;
	assert_int_equal(translate(), 0);
	assert_int_equal(out->reset_entry, 0xff000);
	assert_int_equal(info.cpu_reset_address, 0xff000);
	assert_int_equal(validate(), 0);
	/* Below 4 GiB but outside the RAM: Tandem's rule 17. */
	build_apic_demo();
	h.cpu_reset_address = 4 * GIB - 1;
	assert_int_equal(translate(), 0);
	assert_int_equal(validate(), -TANDEM_EINVAL);
}

static void test_memory_flags(void **state)
{
	static const uint64_t unknown[] = { 0x200, 0x4000, 0x100000,
					    UINT64_C(1) << 63 };
	static const uint64_t width[] = { 0x10000, 0x20000, 0x40000, 0x80000 };

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		build_apic_demo();
		jmem[1].flags |= unknown[i];
		expect_translate(-TANDEM_EINVAL,
				 "Jailhouse memory region flags unknown", 1);
	}
	build_apic_demo();
	jmem[0].flags |= JH_MEM_DMA;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse memory region flag DMA (no IOMMU)", 0);
	build_apic_demo();
	jmem[1].flags |= JH_MEM_IO_UNALIGNED;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse memory region flag IO_UNALIGNED or an IO width (no sub-page MMIO)",
			 1);
	for (size_t i = 0; i < sizeof(width) / sizeof(width[0]); i++) {
		build_apic_demo();
		jmem[0].flags |= width[i];
		expect_translate(-TANDEM_EINVAL,
				 "Jailhouse memory region flag IO_UNALIGNED or an IO width (no sub-page MMIO)",
				 0);
	}
	/* Every flag Tandem has is mapped; NO_HUGEPAGES is a hint. */
	build_apic_demo();
	h.num_memory_regions = 4;
	jmem[2] = (struct jh_memory){ 0xfeb00000, 0xfeb00000, 4 * KIB,
				      JRW | JH_MEM_IO };
	jmem[3] = (struct jh_memory){ 0x3e000000, 2 * MIB, 8 * KIB,
				      JH_MEM_READ | JH_MEM_ROOTSHARED |
					      JH_MEM_NO_HUGEPAGES };
	assert_int_equal(translate(), 0);
	assert_int_equal(cell_config_mem(out)[2].flags,
			 TANDEM_MEM_READ | TANDEM_MEM_WRITE | TANDEM_MEM_IO);
	assert_int_equal(cell_config_mem(out)[3].flags,
			 TANDEM_MEM_READ | TANDEM_MEM_ROOTSHARED);
	assert_int_equal(info.hints,
			 JH_HINT_CACHE_REGIONS | JH_HINT_NO_HUGEPAGES);
	assert_int_equal(validate(), 0);
	build_apic_demo();
	jmem[0].flags = JH_MEM_READ | JH_MEM_EXECUTE;
	assert_int_equal(translate(), 0);
	assert_int_equal(cell_config_mem(out)[0].flags,
			 TANDEM_MEM_READ | TANDEM_MEM_EXECUTE);
}

static void test_subpage(void **state)
{
	(void)state;
	build_apic_demo();
	jmem[0].size = MIB + 0x800;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse memory region virt_start or size not a multiple of 4 KiB (no sub-page MMIO)",
			 0);
	build_apic_demo();
	jmem[1].virt_start = MIB + 0x10;
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse memory region virt_start or size not a multiple of 4 KiB (no sub-page MMIO)",
			 1);
	build_apic_demo();
	h.num_memory_regions = 3;
	jmem[2] = (struct jh_memory){ 0xfed00000, 0xfed00000, 0x400,
				      JRW | JH_MEM_IO };
	expect_translate(-TANDEM_EINVAL,
			 "Jailhouse memory region virt_start or size not a multiple of 4 KiB (no sub-page MMIO)",
			 2);
	/* An unaligned phys_start is Tandem's rule 10, with the same index. */
	build_apic_demo();
	jmem[0].phys_start += 0x10;
	assert_int_equal(translate(), 0);
	assert_int_equal(validate(), -TANDEM_EINVAL);
}

static void test_comm_region_phys(void **state)
{
	(void)state;
	build_apic_demo();
	jmem[1].phys_start = 0x12345000;
	assert_int_equal(translate(), 0);
	assert_int_equal(cell_config_mem(out)[1].phys_start, 0);
	assert_int_equal(validate(), 0);
}

static void test_info(void **state)
{
	(void)state;
	build_apic_demo();
	h.msg_reply_timeout = 123456789012ull;
	h.cpu_reset_address = 0x1000;
	h.console = (struct jh_console){ 0xfe000000,
					 0x1000,
					 JH_CON_TYPE_8250,
					 JH_CON_ACCESS_MMIO | JH_CON_REGDIST_4,
					 0x1b,
					 7,
					 0xabc };
	h.id = 77;
	h.vpci_irq_base = 99;
	assert_int_equal(translate(), 0);
	assert_int_equal(info.msg_reply_timeout, 123456789012ull);
	assert_int_equal(out->msg_reply_timeout_ms, 0);
	assert_int_equal(info.cpu_reset_address, 0x1000);
	assert_int_equal(out->reset_entry, 0x1000);
	assert_memory_equal(&info.console, &h.console, sizeof(h.console));
}

/* What Tandem's own validator refuses in a translation. */
static void test_validator_on_translation(void **state)
{
	struct cell_config_error e;

	(void)state;
	build_apic_demo();
	jmem[0].flags = JH_MEM_WRITE | JH_MEM_EXECUTE;
	assert_int_equal(translate(), 0);
	assert_int_equal(cell_config_validate(out, out_len, &ctx, &e),
			 -TANDEM_EINVAL);
	assert_string_equal(e.why, "memory region not readable");
	assert_int_equal(e.index, 0);

	build_apic_demo();
	jmem[1].virt_start = 0x80000; /* inside the RAM */
	assert_int_equal(translate(), 0);
	assert_int_equal(cell_config_validate(out, out_len, &ctx, &e),
			 -TANDEM_EINVAL);
	assert_string_equal(e.why,
			    "memory regions overlap in the cell's address space");

	build_apic_demo();
	jpio[1] = (struct jh_pio){ 0x60, 1 };
	assert_int_equal(translate(), 0);
	assert_int_equal(cell_config_validate(out, out_len, &ctx, &e),
			 -TANDEM_EBUSY);
	assert_int_equal(e.index, 1);

	build_apic_demo();
	jpio[1] = (struct jh_pio){ 0x3f8, 0 };
	assert_int_equal(translate(), 0);
	assert_int_equal(cell_config_validate(out, out_len, &ctx, &e),
			 -TANDEM_EINVAL);
	assert_string_equal(e.why, "PIO region has length 0");

	build_apic_demo();
	strcpy(h.name, "other");
	assert_int_equal(translate(), 0);
	assert_int_equal(cell_config_validate(out, out_len, &ctx, &e),
			 -TANDEM_EEXIST);

	build_apic_demo();
	cpus[0] = 0x2; /* runs root code */
	assert_int_equal(translate(), 0);
	assert_int_equal(cell_config_validate(out, out_len, &ctx, &e),
			 -TANDEM_EBUSY);

	build_apic_demo();
	jmem[0].phys_start = 1536 * MIB; /* Tandem's */
	assert_int_equal(translate(), 0);
	assert_int_equal(cell_config_validate(out, out_len, &ctx, &e),
			 -TANDEM_EINVAL);
	assert_string_equal(e.why,
			    "memory region not inside the root cell's RAM");

	build_apic_demo();
	jmem[1].flags |= JH_MEM_LOADABLE;
	assert_int_equal(translate(), 0);
	assert_int_equal(cell_config_validate(out, out_len, &ctx, &e),
			 -TANDEM_EINVAL);
	assert_string_equal(e.why,
			    "communication region marked IO, LOADABLE or ROOTSHARED");

	build_apic_demo();
	h.num_memory_regions = 0;
	assert_int_equal(translate(), 0);
	assert_int_equal(cell_config_validate(out, out_len, &ctx, &e),
			 -TANDEM_EINVAL);
	assert_string_equal(e.why, "cell has no memory regions");
}

/* A refused description writes neither the output nor *info. */
static void test_nothing_written_on_error(void **state)
{
	uint64_t before[sizeof(out_words) / 8];
	struct jh_cell_info ibefore;

	(void)state;
	build_apic_demo();
	jmem[1].flags |= JH_MEM_DMA;
	pack();
	memset(out_words, 0xa5, sizeof(out_words));
	memset(&info, 0x5a, sizeof(info));
	memcpy(before, out_words, sizeof(before));
	memcpy(&ibefore, &info, sizeof(info));
	out_len = 1234;
	assert_int_equal(jh_cell_translate(desc, desc_len, out, sizeof(out_words),
					   &out_len, &info, &err),
			 -TANDEM_EINVAL);
	assert_memory_equal(before, out_words, sizeof(before));
	assert_memory_equal(&ibefore, &info, sizeof(info));
	assert_int_equal(out_len, 1234);
}

static void test_hints_text(void **state)
{
	char buf[64];
	char small[10];

	(void)state;
	assert_int_equal(jh_cell_hints_text(0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	jh_cell_hints_text(JH_HINT_CACHE_REGIONS, buf, sizeof(buf));
	assert_string_equal(buf, "cache regions");
	jh_cell_hints_text(JH_HINT_CACHE_REGIONS | JH_HINT_TEST_DEVICE |
				   JH_HINT_NO_HUGEPAGES,
			   buf, sizeof(buf));
	assert_string_equal(buf, "cache regions, test device, no huge pages");
	jh_cell_hints_text(JH_HINT_NO_HUGEPAGES | JH_HINT_TEST_DEVICE, buf,
			   sizeof(buf));
	assert_string_equal(buf, "test device, no huge pages");
	assert_int_equal(jh_cell_hints_text(0x7, small, sizeof(small)), 9);
	assert_string_equal(small, "cache reg");
	assert_int_equal(jh_cell_hints_text(0x7, small, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apic_demo),
		cmocka_unit_test(test_size_step),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_max_regions),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_refused_arrays),
		cmocka_unit_test(test_reset_address),
		cmocka_unit_test(test_memory_flags),
		cmocka_unit_test(test_subpage),
		cmocka_unit_test(test_comm_region_phys),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_validator_on_translation),
		cmocka_unit_test(test_nothing_written_on_error),
		cmocka_unit_test(test_hints_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
