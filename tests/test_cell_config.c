/*
 * Host unit tests for kernel/cell/config_check.c: one valid configuration, then
 * one crafted configuration per rule of cell_config.h, each expected to
 * give exactly that rule's error (code, reason text and region index).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cell/config_check.h"
#include "tandem/errno.h"

#define KIB UINT64_C(0x400)
#define MIB UINT64_C(0x100000)
#define GIB UINT64_C(0x40000000)
#define RWX (TANDEM_MEM_READ | TANDEM_MEM_WRITE | TANDEM_MEM_EXECUTE)
#define RW  (TANDEM_MEM_READ | TANDEM_MEM_WRITE)

/*
 * The machine: RAM [0, 2 GiB) and [4 GiB, 5 GiB). Tandem owns
 * [1792 MiB, 2 GiB), the cell "linux-demo" owns [1536 MiB, 1792 MiB), the
 * root cell the rest above 1 MiB, split into two adjacent ranges at 1 GiB.
 * CPUs 0-3 online; 0 calls and runs root code, 2 runs root code too, 3
 * belongs to linux-demo, so only CPU 1 is free.
 */
static const struct cfg_range machine_ram[] = {
	{ 0, 2 * GIB },
	{ 4 * GIB, GIB },
};
static const struct cfg_range root_ram[] = {
	{ 4 * GIB, GIB / 2 },
	{ MIB, GIB - MIB },
	{ GIB, 512 * MIB },
};
static const struct cfg_range cells_ram[] = {
	{ 1536 * MIB, 256 * MIB },
};
static const char *const names[] = { "root", "linux-demo" };
/* linux-demo's ports (a keyboard controller and a block of 16). */
static const struct cfg_range cells_pio[] = {
	{ 0x60, 5 },
	{ 0x4000, 0x10 },
};

static const struct cell_config_ctx ctx = {
	.online_cpus = 0xf,
	.caller_cpu = 0,
	.other_cells_cpus = 0x8,
	.root_running_cpus = 0x5,
	.root_ram = root_ram,
	.n_root_ram = 3,
	.cells_ram = cells_ram,
	.n_cells_ram = 1,
	.machine_ram = machine_ram,
	.n_machine_ram = 2,
	.cells_pio = cells_pio,
	.n_cells_pio = 2,
	.names = names,
	.n_names = 2,
};

/* The configuration under test, 8-byte aligned like Tandem's copy. */
static uint64_t cfg_words[2 * TANDEM_CELL_CONFIG_MAX / 8];
static struct tandem_cell_desc *const hdr = (struct tandem_cell_desc *)cfg_words;
static struct tandem_memory_region mem[CELL_CONFIG_MAX_MEM + 2];
static struct tandem_pio_region pio[CELL_CONFIG_MAX_PIO + 2];
static struct cell_config_error err;

/* Lays hdr, mem[] and pio[] out in cfg_words; returns the size. */
static size_t pack(void)
{
	uint8_t *p = (uint8_t *)cfg_words + sizeof(*hdr);
	size_t nm = hdr->num_memory_regions, np = hdr->num_pio_regions;

	if (nm > CELL_CONFIG_MAX_MEM + 2 || np > CELL_CONFIG_MAX_PIO + 2)
		return sizeof(*hdr);
	memcpy(p, mem, nm * sizeof(mem[0]));
	memcpy(p + nm * sizeof(mem[0]), pio, np * sizeof(pio[0]));
	return TANDEM_CELL_CONFIG_SIZE(nm, np);
}

static void set_mem(unsigned i, uint64_t phys, uint64_t virt, uint64_t size,
		    uint64_t flags)
{
	mem[i] = (struct tandem_memory_region){ phys, virt, size, flags };
}

/*
 * The valid configuration: "rtos" on CPU 1 with RAM at cell-physical 0
 * (from the first root range, entry inside), a communication region, a
 * device page, a page shared with the root cell that spans nothing odd,
 * and two serial ports.
 */
