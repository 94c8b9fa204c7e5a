/* Planning an exception's delivery in IA-32e mode (see exc_frame.h). */
#include <tandem/errno.h>
#include "lib/fail.h"
#include "virt/exc_frame.h"

static bool canonical(uint64_t a, unsigned int va_bits)
{
	int64_t s = (int64_t)(a << (64 - va_bits)) >> (64 - va_bits);

	return (uint64_t)s == a;
}

int exc_gate_decode(const uint8_t raw[EXC_GATE_SIZE], unsigned int va_bits,
		    struct exc_gate *g, const char **why)
{
	uint8_t type_attr = raw[5];
	unsigned int type = type_attr & 0xf;

	if (!(type_attr & 0x80))
		return fail(why, TANDEM_EBUSY, "the gate is not present");
	if ((type_attr & 0x10) || (type != 0xe && type != 0xf))
		return fail(why, TANDEM_EINVAL,
			    "not a 64-bit interrupt or trap gate");
	g->sel = (uint16_t)(raw[2] | raw[3] << 8);
	g->ist = raw[4] & 7;
	g->trap = type == 0xf;
	g->offset = (uint64_t)raw[0] | (uint64_t)raw[1] << 8 |
		    (uint64_t)raw[6] << 16 | (uint64_t)raw[7] << 24 |
		    (uint64_t)raw[8] << 32 | (uint64_t)raw[9] << 40 |
		    (uint64_t)raw[10] << 48 | (uint64_t)raw[11] << 56;
	if (!(g->sel & ~3u))
		return fail(why, TANDEM_EINVAL, "the gate's selector is null");
	if (g->sel & 4)
		return fail(why, TANDEM_EINVAL,
			    "the gate's selector names the LDT (not emulated)");
	if (!canonical(g->offset, va_bits))
		return fail(why, TANDEM_EINVAL,
			    "the gate's handler address is not canonical");
	return 0;
}

int exc_code_decode(uint64_t desc, unsigned int cpl, struct exc_code *c,
		    const char **why)
{
	unsigned int type = (desc >> 40) & 0xf, dpl = (desc >> 45) & 3;
	bool conforming = type & 4;

	if (!((desc >> 44) & 1) || !(type & 8))
		return fail(why, TANDEM_EINVAL,
			    "the gate's selector is not a code segment");
	if (!((desc >> 47) & 1))
		return fail(why, TANDEM_EINVAL,
			    "the gate's code segment is not present");
	if (!((desc >> 53) & 1) || ((desc >> 54) & 1))
		return fail(why, TANDEM_EINVAL,
			    "the gate's code segment is not 64-bit (L=1, D=0)");
	if (dpl > cpl)
		return fail(why, TANDEM_EINVAL,
			    "the gate's code segment is less privileged than the CPL");
	c->cpl = conforming ? cpl : dpl;
	if (c->cpl != cpl && c->cpl != 0)
		return fail(why, TANDEM_EINVAL,
			    "a gate into CPL 1 or 2 (not emulated)");
	/* Type with the accessed bit, S, DPL, P; AVL, L, D/B, G. */
	c->attr = (uint32_t)((desc >> 40) & 0xff) | 1u |
		  (uint32_t)(((desc >> 52) & 0xf) << 8);
	c->limit = (uint32_t)((desc & 0xffff) | ((desc >> 32) & 0xf0000));
	if ((desc >> 55) & 1)
		c->limit = c->limit << 12 | 0xfff;
	c->base = ((desc >> 16) & 0xffffff) | ((desc >> 56) << 24);
	return 0;
}

unsigned int exc_tss_field(unsigned int cpl, unsigned int new_cpl, uint8_t ist)
{
	if (ist)
		return EXC_TSS_IST1 + 8u * (ist - 1u);
	if (new_cpl < cpl)
		return EXC_TSS_RSP0 + 8u * new_cpl;
	return 0;
}

int exc_frame_build(const struct exc_frame_in *in, struct exc_frame *f,
		    const char **why)
{
	uint64_t top = in->stack & ~0xfull;
	uint64_t clear = EXC_RFLAGS_TF | EXC_RFLAGS_NT | EXC_RFLAGS_RF |
			 EXC_RFLAGS_VM | (in->trap ? 0 : EXC_RFLAGS_IF);

	f->rsp = top - 8 * EXC_FRAME_WORDS;
	/* Both ends: a frame must not wrap nor straddle the hole. */
	if (!canonical(top - 1, in->va_bits) ||
	    !canonical(f->rsp, in->va_bits) || top < 8 * EXC_FRAME_WORDS)
		return fail(why, TANDEM_EINVAL, "the new stack is not canonical");
	f->words[0] = in->error;
	f->words[1] = in->rip;
	f->words[2] = in->cs;
	f->words[3] = in->rflags;
	f->words[4] = in->rsp;
	f->words[5] = in->ss;
	f->rflags = (in->rflags & ~clear) | 2;
	return 0;
}
