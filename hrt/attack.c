/* HRT_FN_ATTACK (hrt/hrt_funcs.h): the HRT turned hostile, for the wall
 * checks of ros/checks_walls.c. It tries to reach the ROS's CPUs with
 * IPIs and to disable, move or switch its own local APIC; Tandem must
 * refuse all of it, and the HRT must go on answering. */
#include "hrt.h"

#include "hrt_funcs.h"

#define APIC_PAGE	 0xfee00000ull
#define APIC_ICR_LO	 0x300
#define APIC_ICR_HI	 0x310
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)

/* #GP is caught for these two (hrt/trap.c): they return the #GPs seen. */
static unsigned try_wrmsr(struct hrt_core *c, uint32_t msr, uint64_t v)
{
	unsigned before = c->gps;

	c->catch_gp = true;
	wrmsr(msr, v);
	c->catch_gp = false;
	return c->gps - before;
}

static unsigned try_rdmsr(struct hrt_core *c, uint32_t msr, uint64_t *v)
{
	unsigned before = c->gps;
	uint32_t lo = 0, hi = 0;

	c->catch_gp = true;
	__asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	c->catch_gp = false;
	*v = (uint64_t)hi << 32 | lo;
	return c->gps - before;
}

uint64_t hrt_attack(struct hrt_core *c, uint64_t mask, uint64_t vector)
{
	static const uint32_t modes[] = { 0x4000, 0x4400, 0x4500 };
	volatile uint32_t *page = NULL;
	uint64_t base = 0, after = 0, want, got = 0;
	unsigned icr_gps = 0;

	if (hrt_phys_ok(&c->setup, APIC_PAGE, 0x1000))
		page = hrt_phys(&c->setup, APIC_PAGE);
	for (uint32_t id = 0; id < 64; id++) {
		if (!(mask & (1ull << id)))
			continue;
		for (unsigned m = 0; m < 3; m++) {
			uint32_t lo = modes[m] |
				      (m ? 0 : (uint32_t)vector & 0xff);

			if (page && id < 0xff) {
				page[APIC_ICR_HI / 4] = id << 24;
				page[APIC_ICR_LO / 4] = lo;
			}
			icr_gps += try_wrmsr(c, X2APIC_ICR,
					     (uint64_t)id << 32 | lo);
		}
	}
	if (!icr_gps)
		got |= HRT_ATTACK_ICR_OK;

	want = APIC_PAGE | APIC_BASE_ENABLE | APIC_BASE_X2APIC |
	       (c->index == 0 ? APIC_BASE_BSP : 0);
	if (!try_rdmsr(c, MSR_APIC_BASE, &base) && base == want)
		got |= HRT_ATTACK_BASE_READ;
	if (try_wrmsr(c, MSR_APIC_BASE, base & ~APIC_BASE_ENABLE))
		got |= HRT_ATTACK_DISABLE_GP;
	if (try_wrmsr(c, MSR_APIC_BASE, base + 0x100000))
		got |= HRT_ATTACK_MOVE_GP;
	if (try_wrmsr(c, MSR_APIC_BASE, base & ~APIC_BASE_X2APIC))
		got |= HRT_ATTACK_MODE_GP;
	if (!try_wrmsr(c, MSR_APIC_BASE, base) &&
	    !try_rdmsr(c, MSR_APIC_BASE, &after) && after == base)
		got |= HRT_ATTACK_SAME_OK;
	hrt_log("core %u: attack on APIC IDs 0x%lx: 0x%lx (APIC_BASE 0x%lx)",
		c->index, mask, got, base);
	return got;
}