static void build_valid(void)
{
	memset(cfg_words, 0, sizeof(cfg_words));
	memset(mem, 0, sizeof(mem));
	memset(pio, 0, sizeof(pio));
	memcpy(hdr->signature, TANDEM_CELL_CONFIG_SIGNATURE, 8);
	hdr->revision = TANDEM_CELL_CONFIG_REVISION;
	hdr->flags = TANDEM_CELL_PASSIVE_COMMREG;
	strcpy(hdr->name, "rtos");
	hdr->cpu_set = 0x2;
	hdr->num_memory_regions = 4;
	hdr->num_pio_regions = 2;
	hdr->reset_entry = 0xfff0;
	hdr->msg_reply_timeout_ms = 0;
	set_mem(0, 256 * MIB, 0, MIB, RWX | TANDEM_MEM_LOADABLE);
	set_mem(1, 0, MIB, 4 * KIB, RW | TANDEM_MEM_COMM_REGION);
	set_mem(2, 0xfeb00000, 0xfeb00000, 4 * KIB, RW | TANDEM_MEM_IO);
	set_mem(3, 512 * MIB, 2 * MIB, 8 * KIB, RW | TANDEM_MEM_ROOTSHARED);
	pio[0] = (struct tandem_pio_region){ 0x3f8, 8, 0 };
	pio[1] = (struct tandem_pio_region){ 0x2f8, 8, 0 };
}

static int run_ctx(const struct cell_config_ctx *c)
{
	size_t len = pack();

	memset(&err, 0xa5, sizeof(err));
	return cell_config_validate(cfg_words, len, c, &err);
}

static int run(void)
{
	return run_ctx(&ctx);
}

/* Expects error @code whose reason contains @what, about @index/@other. */
#define EXPECT(code, what, idx, oth)                      \
	do {                                              \
		int ret_ = run();                         \
		assert_int_equal(ret_, (code));           \
		assert_non_null(err.why);                 \
		assert_non_null(strstr(err.why, (what))); \
		assert_int_equal(err.index, (idx));       \
		assert_int_equal(err.other, (oth));       \
	} while (0)

#define EXPECT_OK()                        \
	do {                               \
		int ret_ = run();          \
		assert_int_equal(ret_, 0); \
		assert_null(err.why);      \
	} while (0)

/* ---- the valid configuration and the two steps ---- */

static void test_valid(void **state)
{
	size_t total = 0;

	(void)state;
	build_valid();
	EXPECT_OK();
	assert_int_equal(cell_config_size(hdr, &total, &err), 0);
	assert_int_equal(total, pack());
	assert_int_equal(total, 80 + 4 * 32 + 2 * 8);
}

static void test_accessors(void **state)
{
	const struct tandem_memory_region *m;
	const struct tandem_pio_region *p;

	(void)state;
	build_valid();
	EXPECT_OK();
	m = cell_config_mem(hdr);
	p = cell_config_pio(hdr);
	assert_ptr_equal(m, (const uint8_t *)cfg_words + 80);
	assert_ptr_equal(p, (const uint8_t *)cfg_words + 80 + 4 * 32);
	assert_int_equal(m[2].phys_start, 0xfeb00000);
	assert_int_equal(p[1].base, 0x2f8);
	assert_true(cell_config_is_ram(&m[0]));
	assert_false(cell_config_is_ram(&m[1]));
	assert_false(cell_config_is_ram(&m[2]));
	assert_true(cell_config_is_ram(&m[3]));
}

/* The way Cell Create uses it: header first, then the rest behind it. */
static void test_two_steps(void **state)
{
	static uint64_t copy_words[TANDEM_CELL_CONFIG_MAX / 8];
	uint8_t *copy = (uint8_t *)copy_words;
	size_t total = 0, len;

	(void)state;
	build_valid();
	len = pack();
	memcpy(copy, cfg_words, sizeof(*hdr));
	assert_int_equal(cell_config_size((void *)copy, &total, &err), 0);
	assert_int_equal(total, len);
	memcpy(copy + sizeof(*hdr), (uint8_t *)cfg_words + sizeof(*hdr),
	       total - sizeof(*hdr));
	assert_int_equal(cell_config_validate(copy, total, &ctx, &err), 0);

	/* The caller grew the header between the two copies: the size the
	 * copy now claims no longer matches what was copied. */
	((struct tandem_cell_desc *)copy)->num_pio_regions = 3;
	assert_int_equal(cell_config_validate(copy, total, &ctx, &err),
			 -TANDEM_EINVAL);
	assert_non_null(strstr(err.why, "size disagrees"));
}

static void test_err_optional(void **state)
{
	size_t total;

	(void)state;
	build_valid();
	assert_int_equal(cell_config_validate(cfg_words, pack(), &ctx, NULL), 0);
	hdr->signature[0] = 'X';
	assert_int_equal(cell_config_validate(cfg_words, pack(), &ctx, NULL),
			 -TANDEM_EINVAL);
	assert_int_equal(cell_config_size(hdr, &total, NULL), -TANDEM_EINVAL);
}

/* ---- rules 1 - 4: format and size ---- */

