/* TSC calibration: count TSC ticks across PIT delays. */
#include "lib/cpu.h"
#include "hw/delay.h"
#include "hw/tsc.h"

uint64_t tsc_khz = 1000000; /* a guess until calibrated */

#define CAL_SAMPLES 5
#define CAL_MS	    10

/* The lowest rate of five 10 ms samples: a CPU held up between the PIT's
 * terminal count and the second RDTSC (an emulator's thread preempted on
 * a loaded host) only ever makes a sample too high. One 50 ms sample was
 * seen 49% high under QEMU TCG with other emulators running. */
void tsc_calibrate(void)
{
	uint64_t best = 0;

	for (unsigned int i = 0; i < CAL_SAMPLES; i++) {
		uint64_t t0 = rdtsc(), t1;

		mdelay(CAL_MS);
		t1 = rdtsc();
		if (t1 > t0 && (!best || (t1 - t0) / CAL_MS < best))
			best = (t1 - t0) / CAL_MS;
	}
	if (best)
		tsc_khz = best;
}

uint64_t tsc_us(void)
{
	return rdtsc() * 1000 / tsc_khz;
}
