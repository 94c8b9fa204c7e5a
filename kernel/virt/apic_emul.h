/* The root cell's view of its local APIC: the real one, except that INIT
 * and start-up IPIs to the cell's own CPUs are emulated, so a ROS starts
 * its APs the way it would on bare metal. */
#ifndef TANDEM_VIRT_APIC_EMUL_H
#define TANDEM_VIRT_APIC_EMUL_H

#include <stdint.h>
#include "virt/vcpu.h"

uint64_t apic_emul_read(struct vcpu *v, uint64_t gpa, unsigned size);
void apic_emul_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t value);

#endif
