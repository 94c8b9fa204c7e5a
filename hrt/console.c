/* Console lines on the Palacios debug port (I/O 0xc0c0), one byte per
 * outb; Tandem collects a line per core and prints it after "hrt: ". A
 * lock keeps lines of different cores apart. */
#include <stdarg.h>

#include "hrt.h"

/* Spins before a core prints without the lock: a core that faulted while
 * printing must still be able to say so. */
#define LOCK_SPINS 10000000u

static int console_lock;

void hrt_log(const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	size_t n;
	bool locked = false;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	n = strlen(buf);
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
