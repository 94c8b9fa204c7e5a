/* TSC calibration: count TSC ticks across PIT one-shots. */
#include "lib/cpu.h"
#include "hw/delay.h"
#include "hw/tsc.h"

uint64_t tsc_khz = 1000000; /* a guess until calibrated */

#define CAL_SAMPLES 3
#define CAL_US	    20000

/* The lowest rate of three samples, each one PIT one-shot of 20 ms
 * (udelay() takes up to 50 ms in one; mdelay() would be twenty 1 ms
 * one-shots, each programming the PIT anew). The port accesses around a
 * one-shot, and an emulator's thread held up between its terminal count
 * and the second RDTSC, only ever make a sample too high: with mdelay(50)
 * QEMU TCG on a loaded host gave 3.4 and 4.1 GHz for a 2.3 GHz TSC (the
 * ROS and the PM timer agreed on 2.3), and the JHCOMM region passes the
 * rate on to Jailhouse-format cells. */
void tsc_calibrate(void)
{
	uint64_t best = 0;

	for (unsigned int i = 0; i < CAL_SAMPLES; i++) {
		uint64_t t0 = rdtsc(), t1, khz;

		udelay(CAL_US);
		t1 = rdtsc();
		khz = t1 > t0 ? (t1 - t0) * 1000 / CAL_US : 0;
		if (khz && (!best || khz < best))
			best = khz;
	}
	if (best)
		tsc_khz = best;
}

uint64_t tsc_us(void)
{
	return rdtsc() * 1000 / tsc_khz;
}
