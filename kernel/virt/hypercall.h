/* The hypercall path (virt/hypercall.c) and the table it dispatches by,
 * which the layer above provides (kernel/hypercalls.c): the path knows the
 * registers and the caller rules, the table knows the subsystems. */
#ifndef TANDEM_VIRT_HYPERCALL_H
#define TANDEM_VIRT_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>
#include "virt/vcpu.h"

#define HC_ANY_CELL (1u << 0) /* callable from non-root cells too */

struct hypercall {
	long (*fn)(struct vcpu *v, const uint64_t *args);
	unsigned int flags; /* HC_* */
};

/** Indexed by code (RAX); entries without fn are unknown codes. */
extern const struct hypercall hypercalls[];
extern const size_t hypercall_count;

/** RAX = 0xf00d in 64-bit mode: the Palacios HVM downcall, which has its
 * own registers and rules (any CPL, either side). */
void hypercall_hvm(struct vcpu *v);

#endif
