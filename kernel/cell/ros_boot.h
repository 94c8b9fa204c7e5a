/* Loading the ROS (the root cell's guest) from the module tagged "ros". */
#ifndef TANDEM_CELL_ROS_BOOT_H
#define TANDEM_CELL_ROS_BOOT_H

#include "cell/root_cell.h"
#include "virt/vcpu.h"

/**
 * Finds the module whose first word is "ros", loads it into the root
 * cell's memory exactly as GRUB would load a Multiboot2 kernel, builds the
 * Multiboot2 boot information the ROS gets (its command line, a memory map
 * with Tandem's memory and @res reserved, the ACPI RSDP, the framebuffer) and fills
 * @st and the registers of @bsp with the Multiboot2 machine state.
 * Returns 0, or a negative errno after one log line naming the problem.
 */
int ros_prepare(struct vcpu *bsp, struct vcpu_state *st,
		const struct root_reserve *res);

#endif
