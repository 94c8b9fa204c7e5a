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

/* A ROS reboot (Palacios HVM request 0x1, hvm/ros_reboot.c) in two steps,
 * so that one that cannot be prepared changes nothing: */
/** Parses the kept "ros" module again and builds its boot (Multiboot2
 * information or Linux boot pages, for the ROS's memory as it is now) in
 * Tandem's memory. 0, or a negative errno after one log line; then
 * nothing was written and nothing needs cancelling. */
int ros_reload_prepare(void);
/** Writes the prepared image and boot information into the ROS's memory
 * (segments copied, bss zeroed) and makes them @bsp's start state and
 * start registers; cannot fail. The ROS's vCPUs must not run. */
void ros_reload_commit(struct vcpu *bsp);
/** Drops a prepared reload that will not be committed. */
void ros_reload_cancel(void);

#endif
