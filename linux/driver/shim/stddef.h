/* <stddef.h> for the pure C of kernel/fmt/ built into the module: the
 * kernel's own size_t, NULL and offsetof (the kernel has no C library). */
#ifndef TANDEM_LINUX_DRIVER_SHIM_STDDEF_H
#define TANDEM_LINUX_DRIVER_SHIM_STDDEF_H

#include <linux/types.h>
#include <linux/stddef.h>

#endif
