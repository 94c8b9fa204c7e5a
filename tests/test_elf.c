/*
 * Host unit tests for kernel/fmt/elf.c, the ELF loader on its own: the
 * same file written as ELF32 and as ELF64 must read and plan the same,
 * and each elf_plan() flag does what elf.h says. The Multiboot2 rules
 * around it are tested in test_mb2_image.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fmt/elf.h"
#include "tandem/errno.h"

#define IMG_MAX 0x4000

static uint64_t img_words[IMG_MAX / 8];
static uint8_t *const img = (uint8_t *)img_words;
static struct elf_file file;
static struct elf_load load;

/* A program header in class-neutral terms. */
struct seg {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* Program headers right after the file header; sections as given. */
struct spec {
	uint64_t entry;
	const struct seg *segs;
	unsigned nsegs;
	uint64_t shoff;
	uint16_t shentsize, shnum, shstrndx;
};

static size_t build(uint8_t class, const struct spec *s)
{
	unsigned i;

	memset(img_words, 0, sizeof(img_words));
	if (class == ELFCLASS32) {
		struct elf32_ehdr e = {
			.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3,
				     ELFCLASS32, ELFDATA2LSB, EV_CURRENT },
			.e_type = ET_EXEC,
			.e_machine = EM_386,
			.e_version = EV_CURRENT,
			.e_entry = (uint32_t)s->entry,
			.e_phoff = sizeof(e),
			.e_ehsize = sizeof(e),
			.e_phentsize = sizeof(struct elf32_phdr),
			.e_phnum = (uint16_t)s->nsegs,
			.e_shoff = (uint32_t)s->shoff,
			.e_shentsize = s->shentsize,
			.e_shnum = s->shnum,
			.e_shstrndx = s->shstrndx,
		};

		memcpy(img, &e, sizeof(e));
		for (i = 0; i < s->nsegs; i++) {
			const struct seg *g = &s->segs[i];
			struct elf32_phdr p = {
				.p_type = g->type,
				.p_offset = (uint32_t)g->offset,
				.p_vaddr = (uint32_t)g->vaddr,
				.p_paddr = (uint32_t)g->paddr,
				.p_filesz = (uint32_t)g->filesz,
				.p_memsz = (uint32_t)g->memsz,
				.p_flags = PF_R,
				.p_align = 0x1000,
			};

			memcpy(img + sizeof(e) + i * sizeof(p), &p, sizeof(p));
		}
	} else {
		struct elf64_ehdr e = {
			.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3,
				     ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
			.e_type = ET_EXEC,
			.e_machine = EM_X86_64,
			.e_version = EV_CURRENT,
			.e_entry = s->entry,
			.e_phoff = sizeof(e),
			.e_ehsize = sizeof(e),
			.e_phentsize = sizeof(struct elf64_phdr),
			.e_phnum = (uint16_t)s->nsegs,
			.e_shoff = s->shoff,
			.e_shentsize = s->shentsize,
			.e_shnum = s->shnum,
			.e_shstrndx = s->shstrndx,
		};

		memcpy(img, &e, sizeof(e));
		for (i = 0; i < s->nsegs; i++) {
			const struct seg *g = &s->segs[i];
			struct elf64_phdr p = {
				.p_type = g->type,
				.p_flags = PF_R,
				.p_offset = g->offset,
				.p_vaddr = g->vaddr,
				.p_paddr = g->paddr,
				.p_filesz = g->filesz,
				.p_memsz = g->memsz,
				.p_align = 0x1000,
			};

			memcpy(img + sizeof(e) + i * sizeof(p), &p, sizeof(p));
		}
	}
	return IMG_MAX;
}

static const struct seg kernel[] = {
	{ PT_LOAD, 0x1000, 0xc0100000, 0x100000, 0x1000, 0x1000 },
	{ 4 /* PT_NOTE */, 0x1800, 0xc0100800, 0x100800, 0x20, 0x20 },
	{ PT_LOAD, 0x2000, 0xc0101000, 0x101000, 0x800, 0x3000 },
	{ PT_LOAD, 0x3000, 0xc0200000, 0x200000, 0, 0 },      /* empty */
	{ PT_LOAD, 0x3000, 0xc0300000, 0x300000, 0, 0x1000 }, /* bss only */
};

static const struct spec kernel_spec = {
	.entry = 0xc0100020,
	.segs = kernel,
	.nsegs = 5,
	.shoff = 0x3800,
	.shnum = 4,
	.shstrndx = 3,
};

static void expect_segment(size_t i, uint64_t dest, uint64_t off,
			   uint64_t filesz, uint64_t memsz, unsigned phdr)
{
	assert_true(i < load.nsegments);
	assert_int_equal(load.segments[i].dest, dest);
	assert_int_equal(load.segments[i].offset, off);
	assert_int_equal(load.segments[i].file_size, filesz);
	assert_int_equal(load.segments[i].mem_size, memsz);
	assert_int_equal(load.segments[i].phdr, phdr);
}

