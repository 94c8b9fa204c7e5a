/* VGA text console. */
#ifndef TANDEM_HW_VGA_H
#define TANDEM_HW_VGA_H

#include <stdint.h>

void vga_init(volatile uint16_t *text);
void vga_putc(char c);

#endif