static void expect_size(int code, const char *what)
{
	size_t total = 12345;

	memset(&err, 0xa5, sizeof(err));
	assert_int_equal(cell_config_size(hdr, &total, &err), code);
	assert_non_null(strstr(err.why, what));
	assert_int_equal(total, 12345); /* untouched on error */
}

static void test_signature_revision(void **state)
{
	(void)state;
	build_valid();
	hdr->signature[7] = 'X';
	expect_size(-TANDEM_EINVAL, "signature");
	EXPECT(-TANDEM_EINVAL, "signature", -1, -1);

	build_valid();
	hdr->revision = TANDEM_CELL_CONFIG_REVISION + 1;
	expect_size(-TANDEM_EINVAL, "revision");
	EXPECT(-TANDEM_EINVAL, "revision", -1, -1);
}

static void test_region_counts(void **state)
{
	static const uint32_t huge[] = {
		CELL_CONFIG_MAX_MEM + 1,
		0x08000000,
		0x80000000,
		0xffffffff,
	};
	size_t total;

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		build_valid();
		hdr->num_memory_regions = huge[i];
		expect_size(-TANDEM_E2BIG, "memory regions");
		build_valid();
		hdr->num_pio_regions = huge[i];
		expect_size(-TANDEM_E2BIG, "PIO regions");
		build_valid();
		hdr->num_memory_regions = huge[i];
		hdr->num_pio_regions = huge[i];
		expect_size(-TANDEM_E2BIG, "memory regions");
	}

	/* The largest counts are fine for the size step... */
	build_valid();
	hdr->num_memory_regions = CELL_CONFIG_MAX_MEM;
	hdr->num_pio_regions = CELL_CONFIG_MAX_PIO;
	assert_int_equal(cell_config_size(hdr, &total, &err), 0);
	assert_int_equal(total, 80 + 64 * 32 + 64 * 8);

	/* ...and one more fails validation on the full copy, too. */
	build_valid();
	hdr->num_memory_regions = CELL_CONFIG_MAX_MEM + 1;
	EXPECT(-TANDEM_E2BIG, "more than 64 memory regions", -1, -1);
	build_valid();
	hdr->num_pio_regions = CELL_CONFIG_MAX_PIO + 1;
	EXPECT(-TANDEM_E2BIG, "more than 64 PIO regions", -1, -1);
}

static void test_max_regions_valid(void **state)
{
	(void)state;
	build_valid();
	hdr->num_memory_regions = CELL_CONFIG_MAX_MEM;
	hdr->num_pio_regions = CELL_CONFIG_MAX_PIO;
	for (unsigned i = 4; i < CELL_CONFIG_MAX_MEM; i++)
		set_mem(i, 300 * MIB + i * 64 * KIB, 16 * MIB + i * 64 * KIB,
			64 * KIB, RW);
	for (unsigned i = 2; i < CELL_CONFIG_MAX_PIO; i++)
		pio[i] = (struct tandem_pio_region){ (uint16_t)(0x1000 + i * 16),
						     16, 0 };
	EXPECT_OK();
}

static void test_truncated_oversized(void **state)
{
	size_t len;

	(void)state;
	build_valid();
	len = pack();
	for (size_t l = 0; l < 80; l++) {
		assert_int_equal(cell_config_validate(cfg_words, l, &ctx, &err),
				 -TANDEM_EINVAL);
		assert_non_null(strstr(err.why, "shorter than its header"));
	}
	for (size_t l = 80; l < len; l++) {
		assert_int_equal(cell_config_validate(cfg_words, l, &ctx, &err),
				 -TANDEM_EINVAL);
		assert_non_null(strstr(err.why, "size disagrees"));
	}
	assert_int_equal(cell_config_validate(cfg_words, len + 1, &ctx, &err),
			 -TANDEM_EINVAL);
	assert_non_null(strstr(err.why, "size disagrees"));
	assert_int_equal(cell_config_validate(cfg_words, TANDEM_CELL_CONFIG_MAX,
					      &ctx, &err),
			 -TANDEM_EINVAL);
	assert_int_equal(cell_config_validate(cfg_words,
					      TANDEM_CELL_CONFIG_MAX + 1, &ctx,
					      &err),
			 -TANDEM_E2BIG);
	assert_non_null(strstr(err.why, "larger than"));
	assert_int_equal(cell_config_validate(cfg_words, SIZE_MAX, &ctx, &err),
			 -TANDEM_E2BIG);
}

