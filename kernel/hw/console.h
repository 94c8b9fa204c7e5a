/* Tandem's console: whole lines, "tandem: " prefixed, to the serial port
 * (COM1 by default; option console=com2|none|fb, none and fb: no serial)
 * and to the screen: VGA text where one exists, else a linear framebuffer
 * the boot loader handed over, until the screen goes to the ROS. Lines
 * above the log level (option loglevel=) are dropped. */
#ifndef TANDEM_HW_CONSOLE_H
#define TANDEM_HW_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/fbcon.h"
#include "lib/ratelimit.h"

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

#define COM1_PORT 0x3f8
#define COM2_PORT 0x2f8

/** Programs the 16550 at @port (0 = no serial output) for 115200 8N1. */
void console_serial_init(uint16_t port);
/** Sends output to the VGA text buffer at virtual address @text (80x25). */
void console_vga_init(volatile uint16_t *text);
/** Draws the log as text on the framebuffer @fb mapped at @base; false if
 * its format cannot be drawn. */
bool console_fb_init(volatile uint8_t *base, const struct fb_desc *fb);
/** Stops drawing on the screen: the ROS owns it from now on. */
void console_screen_release(void);
void console_set_level(enum log_level level);

/** Prints one line: "tandem: " + formatted text + newline. */
void log_line(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Prints one line with @prefix instead of "tandem: " (guest consoles). */
void log_line_as(const char *prefix, const char *text);

/** log_line() unless @rl held it back (lib/ratelimit.h); the first line
 * after a hold says how many were held. For every line a guest can make
 * Tandem print over and over. */
void log_limited(struct ratelimit *rl, enum log_level level, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));

/* One limit per call site. */
#define pr_warn_limited(...)                               \
	do {                                               \
		static struct ratelimit __rl;              \
		log_limited(&__rl, LOG_WARN, __VA_ARGS__); \
	} while (0)

#define pr_err(...)   log_line(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  log_line(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  log_line(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_line(LOG_DEBUG, __VA_ARGS__)

/** Stops the whole machine after one line naming the cause: this CPU
 * halts, the others are sent an NMI if the APIC is up. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#endif
