/* TSC calibration: count TSC ticks across a 50 ms PIT delay. */
#include "lib/cpu.h"
#include "hw/delay.h"
#include "hw/tsc.h"

uint64_t tsc_khz = 1000000; /* a guess until calibrated */

void tsc_calibrate(void)
{
	uint64_t t0 = rdtsc(), t1;

	mdelay(50);
	t1 = rdtsc();
	if (t1 > t0)
		tsc_khz = (t1 - t0) / 50;
}

uint64_t tsc_us(void)
{
	return rdtsc() * 1000 / tsc_khz;
}