static void test_misaligned_copy(void **state)
{
	static uint64_t words[TANDEM_CELL_CONFIG_MAX / 8 + 1];
	uint8_t *odd = (uint8_t *)words + 4;
	size_t len;

	(void)state;
	build_valid();
	len = pack();
	memcpy(odd, cfg_words, len);
	assert_int_equal(cell_config_validate(odd, len, &ctx, &err),
			 -TANDEM_EINVAL);
	assert_non_null(strstr(err.why, "aligned"));
}

/* ---- rules 5 - 7: header fields ---- */

static void test_header_fields(void **state)
{
	(void)state;
	build_valid();
	hdr->flags = 1u << 1;
	EXPECT(-TANDEM_EINVAL, "unknown cell flags", -1, -1);
	build_valid();
	hdr->flags = 0x80000000u;
	EXPECT(-TANDEM_EINVAL, "unknown cell flags", -1, -1);
	build_valid();
	hdr->flags = 0;
	EXPECT_OK();
	build_valid();
	hdr->reserved0 = 1;
	EXPECT(-TANDEM_EINVAL, "reserved header field", -1, -1);
	build_valid();
	hdr->reserved1 = 0x100;
	EXPECT(-TANDEM_EINVAL, "reserved header field", -1, -1);
	build_valid();
	hdr->cpu_set = 0;
	EXPECT(-TANDEM_EINVAL, "no CPUs", -1, -1);
	build_valid();
	hdr->msg_reply_timeout_ms = 0xffffffff; /* any timeout is fine */
	EXPECT_OK();
}

static void test_name(void **state)
{
	(void)state;
	build_valid();
	memset(hdr->name, 'a', sizeof(hdr->name));
	EXPECT(-TANDEM_EINVAL, "not NUL-terminated", -1, -1);
	build_valid();
	memset(hdr->name, 'a', sizeof(hdr->name) - 1);
	hdr->name[31] = 0; /* 31 characters: fine */
	EXPECT_OK();
	build_valid();
	memset(hdr->name, 0, sizeof(hdr->name));
	EXPECT(-TANDEM_EINVAL, "name empty", -1, -1);
	build_valid();
	strcpy(hdr->name, "rt\tos");
	EXPECT(-TANDEM_EINVAL, "not printable", 2, -1);
	build_valid();
	strcpy(hdr->name, "rtos\x7f");
	EXPECT(-TANDEM_EINVAL, "not printable", 4, -1);
	build_valid();
	strcpy(hdr->name, "r\xc3\xa9");
	EXPECT(-TANDEM_EINVAL, "not printable", 1, -1);
	build_valid();
	strcpy(hdr->name, "rtos 2 ~!"); /* space and symbols are fine */
	EXPECT_OK();
	build_valid();
	memset(hdr->name + 5, 0xff, 27); /* after the NUL: ignored */
	EXPECT_OK();
}

/* ---- rules 8 - 14: memory regions alone ---- */

static void test_mem_count_and_flags(void **state)
{
	(void)state;
	build_valid();
	hdr->num_memory_regions = 0;
	EXPECT(-TANDEM_EINVAL, "no memory regions", -1, -1);
	build_valid();
	mem[3].flags |= 0x80;
	EXPECT(-TANDEM_EINVAL, "unknown flags", 3, -1);
	build_valid();
	mem[3].flags |= UINT64_C(1) << 63;
	EXPECT(-TANDEM_EINVAL, "unknown flags", 3, -1);
}

static void test_mem_size_alignment(void **state)
{
	(void)state;
	build_valid();
	mem[3].size = 0;
	EXPECT(-TANDEM_EINVAL, "size 0", 3, -1);
	build_valid();
	mem[3].phys_start += 0x800;
	EXPECT(-TANDEM_EINVAL, "4 KiB", 3, -1);
	build_valid();
	mem[3].virt_start += 1;
	EXPECT(-TANDEM_EINVAL, "4 KiB", 3, -1);
	build_valid();
	mem[3].size += 0x10;
	EXPECT(-TANDEM_EINVAL, "4 KiB", 3, -1);
}

