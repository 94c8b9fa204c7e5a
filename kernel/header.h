/* The hypervisor image header (Jailhouse bootstrap seed, "Hypervisor
 * Header"): the first bytes of the loaded image, written by
 * boot/header.asm. The first four fields are preset at build time; boot/
 * fills in the CPU counts before calling the entry on every online CPU.
 * Also read by the host test that checks build/tandem.elf. */
#ifndef TANDEM_HEADER_H
#define TANDEM_HEADER_H

#include <stdint.h>

#define TANDEM_SIGNATURE "TANDEMHV"

struct tandem_header {
	char signature[8];
	uint64_t core_size;   /* image incl. .bss, bytes */
	uint64_t percpu_size; /* one struct per_cpu, bytes */
	uint64_t entry;	      /* int entry(unsigned int cpu_id) */
	uint32_t possible_cpus;
	uint32_t online_cpus;
	uint32_t reserved[2];
};

_Static_assert(sizeof(struct tandem_header) == 48, "image header layout");

typedef int (*tandem_entry_fn)(unsigned int cpu_id);

/** The header of the running image (boot/header.asm). */
extern struct tandem_header tandem_header;

#endif
