/* Rate limits for lines a guest can cause: a burst of RATELIMIT_BURST
 * lines per RATELIMIT_WINDOW_US, then nothing until the window ends; the
 * next line allowed reports how many were held back. A guest must not be
 * able to slow Tandem down by making it talk (every console line costs
 * serial time on every CPU that waits for the console lock). */
#ifndef TANDEM_LIB_RATELIMIT_H
#define TANDEM_LIB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/spinlock.h"

#define RATELIMIT_BURST	    10
#define RATELIMIT_WINDOW_US 5000000ull

struct ratelimit {
	struct spinlock lock;
	uint64_t window_start; /* microseconds */
	unsigned int lines;    /* allowed in this window */
	unsigned int held;     /* refused since the last allowed line */
	bool started;
};

/** May a line be printed at @now_us? When true, *@held is the number of
 * lines refused since the last one allowed (to be reported with it). */
bool ratelimit_allow(struct ratelimit *rl, uint64_t now_us, unsigned int *held);

#endif