static void test_mem_limits(void **state)
{
	const uint64_t top48 = UINT64_C(1) << 48, top52 = UINT64_C(1) << 52;

	(void)state;
	build_valid();
	set_mem(2, 0xfeb00000, top48 - 4 * KIB, 4 * KIB, RW | TANDEM_MEM_IO);
	EXPECT_OK(); /* ends exactly at 2^48 */
	set_mem(2, 0xfeb00000, top48, 4 * KIB, RW | TANDEM_MEM_IO);
	EXPECT(-TANDEM_EINVAL, "2^48", 2, -1);
	set_mem(2, 0xfeb00000, UINT64_MAX - 0xfff, 8 * KIB, RW | TANDEM_MEM_IO);
	EXPECT(-TANDEM_EINVAL, "2^48", 2, -1); /* would wrap */
	set_mem(2, 0xfeb00000, 0x10000000, UINT64_MAX - 0xfff,
		RW | TANDEM_MEM_IO);
	EXPECT(-TANDEM_EINVAL, "2^48", 2, -1);

	build_valid();
	set_mem(2, top52 - 4 * KIB, 0xfeb00000, 4 * KIB, RW | TANDEM_MEM_IO);
	EXPECT_OK(); /* ends exactly at 2^52 */
	set_mem(2, top52, 0xfeb00000, 4 * KIB, RW | TANDEM_MEM_IO);
	EXPECT(-TANDEM_EINVAL, "2^52", 2, -1);
	set_mem(2, UINT64_MAX - 0xfff, 0xfeb00000, 8 * KIB, RW | TANDEM_MEM_IO);
	EXPECT(-TANDEM_EINVAL, "2^52", 2, -1); /* would wrap */
}

static void test_mem_readable(void **state)
{
	(void)state;
	build_valid();
	mem[3].flags = TANDEM_MEM_WRITE | TANDEM_MEM_ROOTSHARED;
	EXPECT(-TANDEM_EINVAL, "not readable", 3, -1);
	build_valid();
	mem[2].flags = TANDEM_MEM_IO;
	EXPECT(-TANDEM_EINVAL, "not readable", 2, -1);
	build_valid();
	mem[1].flags = TANDEM_MEM_COMM_REGION; /* no READ: fine for it */
	EXPECT_OK();
}

static void test_comm_region(void **state)
{
	static const uint64_t excl[] = {
		TANDEM_MEM_IO,
		TANDEM_MEM_LOADABLE,
		TANDEM_MEM_ROOTSHARED,
	};

	(void)state;
	build_valid();
	mem[1].size = 8 * KIB;
	EXPECT(-TANDEM_EINVAL, "not exactly 4 KiB", 1, -1);
	build_valid();
	mem[1].phys_start = 0x1000;
	EXPECT(-TANDEM_EINVAL, "phys_start", 1, -1);
	for (unsigned i = 0; i < 3; i++) {
		build_valid();
		mem[1].flags |= excl[i];
		EXPECT(-TANDEM_EINVAL, "communication region marked", 1, -1);
	}
	build_valid();
	hdr->num_memory_regions = 5;
	set_mem(4, 0, 3 * MIB, 4 * KIB, RW | TANDEM_MEM_COMM_REGION);
	EXPECT(-TANDEM_EINVAL, "second communication region", 4, 1);
	build_valid(); /* the first one at index 0 */
	hdr->num_memory_regions = 5;
	mem[4] = mem[0];
	mem[0] = mem[1];
	set_mem(1, 0, 3 * MIB, 4 * KIB, TANDEM_MEM_COMM_REGION);
	EXPECT(-TANDEM_EINVAL, "second communication region", 1, 0);
	build_valid();
	hdr->num_memory_regions = 3; /* no communication region */
	mem[1] = mem[2];
	mem[2] = mem[3];
	EXPECT_OK();
}

static void test_io_region(void **state)
{
	(void)state;
	build_valid();
	mem[2].flags |= TANDEM_MEM_LOADABLE;
	EXPECT(-TANDEM_EINVAL, "I/O memory region marked LOADABLE", 2, -1);
	build_valid();
	mem[2].flags |= TANDEM_MEM_ROOTSHARED | TANDEM_MEM_EXECUTE;
	EXPECT_OK();
	/* The real local APIC page, alone or inside a larger region. */
	build_valid();
	mem[2].phys_start = 0xfee00000;
	EXPECT(-TANDEM_EINVAL, "memory region maps the local APIC page", 2, -1);
	build_valid();
	mem[2].phys_start = 0xfec00000;
	mem[2].size = 0x400000;
	EXPECT(-TANDEM_EINVAL, "memory region maps the local APIC page", 2, -1);
	build_valid();
	mem[2].phys_start = 0xfee01000;
	EXPECT_OK();
}

/* ---- rules 15 - 16: memory regions together ---- */

