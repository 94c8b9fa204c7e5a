#ifndef TANDEM_MM_DIRECT_MAP_H
#define TANDEM_MM_DIRECT_MAP_H

#include "mm/memmap.h"

/* Physical addresses the direct map can hold (REMAP_BASE - DIRECT_BASE). */
#define DIRECT_LIMIT (1ull << 46)

/* Map every RAM range of @map above 4 GiB at DIRECT_BASE + phys (boot CPU, before
 * guests start; direct_map.c). 0, or -TANDEM_ENOMEM. */
int direct_map_high_ram(const struct memmap_entry *map, unsigned int n);

#endif
