/* The decision of lib/ratelimit.h; the clock is the caller's, so the host
 * tests drive it. */
#include "lib/ratelimit.h"

bool ratelimit_allow(struct ratelimit *rl, uint64_t now_us, unsigned int *held)
{
	bool ok;

	spin_lock(&rl->lock);
	if (!rl->started || now_us - rl->window_start >= RATELIMIT_WINDOW_US ||
	    now_us < rl->window_start) {
		rl->started = true;
		rl->window_start = now_us;
		rl->lines = 0;
	}
	ok = rl->lines < RATELIMIT_BURST;
	if (ok) {
		rl->lines++;
		*held = rl->held;
		rl->held = 0;
	} else if (rl->held != ~0u) {
		rl->held++;
	}
	spin_unlock(&rl->lock);
	return ok;
}
