/* Line-at-a-time console over serial and VGA text. */
#include <stdarg.h>
#include "hw/console.h"
#include "lib/cpu.h"
#include "lib/printf.h"
#include "hw/serial.h"
#include "lib/spinlock.h"
#include "hw/tsc.h"
#include "hw/vga.h"

static uint16_t serial_port;
static enum log_level max_level = LOG_INFO;
static struct spinlock console_lock;

void console_serial_init(uint16_t port)
{
	serial_port = port;
	if (port)
		serial_init(port);
}

void console_vga_init(volatile uint16_t *text)
{
	vga_init(text);
}

void console_set_level(enum log_level level)
{
	max_level = level;
}

static void emit(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' && serial_port)
			serial_putc(serial_port, '\r');
		if (serial_port)
			serial_putc(serial_port, *s);
		vga_putc(*s);
	}
}

static void vlog(enum log_level level, const char *fmt, va_list ap)
{
	char line[256];
	int n;

	if (level > max_level)
		return;
	n = ksnprintf(line, sizeof(line), "tandem: ");
	kvsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	spin_lock(&console_lock);
	emit(line);
	emit("\n");
	spin_unlock(&console_lock);
}

void log_line_as(const char *prefix, const char *text)
{
	if (LOG_INFO > max_level)
		return;
	spin_lock(&console_lock);
	emit(prefix);
	emit(text);
	emit("\n");
	spin_unlock(&console_lock);
}

void log_line(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void log_limited(struct ratelimit *rl, enum log_level level, const char *fmt, ...)
{
	unsigned int held;
	va_list ap;

	if (level > max_level || !ratelimit_allow(rl, tsc_us(), &held))
		return;
	if (held)
		log_line(level, "(%u similar lines held back)", held);
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
	log_line(LOG_ERR, "PANIC: halted");
	cpu_halt_forever();
}
