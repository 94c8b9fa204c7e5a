/* Loading a Linux bzImage as the ROS (Documentation/arch/x86/boot.rst). */
#ifndef TANDEM_CELL_ROS_LINUX_H
#define TANDEM_CELL_ROS_LINUX_H

#include "boot_info.h"
#include "fmt/bzimage.h"
#include "virt/vcpu.h"

/* A Linux boot built in Tandem's memory (ros_linux_build), not yet in the
 * ROS's (ros_linux_commit): the boot pages (zero page, command line, GDT)
 * and where the kernel and initrd go, and the BSP's entry state. */
struct ros_linux_load {
	const void *image;
	const struct bzimage *bz;
	uint8_t *boot_pages; /* page_alloc()ed; NULL once committed */
	uint64_t boot_gpa, kernel_gpa, initrd_gpa;
	const struct boot_module *initrd_mod;
	struct vcpu_state st;
	uint64_t regs[GPR_COUNT];
};

/**
 * Plan the bzImage @image (module @m, parsed into @bz) as a boot loader
 * does for the 32-bit boot protocol: the kernel at its preferred address
 * (or where it fits, if relocatable), the module tagged "ros-initrd" as
 * its initrd, a zero page with the ROS's memory map, command line, ACPI
 * RSDP and screen, and the protocol's entry state in @l. Nothing is
 * written into the ROS's memory yet. Call ros_view_init() first.
 * Returns 0, or a negative errno after one log line naming the problem.
 */
int ros_linux_build(struct ros_linux_load *l, const struct boot_module *m,
		    const void *image, const struct bzimage *bz);
/** Write a built boot into the ROS's memory (cannot fail): the boot
 * pages, the protected-mode kernel and the initrd, from the modules. */
void ros_linux_commit(struct ros_linux_load *l);
/** Drop a built boot that is not committed. */
void ros_linux_cancel(struct ros_linux_load *l);

#endif
