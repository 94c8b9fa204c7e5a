/*
 * ELF loader (see elf.h): one path for both classes. The file header and
 * the program headers are read through a table of where each field lies
 * in a 32- or 64-bit file, widened into struct elf_file and struct
 * elf_phdr; everything after that is class-blind.
 *
 * The rules are GRUB 2's (grub-core/loader/multiboot_elfxx.c). Where GRUB
 * reads garbage or overflows on a malformed file, the file is refused
 * instead. Every field is read from an offset checked against the file
 * size first; all sums of untrusted values are checked for wrap-around.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt/elf.h"
#include "lib/fail.h"
#include "lib/klib.h"
#include "lib/unaligned.h"
#include "tandem/errno.h"

#define FOUR_GIB (UINT64_C(1) << 32)

/* A program header of either class, widened. */
struct elf_phdr {
	uint32_t type;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
};

/*
 * Where the fields a loader uses lie in one class, and how wide the
 * address-sized ones (Addr, Off) are; the others are as wide in both.
 */
struct layout {
	uint8_t word; /* 4 or 8 */
	uint8_t ehdr_size, phdr_size, shdr_size;
	uint16_t machine;
	const char *wrong_machine;
	uint8_t e_type, e_machine, e_version, e_entry, e_phoff, e_shoff;
	uint8_t e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
	uint8_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz;
};

