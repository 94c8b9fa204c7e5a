/*
 * ELF files Tandem loads as guest kernels: the file header, program headers
 * and section headers of 32- and 64-bit little-endian x86 executables, and
 * a loader (elf.c) that reads either class into one neutral form and plans
 * the load from the program headers the way GRUB 2 does. Freestanding;
 * kernel code never includes the host's <elf.h>.
 *
 * Layouts follow the System V ABI, "Object Files" chapter (ELF header,
 * Program Header, Sections) and the ELF-64 Object File Format 1.5. Each
 * structure has its natural alignment and no padding, so a memcpy from the
 * file into one of them reads the fields of a little-endian file on x86.
 *
 * The loader is pure C over caller memory: no allocation, no hardware, no
 * globals. The file is untrusted; nothing outside [image, image + size) is
 * ever read.
 */
#ifndef TANDEM_FMT_ELF_H
#define TANDEM_FMT_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* e_ident[] indices and values (ELF header, "ELF Identification"). */
#define EI_MAG0	    0
#define EI_CLASS    4
#define EI_DATA	    5
#define EI_VERSION  6
#define EI_NIDENT   16

#define ELFMAG0	    0x7f
#define ELFMAG1	    'E'
#define ELFMAG2	    'L'
#define ELFMAG3	    'F'

#define ELFCLASS32  1
#define ELFCLASS64  2
#define ELFDATA2LSB 1 /* two's complement, little-endian */
#define EV_CURRENT  1

/* e_type */
#define ET_EXEC	    2
#define ET_DYN	    3

/* e_machine */
#define EM_386	    3
#define EM_X86_64   62

/* p_type (Program Header) */
#define PT_NULL	    0
#define PT_LOAD	    1

/* p_flags */
#define PF_X	    0x1
#define PF_W	    0x2
#define PF_R	    0x4

/* sh_type (Sections) */
#define SHT_RELA    4
#define SHT_REL	    9

/* e_phnum value meaning "the count is in section 0's sh_info". */
#define PN_XNUM	    0xffff

struct elf32_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint32_t e_entry;
	uint32_t e_phoff;
	uint32_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf32_phdr {
	uint32_t p_type;
	uint32_t p_offset;
	uint32_t p_vaddr;
	uint32_t p_paddr;
	uint32_t p_filesz;
	uint32_t p_memsz;
	uint32_t p_flags;
	uint32_t p_align;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

struct elf32_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint32_t sh_flags;
	uint32_t sh_addr;
	uint32_t sh_offset;
	uint32_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint32_t sh_addralign;
	uint32_t sh_entsize;
};

struct elf64_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint64_t sh_flags;
	uint64_t sh_addr;
	uint64_t sh_offset;
	uint64_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint64_t sh_addralign;
	uint64_t sh_entsize;
};

_Static_assert(sizeof(struct elf32_ehdr) == 52, "Elf32_Ehdr is 52 bytes");
_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr is 64 bytes");
_Static_assert(sizeof(struct elf32_phdr) == 32, "Elf32_Phdr is 32 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr is 56 bytes");
_Static_assert(sizeof(struct elf32_shdr) == 40, "Elf32_Shdr is 40 bytes");
_Static_assert(sizeof(struct elf64_shdr) == 64, "Elf64_Shdr is 64 bytes");

/* ---- Loader ---- */

/*
 * Limits of the loader, GRUB's: it reads the program headers from the
 * first 32 KiB of the file only, and Tandem keeps a fixed number of them.
 */
#define ELF_PHDR_WINDOW	 32768 /* program headers lie in these bytes */
#define ELF_MAX_PHNUM	 64    /* program headers accepted */
#define ELF_MAX_SEGMENTS 16    /* loadable segments kept */

/*
 * The file header of either class, widened: what elf_read() found. The
 * machine is EM_386 for ELFCLASS32 and EM_X86_64 for ELFCLASS64.
 */
struct elf_file {
	/*
	 * Failure: a static reason that may hold one "%u" or "%x" standing
	 * for why_arg. NULL on success.
	 */
	const char *why;
	uint64_t why_arg;

