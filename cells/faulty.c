/*
 * faulty: reads cell-physical 0x40000000, which no region of its
 * configuration maps; Tandem must mark the cell Failed and stop its CPU.
 * Should the read return, it says so and shuts down (the root cell then
 * sees Shut Down where it wants Failed).
 */
#include "cell_lib.h"

#define OUTSIDE 0x40000000u

const char cell_name[] = "faulty";

void cell_main(void)
{
	uint32_t v;

	cell_puts("faulty: reading 0x40000000\n");
	v = *(volatile uint32_t *)OUTSIDE;
	cell_puts("faulty: read 0x");
	cell_put_hex(v);
	cell_puts(" and still running\n");
	cell_shut_down();
}
