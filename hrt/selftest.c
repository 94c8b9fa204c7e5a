/*
 * What a real runtime kernel does with its cores, proved on each boot (issue
 * "real hybrid runtimes"): the BSP bit of IA32_APIC_BASE on core 0 only, its
 * own page tables in place of Tandem's, its own IDT (hrt/trap.c), a periodic
 * local APIC timer on every core, calibrated against the TSC, and fixed IPIs
 * between its cores (core 0 to each other core, each answering back). Core 0
 * prints one line that the boot plan judges, with the first call it answers
 * (as hrt/pit.c does: the ROS is silent then, and the two never cut each
 * other's lines on the shared serial port):
 *
 *   selftest: ok on N cores (BSP bit, own page tables and IDT, timer, IPIs)
 *   selftest: FAILED: <what>
 *
 * The local APIC is reached through the x2APIC MSRs, the mode the HRT sees
 * (guest-abi/ABI.md 11.1, 11.2). HRT_FN_TICKS gives the ROS each core's
 * tick count, so it can see the timers go on while the cores answer calls.
 */
#include "hrt.h"

#define X2APIC_ID	  0x802
#define X2APIC_EOI	  0x80b
#define X2APIC_SVR	  0x80f
#define X2APIC_LVT_TIMER  0x832
#define X2APIC_INIT_COUNT 0x838
#define X2APIC_CUR_COUNT  0x839
#define X2APIC_DIV	  0x83e

#define LVT_MASKED	  (1u << 16)
#define LVT_PERIODIC	  (1u << 17)
#define DIV_BY_16	  0x3
#define SVR_ENABLE	  (1u << 8)
#define SPURIOUS_VECTOR	  0xff

#define TIMER_HZ	  100
#define WAIT_MS		  10000 /* for every core's first ticks and replies */
#define RESEND_MS	  500	/* an IPI to a core that has not answered */

/* Page tables of the HRT's own: 0 .. 8 GiB identity and again at the
 * offset, 2 MiB pages (the mapping Tandem built, SDM Vol. 3A 4.5). */
#define PT_PRESENT	  (1ull << 0)
#define PT_WRITE	  (1ull << 1)
#define PT_LARGE	  (1ull << 7)
#define OWN_GIB		  8

static uint64_t own_pml4[512] __attribute__((aligned(4096)));
static uint64_t own_pdpt[512] __attribute__((aligned(4096)));
static uint64_t own_pd[OWN_GIB][512] __attribute__((aligned(4096)));
static volatile bool own_tables_ready;
static volatile uint64_t marker = 0x5e1f7e57;

/* Answers that reached core 0, one bit per core: each core answers on a
 * vector of its own, as two IPIs of one vector pending at once are one. */
static volatile uint64_t answered;

/* Physical address of an image symbol: the image runs at gva_offset +
 * its physical address (hrt/hrt.ld). */
static uint64_t image_phys(const struct hrt_setup *s, const void *p)
{
	return (uint64_t)p - s->gva_offset;
}

static void build_own_tables(const struct hrt_setup *s)
{
	for (unsigned g = 0; g < OWN_GIB; g++) {
		for (unsigned i = 0; i < 512; i++)
			own_pd[g][i] = ((uint64_t)g << 30 | (uint64_t)i << 21) |
				       PT_PRESENT | PT_WRITE | PT_LARGE;
		own_pdpt[g] = image_phys(s, own_pd[g]) | PT_PRESENT | PT_WRITE;
	}
	own_pml4[0] = image_phys(s, own_pdpt) | PT_PRESENT | PT_WRITE;
	own_pml4[(s->gva_offset >> 39) & 511] = own_pml4[0];
}

/* Loads the tables core 0 built; true if both views still read the same
 * memory afterwards. */
static bool use_own_tables(const struct hrt_setup *s)
{
	uint64_t cr3 = image_phys(s, own_pml4);
	const volatile uint64_t *ident;

	if ((s->gva_offset & ((1ull << 39) - 1)) ||
	    s->max_mem > (uint64_t)OWN_GIB << 30)
		return false; /* a layout these tables do not cover */
	__asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
	ident = (const volatile uint64_t *)image_phys(s, (const void *)&marker);
	return *ident == 0x5e1f7e57 && marker == 0x5e1f7e57;
}

/* APIC timer ticks per TSC millisecond, measured on this core with the
 * timer masked and counting down once from the top. */
static uint64_t timer_per_ms(const struct hrt_setup *s)
{
	uint64_t khz = hrt_khz(s), t0, left;

	wrmsr(X2APIC_DIV, DIV_BY_16);
	wrmsr(X2APIC_LVT_TIMER, LVT_MASKED);
	wrmsr(X2APIC_INIT_COUNT, 0xffffffffu);
	t0 = rdtsc();
	while (rdtsc() - t0 < khz)
		cpu_relax();
	left = rdmsr(X2APIC_CUR_COUNT);
	wrmsr(X2APIC_INIT_COUNT, 0);
	return 0xffffffffu - left;
}

