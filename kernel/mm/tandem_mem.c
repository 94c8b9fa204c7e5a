/* Tandem's own physical memory (see tandem_mem.h). */
#include "mm/tandem_mem.h"

struct tandem_mem tandem_mem;

bool tandem_mem_overlaps(uint64_t addr, uint64_t len)
{
	for (int i = 0; i < TANDEM_MEM_RANGES; i++)
		if (addr < tandem_mem.base[i] + tandem_mem.size[i] &&
		    tandem_mem.base[i] < addr + len)
			return true;
	return false;
}
