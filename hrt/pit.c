/* TSC calibration against the PIT, as a runtime kernel does it at boot
 * (the pattern of Linux's pit_calibrate_tsc() and Nautilus's
 * i8254_calib_tsc()): counter 2's GATE on through port 0x61, mode 0 with
 * a 10 ms count, then spin until OUT2 (port 0x61 bit 5) rises. Tandem
 * emulates that PIT for the HRT from its own TSC, so the rate found must
 * agree with the info tag's cpu_freq_khz; 20% leaves room for emulators
 * and for the exits each read of port 0x61 costs. Each try brackets
 * the count's 10 ms between TSC readings; the narrowest of a few tries
 * counts (as Linux retries a disturbed calibration): the rates agree when
 * that bracket meets Tandem's rate give or take 20%.
 *
 * The line comes with the first call core 0 answers, not at once: the
 * ROS prints its first lines on the same serial port while the HRT boots,
 * and waits in silence for a call's answer. */
#include "hrt.h"

#define PIT_HZ	      1193182u
#define CAL_MS	      10
#define CAL_COUNT     (PIT_HZ / (1000 / CAL_MS)) /* 11931 */
#define CAL_TRIES     5
#define TOLERANCE_PCT 20
#define WAIT_MS	      2000 /* give up: no PIT (OUT2 never rises) */
#define PORT_B	      0x61
#define PIT_CH2	      0x42
#define PIT_CMD	      0x43

/* What one try learnt: the count ran between lo and hi TSC ticks, and
 * port 0x61 was read that often (Nautilus wants 1000 reads in 10 ms). */
struct pit_span {
	uint64_t lo, hi;
	unsigned long reads;
};

/* One try: false when OUT2 did not rise within WAIT_MS. The count starts
 * between t0 and t1 and ends between the start of the last read that saw
 * OUT2 low and the end of the one that saw it high, so a core held up
 * anywhere else (an emulator running its other CPUs) does not matter. */
static bool pit_try(uint64_t per_ms, struct pit_span *sp)
{
	uint8_t b = inb(PORT_B);
	uint64_t t0, t1, a, low;
	bool high = false;

	outb(PORT_B, (uint8_t)((b & ~0x02) | 0x01)); /* GATE2 on, no sound */
	outb(PIT_CMD, 0xb0); /* counter 2, lobyte then hibyte, mode 0 */
	outb(PIT_CH2, CAL_COUNT & 0xff);
	/* The I/O delays Linux (port 0x80) and Nautilus (a read of port
	 * 0x60) put between the two bytes: Tandem lets both pass. */
	outb(0x80, 0);
	(void)inb(0x60);
	t0 = rdtsc();
	outb(PIT_CH2, CAL_COUNT >> 8); /* counting from here */
	low = t1 = rdtsc();
	for (sp->reads = 1;; sp->reads++) {
		a = rdtsc();
		if (inb(PORT_B) & 0x20) {
			high = true;
			break;
		}
		low = a;
		if (a - t0 > WAIT_MS * per_ms)
			break;
	}
	sp->hi = rdtsc() - t0;
	sp->lo = low - t1;
	outb(PORT_B, b & ~0x03); /* GATE2 off again */
	return high;
}

/* Does the bracket meet Tandem's @want ticks for the count, give or take
 * TOLERANCE_PCT? The middle of the bracket is what the line prints. */
static bool agree(const struct pit_span *sp, uint64_t want)
{
	return sp->hi * 100 >= want * (100 - TOLERANCE_PCT) &&
	       sp->lo * 100 <= want * (100 + TOLERANCE_PCT);
}

void hrt_pit_calibrate(const struct hrt_setup *s)
{
	uint64_t per_ms = hrt_khz(s), khz;
	struct pit_span sp, best = { 0, UINT64_MAX, 0 };

	for (int i = 0; i < CAL_TRIES; i++) {
		if (!pit_try(per_ms, &sp)) {
			hrt_log_later("pit: OUT2 of counter 2 still low after %u ms",
				      WAIT_MS);
			return;
		}
		if (sp.hi - sp.lo < best.hi - best.lo)
			best = sp; /* the narrowest bracket */
	}
	khz = (best.lo + best.hi) / 2 / CAL_MS;
	if (!s->tsc_khz) {
		hrt_log_later("pit: TSC ~%lu MHz against the PIT; no rate from Tandem to compare",
			      khz / 1000);
		return;
	}
	hrt_log_later("pit: TSC ~%lu MHz against the PIT, Tandem's %lu MHz: %s (%lu reads of port 0x61)",
		      khz / 1000, s->tsc_khz / 1000,
		      agree(&best, s->tsc_khz * CAL_MS) ? "within 20%" :
							  "off by more than 20%",
		      best.reads);
}
