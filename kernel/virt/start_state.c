/* Start states (SDM Vol. 3A 10.1.1 for INIT/SIPI, Multiboot2 spec 3.3,
 * SDM Vol. 3A 10.8.5 for 64-bit mode). */
#include "lib/klib.h"
#include "virt/segment.h"
#include "virt/start_state.h"

static void common(struct vcpu_state *s)
{
	memset(s, 0, sizeof(*s));
	s->rflags = 0x2;
	s->dr7 = 0x400;
	s->pat = 0x0007040600070406ull; /* power-on PAT */
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
	s->cr0 = 0x11; /* PE, ET */
	s->cs = (struct segment){ 0x08, ATTR_CODE32, 0xffffffff, 0 };
	s->ds = s->es = s->fs = s->gs = s->ss = data;
}

void start_state_linux32(struct vcpu_state *s, uint32_t entry, struct dtable gdtr)
{
	const struct segment data = { 0x18, ATTR_DATA, 0xffffffff, 0 };

	common(s);
	s->rip = entry;
	s->cr0 = 0x11; /* PE, ET */
	s->cs = (struct segment){ 0x10, ATTR_CODE32, 0xffffffff, 0 };
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->gdtr = gdtr;
}

void start_state_long(struct vcpu_state *s, uint64_t entry,
		      const struct start_tables64 *t)
{
	const struct segment data = { t->data_sel, ATTR_DATA, 0xffffffff, 0 };

	common(s);
	s->rip = entry;
	s->cr0 = 0x80050033; /* PG, AM, WP, NE, ET, MP, PE */
	s->cr3 = t->cr3;
	s->cr4 = 0x20;	 /* PAE */
	s->efer = 0x500; /* LME, LMA */
	s->cs = (struct segment){ t->code_sel, ATTR_CODE64, 0xffffffff, 0 };
	s->ds = s->es = s->ss = s->fs = s->gs = data;
	s->tr = (struct segment){ t->tss_sel, ATTR_TSS_BUSY, t->tss_limit,
				  t->tss_base };
	s->ldtr = (struct segment){ 0, ATTR_LDT | SEG_UNUSABLE, 0, 0 };
	s->gdtr = t->gdtr;
	s->idtr = t->idtr;
}

void start_state_real(struct vcpu_state *s, uint32_t addr)
{
	const struct segment data = { 0, ATTR_DATA16, 0xffff, 0 };

	common(s);
	s->rip = addr & 0xffff;
	s->cr0 = 0x60000010; /* CD, NW, ET */
	s->cs = (struct segment){ (uint16_t)((addr >> 4) & 0xf000), ATTR_CODE16,
				  0xffff, addr & ~0xffffu };
	s->ds = s->es = s->fs = s->gs = s->ss = data;
}

/* Not start_state_real(vector << 12): a start-up IPI gives CS = vector <<
 * 8 and IP 0, and trampolines address their data through CS. */
void start_state_sipi(struct vcpu_state *s, uint8_t vector)
{
	const struct segment data = { 0, ATTR_DATA16, 0xffff, 0 };

	common(s);
	s->rip = 0;
	s->cr0 = 0x60000010; /* CD, NW, ET */
	s->cs = (struct segment){ (uint16_t)(vector << 8), ATTR_CODE16, 0xffff,
				  (uint64_t)vector << 12 };
	s->ds = s->es = s->fs = s->gs = s->ss = data;
}