/* One path: both classes give the same reading and the same plan. */
static void test_both_classes_alike(void **state)
{
	static const uint8_t classes[] = { ELFCLASS32, ELFCLASS64 };
	unsigned c;

	(void)state;
	for (c = 0; c < 2; c++) {
		struct spec s = kernel_spec;
		bool is64 = classes[c] == ELFCLASS64;

		s.shentsize = is64 ? sizeof(struct elf64_shdr) :
				     sizeof(struct elf32_shdr);
		assert_int_equal(elf_read(img, build(classes[c], &s), &file), 0);
		assert_null(file.why);
		assert_int_equal(file.class, classes[c]);
		assert_int_equal(file.machine, is64 ? EM_X86_64 : EM_386);
		assert_int_equal(file.type, ET_EXEC);
		assert_int_equal(file.entry, 0xc0100020);
		assert_int_equal(file.phnum, 5);
		assert_int_equal(file.phoff, is64 ? 64 : 52);
		assert_int_equal(file.shoff, 0x3800);
		assert_int_equal(file.shnum, 4);
		assert_int_equal(file.shstrndx, 3);
		assert_ptr_equal(file.image, img);
		assert_int_equal(file.size, IMG_MAX);

		assert_int_equal(elf_plan(&file, 0, &load), 0);
		assert_null(load.why);
		assert_int_equal(load.nsegments, 3);
		expect_segment(0, 0x100000, 0x1000, 0x1000, 0x1000, 0);
		expect_segment(1, 0x101000, 0x2000, 0x800, 0x3000, 2);
		expect_segment(2, 0x300000, 0x3000, 0, 0x1000, 4);
		assert_true(load.has_entry);
		assert_int_equal(load.entry, 0x100020);
		assert_int_equal(load.shoff, 0x3800);
		assert_int_equal(load.shnum, 4);
		assert_int_equal(load.shentsize, s.shentsize);
		assert_int_equal(load.shstrndx, 3);
		assert_int_equal(load.warnings, 0);
		assert_null(load.warning);
	}
}

static void expect_read_fail(size_t size, int err, const char *why)
{
	assert_int_equal(elf_read(img, size, &file), err);
	assert_non_null(file.why);
	assert_string_equal(file.why, why);
	assert_int_equal(file.class, 0);
}

static void test_read_errors(void **state)
{
	(void)state;
	assert_false(elf_is_elf(NULL, 64));
	build(ELFCLASS64, &kernel_spec);
	assert_true(elf_is_elf(img, EI_NIDENT));
	assert_false(elf_is_elf(img, EI_NIDENT - 1));
	expect_read_fail(EI_NIDENT - 1, -TANDEM_EINVAL, "not an ELF file");
	img[1] = 'e';
	assert_false(elf_is_elf(img, IMG_MAX));
	expect_read_fail(IMG_MAX, -TANDEM_EINVAL, "not an ELF file");

	/* Each class needs its whole file header. */
	build(ELFCLASS32, &kernel_spec);
	expect_read_fail(sizeof(struct elf32_ehdr) - 1, -TANDEM_EINVAL,
			 "ELF header runs past the end of the file");
	assert_int_equal(elf_read(img, sizeof(struct elf32_ehdr), &file), 0);
	build(ELFCLASS64, &kernel_spec);
	expect_read_fail(sizeof(struct elf64_ehdr) - 1, -TANDEM_EINVAL,
			 "ELF header runs past the end of the file");
	assert_int_equal(elf_read(img, sizeof(struct elf64_ehdr), &file), 0);

	/* The machine must match the class, in both directions. */
	build(ELFCLASS32, &kernel_spec);
	memcpy(img + 18, &(uint16_t){ EM_X86_64 }, 2);
	expect_read_fail(IMG_MAX, -TANDEM_ENOSYS,
			 "ELF32 file is not for i386 (e_machine %u)");
	assert_int_equal(file.why_arg, EM_X86_64);
	build(ELFCLASS64, &kernel_spec);
	memcpy(img + 18, &(uint16_t){ EM_386 }, 2);
	expect_read_fail(IMG_MAX, -TANDEM_ENOSYS,
			 "ELF64 file is not for x86-64 (e_machine %u)");
	assert_int_equal(file.why_arg, EM_386);

	build(ELFCLASS64, &kernel_spec);
	img[EI_CLASS] = 0;
	expect_read_fail(IMG_MAX, -TANDEM_ENOSYS, "ELF class %u not supported");
	assert_int_equal(file.why_arg, 0);
}

