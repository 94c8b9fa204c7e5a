/*
 * The Jailhouse-format cell description of a cells/jh/ test inmate
 * (layout in jh_test.h), built in memory: by the build-time tool
 * jhcellgen, and by the host test that hands it to Tandem's translator
 * (tests/test_jh_desc.c). Pure C.
 */
#ifndef CELLS_JH_DESC_H
#define CELLS_JH_DESC_H

#include <stdint.h>

#include <tandem/jailhouse.h>

#include "jh_test.h"

#define JH_DESC_MEM 3 /* RAM, comm region, results page */
#define JH_DESC_PIO 1 /* the UART */

struct jh_desc_file {
	struct jh_cell_desc desc;
	uint64_t cpus; /* cpu_set_size 8 */
	struct jh_memory mem[JH_DESC_MEM];
	struct jh_pio pio[JH_DESC_PIO];
} __attribute__((packed));

/* Fill @f for cell @name (shorter than JH_CELL_NAME_LEN) with @ncpus CPUs
 * (1..JHT_MAX_CPUS): the low @ncpus bits of the bitmap, physical
 * addresses relative to the cells' memory. Returns 0, or -1 for a bad
 * argument. */
int jh_desc_build(struct jh_desc_file *f, const char *name, unsigned ncpus);

#endif
