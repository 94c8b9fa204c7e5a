/* Busy-wait delays from the PIT (channel 2), which every PC platform and
 * both emulators provide; the TSC is not calibrated (and Bochs's counts
 * instructions). */
#ifndef TANDEM_HW_DELAY_H
#define TANDEM_HW_DELAY_H

#include <stdint.h>

void udelay(uint32_t us);
static inline void mdelay(uint32_t ms)
{
	while (ms--)
		udelay(1000);
}

#endif