static void test_plan_flags(void **state)
{
	static const struct seg high[] = {
		{ PT_LOAD, 0x1000, 0xffff800000000000ull, 0x100000000ull, 0x100,
		  0x1000 },
	};
	static const struct seg overlap[] = {
		{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x100, 0x2000 },
		{ PT_LOAD, 0x2000, 0x101000, 0x101000, 0x100, 0x100 },
	};
	struct spec s = { .entry = 0xffff800000000010ull,
			  .segs = high,
			  .nsegs = 1 };

	(void)state;
	/* Above 4 GiB: only with ELF_PLAN_HIGH, and only in ELF64. */
	assert_int_equal(elf_read(img, build(ELFCLASS64, &s), &file), 0);
	assert_int_equal(elf_plan(&file, 0, &load), -TANDEM_EINVAL);
	assert_string_equal(load.why, "segment %u ends above 4 GiB");
	assert_int_equal(elf_plan(&file, ELF_PLAN_HIGH, &load), 0);
	assert_int_equal(load.entry, 0x100000010ull);

	/*
	 * An ELF32 entry is translated through the first program header
	 * that holds it, of any type, and wraps at 4 GiB whatever the flags.
	 */
	s.entry = 0x20;
	s.segs = (const struct seg[]){
		{ 4 /* PT_NOTE */, 0x1000, 0x10, 0xfffffff0, 0x10, 0x100 },
		{ PT_LOAD, 0x1000, 0x10, 0x1000, 0x10, 0x100 },
	};
	s.nsegs = 2;
	assert_int_equal(elf_read(img, build(ELFCLASS32, &s), &file), 0);
	assert_int_equal(elf_plan(&file, ELF_PLAN_HIGH, &load), 0);
	assert_true(load.has_entry);
	assert_int_equal(load.entry, 0);
	assert_int_equal(load.nsegments, 1);
	expect_segment(0, 0x1000, 0x1000, 0x10, 0x100, 1);

	/* Overlap: refused unless ELF_PLAN_OVERLAP. */
	s = (struct spec){ .entry = 0x100000, .segs = overlap, .nsegs = 2 };
	assert_int_equal(elf_read(img, build(ELFCLASS64, &s), &file), 0);
	assert_int_equal(elf_plan(&file, 0, &load), -TANDEM_EINVAL);
	assert_string_equal(load.why, "segment %u overlaps an earlier segment");
	assert_int_equal(load.why_arg, 1);
	assert_int_equal(elf_plan(&file, ELF_PLAN_OVERLAP, &load), 0);
	assert_int_equal(load.nsegments, 2);

	/* No entry wanted: an e_entry outside every segment is fine. */
	s.entry = 0x12345;
	s.segs = kernel;
	s.nsegs = 3;
	assert_int_equal(elf_read(img, build(ELFCLASS64, &s), &file), 0);
	assert_int_equal(elf_plan(&file, 0, &load), -TANDEM_EINVAL);
	assert_string_equal(load.why,
			    "ELF entry point %x is not inside any segment");
	assert_int_equal(load.why_arg, 0x12345);
	assert_int_equal(elf_plan(&file, ELF_PLAN_NO_ENTRY, &load), 0);
	assert_false(load.has_entry);
	assert_int_equal(load.entry, 0);
}

static void test_sections(void **state)
{
	struct spec s = kernel_spec;

	(void)state;
	/* Entries smaller than Elf32_Shdr: ignored, with a warning. */
	s.shentsize = sizeof(struct elf32_shdr) - 1;
	assert_int_equal(elf_read(img, build(ELFCLASS32, &s), &file), 0);
	assert_int_equal(elf_plan(&file, 0, &load), 0);
	assert_int_equal(load.warnings, ELF_WARN_NO_SECTIONS);
	assert_non_null(load.warning);
	assert_int_equal(load.shnum, 0);

	/* Elf32_Shdr-sized entries are too small in an ELF64 file. */
	s.shentsize = sizeof(struct elf32_shdr);
	assert_int_equal(elf_read(img, build(ELFCLASS32, &s), &file), 0);
	assert_int_equal(elf_plan(&file, 0, &load), 0);
	assert_int_equal(load.shnum, 4);
	assert_int_equal(elf_read(img, build(ELFCLASS64, &s), &file), 0);
	assert_int_equal(elf_plan(&file, 0, &load), 0);
	assert_int_equal(load.warnings, ELF_WARN_NO_SECTIONS);

	/* The table must lie inside the file: exactly to the end is fine. */
	s.shentsize = sizeof(struct elf64_shdr);
	s.shoff = IMG_MAX - 4 * sizeof(struct elf64_shdr);
	assert_int_equal(elf_read(img, build(ELFCLASS64, &s), &file), 0);
	assert_int_equal(elf_plan(&file, 0, &load), 0);
	assert_int_equal(load.shoff, s.shoff);
	s.shoff++;
	assert_int_equal(elf_read(img, build(ELFCLASS64, &s), &file), 0);
	assert_int_equal(elf_plan(&file, 0, &load), -TANDEM_EINVAL);
	assert_string_equal(load.why,
			    "ELF section headers run past the end of the file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_classes_alike),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_plan_flags),
		cmocka_unit_test(test_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
