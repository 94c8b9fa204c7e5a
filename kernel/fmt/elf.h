/*
 * ELF file structures Tandem reads when it loads a guest kernel: the file
 * header, program headers and section headers of 32- and 64-bit
 * little-endian x86 executables. Freestanding; kernel code never includes
 * the host's <elf.h>.
 *
 * Layouts follow the System V ABI, "Object Files" chapter (ELF header,
 * Program Header, Sections) and the ELF-64 Object File Format 1.5. Each
 * structure has its natural alignment and no padding, so a memcpy from the
 * file into one of them reads the fields of a little-endian file on x86.
 */
#ifndef ELF_H
#define ELF_H

#include <stdint.h>

/* e_ident[] indices and values (ELF header, "ELF Identification"). */
#define EI_MAG0		0
#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define EI_NIDENT	16

#define ELFMAG0		0x7f
#define ELFMAG1		'E'
#define ELFMAG2		'L'
#define ELFMAG3		'F'

#define ELFCLASS32	1
#define ELFCLASS64	2
#define ELFDATA2LSB	1	/* two's complement, little-endian */
#define EV_CURRENT	1

/* e_type */
#define ET_EXEC		2
#define ET_DYN		3

/* e_machine */
#define EM_386		3
#define EM_X86_64	62

/* p_type (Program Header) */
#define PT_NULL		0
#define PT_LOAD		1

/* p_flags */
#define PF_X		0x1
#define PF_W		0x2
#define PF_R		0x4

/* sh_type (Sections) */
#define SHT_RELA	4
#define SHT_REL		9

/* e_phnum value meaning "the count is in section 0's sh_info". */
#define PN_XNUM		0xffff

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

#endif
