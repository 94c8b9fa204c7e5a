/* Exception delivery by emulation (see exc_deliver.h): the guest's tables
 * are read through its page tables (virt/guest_mem.h), decoded by
 * virt/exc_frame.c, and the new state loaded with set_state. */
#include <tandem/errno.h>
#include "lib/fail.h"
#include "virt/exc_deliver.h"
#include "virt/exc_frame.h"
#include "virt/guest_mem.h"
#include "virt/vcpu.h"

#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)

/* The code segment of the gate: CS as it is when the selector is the
 * current one (the usual case: a kernel's own exception), else the GDT's
 * descriptor. */
static int gate_code(struct vcpu *v, const struct vcpu_state *st,
		     unsigned int cpl, uint16_t sel, struct segment *cs,
		     unsigned int *new_cpl, const char **why)
{
	struct exc_code code;
	uint64_t desc;
	int err;

	if (sel == st->cs.sel) {
		*cs = st->cs;
		*new_cpl = cpl;
		return 0;
	}
	if ((uint32_t)(sel & ~7u) + 7 > st->gdtr.limit)
		return fail(why, TANDEM_EINVAL,
			    "the gate's selector lies beyond the GDT limit");
	if (guest_read_linear(v, st->gdtr.base + (sel & ~7u), &desc, 8))
		return fail(why, TANDEM_ENOENT,
			    "the gate's GDT descriptor is not mapped RAM");
	err = exc_code_decode(desc, cpl, &code, why);
	if (err)
		return err;
	*new_cpl = code.cpl;
	*cs = (struct segment){ (uint16_t)((sel & ~3u) | code.cpl), code.attr,
				code.limit, code.base };
	return 0;
}

/* The value of TSS field @off: TR must hold a 64-bit TSS (type 9 or 11)
 * whose limit covers the field. */
static int tss_read(struct vcpu *v, const struct vcpu_state *st,
		    unsigned int off, uint64_t *val, const char **why)
{
	unsigned int type = st->tr.attr & 0xf;

	if ((st->tr.attr & SEG_UNUSABLE) || (type != 9 && type != 11))
		return fail(why, TANDEM_EINVAL,
			    "the gate needs a stack from the TSS, and TR holds none");
	if (off + 7 > st->tr.limit)
		return fail(why, TANDEM_EINVAL,
			    "the TSS limit leaves out the stack field the gate needs");
	if (guest_read_linear(v, st->tr.base + off, val, 8))
		return fail(why, TANDEM_ENOENT, "the TSS is not mapped RAM");
	return 0;
}

int exc_deliver(struct vcpu *v, uint8_t vector, uint64_t error, uint64_t cr2,
		const char **why)
{
	struct vcpu_state st;
	struct pt_guest_regs regs;
	struct exc_gate gate;
	struct exc_frame f;
	struct segment cs;
	unsigned int cpl, new_cpl, off, va_bits;
	uint8_t raw[EXC_GATE_SIZE];
	uint64_t stack;
	int err;

	vcpu_ops->get_state(v, &st);
	guest_paging_regs(v, &regs);
	if (!(regs.efer & EFER_LMA))
		return fail(why, TANDEM_EINVAL,
			    "the guest is not in IA-32e mode");
	va_bits = (regs.cr4 & CR4_LA57) ? 57 : 48;
	cpl = vcpu_ops->get_cpl(v);
	if ((uint32_t)vector * EXC_GATE_SIZE + EXC_GATE_SIZE - 1 > st.idtr.limit)
		return fail(why, TANDEM_EINVAL,
			    "the IDT limit leaves out the gate");
	if (guest_read_linear(v, st.idtr.base + (uint64_t)vector * EXC_GATE_SIZE,
			      raw, sizeof(raw)))
		return fail(why, TANDEM_ENOENT, "the IDT gate is not mapped RAM");
	err = exc_gate_decode(raw, va_bits, &gate, why);
	if (!err)
		err = gate_code(v, &st, cpl, gate.sel, &cs, &new_cpl, why);
	if (err)
		return err;
	stack = v->regs[GPR_RSP];
	off = exc_tss_field(cpl, new_cpl, gate.ist);
	if (off && (err = tss_read(v, &st, off, &stack, why)))
		return err;
	err = exc_frame_build(&(struct exc_frame_in){ .rip = v->rip,
						      .rflags = v->rflags,
						      .rsp = v->regs[GPR_RSP],
						      .cs = st.cs.sel,
						      .ss = st.ss.sel,
						      .stack = stack,
						      .error = error,
						      .trap = gate.trap,
						      .va_bits = va_bits },
			      &f, why);
	if (err)
		return err;
	/* Supervisor rights, as the CPU pushes (an implicit supervisor
	 * access, whatever the CPL it came from). */
	if (guest_write_through(v->cell, &regs, f.rsp, f.words, sizeof(f.words)))
		return fail(why, TANDEM_ENOENT,
			    "the frame's stack is not mapped writable RAM");
	if (vector == 14)
		st.cr2 = cr2;
	if (new_cpl != cpl) /* to CPL 0: SS is the null selector */
		st.ss = (struct segment){ 0, SEG_UNUSABLE, 0, 0 };
	st.cs = cs;
	st.rip = gate.offset;
	st.rflags = f.rflags;
	/* set_state also clears an interrupt shadow and wakes a HLT, as
	 * delivering an event does. */
	vcpu_ops->set_state(v, &st);
	v->regs[GPR_RSP] = f.rsp;
	return 0;
}
