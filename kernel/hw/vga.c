/* VGA text mode (80x25) output for the screen, scrolling at the bottom. */
#include "lib/klib.h"
#include "hw/vga.h"

#define COLS 80
#define ROWS 25
#define ATTR 0x0700 /* light grey on black */

static volatile uint16_t *screen;
static unsigned int row, col;

void vga_init(volatile uint16_t *text)
{
	screen = text;
	row = col = 0;
	for (int i = 0; i < COLS * ROWS; i++)
		screen[i] = ATTR | ' ';
}

static void scroll(void)
{
	for (int i = 0; i < COLS * (ROWS - 1); i++)
		screen[i] = screen[i + COLS];
	for (int i = COLS * (ROWS - 1); i < COLS * ROWS; i++)
		screen[i] = ATTR | ' ';
	row = ROWS - 1;
}

void vga_putc(char c)
{
	if (!screen)
		return;
	if (c == '\n') {
		col = 0;
		if (++row == ROWS)
			scroll();
		return;
	}
	if (c == '\r')
		return;
	screen[row * COLS + col] = ATTR | (uint8_t)c;
	if (++col == COLS) {
		col = 0;
		if (++row == ROWS)
			scroll();
	}
}
