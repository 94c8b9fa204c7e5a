/* Loading a Linux bzImage as the ROS (Documentation/arch/x86/boot.rst). */
#ifndef TANDEM_CELL_ROS_LINUX_H
#define TANDEM_CELL_ROS_LINUX_H

#include "boot_info.h"
#include "fmt/bzimage.h"
#include "virt/vcpu.h"

/**
 * Load the bzImage @image (module @m, parsed into @bz) into the root
 * cell as a boot loader does for the 32-bit boot protocol: the kernel at
 * its preferred address (or where it fits, if relocatable), the module
 * tagged "ros-initrd" as its initrd, a zero page with the ROS's memory
 * map, command line, ACPI RSDP and screen, and fill @st and @bsp's
 * registers with the protocol's entry state. Call ros_view_init() first.
 * Returns 0, or a negative errno after one log line naming the problem.
 */
int ros_linux_prepare(struct vcpu *bsp, struct vcpu_state *st,
		      const struct boot_module *m, const void *image,
		      const struct bzimage *bz);

#endif
