/* Per-core IDTs and the one C handler of every vector: the upcall vector
 * runs hrt_upcall(), an exception stops its core with one line, anything
 * else is reported and ignored. */
#include "hrt.h"

#define GATE_INTR_DPL0 0x8e
#define SEL_CODE       0x08

extern const uint64_t hrt_isr_stubs[256];

void hrt_trap_init(struct hrt_core *c)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(c->idt) - 1, (uint64_t)c->idt };

	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = hrt_isr_stubs[v];

		c->idt[v] = (struct idt_gate){
			.offset_lo = (uint16_t)a,
			.selector = SEL_CODE,
			.type_attr = GATE_INTR_DPL0,
			.offset_mid = (uint16_t)(a >> 16),
			.offset_hi = (uint32_t)(a >> 32),
		};
	}
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

static uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

void hrt_trap(struct trap_frame *f)
{
	struct hrt_core *c = hrt_this_core();
	uint8_t vector = c ? c->setup.vector : HRT_UPCALL_VECTOR;

	if (c && f->vector == vector) {
		hrt_upcall(c);
		return;
	}
	if (c && hrt_selftest_irq(c, f->vector))
		return;
	/* Palacios's other upcall delivery, which version 2 asks for in its
	 * tag: a page fault whose 64-bit error code and CR2 are the magic
	 * ones (the whole words compared, as Nautilus does). */
	if (c && f->vector == 14 && f->error == TANDEM_UPCALL_MAGIC_ERROR &&
	    read_cr2() == TANDEM_UPCALL_MAGIC_ADDRESS) {
		c->magic_upcalls++;
		if (!(f->rflags & (1u << 9)))
			c->magic_if_off++;
		if (f->cs == HRT_SEL_CODE_ALT)
			c->magic_other_cs++;
		if (c->ready)
			hrt_upcall(c);
		else
			c->upcall_kept = true;
		return;
	}
	if (f->vector == 14 && f->rip == (uint64_t)hrt_safe_load_insn) {
		if (c) {
			c->safe_pf_cr2 = read_cr2();
			c->safe_pf_error = f->error;
		}
		f->rip = (uint64_t)hrt_safe_load_fixup;
		return;
	}
	if (c && c->catch_gp && f->vector == 13) {
		c->gps++;
		f->rip += 2; /* RDMSR and WRMSR: 0f 32, 0f 30 */
		return;
	}
	if (f->vector < 32) {
		hrt_log("exception %lu at 0x%lx (error 0x%lx, cr2 0x%lx, core %d)",
			f->vector, f->rip, f->error,
			f->vector == 14 ? read_cr2() : 0, c ? (int)c->index : -1);
		hrt_stop();
	}
	hrt_log("unexpected interrupt %lu at 0x%lx (core %d)", f->vector,
		f->rip, c ? (int)c->index : -1);
}
