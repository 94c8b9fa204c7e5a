/* The ACPI PM timer, as a runtime kernel finds and uses it: the RSDP copy
 * of the boot information, the RSDT/XSDT, the FADT's PM timer block
 * (kernel/fmt/acpi.c, the walk Tandem itself uses), then dword reads of
 * its port. Tandem emulates that timer for the HRT from the TSC, so over
 * CHECK_MS of TSC it must count ACPI_PM_TIMER_HZ to within 1% of the info
 * tag's rate, never run backwards, and, 24 bits wide, read 0 in bits
 * 24-31 (ACPI 6.5 4.8.3.3). Each read is bracketed by TSC reads, so the
 * cost of its exit does not count against the rate. One line, later:
 *
 *   pm timer: port 0x608 (24-bit): N counts in M us of TSC: within 1%
 *   pm timer: none: <why>
 */
#include "hrt.h"

#include "../kernel/fmt/acpi.h"

#define CHECK_MS      10
#define READS	      100 /* spread over CHECK_MS: none may go back */
#define TOLERANCE_PPM 10000

static const void *map_phys(void *ctx, uint64_t phys, size_t len)
{
	const struct hrt_setup *s = ctx;

	return hrt_phys_ok(s, phys, len) ? hrt_phys(s, phys) : NULL;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* One read between two TSC readings. */
static uint32_t read_at(uint16_t port, uint64_t *before, uint64_t *after)
{
	uint32_t v;

	*before = rdtsc();
	v = inl(port);
	*after = rdtsc();
	return v;
}

/* Do @counts of ACPI_PM_TIMER_HZ take between @lo and @hi ticks of a TSC
 * of @khz, give or take TOLERANCE_PPM? */
static bool within(uint64_t counts, uint64_t lo, uint64_t hi, uint64_t khz)
{
	unsigned __int128 c = (unsigned __int128)counts * khz * 1000 * 1000000;

	return c >= (unsigned __int128)lo * ACPI_PM_TIMER_HZ *
			       (1000000 - TOLERANCE_PPM) &&
	       c <= (unsigned __int128)hi * ACPI_PM_TIMER_HZ *
			       (1000000 + TOLERANCE_PPM);
}

void hrt_pm_timer_check(const struct hrt_setup *s)
{
	uint64_t khz = s->tsc_khz, a0, a1, b0, b1, lo, hi, us;
	uint32_t mask, first, prev, v = 0, high_bits = 0;
	unsigned backwards = 0;
	struct acpi_pm_timer pm;
	struct acpi_table fadt;
	const char *why = NULL;
	uint64_t counts;
	bool agree;

	if (!s->rsdp) {
		hrt_log_later("pm timer: none: no RSDP in the boot information");
		return;
	}
	if (acpi_find_table(s->rsdp, s->rsdp_len, "FACP", map_phys, (void *)s,
			    &fadt, &why) ||
	    acpi_fadt_pm_timer(fadt.ptr, fadt.len, &pm, &why)) {
		hrt_log_later("pm timer: none: FADT: %s", why);
		return;
	}
	if (!pm.port) {
		hrt_log_later("pm timer: none: %s", pm.none);
		return;
	}
	if (!khz) {
		hrt_log_later("pm timer: port 0x%x: no TSC rate to compare with",
			      pm.port);
		return;
	}
	mask = pm.ext32 ? 0xffffffffu : 0xffffffu;
	first = prev = read_at(pm.port, &a0, &a1);
	high_bits |= first & ~mask;
	for (unsigned i = 1; i <= READS; i++) {
		/* The i-th read no earlier than i / READS of the span. */
		while (rdtsc() - a1 < CHECK_MS * khz * i / READS)
			cpu_relax();
		v = read_at(pm.port, &b0, &b1);
		high_bits |= v & ~mask;
		/* Going back is a wrap only when it lands near the bottom. */
		if (((v - prev) & mask) > mask / 2)
			backwards++;
		prev = v;
	}
	counts = (v - first) & mask;
	lo = b0 - a1; /* the TSC span the counts cover, at least ... */
	hi = b1 - a0; /* ... and at most */
	us = (lo + hi) / 2 * 1000 / khz;
	agree = within(counts, lo, hi, khz);
	hrt_log_later("pm timer: port 0x%x (%u-bit): %lu counts in %lu us of TSC: %s",
		      pm.port, pm.ext32 ? 32 : 24, counts, us,
		      backwards ? "went backwards" :
		      high_bits ? "bits above the width set" :
		      agree	? "within 1%" :
				  "off by more than 1%");
}