	const uint8_t *image; /* the file, @size bytes */
	size_t size;
	uint8_t class; /* ELFCLASS32 or ELFCLASS64 */
	uint16_t type; /* ET_EXEC or ET_DYN */
	uint16_t machine;
	uint64_t entry; /* e_entry, a virtual address */
	uint64_t phoff;
	uint64_t shoff;
	uint16_t phentsize;
	uint16_t phnum;
	uint16_t shentsize;
	uint16_t shnum;
	uint16_t shstrndx;
};

/* elf_plan() flags */
/* 64-bit files may load and enter above 4 GiB (GRUB refuses it). */
#define ELF_PLAN_HIGH	     (1u << 0)
/* Segments may overlap; a later one wins (relocatable Multiboot2 images). */
#define ELF_PLAN_OVERLAP     (1u << 1)
/* The caller has an entry point of its own: e_entry is not translated. */
#define ELF_PLAN_NO_ENTRY    (1u << 2)

/* elf_load.warnings: the section header table's entries are too small. */
#define ELF_WARN_NO_SECTIONS (1u << 0)

/*
 * One PT_LOAD program header: copy @file_size bytes from image + @offset
 * to physical address @dest, then zero up to @dest + @mem_size.
 * Always: file_size <= mem_size, offset + file_size <= file size (when
 * file_size is not 0), and dest + mem_size does not wrap.
 */
struct elf_segment {
	uint64_t dest;	    /* p_paddr */
	uint64_t offset;    /* p_offset */
	uint64_t file_size; /* p_filesz */
	uint64_t mem_size;  /* p_memsz */
	unsigned phdr;	    /* index of its program header */
};

/* What elf_plan() worked out. */
struct elf_load {
	/* Failure: as in struct elf_file. NULL on success. */
	const char *why;
	uint64_t why_arg;
	uint32_t warnings;   /* ELF_WARN_* */
	const char *warning; /* text of the first warning, or NULL */

	size_t nsegments; /* PT_LOAD headers with p_memsz > 0 */
	struct elf_segment segments[ELF_MAX_SEGMENTS];

	bool has_entry; /* false with ELF_PLAN_NO_ENTRY */
	uint64_t entry; /* e_entry as a physical address */

	/* Section header table, for the ELF-symbols boot information tag;
	 * shnum is 0 unless the whole table lies inside the file. */
	uint64_t shoff;
	uint32_t shnum;
	uint32_t shentsize;
	uint32_t shstrndx;
};

/** True when @image[0..size) starts with the ELF magic number. */
bool elf_is_elf(const void *image, size_t size);

/**
 * Read the file header of @image[0..size) into @f, either class.
 *
 * Returns 0, or a negative errno with f->why set: -TANDEM_EINVAL not a
 * little-endian ELF file, header cut short, not an executable (ET_EXEC or
 * ET_DYN); -TANDEM_ENOSYS an unknown class or version, or a machine other
 * than i386 (ELF32) or x86-64 (ELF64).
 */
int elf_read(const void *image, size_t size, struct elf_file *f);

/**
 * Plan the load of the file @f (read by elf_read()) into @load, as GRUB
 * does: one segment per PT_LOAD program header with p_memsz > 0, at
 * p_paddr; the entry point is e_entry translated through the first
 * program header (of any type) whose virtual range holds it, wrapping at
 * 4 GiB in 32-bit files. @flags: ELF_PLAN_*.
 *
 * Refused: program headers that are not all in the first 32 KiB, more
 * than 64 of them or more than 16 loadable segments (-TANDEM_E2BIG), a
 * segment past the end of the file, wrapping, or (without ELF_PLAN_HIGH)
 * ending above 4 GiB, overlapping segments (without ELF_PLAN_OVERLAP), an
 * entry point outside every program header, a section header table past
 * the end of the file (all -TANDEM_EINVAL). Section headers whose entries
 * are too small are only ignored, with a warning.
 *
 * Returns 0, or a negative errno with load->why set.
 */
int elf_plan(const struct elf_file *f, uint32_t flags, struct elf_load *load);

#endif
