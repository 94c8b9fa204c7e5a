/* Tandem's own physical memory (image and hypervisor memory): guests never
 * reach it; an attempt reads all ones and writes nothing. */
#ifndef TANDEM_MM_TANDEM_MEM_H
#define TANDEM_MM_TANDEM_MEM_H

#include <stdbool.h>
#include <stdint.h>

#define TANDEM_MEM_RANGES 2

struct tandem_mem {
	uint64_t base[TANDEM_MEM_RANGES], size[TANDEM_MEM_RANGES];
};

extern struct tandem_mem tandem_mem;

/** True if [@addr, @addr + @len) touches Tandem's memory. */
bool tandem_mem_overlaps(uint64_t addr, uint64_t len);

#endif
