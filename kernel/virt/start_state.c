/* Start states (SDM Vol. 3A 10.1.1 for INIT/SIPI, Multiboot2 spec 3.3). */
#include "lib/klib.h"
#include "virt/segment.h"
#include "virt/start_state.h"

static void common(struct vcpu_state *s)
{
	memset(s, 0, sizeof(*s));
	s->rflags = 0x2;
	s->dr7 = 0x400;
	s->pat = 0x0007040600070406ull;		/* power-on PAT */
	s->tr = (struct segment){ 0, ATTR_TSS_BUSY, 0xffff, 0 };
	s->ldtr = (struct segment){ 0, ATTR_LDT | SEG_UNUSABLE, 0xffff, 0 };
	s->gdtr.limit = 0xffff;
	s->idtr.limit = 0xffff;
}

void start_state_multiboot(struct vcpu_state *s, uint32_t entry)
{
	const struct segment data = { 0x10, ATTR_DATA, 0xffffffff, 0 };

	common(s);
	s->rip = entry;
	s->cr0 = 0x11;				/* PE, ET */
	s->cs = (struct segment){ 0x08, ATTR_CODE32, 0xffffffff, 0 };
	s->ds = s->es = s->fs = s->gs = s->ss = data;
}

void start_state_sipi(struct vcpu_state *s, uint8_t vector)
{
	const struct segment data = { 0, ATTR_DATA16, 0xffff, 0 };

	common(s);
	s->rip = 0;
	s->cr0 = 0x60000010;			/* CD, NW, ET */
	s->cs = (struct segment){ (uint16_t)(vector << 8), ATTR_CODE16, 0xffff,
				  (uint64_t)vector << 12 };
	s->ds = s->es = s->fs = s->gs = s->ss = data;
}
