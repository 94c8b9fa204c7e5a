/* <stdbool.h> for kernel/fmt/ built into the module: the kernel's bool. */
#ifndef TANDEM_LINUX_DRIVER_SHIM_STDBOOL_H
#define TANDEM_LINUX_DRIVER_SHIM_STDBOOL_H

#include <linux/types.h>
#include <linux/stddef.h>

#endif
