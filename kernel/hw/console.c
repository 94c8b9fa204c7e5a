/* Line-at-a-time console over serial, VGA text and a framebuffer. */
#include <stdarg.h>
#include "hw/console.h"
#include "hw/fbcon.h"
#include "lib/cpu.h"
#include "lib/printf.h"
#include "hw/serial.h"
#include "lib/spinlock.h"
#include "hw/tsc.h"
#include "hw/vga.h"

static uint16_t serial_port;
static enum log_level max_level = LOG_INFO;
static struct spinlock console_lock;
static struct fbcon fb_console;
static bool screen_ours; /* until the screen goes to the ROS */

void console_serial_init(uint16_t port)
{
	serial_port = port;
	if (port)
		serial_init(port);
}

void console_vga_init(volatile uint16_t *text)
{
	vga_init(text);
	screen_ours = true;
}

bool console_fb_init(volatile uint8_t *base, const struct fb_desc *fb)
{
	if (!fbcon_init(&fb_console, base, fb, &fbcon_font))
		return false;
	screen_ours = true;
	return true;
}

void console_screen_release(void)
{
	spin_lock(&console_lock);
	screen_ours = false;
	spin_unlock(&console_lock);
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
		if (screen_ours) {
			vga_putc(*s);
			fbcon_putc(&fb_console, *s);
		}
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

	/* The machine stops: the screen is the likeliest place anyone sees
	 * why, ROS or not. */
	screen_ours = true;
	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
	log_line(LOG_ERR, "PANIC: halted");
	cpu_halt_forever();
}
