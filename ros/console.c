/* COM1 console. Lines from several CPUs never interleave: each line is
 * formatted first, then written under one lock. */
#include <stdarg.h>

#include "cpu.h"
#include "ros.h"

#define COM1	 0x3f8
#define UART_THR 0
#define UART_IER 1
#define UART_DLL 0
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE 0x20

static volatile int console_lock;

void ros_console_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x80); /* DLAB: divisor 1 = 115200 baud */
	outb(COM1 + UART_DLL, 1);
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	outb(COM1 + UART_FCR, 0xc7); /* FIFOs on, cleared */
	outb(COM1 + UART_MCR, 0x03); /* DTR, RTS; OUT2 off: no IRQ */
}

static void put_char(char c)
{
	/* Bounded wait: a missing UART must not hang the run. */
	for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(COM1 + UART_THR, (uint8_t)c);
}

static void write_line(const char *prefix, const char *fmt, va_list ap)
{
	char buf[256];

	kvsnprintf(buf, sizeof(buf), fmt, ap);
	while (__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
	for (const char *s = prefix; *s; s++)
		put_char(*s);
	for (const char *s = buf; *s; s++)
		put_char(*s);
	put_char('\r');
	put_char('\n');
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

void ros_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	write_line("ros: ", fmt, ap);
	va_end(ap);
}

void ros_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	write_line("", fmt, ap);
	va_end(ap);
}

void ros_exit(void)
{
	/* QEMU isa-debug-exit (status (0 << 1) | 1), then Bochs's shutdown
	 * port; on real hardware neither does anything and we halt. */
	outb(0xf4, 0);
	for (const char *s = "Shutdown"; *s; s++)
		outb(0x8900, (uint8_t)*s);
	ros_halt();
}

void ros_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}
