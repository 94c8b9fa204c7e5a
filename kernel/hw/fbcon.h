/* Text on a linear RGB framebuffer: Tandem's log on screens without a text
 * mode (UEFI). Cells of one bitmap font, scrolling at the bottom. Pure
 * drawing into memory it is given, so the host tests run it on a buffer. */
#ifndef TANDEM_HW_FBCON_H
#define TANDEM_HW_FBCON_H

#include <stdbool.h>
#include <stdint.h>

/* A bitmap font: glyphs for characters 0x20..0x7e, each height rows of
 * row_bytes bytes, most significant bit leftmost. */
struct fb_font {
	unsigned int width, height, row_bytes;
	const uint8_t *glyphs; /* 95 glyphs, height * row_bytes bytes each */
};

#define FBCON_FIRST_CHAR 0x20
#define FBCON_LAST_CHAR	 0x7e
/* Largest text grid kept (a 4K screen with an 8x16 font fits). */
#define FBCON_MAX_COLS	 512
#define FBCON_MAX_ROWS	 160

/* A framebuffer as the boot loader described it (Multiboot2 tag 8). */
struct fb_desc {
	uint64_t pitch; /* bytes per line */
	uint32_t width, height;
	uint8_t bpp; /* 16, 24 or 32 */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct fbcon {
	volatile uint8_t *base;
	struct fb_desc fb;
	const struct fb_font *font;
	unsigned int bytes_pp, scale, cols, rows, row, col;
	uint32_t fg, bg; /* pixel values */
	/* What each cell shows, so a scroll writes only changed cells and
	 * never reads the framebuffer (uncached reads are slow). */
	char text[FBCON_MAX_ROWS][FBCON_MAX_COLS];
};

/* The console font, converted at build time (scripts/psf2c.py). */
extern const struct fb_font fbcon_font;

/** Sets @con up on the framebuffer @fb mapped at @base and clears it.
 * Returns false (and leaves @con unusable) for a format it cannot draw or a
 * screen smaller than one cell. The font is scaled by a whole factor so a
 * line stays readable on large screens. */
bool fbcon_init(struct fbcon *con, volatile uint8_t *base,
		const struct fb_desc *fb, const struct fb_font *font);

/** Draws one character; '\n' starts a new line, '\r' is ignored, others
 * outside 0x20..0x7e show as '?'. */
void fbcon_putc(struct fbcon *con, char c);

#endif
