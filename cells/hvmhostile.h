/*
 * What the hvmhostile cell (cells/hvmhostile.c) leaves in its RAM for the
 * ROS (ros/checks_cells.c), which reads it after destroying the cell:
 * struct hvmhostile_report at cell-physical HVMHOSTILE_REPORT. The ROS
 * passes the storm's length in cell_image_info.reserved[0].
 */
#ifndef TANDEM_CELLS_HVMHOSTILE_H
#define TANDEM_CELLS_HVMHOSTILE_H

#include <stdint.h>

#define HVMHOSTILE_REPORT 0xe0000u    /* cell-physical, below the stack */
#define HVMHOSTILE_MAGIC  0x484d5648u /* "HVMH": the report is complete */
#define HVMHOSTILE_LAST	  0x60u	      /* 0xf00d requests 0 .. 0x60 are tried */

/* The cell-management calls it tries, in this order (each wants -EPERM). */
enum hvmhostile_call {
	HH_GET_STATE_HRT, /* Cell Get State of cell 1 (the HRT) */
	HH_CREATE,	  /* Cell Create of its own first page */
	HH_START_HRT,	  /* Cell Start of cell 1 */
	HH_DESTROY_HRT,	  /* Cell Destroy of cell 1 */
	HH_RESTART_HRT,	  /* Cell Soft Restart of cell 1 */
	HH_DISABLE,	  /* Disable */
	HH_RESTART_SELF,  /* Cell Soft Restart of itself */
	HH_START_SELF,	  /* Cell Start of itself */
	HH_DESTROY_SELF,  /* Cell Destroy of itself */
	HH_CALLS
};

struct hvmhostile_report {
	uint32_t magic;		 /* HVMHOSTILE_MAGIC once all is done */
	uint32_t long_mode;	 /* 1: it reached 64-bit mode */
	int32_t calls[HH_CALLS]; /* results, enum hvmhostile_call */
	int32_t compat_hvm;	 /* 0xf00d null from 32-bit mode */
	uint32_t hvm_tried;	 /* 0xf00d requests issued in 64-bit mode */
	uint32_t hvm_accepted;	 /* ... that did not return -1 */
	uint32_t first_accepted; /* the first such request */
	uint32_t reserved;	 /* first_value 8-aligned for -m32 too */
	uint64_t first_value;	 /* and what it returned */
	uint32_t storm_sent;	 /* Debug Console Putc calls of the storm */
	uint32_t storm_nonzero;	 /* ... that did not return 0 */
};

_Static_assert(sizeof(struct hvmhostile_report) == 80,
	       "hvmhostile report: the same layout for the cell and the ROS");

#endif