#define LAYOUT(bits, mach, msg)                                                \
	{                                                                      \
		.word = (bits) / 8,                                            \
		.ehdr_size = sizeof(struct elf##bits##_ehdr),                  \
		.phdr_size = sizeof(struct elf##bits##_phdr),                  \
		.shdr_size = sizeof(struct elf##bits##_shdr),                  \
		.machine = (mach), .wrong_machine = (msg),                     \
		.e_type = offsetof(struct elf##bits##_ehdr, e_type),           \
		.e_machine = offsetof(struct elf##bits##_ehdr, e_machine),     \
		.e_version = offsetof(struct elf##bits##_ehdr, e_version),     \
		.e_entry = offsetof(struct elf##bits##_ehdr, e_entry),         \
		.e_phoff = offsetof(struct elf##bits##_ehdr, e_phoff),         \
		.e_shoff = offsetof(struct elf##bits##_ehdr, e_shoff),         \
		.e_phentsize = offsetof(struct elf##bits##_ehdr, e_phentsize), \
		.e_phnum = offsetof(struct elf##bits##_ehdr, e_phnum),         \
		.e_shentsize = offsetof(struct elf##bits##_ehdr, e_shentsize), \
		.e_shnum = offsetof(struct elf##bits##_ehdr, e_shnum),         \
		.e_shstrndx = offsetof(struct elf##bits##_ehdr, e_shstrndx),   \
		.p_type = offsetof(struct elf##bits##_phdr, p_type),           \
		.p_offset = offsetof(struct elf##bits##_phdr, p_offset),       \
		.p_vaddr = offsetof(struct elf##bits##_phdr, p_vaddr),         \
		.p_paddr = offsetof(struct elf##bits##_phdr, p_paddr),         \
		.p_filesz = offsetof(struct elf##bits##_phdr, p_filesz),       \
		.p_memsz = offsetof(struct elf##bits##_phdr, p_memsz),         \
	}

static const struct layout layouts[] = {
	[ELFCLASS32] = LAYOUT(32, EM_386,
			      "ELF32 file is not for i386 (e_machine %u)"),
	[ELFCLASS64] = LAYOUT(64, EM_X86_64,
			      "ELF64 file is not for x86-64 (e_machine %u)"),
};

/* An Addr or Off field of the file's class. */
static uint64_t rd_word(const struct layout *l, const uint8_t *p)
{
	return l->word == 8 ? rd64(p) : rd32(p);
}

bool elf_is_elf(const void *image, size_t size)
{
	const uint8_t *img = image;

	return img && size >= EI_NIDENT && img[EI_MAG0] == ELFMAG0 &&
	       img[EI_MAG0 + 1] == ELFMAG1 && img[EI_MAG0 + 2] == ELFMAG2 &&
	       img[EI_MAG0 + 3] == ELFMAG3;
}

int elf_read(const void *image, size_t size, struct elf_file *f)
{
	const uint8_t *img = image;
	const struct layout *l;
	uint32_t version;

	memset(f, 0, sizeof(*f));
	if (!elf_is_elf(image, size))
		return fail(&f->why, TANDEM_EINVAL, "not an ELF file");
	if (img[EI_DATA] != ELFDATA2LSB)
		return fail(&f->why, TANDEM_EINVAL,
			    "ELF file is not little-endian");
	if (img[EI_CLASS] != ELFCLASS32 && img[EI_CLASS] != ELFCLASS64)
		return fail_arg(&f->why, &f->why_arg, TANDEM_ENOSYS,
				"ELF class %u not supported", img[EI_CLASS]);
	l = &layouts[img[EI_CLASS]];
	if (size < l->ehdr_size)
		return fail(&f->why, TANDEM_EINVAL,
			    "ELF header runs past the end of the file");

	f->machine = rd16(img + l->e_machine);
	if (f->machine != l->machine)
		return fail_arg(&f->why, &f->why_arg, TANDEM_ENOSYS,
				l->wrong_machine, f->machine);
	version = rd32(img + l->e_version);
	if (version != EV_CURRENT)
		return fail_arg(&f->why, &f->why_arg, TANDEM_ENOSYS,
				"ELF version %u not supported", version);
	/* GRUB 2.04 and later also take ET_DYN (position-independent links). */
	f->type = rd16(img + l->e_type);
	if (f->type != ET_EXEC && f->type != ET_DYN)
		return fail_arg(&f->why, &f->why_arg, TANDEM_EINVAL,
				"ELF type %u is not an executable", f->type);

	f->image = img;
	f->size = size;
	f->class = img[EI_CLASS];
	f->entry = rd_word(l, img + l->e_entry);
	f->phoff = rd_word(l, img + l->e_phoff);
	f->shoff = rd_word(l, img + l->e_shoff);
	f->phentsize = rd16(img + l->e_phentsize);
	f->phnum = rd16(img + l->e_phnum);
	f->shentsize = rd16(img + l->e_shentsize);
	f->shnum = rd16(img + l->e_shnum);
	f->shstrndx = rd16(img + l->e_shstrndx);
	return 0;
}

/* Program header @i of a table that check_phdrs() accepted. */
static void read_phdr(const struct elf_file *f, unsigned i, struct elf_phdr *ph)
{
	const struct layout *l = &layouts[f->class];
	const uint8_t *p = f->image + f->phoff + (uint64_t)i * f->phentsize;

	ph->type = rd32(p + l->p_type);
	ph->offset = rd_word(l, p + l->p_offset);
	ph->vaddr = rd_word(l, p + l->p_vaddr);
	ph->paddr = rd_word(l, p + l->p_paddr);
	ph->filesz = rd_word(l, p + l->p_filesz);
	ph->memsz = rd_word(l, p + l->p_memsz);
}

/* GRUB reads the program headers from its 32 KiB header buffer only. */
static int check_phdrs(const struct elf_file *f, struct elf_load *load)
{
	uint64_t window = f->size < ELF_PHDR_WINDOW ? f->size : ELF_PHDR_WINDOW;
	uint64_t table;

	if (f->phnum == 0)
		return fail(&load->why, TANDEM_EINVAL,
			    "ELF file has no program headers");
	if (f->phnum > ELF_MAX_PHNUM)
		return fail_arg(&load->why, &load->why_arg, TANDEM_E2BIG,
				"ELF file has %u program headers; at most 64 supported",
				f->phnum);
	if (f->phentsize < layouts[f->class].phdr_size)
		return fail_arg(&load->why, &load->why_arg, TANDEM_EINVAL,
				"ELF program header size %u too small",
				f->phentsize);
	table = (uint64_t)f->phnum * f->phentsize;
	if (f->phoff > window || table > window - f->phoff)
		return fail(&load->why, TANDEM_EINVAL,
			    f->size < ELF_PHDR_WINDOW ?
				    "ELF program headers run past the end of the file" :
				    "ELF program headers lie beyond the first 32 KiB");
	return 0;
}

/*
 * One segment per PT_LOAD with p_memsz > 0, loaded at p_paddr as GRUB
 * does. Segment numbers in messages are program header indices.
 */
static int plan_segments(const struct elf_file *f, bool high_ok,
			 bool overlap_ok, struct elf_load *load)
{
	unsigned i, j;

	for (i = 0; i < f->phnum; i++) {
		struct elf_segment *s;
		struct elf_phdr ph;

		read_phdr(f, i, &ph);
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		if (ph.filesz > ph.memsz)
			return fail_arg(&load->why, &load->why_arg, TANDEM_EINVAL,
					"segment %u: p_filesz is larger than p_memsz",
					i);
		if (ph.filesz &&
		    (ph.offset > f->size || ph.filesz > f->size - ph.offset))
			return fail_arg(&load->why, &load->why_arg, TANDEM_EINVAL,
					"segment %u extends past the end of the file",
					i);
		if (ph.paddr > UINT64_MAX - ph.memsz)
			return fail_arg(&load->why, &load->why_arg, TANDEM_EINVAL,
					"segment %u: p_paddr + p_memsz wraps around",
					i);
		if (!high_ok && ph.paddr + ph.memsz > FOUR_GIB)
			return fail_arg(&load->why, &load->why_arg, TANDEM_EINVAL,
					"segment %u ends above 4 GiB", i);
		if (load->nsegments == ELF_MAX_SEGMENTS)
			return fail(&load->why, TANDEM_E2BIG,
				    "ELF file has more than 16 loadable segments");
		s = &load->segments[load->nsegments++];
		s->dest = ph.paddr;
		s->offset = ph.offset;
		s->file_size = ph.filesz;
		s->mem_size = ph.memsz;
		s->phdr = i;
	}
	if (load->nsegments == 0)
		return fail(&load->why, TANDEM_EINVAL,
			    "ELF file has no loadable segment");

	/* GRUB's relocator refuses overlapping chunks ("overlap detected"). */
	if (overlap_ok)
		return 0;
	for (i = 1; i < load->nsegments; i++) {
		const struct elf_segment *a = &load->segments[i];

		for (j = 0; j < i; j++) {
			const struct elf_segment *b = &load->segments[j];

			if (a->dest < b->dest + b->mem_size &&
			    b->dest < a->dest + a->mem_size)
				return fail_arg(&load->why, &load->why_arg,
						TANDEM_EINVAL,
						"segment %u overlaps an earlier segment",
						a->phdr);
		}
	}
	return 0;
}

/*
 * Like GRUB: the first program header (of any type) whose virtual range
 * holds e_entry maps it to a physical address; 32-bit files wrap at 4 GiB.
 */
static int plan_entry(const struct elf_file *f, bool high_ok,
		      struct elf_load *load)
{
	unsigned i;

	for (i = 0; i < f->phnum; i++) {
		struct elf_phdr ph;
		uint64_t entry;

		read_phdr(f, i, &ph);
		if (f->entry < ph.vaddr || f->entry - ph.vaddr >= ph.memsz)
			continue;
		entry = f->entry - ph.vaddr + ph.paddr;
		if (f->class == ELFCLASS32)
			entry = (uint32_t)entry;
		if (!high_ok && entry >= FOUR_GIB)
			return fail_arg(&load->why, &load->why_arg, TANDEM_EINVAL,
					"ELF entry point %x is above 4 GiB",
					entry);
		load->entry = entry;
		load->has_entry = true;
		return 0;
	}
	return fail_arg(&load->why, &load->why_arg, TANDEM_EINVAL,
			"ELF entry point %x is not inside any segment", f->entry);
}

/*
 * The section header table, for the caller's ELF-symbols boot information.
 * GRUB fails on a table it cannot read whole; entries smaller than the
 * structure are only dropped here (GRUB would misread them).
 */
static int plan_sections(const struct elf_file *f, struct elf_load *load)
{
	uint64_t table = (uint64_t)f->shnum * f->shentsize;

	if (f->shnum == 0)
		return 0;
	if (f->shentsize < layouts[f->class].shdr_size) {
		load->warnings |= ELF_WARN_NO_SECTIONS;
		load->warning = "ELF section header size too small; sections ignored";
		return 0;
	}
	if (f->shoff > f->size || table > f->size - f->shoff)
		return fail(&load->why, TANDEM_EINVAL,
			    "ELF section headers run past the end of the file");
	load->shoff = f->shoff;
	load->shnum = f->shnum;
	load->shentsize = f->shentsize;
	load->shstrndx = f->shstrndx;
	return 0;
}

int elf_plan(const struct elf_file *f, uint32_t flags, struct elf_load *load)
{
	/* Addresses above 4 GiB make sense for 64-bit files only. */
	bool high_ok = (flags & ELF_PLAN_HIGH) && f->class == ELFCLASS64;
	int ret;

	memset(load, 0, sizeof(*load));
	ret = check_phdrs(f, load);
	if (ret == 0)
		ret = plan_segments(f, high_ok, flags & ELF_PLAN_OVERLAP, load);
	/* GRUB still translates e_entry when the caller has its own entry
	 * point, and fails if it cannot; nothing uses the result: accept. */
	if (ret == 0 && !(flags & ELF_PLAN_NO_ENTRY))
		ret = plan_entry(f, high_ok, load);
	if (ret == 0)
		ret = plan_sections(f, load);
	return ret;
}
