/*
 * kernel/lib/klib.h for kernel/fmt/ built into the module: the same C
 * library functions (memcpy, memset, memcmp, strnlen, ...) are the
 * kernel's own. The shim directory comes before the Tandem kernel tree in
 * the module's include path (linux/driver/Kbuild), so "lib/klib.h" lands
 * here.
 */
#ifndef TANDEM_LINUX_DRIVER_SHIM_LIB_KLIB_H
#define TANDEM_LINUX_DRIVER_SHIM_LIB_KLIB_H

#include <linux/kernel.h>
#include <linux/string.h>

#endif
