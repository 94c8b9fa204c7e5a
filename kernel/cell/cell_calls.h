/* The cell hypercalls (kernel/cell/cell_calls.c); @a holds the six
 * arguments. */
#ifndef TANDEM_CELL_CELL_CALLS_H
#define TANDEM_CELL_CELL_CALLS_H

#include <stdbool.h>
#include <stdint.h>
#include "virt/partition.h"

long hc_cell_create(struct vcpu *v, const uint64_t *a);
long hc_cell_start(struct vcpu *v, const uint64_t *a);
long hc_cell_destroy(struct vcpu *v, const uint64_t *a);
long hc_cell_state(struct vcpu *v, const uint64_t *a);
long hc_cell_soft_restart(struct vcpu *v, const uint64_t *a);
long hc_debug_putc(struct vcpu *v, const uint64_t *a);
/* The memory type of @gpa in @c's map (TANDEM_INFO_MEM_TYPE, ABI.md 4.5):
 * a TANDEM_MT_* value, or -TANDEM_ENOENT where nothing is mapped. */
long cell_gpa_mem_type(struct cell *c, uint64_t gpa);

/** Disable: asks every non-root cell, and if all agree destroys them all
 * (false, nothing changed, if one denies). */
bool cells_shutdown_all(void);

/** The kind of the cells Cell Create makes from a configuration. */
extern const struct cell_kind config_cell_kind;

#endif
