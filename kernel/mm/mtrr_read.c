/* Fills host_mtrrs from the boot CPU's MSRs (see mm/mtrr.h). */
#include "hw/console.h"
#include "lib/cpu.h"
#include "mm/mtrr.h"

#define CPUID1_EDX_MTRR (1u << 12)
#define MTRRCAP_VCNT	0xffull
#define MTRRCAP_FIX	(1ull << 8)

static const uint32_t fixed_msrs[MTRR_FIXED_MSRS] = {
	0x250, 0x258, 0x259, 0x268, 0x269, 0x26a,
	0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
};

static unsigned int phys_bits(void)
{
	unsigned int bits = 36; /* without leaf 0x80000008 (SDM Vol. 3A 4.1.4) */

	if (cpuid(0x80000000, 0).eax >= 0x80000008)
		bits = cpuid(0x80000008, 0).eax & 0xff;
	return bits < 36 ? 36 : bits > 52 ? 52 : bits;
}

void mtrr_read(void)
{
	struct mtrr_state *s = &host_mtrrs;
	uint64_t cap;

	s->phys_bits = phys_bits();
	s->present = cpuid(1, 0).edx & CPUID1_EDX_MTRR;
	if (!s->present) {
		pr_info("mtrr: none; guest memory is mapped write-back");
		return;
	}
	cap = rdmsr(MSR_MTRRCAP);
	s->def_type = rdmsr(MSR_MTRR_DEF);
	s->fixed_supported = cap & MTRRCAP_FIX;
	for (unsigned int i = 0; s->fixed_supported && i < MTRR_FIXED_MSRS; i++)
		s->fixed[i] = rdmsr(fixed_msrs[i]);
	s->nvar = cap & MTRRCAP_VCNT;
	if (s->nvar > MTRR_MAX_VAR)
		s->nvar = MTRR_MAX_VAR;
	for (unsigned int i = 0; i < s->nvar; i++) {
		s->base[i] = rdmsr(MSR_MTRR_BASE0 + 2 * i);
		s->mask[i] = rdmsr(MSR_MTRR_BASE0 + 2 * i + 1);
	}
	pr_info("mtrr: %s, default type %u, fixed ranges %s, %u variable",
		(s->def_type & (1u << 11)) ? "on" : "off",
		(unsigned int)(s->def_type & 0xff),
		(s->def_type & (1u << 10)) && s->fixed_supported ? "on" : "off",
		s->nvar);
}
