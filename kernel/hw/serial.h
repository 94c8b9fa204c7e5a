/* 16550 UART, polled output only. */
#ifndef TANDEM_HW_SERIAL_H
#define TANDEM_HW_SERIAL_H

#include <stdint.h>

void serial_init(uint16_t port);
void serial_putc(uint16_t port, char c);

#endif
