/* Console lines on the Palacios debug port (I/O 0xc0c0), one byte per
 * outb; Tandem collects a line per core and prints it after "hrt: ". A
 * lock keeps lines of different cores apart.
 *
 * Core 0's boot lines (self-test, PIT, PM timer) wait for the first call
 * it answers: the ROS prints its first lines on the same serial port
 * while the HRT boots, and waits in silence for a call's answer. */
#include <stdarg.h>

#include "hrt.h"

/* Spins before a core prints without the lock: a core that faulted while
 * printing must still be able to say so. */
#define LOCK_SPINS  10000000u

#define LATER_LINES 4
#define LINE_MAX    200

static int console_lock;

/* Core 0's boot lines, waiting for hrt_log_flush(). */
static char later[LATER_LINES][LINE_MAX];
static unsigned nlater;

static void put_line(const char *line)
{
	char buf[LINE_MAX + 1];
	size_t n = strlen(line);
	bool locked = false;

	memcpy(buf, line, n);
	buf[n++] = '\n';

	for (unsigned i = 0; i < LOCK_SPINS; i++) {
		if (!__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE)) {
			locked = true;
			break;
		}
		cpu_relax();
	}
	for (size_t i = 0; i < n; i++)
		outb(HRT_DEBUG_PORT, (uint8_t)buf[i]);
	if (locked)
		__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

void hrt_log(const char *fmt, ...)
{
	char buf[LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put_line(buf);
}

void hrt_log_later(const char *fmt, ...)
{
	va_list ap;

	if (nlater == LATER_LINES)
		return;
	va_start(ap, fmt);
	kvsnprintf(later[nlater++], LINE_MAX, fmt, ap);
	va_end(ap);
}

void hrt_log_flush(void)
{
	for (unsigned i = 0; i < nlater; i++)
		put_line(later[i]);
	nlater = 0;
}
