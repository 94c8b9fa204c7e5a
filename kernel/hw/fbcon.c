/* Text on a linear RGB framebuffer (see fbcon.h). */
#include "lib/klib.h"
#include "hw/fbcon.h"

/* A colour of 8-bit channels in the framebuffer's pixel layout. */
static uint32_t pixel(const struct fb_desc *fb, uint8_t r, uint8_t g, uint8_t b)
{
	return (uint32_t)(r >> (8 - fb->red_size)) << fb->red_pos |
	       (uint32_t)(g >> (8 - fb->green_size)) << fb->green_pos |
	       (uint32_t)(b >> (8 - fb->blue_size)) << fb->blue_pos;
}

static bool channel_ok(uint8_t pos, uint8_t size, unsigned int bits)
{
	return size >= 1 && size <= 8 && pos + size <= bits;
}

bool fbcon_init(struct fbcon *con, volatile uint8_t *base,
		const struct fb_desc *fb, const struct fb_font *font)
{
	unsigned int bpp = fb->bpp;

	con->base = NULL;
	if ((bpp != 16 && bpp != 24 && bpp != 32) ||
	    !channel_ok(fb->red_pos, fb->red_size, bpp) ||
	    !channel_ok(fb->green_pos, fb->green_size, bpp) ||
	    !channel_ok(fb->blue_pos, fb->blue_size, bpp) ||
	    fb->pitch < (uint64_t)fb->width * (bpp / 8) || !font->width ||
	    !font->height || font->row_bytes * 8 < font->width)
		return false;
	con->fb = *fb;
	con->font = font;
	con->bytes_pp = bpp / 8;
	/* Scale up so a screen holds about 100-200 columns. */
	con->scale = 1;
	while (fb->width / (font->width * (con->scale + 1)) >= 100 &&
	       fb->height / (font->height * (con->scale + 1)) >= 30)
		con->scale++;
	con->cols = fb->width / (font->width * con->scale);
	con->rows = fb->height / (font->height * con->scale);
	if (!con->cols || !con->rows)
		return false;
	if (con->cols > FBCON_MAX_COLS)
		con->cols = FBCON_MAX_COLS;
	if (con->rows > FBCON_MAX_ROWS)
		con->rows = FBCON_MAX_ROWS;
	con->fg = pixel(fb, 0xe0, 0xe0, 0xe0);
	con->bg = pixel(fb, 0, 0, 0);
	con->row = con->col = 0;
	con->base = base;
	for (uint32_t y = 0; y < fb->height; y++)
		for (uint64_t x = 0; x < (uint64_t)fb->width * con->bytes_pp; x++)
			base[y * fb->pitch + x] = 0;
	memset(con->text, ' ', sizeof(con->text));
	return true;
}

static void put_pixel(struct fbcon *con, volatile uint8_t *p, uint32_t v)
{
	switch (con->bytes_pp) {
	case 4:
		*(volatile uint32_t *)p = v;
		break;
	case 3:
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		break;
	default:
		*(volatile uint16_t *)p = (uint16_t)v;
		break;
	}
}

static void draw_cell(struct fbcon *con, unsigned int row, unsigned int col)
{
	const struct fb_font *f = con->font;
	unsigned int s = con->scale;
	uint8_t c = (uint8_t)con->text[row][col];
	const uint8_t *g = f->glyphs +
			   (c - FBCON_FIRST_CHAR) * f->height * f->row_bytes;
	uint64_t x0 = (uint64_t)col * f->width * s;
	uint64_t y0 = (uint64_t)row * f->height * s;

	for (unsigned int gy = 0; gy < f->height; gy++) {
		const uint8_t *bits = g + gy * f->row_bytes;

		for (unsigned int sy = 0; sy < s; sy++) {
			volatile uint8_t *line = con->base +
						 (y0 + gy * s + sy) *
							 con->fb.pitch +
						 x0 * con->bytes_pp;

			for (unsigned int gx = 0; gx < f->width * s; gx++) {
				unsigned int bx = gx / s;
				bool on = bits[bx / 8] & (0x80 >> (bx % 8));

				put_pixel(con, line + gx * con->bytes_pp,
					  on ? con->fg : con->bg);
			}
		}
	}
}

static void scroll(struct fbcon *con)
{
	for (unsigned int r = 0; r + 1 < con->rows; r++)
		for (unsigned int c = 0; c < con->cols; c++)
			if (con->text[r][c] != con->text[r + 1][c]) {
				con->text[r][c] = con->text[r + 1][c];
				draw_cell(con, r, c);
			}
	for (unsigned int c = 0; c < con->cols; c++)
		if (con->text[con->rows - 1][c] != ' ') {
			con->text[con->rows - 1][c] = ' ';
			draw_cell(con, con->rows - 1, c);
		}
	con->row = con->rows - 1;
}

static void newline(struct fbcon *con)
{
	con->col = 0;
	if (++con->row == con->rows)
		scroll(con);
}

void fbcon_putc(struct fbcon *con, char c)
{
	if (!con->base || c == '\r')
		return;
	if (c == '\n') {
		newline(con);
		return;
	}
	if ((uint8_t)c < FBCON_FIRST_CHAR || (uint8_t)c > FBCON_LAST_CHAR)
		c = '?';
	con->text[con->row][con->col] = c;
	draw_cell(con, con->row, con->col);
	if (++con->col == con->cols)
		newline(con);
}
