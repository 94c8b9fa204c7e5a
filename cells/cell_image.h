/*
 * Layout of Tandem's test cell images (cells/<name>.c), shared by the cells and
 * by the ROS, which loads them (ros/checks_cells.c).
 *
 * Every test cell sees the same cell-physical space:
 *
 *   0x000000 .. 0x100000   its RAM (1 MiB); the stack grows down from the top
 *   0x001000               the image (flat binary, build/cells/<name>.bin),
 *                          linked to run here: reset_entry = 0x1000
 *   0x100000               the communication region (one page)
 *
 * The image starts with a fixed header (cells/crt0.asm):
 *
 *   +0x00  jmp to the boot entry       reset_entry of the configuration;
 *          EAX = TANDEM_CELL_BOOT_MAGIC, EBX = comm region, ECX = cell id
 *   +0x10  jmp to the restart entry    the Soft Restart (code 9) entry;
 *          the same registers plus EDI, ESI, EDX = the three values given
 *   +0x20  struct cell_image_info      written by the loader before Cell
 *                                      Create (the cell never writes it)
 *
 * Both entries set up their own stack and zero .bss, so an image runs again
 * from either entry after a restart; cells keep no state in .data.
 */
#ifndef TANDEM_CELLS_CELL_IMAGE_H
#define TANDEM_CELLS_CELL_IMAGE_H

#include <stdint.h>

#define CELL_RAM_SIZE	    0x100000u /* cell-physical 0 .. 1 MiB */
#define CELL_IMAGE_BASE	    0x1000u   /* reset_entry */
#define CELL_BOOT_OFFSET    0x00u
#define CELL_RESTART_OFFSET 0x10u
#define CELL_RESTART_ENTRY  (CELL_IMAGE_BASE + CELL_RESTART_OFFSET)
#define CELL_INFO_OFFSET    0x20u
#define CELL_STACK_TOP	    CELL_RAM_SIZE
#define CELL_STACK_SIZE	    0x10000u /* the image must end below */
#define CELL_IMAGE_MAX	    (CELL_RAM_SIZE - CELL_STACK_SIZE - CELL_IMAGE_BASE)
#define CELL_COMM_ADDR	    0x100000u /* cell-physical */

/* hostile's attacks (arg[0]) and the one port it owns. */
#define HOSTILE_READ	    1u
#define HOSTILE_WRITE	    2u
#define HOSTILE_PORT	    3u
#define HOSTILE_OWN_PORT    0x80u /* POST codes: harmless */

/* deny: arg[0] = how many shutdown requests it denies (0: one). */

#define CELL_IMAGE_MAGIC    "TNDMCIMG" /* 8 bytes, no NUL */
#define CELL_CPU_UNKNOWN    0xffffffffu

/* At image offset CELL_INFO_OFFSET. */
struct cell_image_info {
	char magic[8]; /* CELL_IMAGE_MAGIC (from the build) */
	uint32_t cpu; /* the cell's logical CPU (loader), else CELL_CPU_UNKNOWN */
	uint32_t arg[2]; /* what the loader asks of the cell, per cell (0) */
	uint32_t reserved[3];
};

_Static_assert(sizeof(struct cell_image_info) == 32, "cell image info layout");

#endif
