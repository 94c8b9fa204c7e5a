/* Hypercall Disable (code 0): Tandem leaves the machine to the root cell. */
#ifndef TANDEM_CELL_DISABLE_H
#define TANDEM_CELL_DISABLE_H

#include <stdint.h>
#include "virt/vcpu.h"

/** Root only. 0 never returns to a caller that stays virtualized: the
 * calling CPU continues natively with RAX = 0. -EINVAL: the caller's mode
 * cannot be resumed natively; -EPERM: a cell denied its shutdown. */
long hc_disable(struct vcpu *v, const uint64_t *args);

#endif
