/* Delivering an exception to a guest in IA-32e mode by emulation (SDM
 * Vol. 3A 6.14), through the vcpu ops and the guest's own tables, for
 * what VM entry cannot inject as it is (virt/exc_frame.h). */
#ifndef TANDEM_VIRT_EXC_DELIVER_H
#define TANDEM_VIRT_EXC_DELIVER_H

#include <stdint.h>

struct vcpu;

/**
 * Delivers exception @vector with the 64-bit error code @error (and, for
 * vector 14, CR2 = @cr2) to @v as the CPU would between two instructions:
 * reads gate @vector of its IDT; loads CS from its GDT if the gate's
 * selector differs from CS; takes the new stack from its TSS (IST, or
 * RSP0 for a change to CPL 0, SS then null) or keeps RSP; writes the
 * frame through its page tables with supervisor rights; clears TF, NT,
 * RF (and IF for an interrupt gate) and jumps to the handler. Also ends
 * an interrupt shadow and a HLT. @v must be in IA-32e mode with no event
 * waiting to be injected (vcpu_ops->event_pending). 0, or a negative
 * errno with a one-line reason in *@why and @v unchanged: what the CPU
 * would have turned into #DF; -TANDEM_EBUSY of these when the gate is
 * not present (a guest that has not loaded its IDT yet).
 */
int exc_deliver(struct vcpu *v, uint8_t vector, uint64_t error, uint64_t cr2,
		const char **why);

#endif
