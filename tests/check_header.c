/* Reads the hypervisor image header back out of build/tandem.elf and checks
 * every field against the ELF itself: signature, core size (the loaded
 * extent of the image), per-CPU size (PER_CPU_SIZE), entry (the symbol
 * tandem_entry), and CPU counts left at 0 for boot/ to fill in. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "header.h"
#include "layout.h"

static unsigned char *image;
static size_t image_size;
static int failures;

#define CHECK(cond, ...)                     \
	do {                                 \
		if (cond) {                  \
			printf("ok - ");     \
		} else {                     \
			printf("not ok - "); \
			failures++;          \
		}                            \
		printf(__VA_ARGS__);         \
		printf("\n");                \
	} while (0)

static const Elf64_Sym *find_symbol(const Elf64_Ehdr *eh, const char *name)
{
	const Elf64_Shdr *sh = (const void *)(image + eh->e_shoff);

	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		const Elf64_Sym *syms = (const void *)(image + sh[i].sh_offset);
		const char *str = (const char *)image +
				  sh[sh[i].sh_link].sh_offset;

		for (size_t j = 0; j < sh[i].sh_size / sizeof(*syms); j++)
			if (!strcmp(str + syms[j].st_name, name))
				return &syms[j];
	}
	return NULL;
}

int main(int argc, char **argv)
{
	FILE *f;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph, *first = NULL;
	const struct tandem_header *h;
	const Elf64_Sym *entry, *start, *end;
	uint64_t lowest = UINT64_MAX, highest = 0;

	if (argc != 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: check_header build/tandem.elf\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	image_size = ftell(f);
	rewind(f);
	image = malloc(image_size);
	if (!image || fread(image, 1, image_size, f) != image_size)
		return 2;
	fclose(f);

	eh = (const void *)image;
	CHECK(!memcmp(eh->e_ident, ELFMAG, SELFMAG) && eh->e_machine == EM_X86_64,
	      "image is an x86-64 ELF");
	ph = (const void *)(image + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_paddr < lowest) {
			lowest = ph[i].p_paddr;
			first = &ph[i];
		}
		if (ph[i].p_paddr + ph[i].p_memsz > highest)
			highest = ph[i].p_paddr + ph[i].p_memsz;
	}
	if (!first) {
		CHECK(0, "image has a loadable segment");
		return 1;
	}
	h = (const void *)(image + first->p_offset);
	CHECK(!memcmp(h->signature, TANDEM_SIGNATURE, 8),
	      "header signature is %.8s", h->signature);
	CHECK(first->p_offset < 32768,
	      "header (and Multiboot2 header) in the first 32 KiB");
	CHECK(first->p_vaddr == TANDEM_VIRT_BASE &&
		      first->p_paddr == TANDEM_LINK_PHYS,
	      "image starts at virtual 0x%lx, load 0x%lx", first->p_vaddr,
	      first->p_paddr);

	start = find_symbol(eh, "__image_start");
	end = find_symbol(eh, "__core_end");
	entry = find_symbol(eh, "tandem_entry");
	CHECK(start && end && h->core_size == end->st_value - start->st_value,
	      "core size %lu bytes = __core_end - __image_start", h->core_size);
	CHECK(h->core_size >= highest - lowest,
	      "core size covers every loaded segment (%lu bytes)",
	      highest - lowest);
	CHECK(h->percpu_size == PER_CPU_SIZE, "per-CPU size %lu = PER_CPU_SIZE",
	      h->percpu_size);
	CHECK(entry && h->entry == entry->st_value &&
		      ELF64_ST_TYPE(entry->st_info) == STT_FUNC,
	      "entry 0x%lx is the function tandem_entry", h->entry);
	CHECK(h->possible_cpus == 0 && h->online_cpus == 0,
	      "CPU counts left for the loader (possible %u, online %u)",
	      h->possible_cpus, h->online_cpus);
	printf("%d passed, %d failed\n", 9 - failures, failures);
	return failures ? 1 : 0;
}