static void test_virt_overlap(void **state)
{
	(void)state;
	build_valid();
	mem[3].virt_start = MIB - 4 * KIB; /* last page of region 0 */
	EXPECT(-TANDEM_EINVAL, "overlap in the cell's address space", 3, 0);
	build_valid();
	mem[2].virt_start = MIB; /* onto the comm region */
	EXPECT(-TANDEM_EINVAL, "overlap in the cell's address space", 2, 1);
	build_valid();
	mem[0].virt_start = 0; /* region 3 inside region 0 */
	mem[3].virt_start = 64 * KIB;
	EXPECT(-TANDEM_EINVAL, "overlap in the cell's address space", 3, 0);
	build_valid();
	hdr->num_memory_regions = 6; /* big one first, far pair */
	set_mem(4, 300 * MIB, 0x40000000, 64 * MIB, RW);
	set_mem(5, 400 * MIB, 0x40000000 + 63 * MIB, 4 * KIB, RW);
	EXPECT(-TANDEM_EINVAL, "overlap in the cell's address space", 5, 4);
	build_valid();
	mem[3].virt_start = MIB + 4 * KIB; /* touching is fine */
	EXPECT_OK();
}

static void test_phys_overlap(void **state)
{
	(void)state;
	build_valid();
	mem[3].phys_start = 256 * MIB + MIB - 4 * KIB;
	EXPECT(-TANDEM_EINVAL, "RAM regions overlap in physical memory", 3, 0);
	build_valid();
	mem[3].phys_start = 256 * MIB;
	mem[3].flags = RW; /* plain RAM alias, too */
	EXPECT(-TANDEM_EINVAL, "RAM regions overlap in physical memory", 3, 0);
	build_valid();
	mem[3].phys_start = 256 * MIB + MIB; /* touching is fine */
	EXPECT_OK();
	build_valid(); /* two views of one device */
	hdr->num_memory_regions = 5;
	set_mem(4, 0xfeb00000, 0xfec00000, 4 * KIB, RW | TANDEM_MEM_IO);
	EXPECT_OK();
}

/* ---- rule 17: reset_entry ---- */

static void test_reset_entry(void **state)
{
	(void)state;
	build_valid();
	hdr->reset_entry = 4 * GIB;
	EXPECT(-TANDEM_EINVAL, "below 4 GiB", -1, -1);
	build_valid();
	hdr->reset_entry = UINT64_MAX;
	EXPECT(-TANDEM_EINVAL, "below 4 GiB", -1, -1);
	build_valid();
	hdr->reset_entry = MIB; /* first byte after region 0 */
	EXPECT(-TANDEM_EINVAL, "not inside", -1, -1);
	build_valid();
	hdr->reset_entry = MIB - 1; /* last byte of region 0 */
	EXPECT_OK();
	build_valid();
	hdr->reset_entry = 0xfeb00000; /* I/O region */
	mem[2].flags |= TANDEM_MEM_EXECUTE;
	EXPECT(-TANDEM_EINVAL, "not inside", -1, -1);
	build_valid();
	hdr->reset_entry = MIB + 0x10; /* communication region */
	mem[1].flags |= TANDEM_MEM_EXECUTE;
	EXPECT(-TANDEM_EINVAL, "not inside", -1, -1);
	build_valid();
	hdr->reset_entry = 2 * MIB; /* RW, no EXECUTE */
	EXPECT(-TANDEM_EINVAL, "not inside", -1, -1);
	build_valid();
	mem[0].flags &= ~(uint64_t)TANDEM_MEM_EXECUTE;
	EXPECT(-TANDEM_EINVAL, "not inside", -1, -1);
	build_valid();
	hdr->reset_entry = 2 * MIB + 4; /* ROOTSHARED RX is RAM too */
	mem[3].flags |= TANDEM_MEM_EXECUTE;
	EXPECT_OK();
}

/* ---- rules 18 - 19: PIO regions ---- */

static void test_pio(void **state)
{
	(void)state;
	build_valid();
	pio[1].length = 0;
	EXPECT(-TANDEM_EINVAL, "length 0", 1, -1);
	build_valid();
	pio[1] = (struct tandem_pio_region){ 0xfff8, 9, 0 };
	EXPECT(-TANDEM_EINVAL, "above port 0xffff", 1, -1);
	build_valid();
	pio[1] = (struct tandem_pio_region){ 0xffff, 0xffff, 0 };
	EXPECT(-TANDEM_EINVAL, "above port 0xffff", 1, -1);
	build_valid();
	pio[1] = (struct tandem_pio_region){ 0xfff8, 8, 0 }; /* to 0xffff */
	EXPECT_OK();
	build_valid();
	pio[0] = (struct tandem_pio_region){ 0x8000, 0x7fff, 0 };
	pio[1] = (struct tandem_pio_region){ 0xffff, 1, 0 };
	EXPECT_OK();
	build_valid();
	pio[0].reserved = 1;
	EXPECT(-TANDEM_EINVAL, "reserved field", 0, -1);
	build_valid();
	pio[1] = (struct tandem_pio_region){ 0x3ff, 1, 0 };
	EXPECT(-TANDEM_EINVAL, "PIO regions overlap", 1, 0);
	build_valid();
	pio[1] = (struct tandem_pio_region){ 0x3f0, 8, 0 }; /* touching */
	EXPECT_OK();
	build_valid();
	hdr->num_pio_regions = 0;
	EXPECT_OK();
}

