/*
 * The guest ABI headers (guest-abi/include/tandem/) are freestanding C and
 * include <stdint.h>; a kernel module has no C library, and the kernel's
 * own <linux/types.h> defines the same uint*_t names. UINT64_C is for
 * kernel/fmt/jh_cell.c, which the module builds too.
 */
#ifndef TANDEM_LINUX_DRIVER_SHIM_STDINT_H
#define TANDEM_LINUX_DRIVER_SHIM_STDINT_H

#include <linux/types.h>

#ifndef UINT64_C
#define UINT64_C(c) c##ULL
#endif

#endif
