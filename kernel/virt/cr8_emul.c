/* MOV to CR8 of a guest, when the backend intercepts it (SVM does only
 * while it asks for an interrupt window: svm.c, svm_set_irq_window).
 * Tandem never sets V_INTR_MASKING, so a guest's CR8 is the CPU's own TPR
 * (APM Vol. 2 15.21.1); the emulation writes the same value to the same
 * register the guest's instruction would have, and moves past it. */
#include "lib/cpu.h"
#include "virt/exits.h"
#include "virt/guest_mem.h"
#include "virt/insn.h"
#include "virt/partition.h"

void handle_cr8_write(struct vcpu *v)
{
	uint8_t bytes[INSN_MAX_LENGTH], gpr, len;
	uint64_t val;
	size_t got;

	if (guest_fetch_insn(v, bytes, sizeof(bytes), &got))
		vcpu_fail(v, "cannot read the CR8 write at RIP 0x%lx", v->rip);
	if (insn_decode_mov_cr8(bytes, got, guest_insn_mode(v), &gpr, &len))
		vcpu_fail(v,
			  "cannot decode the CR8 write at RIP 0x%lx (%02x %02x %02x %02x)",
			  v->rip, bytes[0], bytes[1], bytes[2], bytes[3]);
	val = v->regs[gpr];
	if (guest_insn_mode(v) != INSN_MODE_64)
		val = (uint32_t)val;
	/* Bits 63:4 are reserved (SDM Vol. 3A 2.5). */
	if (val > 0xf) {
		vcpu_inject_gp(v);
		return;
	}
	write_cr8(val);
	v->exit.insn_len = len;
	vcpu_skip_insn(v);
}
