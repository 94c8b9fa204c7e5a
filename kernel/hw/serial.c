/* 16550 UART output (polled). */
#include "lib/cpu.h"
#include "hw/serial.h"

#define UART_THR 0
#define UART_IER 1
#define UART_DLL 0
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE 0x20

void serial_init(uint16_t port)
{
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, 0x80); /* DLAB */
	outb(port + UART_DLL, 1);    /* 115200 baud */
	outb(port + UART_DLM, 0);
	outb(port + UART_LCR, 0x03); /* 8N1 */
	outb(port + UART_FCR, 0x07); /* FIFOs on and cleared */
	outb(port + UART_MCR, 0x03); /* DTR, RTS */
}

void serial_putc(uint16_t port, char c)
{
	/* A missing UART reads 0xff: bounded wait so output never hangs. */
	for (int i = 0; i < 100000 && !(inb(port + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(port + UART_THR, (uint8_t)c);
}