/* ---- rules 20, 22, 23: name and CPUs against the system ---- */

static void test_name_exists(void **state)
{
	(void)state;
	build_valid();
	strcpy(hdr->name, "linux-demo");
	EXPECT(-TANDEM_EEXIST, "name exists", 1, -1);
	build_valid();
	strcpy(hdr->name, "root");
	EXPECT(-TANDEM_EEXIST, "name exists", 0, -1);
	build_valid();
	strcpy(hdr->name, "linux-dem"); /* prefixes differ */
	EXPECT_OK();
	build_valid();
	strcpy(hdr->name, "linux-demo2");
	EXPECT_OK();
	build_valid(); /* format errors come first */
	strcpy(hdr->name, "root");
	hdr->reserved1 = 1;
	EXPECT(-TANDEM_EINVAL, "reserved", -1, -1);
}

static void test_cpus(void **state)
{
	struct cell_config_ctx c = ctx;

	(void)state;
	build_valid();
	hdr->cpu_set = 0x12;
	EXPECT(-TANDEM_EINVAL, "offline", 4, -1);
	build_valid();
	hdr->cpu_set = UINT64_C(1) << 63;
	EXPECT(-TANDEM_EINVAL, "offline", 63, -1);
	build_valid();
	hdr->cpu_set = 0x3;
	EXPECT(-TANDEM_EBUSY, "calling Cell Create", 0, -1);
	build_valid();
	hdr->cpu_set = 0xa;
	EXPECT(-TANDEM_EBUSY, "another cell", 3, -1);
	build_valid();
	hdr->cpu_set = 0x6;
	EXPECT(-TANDEM_EBUSY, "still runs the root cell", 2, -1);

	/* CPU 2 offlined by the root: now it can be taken. */
	c.root_running_cpus = 0x1;
	hdr->cpu_set = 0x6;
	assert_int_equal(run_ctx(&c), 0);
	/* A caller number beyond the bitmap must not be shifted by. */
	c.caller_cpu = 200;
	assert_int_equal(run_ctx(&c), 0);
	/* The caller is checked even where nothing else marks it busy. */
	c.caller_cpu = 1;
	c.root_running_cpus = 0;
	assert_int_equal(run_ctx(&c), -TANDEM_EBUSY);
	assert_int_equal(err.index, 1);
}

/* ---- rule 23: memory against the system ---- */

static void test_io_vs_ram(void **state)
{
	(void)state;
	build_valid();
	mem[2].phys_start = 256 * MIB; /* root RAM */
	EXPECT(-TANDEM_EINVAL, "I/O memory region overlaps RAM", 2, -1);
	build_valid();
	mem[2].phys_start = 1792 * MIB; /* Tandem's RAM */
	EXPECT(-TANDEM_EINVAL, "I/O memory region overlaps RAM", 2, -1);
	build_valid();
	mem[2].phys_start = 2 * GIB - 4 * KIB; /* straddles the end of RAM */
	mem[2].size = 8 * KIB;
	EXPECT(-TANDEM_EINVAL, "I/O memory region overlaps RAM", 2, -1);
	build_valid();
	mem[2].phys_start = 2 * GIB; /* just above: fine */
	EXPECT_OK();
	build_valid();
	mem[2].phys_start = 4 * GIB - 4 * KIB; /* just below: fine */
	EXPECT_OK();
	mem[2].size = 8 * KIB; /* runs into the high RAM */
	EXPECT(-TANDEM_EINVAL, "I/O memory region overlaps RAM", 2, -1);
}

