/* Time from the TSC, calibrated once against the PIT at boot (before any
 * guest owns the PIT). Under Bochs the TSC counts emulated instructions, so
 * this is emulated time there, consistent with the guests' own. */
#ifndef TANDEM_HW_TSC_H
#define TANDEM_HW_TSC_H

#include <stdint.h>

extern uint64_t tsc_khz;

void tsc_calibrate(void);
/** Current time in microseconds since an arbitrary origin. */
uint64_t tsc_us(void);

#endif