void hrt_selftest_core(struct hrt_core *c)
{
	const struct hrt_setup *s = &c->setup;
	uint64_t per_ms, base = rdmsr(MSR_APIC_BASE);
	uint64_t t0 = rdtsc(), khz = hrt_khz(s);

	c->bsp_ok = !!(base & APIC_BASE_BSP) == (c->index == 0);
	c->apic_id = (uint32_t)rdmsr(X2APIC_ID);

	if (c->index == 0) {
		build_own_tables(s);
		__atomic_store_n(&own_tables_ready, true, __ATOMIC_RELEASE);
	}
	while (!__atomic_load_n(&own_tables_ready, __ATOMIC_ACQUIRE) &&
	       rdtsc() - t0 < WAIT_MS * khz)
		cpu_relax();
	c->own_tables_ok = own_tables_ready && use_own_tables(s);

	wrmsr(X2APIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
	per_ms = timer_per_ms(s);
	c->timer_count = per_ms * 1000 / TIMER_HZ;
	if (c->timer_count) {
		wrmsr(X2APIC_LVT_TIMER, LVT_PERIODIC | HRT_TIMER_VECTOR);
		wrmsr(X2APIC_INIT_COUNT, c->timer_count);
	}
}

static void send_ipi(uint32_t apic_id, uint8_t vector)
{
	/* Fixed, physical destination, edge (SDM Vol. 3A 11.12.9). */
	wrmsr(X2APIC_ICR, (uint64_t)apic_id << 32 | vector);
}

bool hrt_selftest_irq(struct hrt_core *c, uint64_t vector)
{
	switch (vector) {
	case HRT_TIMER_VECTOR:
		__atomic_add_fetch(&c->ticks, 1, __ATOMIC_RELAXED);
		break;
	case HRT_IPI_VECTOR:
		c->ipis++;
		send_ipi(hrt_cores[0].apic_id,
			 (uint8_t)(HRT_REPLY_VECTOR + c->index));
		break;
	case SPURIOUS_VECTOR:
		return true; /* no EOI for the spurious vector (11.9) */
	default:
		if (vector <= HRT_REPLY_VECTOR ||
		    vector >= HRT_REPLY_VECTOR + HRT_MAX_CORES)
			return false;
		__atomic_or_fetch(&answered, 1ull << (vector - HRT_REPLY_VECTOR),
				  __ATOMIC_RELAXED);
	}
	wrmsr(X2APIC_EOI, 0);
	return true;
}

/* Core 0, once every core checked in: IPIs out, then wait (interrupts on)
 * for every core's ticks and answer. */
void hrt_selftest_report(struct hrt_core *c0, unsigned cores)
{
	uint64_t khz = hrt_khz(&c0->setup);
	uint64_t t0, sent = 0;
	unsigned bsp = 0, tables = 0, ticking = 0, reached = 0, replies = 0;

	__asm__ volatile("sti" ::: "memory");
	t0 = rdtsc();
	for (;;) {
		/* Emulators may run a core late: ask again, not forever. */
		if (!sent || rdtsc() - sent > RESEND_MS * khz) {
			for (unsigned i = 1; i < cores; i++)
				if (!(answered & (1ull << i)))
					send_ipi(hrt_cores[i].apic_id,
						 HRT_IPI_VECTOR);
			sent = rdtsc();
		}
		ticking = reached = replies = 0;
		for (unsigned i = 0; i < cores; i++) {
			ticking += __atomic_load_n(&hrt_cores[i].ticks,
						   __ATOMIC_RELAXED) >= 2;
			reached += i && hrt_cores[i].ipis;
			replies += i && (answered & (1ull << i));
		}
		if ((ticking == cores && replies == cores - 1) ||
		    rdtsc() - t0 > WAIT_MS * khz)
			break;
		cpu_relax();
	}
	__asm__ volatile("cli" ::: "memory");
	for (unsigned i = 0; i < cores; i++) {
		bsp += hrt_cores[i].bsp_ok;
		tables += hrt_cores[i].own_tables_ok;
	}
	if (bsp == cores && tables == cores && ticking == cores &&
	    reached == cores - 1 && replies == cores - 1)
		hrt_log_later("selftest: ok on %u cores (BSP bit, own page tables and "
			      "IDT, timer, IPIs)",
			      cores);
	else
		hrt_log_later("selftest: FAILED: BSP bit right on %u, own page tables on "
			      "%u, timer ticking on %u of %u cores; IPIs reached %u of %u "
			      "cores, answers from %u",
			      bsp, tables, ticking, cores, reached, cores - 1,
			      replies);
}