static void test_ram_owner(void **state)
{
	(void)state;
	build_valid();
	mem[0].phys_start = 1536 * MIB; /* linux-demo's RAM */
	EXPECT(-TANDEM_EBUSY, "RAM of another cell", 0, -1);
	build_valid();
	mem[3].phys_start = 1536 * MIB - 4 * KIB; /* root + linux-demo */
	EXPECT(-TANDEM_EBUSY, "RAM of another cell", 3, -1);
	build_valid();
	mem[0].phys_start = 1792 * MIB - 4 * KIB; /* other cell beats outside */
	mem[0].size = 8 * KIB;
	hdr->reset_entry = 0;
	EXPECT(-TANDEM_EBUSY, "RAM of another cell", 0, -1);
	build_valid();
	mem[0].phys_start = 1792 * MIB; /* Tandem's RAM */
	EXPECT(-TANDEM_EINVAL, "not inside the root cell's RAM", 0, -1);
	build_valid();
	mem[0].phys_start = 0; /* below 1 MiB: not root's */
	EXPECT(-TANDEM_EINVAL, "not inside the root cell's RAM", 0, -1);
	build_valid();
	mem[0].phys_start = 4 * GIB + GIB / 2 - 4 * KIB; /* runs out */
	mem[0].size = 8 * KIB;
	hdr->reset_entry = 0;
	EXPECT(-TANDEM_EINVAL, "not inside the root cell's RAM", 0, -1);
	build_valid();
	mem[0].phys_start = 0xfeb00000; /* a hole, no RAM at all */
	EXPECT(-TANDEM_EINVAL, "not inside the root cell's RAM", 0, -1);
	build_valid();
	mem[3].phys_start = 3 * GIB; /* ROOTSHARED: the same rules */
	EXPECT(-TANDEM_EINVAL, "not inside the root cell's RAM", 3, -1);
	build_valid();
	mem[3].phys_start = 1600 * MIB;
	EXPECT(-TANDEM_EBUSY, "RAM of another cell", 3, -1);
	build_valid();
	mem[0].phys_start = GIB - 512 * KIB; /* across two root ranges */
	EXPECT_OK();
	build_valid();
	mem[0].phys_start = 4 * GIB; /* high root range */
	EXPECT_OK();
}

/* ---- rule 21: ports of other cells, before the CPUs and RAM ---- */

static void test_pio_owner(void **state)
{
	(void)state;
	build_valid();
	pio[1] = (struct tandem_pio_region){ 0x64, 1, 0 };
	EXPECT(-TANDEM_EBUSY, "ports of another cell", 1, -1);
	build_valid();
	pio[0] = (struct tandem_pio_region){ 0x3ff0, 0x11, 0 }; /* 1 port in */
	EXPECT(-TANDEM_EBUSY, "ports of another cell", 0, -1);
	build_valid();
	pio[0] = (struct tandem_pio_region){ 0x3ff0, 0x10, 0 }; /* touching */
	pio[1] = (struct tandem_pio_region){ 0x65, 0x100, 0 };
	EXPECT_OK();
	build_valid();
	/* Ports come before a CPU that does not exist and RAM of another
	 * cell (the ROS's check tells them apart this way). */
	mem[0].phys_start = 1536 * MIB;
	hdr->cpu_set = 1ull << 63;
	pio[1] = (struct tandem_pio_region){ 0x60, 1, 0 };
	EXPECT(-TANDEM_EBUSY, "ports of another cell", 1, -1);
	pio[1] = (struct tandem_pio_region){ 0x65, 1, 0 };
	EXPECT(-TANDEM_EINVAL, "does not exist", 63, -1);
}

static void test_empty_context(void **state)
{
	struct cell_config_ctx c = {
		.online_cpus = 0x2,
		.caller_cpu = 0,
	};

	(void)state;
	build_valid();
	/* No root RAM at all: region 0 cannot be taken. */
	assert_int_equal(run_ctx(&c), -TANDEM_EINVAL);
	assert_non_null(strstr(err.why, "root cell's RAM"));
	assert_int_equal(err.index, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_accessors),
		cmocka_unit_test(test_two_steps),
		cmocka_unit_test(test_err_optional),
		cmocka_unit_test(test_signature_revision),
		cmocka_unit_test(test_region_counts),
		cmocka_unit_test(test_max_regions_valid),
		cmocka_unit_test(test_truncated_oversized),
		cmocka_unit_test(test_misaligned_copy),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_mem_count_and_flags),
		cmocka_unit_test(test_mem_size_alignment),
		cmocka_unit_test(test_mem_limits),
		cmocka_unit_test(test_mem_readable),
		cmocka_unit_test(test_comm_region),
		cmocka_unit_test(test_io_region),
		cmocka_unit_test(test_virt_overlap),
		cmocka_unit_test(test_phys_overlap),
		cmocka_unit_test(test_reset_entry),
		cmocka_unit_test(test_pio),
		cmocka_unit_test(test_name_exists),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_io_vs_ram),
		cmocka_unit_test(test_ram_owner),
		cmocka_unit_test(test_pio_owner),
		cmocka_unit_test(test_empty_context),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
