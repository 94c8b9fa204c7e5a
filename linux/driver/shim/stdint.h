/*
 * The guest ABI headers (guest-abi/include/tandem/) are freestanding C and
 * include <stdint.h>; a kernel module has no C library, and the kernel's
 * own <linux/types.h> defines the same uint*_t names.
 */
#ifndef TANDEM_LINUX_DRIVER_SHIM_STDINT_H
#define TANDEM_LINUX_DRIVER_SHIM_STDINT_H

#include <linux/types.h>

#endif
