/* TSC calibration against the PIT, as a runtime kernel does it at boot
 * (the pattern of Linux's pit_calibrate_tsc() and Nautilus's
 * i8254_calib_tsc()): counter 2's GATE on through port 0x61, mode 0 with
 * a 10 ms count, then spin until OUT2 (port 0x61 bit 5) rises. Tandem
 * emulates that PIT for the HRT from its own TSC, so the rate found must
 * agree with the info tag's cpu_freq_khz; 20% leaves room for emulators
 * and for the exits each read of port 0x61 costs. A delay can only make
 * a try longer, so the shortest of a few tries counts (as Linux retries
 * a disturbed calibration).
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

/* One try: TSC ticks from just before the count's last byte to OUT2
 * seen high, and in @reads how often port 0x61 was read (Nautilus wants
 * 1000 in its 10 ms); 0 when OUT2 did not rise within WAIT_MS. */
static uint64_t pit_try(uint64_t per_ms, unsigned long *reads)
{
	uint8_t b = inb(PORT_B);
	uint64_t t0, d = 0;

	outb(PORT_B, (uint8_t)((b & ~0x02) | 0x01)); /* GATE2 on, no sound */
	outb(PIT_CMD, 0xb0); /* counter 2, lobyte then hibyte, mode 0 */
	outb(PIT_CH2, CAL_COUNT & 0xff);
	t0 = rdtsc(); /* before the count starts: every delay adds */
	outb(PIT_CH2, CAL_COUNT >> 8);
	for (*reads = 1;; ++*reads) {
		if (inb(PORT_B) & 0x20) {
			d = rdtsc() - t0;
			break;
		}
		/* Read again: this core may have been held up between the
		 * two reads (a loaded emulator), not the PIT. */
		if (rdtsc() - t0 > WAIT_MS * per_ms && !(inb(PORT_B) & 0x20))
			break;
	}
	outb(PORT_B, b & ~0x03); /* GATE2 off again */
	return d;
}

/* The line waiting for hrt_pit_report(); empty when none. */
static char report[120];

void hrt_pit_calibrate(const struct hrt_setup *s)
{
	uint64_t per_ms = s->tsc_khz ? s->tsc_khz : 1000000, best = 0, khz;
	unsigned long reads, best_reads = 0;

	for (int i = 0; i < CAL_TRIES; i++) {
		uint64_t d = pit_try(per_ms, &reads);

		if (!d) {
			ksnprintf(report, sizeof(report),
				  "pit: OUT2 of counter 2 still low after %u ms",
				  WAIT_MS);
			return;
		}
		if (!best || d < best) {
			best = d;
			best_reads = reads;
		}
	}
	khz = best / CAL_MS;
	if (!s->tsc_khz) {
		ksnprintf(report, sizeof(report),
			  "pit: TSC ~%lu MHz against the PIT; no rate from Tandem to compare",
			  khz / 1000);
		return;
	}
	ksnprintf(report, sizeof(report),
		  "pit: TSC ~%lu MHz against the PIT, Tandem's %lu MHz: %s (%lu reads of port 0x61)",
		  khz / 1000, s->tsc_khz / 1000,
		  (khz > s->tsc_khz ? khz - s->tsc_khz : s->tsc_khz - khz) * 100 <=
				  TOLERANCE_PCT * s->tsc_khz ?
			  "within 20%" :
			  "off by more than 20%",
		  best_reads);
}

void hrt_pit_report(void)
{
	if (!report[0])
		return;
	hrt_log("%s", report);
	report[0] = 0;
}
