/* Architectural start states for guest CPUs, in the canonical form. */
#ifndef TANDEM_START_STATE_H
#define TANDEM_START_STATE_H

#include <stdint.h>
#include "virt/vcpu.h"

/** The Multiboot2 machine state (Multiboot2 spec 3.3): 32-bit protected
 * mode, flat 4 GiB segments, paging and interrupts off, at @entry. The
 * caller sets EAX and EBX. */
void start_state_multiboot(struct vcpu_state *s, uint32_t entry);

/** Real mode at @vector << 12, as after INIT and a start-up IPI. */
void start_state_sipi(struct vcpu_state *s, uint8_t vector);

#endif
