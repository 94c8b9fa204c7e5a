/*
 * Delivering an exception to a guest in IA-32e mode by hand (SDM Vol. 3A
 * 6.14, "Exception and interrupt handling in 64-bit mode"), for an event
 * that VM entry cannot inject as it is: Palacios's "magic" page fault,
 * whose error code 0xf00df00d has bits 31:16 set, which VMX event
 * injection refuses (SDM Vol. 3C 26.2.1.3) and which SVM's 32-bit
 * EVENTINJ.ERRORCODE cannot carry as a zero-extended 64-bit word.
 *
 * Pure C over bytes the caller read from the guest (the IDT gate, the GDT
 * descriptor the gate names, the TSS field of the new stack): decoding
 * and planning only; virt/exc_deliver.c reads those bytes, writes the
 * frame and loads the new state. Every refusal is a case where the CPU
 * would raise #GP, #NP, #SS or #TS while delivering (and then #DF), or
 * one Tandem does not emulate; the reason says which.
 */
#ifndef TANDEM_VIRT_EXC_FRAME_H
#define TANDEM_VIRT_EXC_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#define EXC_GATE_SIZE	16   /* a 64-bit IDT gate */
#define EXC_FRAME_WORDS 6    /* error code, RIP, CS, RFLAGS, RSP, SS */
#define EXC_TSS_RSP0	4    /* 64-bit TSS: RSP0-2 at 4, 12, 20 */
#define EXC_TSS_IST1	0x24 /* IST1-7 at 0x24 + 8 * (n - 1) */

/* RFLAGS bits delivery changes (SDM Vol. 3A 6.12.1.3). */
#define EXC_RFLAGS_TF	(1ull << 8)
#define EXC_RFLAGS_IF	(1ull << 9)
#define EXC_RFLAGS_NT	(1ull << 14)
#define EXC_RFLAGS_RF	(1ull << 16)
#define EXC_RFLAGS_VM	(1ull << 17)

/* A decoded 64-bit interrupt or trap gate (SDM Vol. 3A 6.14.1). */
struct exc_gate {
	uint64_t offset; /* the handler, canonical */
	uint16_t sel;	 /* a GDT selector, not null */
	uint8_t ist;	 /* 0: no stack switch by IST, else 1-7 */
	bool trap;	 /* trap gate: IF is left as it was */
};

/** Decodes the 16 bytes of a gate at @raw: present, type 0xE or 0xF,
 * canonical offset (@va_bits 48, or 57 with LA57), a GDT selector that is
 * not null. 0, -TANDEM_EBUSY for a gate not present (checked first), or
 * -TANDEM_EINVAL, with the reason in *@why. */
int exc_gate_decode(const uint8_t raw[EXC_GATE_SIZE], unsigned int va_bits,
		    struct exc_gate *g, const char **why);

/* The code segment a gate names, as loaded into CS. */
struct exc_code {
	uint32_t attr;	  /* struct segment's packing (virt/vcpu.h) */
	uint32_t limit;	  /* scaled by G */
	uint64_t base;	  /* ignored in 64-bit mode, kept as loaded */
	unsigned int cpl; /* the handler's CPL */
};

/** Decodes the GDT descriptor @desc that a gate's selector names, for a
 * delivery from @cpl: a present, 64-bit (L = 1, D = 0) code segment whose
 * DPL is at most @cpl; the handler runs at its DPL, or at @cpl if it is
 * conforming. A gate into CPL 1 or 2 from a higher CPL is refused (Tandem
 * emulates the privilege change to CPL 0 only). 0 or -TANDEM_EINVAL. */
int exc_code_decode(uint64_t desc, unsigned int cpl, struct exc_code *c,
		    const char **why);

/** Where the new stack comes from: the offset of the TSS field (the IST
 * slot @ist if nonzero, else RSP of @new_cpl when it is below @cpl), or 0
 * when delivery stays on the current stack. */
unsigned int exc_tss_field(unsigned int cpl, unsigned int new_cpl, uint8_t ist);

/* What the guest was doing, and what is delivered. */
struct exc_frame_in {
	uint64_t rip, rflags, rsp;
	uint16_t cs, ss;      /* selectors, pushed as they are */
	uint64_t stack;	      /* the TSS field's value, or rsp */
	uint64_t error;	      /* pushed as a full 64-bit word */
	bool trap;	      /* a trap gate */
	unsigned int va_bits; /* 48, or 57 with LA57 */
};

struct exc_frame {
	uint64_t rsp; /* the handler's RSP: where words[0] goes */
	uint64_t words[EXC_FRAME_WORDS]; /* low to high */
	uint64_t rflags;		 /* the handler's RFLAGS */
};

/** Lays out the frame: the stack aligned down to 16 bytes (64-bit mode
 * always aligns), then SS, RSP, RFLAGS, CS, RIP and the error code pushed;
 * RFLAGS for the handler with TF, NT, RF and VM cleared, and IF too for an
 * interrupt gate. 0, or -TANDEM_EINVAL when the new stack is not
 * canonical (the CPU's #SS). */
int exc_frame_build(const struct exc_frame_in *in, struct exc_frame *f,
		    const char **why);

#endif
