/* The hypercall page (Xen hypercall ABI seed, guest-abi/ABI.md). */
#ifndef TANDEM_VIRT_HCPAGE_H
#define TANDEM_VIRT_HCPAGE_H

#include <stdint.h>
#include "virt/vcpu.h"

/** Fills the page at guest-physical @gpa of @v's cell with the stubs for
 * the native hypercall instruction. -EINVAL (the caller raises #GP, the
 * page is untouched) unless @gpa is page aligned and the cell's own RAM. */
int hcpage_install(struct vcpu *v, uint64_t gpa);

/** Writes the stubs into @page (4 KiB) for instruction @insn (3 bytes). */
void hcpage_fill(uint8_t *page, const uint8_t insn[3]);

#endif
