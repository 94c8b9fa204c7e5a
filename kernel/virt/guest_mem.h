/* Reading a guest's memory the way it sees it: guest-virtual addresses are
 * walked through the guest's own page tables, and every guest-physical
 * address is checked against the cell's RAM before it is touched. */
#ifndef TANDEM_VIRT_GUEST_MEM_H
#define TANDEM_VIRT_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>
#include "virt/vcpu.h"

/** Translates the guest linear address @gva of @v. 0 or a negative errno
 * (-ENOENT: not mapped, the guest would fault). */
int guest_linear_to_gpa(struct vcpu *v, uint64_t gva, uint64_t *gpa);

/** Copies @len bytes at guest linear address @gva into @buf (page by
 * page, RAM of the cell only). 0 or a negative errno. */
int guest_read_linear(struct vcpu *v, uint64_t gva, void *buf, size_t len);

/** Reads up to @max bytes of the instruction at the guest's CS:RIP; stores
 * how many could be read in *@got (at least 1 on success). */
int guest_fetch_insn(struct vcpu *v, uint8_t *buf, size_t max, size_t *got);

#endif
