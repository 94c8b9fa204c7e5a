/* The machine as the ROS sees it, whatever format its kernel has: its RAM,
 * its memory map and its ACPI tables (without the CPUs Tandem keeps). */
#ifndef TANDEM_CELL_ROS_VIEW_H
#define TANDEM_CELL_ROS_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot_info.h"
#include "cell/root_cell.h"
#include "mm/memmap.h"

/** Remember what the other partitions took from the root (@res) and,
 * when @always or when CPUs are hidden, build the ROS's own copy of the
 * ACPI tables in a piece of its RAM that it then no longer owns. */
void ros_view_init(const struct root_reserve *res, bool always);

/** The root cell's RAM as available entries; returns how many. */
size_t ros_view_ram(struct memmap_entry *out, size_t cap);

/** The memory map the ROS sees: the machine's, with Tandem's memory and
 * the other partitions' reserved and the ACPI copy as ACPI data. Returns
 * the number of entries, or -TANDEM_E2BIG. */
int ros_view_memmap(struct memmap_entry *out, size_t cap);

/** The RSDP the ROS gets: the copy's, else the firmware's (a copy in
 * Tandem's memory); NULL when there is none. *@gpa is its guest-physical
 * address, 0 when only the loader's copy is known. */
const void *ros_view_rsdp(size_t *len, bool *is_new, uint64_t *gpa);

/** The ROS's command line: its module string after the word "ros". */
const char *ros_view_cmdline(const struct boot_module *m);

#endif
