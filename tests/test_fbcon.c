/* Host unit tests for kernel/hw/fbcon.c: drawing on a framebuffer in
 * memory, 32-, 24- and 16-bit pixels, scrolling. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hw/fbcon.h"

/* A 2x3 font: every glyph has its top-left pixel set, '#' all pixels. */
static uint8_t glyph_bits[95 * 3];
static const struct fb_font font = { 2, 3, 1, glyph_bits };
static struct fbcon con;

static void setup_font(void)
{
	memset(glyph_bits, 0x80, sizeof(glyph_bits));
	memset(glyph_bits + ('#' - 0x20) * 3, 0xc0, 3);
	memset(glyph_bits, 0, 3); /* ' ' is blank */
}

/* 32-bit xRGB, 8 pixels x 6 lines: 4x2 cells. */
static const struct fb_desc fb32 = { 40, 8, 6, 32, 16, 8, 8, 8, 0, 8 };

static uint32_t px32(const uint8_t *mem, unsigned int x, unsigned int y)
{
	uint32_t v;

	memcpy(&v, mem + y * fb32.pitch + x * 4, 4);
	return v;
}

static void test_draws_32bit(void **state)
{
	uint8_t mem[40 * 6];

	(void)state;
	setup_font();
	memset(mem, 0x55, sizeof(mem));
	assert_true(fbcon_init(&con, mem, &fb32, &font));
	assert_int_equal(con.cols, 4);
	assert_int_equal(con.rows, 2);
	assert_int_equal(px32(mem, 0, 0), 0);
	assert_int_equal(mem[39], 0x55); /* past the width: untouched */
	fbcon_putc(&con, '#');
	assert_int_equal(px32(mem, 0, 0), 0xe0e0e0);
	assert_int_equal(px32(mem, 1, 2), 0xe0e0e0);
	assert_int_equal(px32(mem, 2, 0), 0);
	fbcon_putc(&con, 'a');
	assert_int_equal(px32(mem, 2, 0), 0xe0e0e0);
	assert_int_equal(px32(mem, 3, 0), 0);
}

static void test_draws_24bit(void **state)
{
	/* 24-bit BGR: blue at bit 0, 5 bits red at 19 to show the packing. */
	static const struct fb_desc fb24 = { 24, 8, 3, 24, 19, 5, 8, 8, 0, 8 };
	uint8_t mem[24 * 3];

	(void)state;
	setup_font();
	assert_true(fbcon_init(&con, mem, &fb24, &font));
	fbcon_putc(&con, 'x');
	fbcon_putc(&con, '#');
	/* 0xe0 per channel: red 0xe0 >> 3 = 0x1c at bit 19. */
	assert_int_equal(mem[0], 0xe0);
	assert_int_equal(mem[1], 0xe0);
	assert_int_equal(mem[2], (0x1c << 3) & 0xff);
	assert_int_equal(mem[3], 0);	/* pixel 1 of 'x' is off */
	assert_int_equal(mem[6], 0xe0); /* '#' starts at pixel 2 */
	assert_int_equal(mem[24 + 9], 0xe0);
}

static void test_draws_16bit(void **state)
{
	static const struct fb_desc fb16 = { 16, 8, 3, 16, 11, 5, 5, 6, 0, 5 };
	uint8_t mem[16 * 3];
	uint16_t v;

	(void)state;
	setup_font();
	assert_true(fbcon_init(&con, mem, &fb16, &font));
	fbcon_putc(&con, '#');
	memcpy(&v, mem, 2);
	assert_int_equal(v, (0x1c << 11) | (0x38 << 5) | 0x1c);
}

static void test_scrolls(void **state)
{
	uint8_t mem[40 * 6];

	(void)state;
	setup_font();
	assert_true(fbcon_init(&con, mem, &fb32, &font));
	fbcon_putc(&con, '#');
	fbcon_putc(&con, '\n');
	fbcon_putc(&con, ' ');
	fbcon_putc(&con, '#');
	assert_int_equal(px32(mem, 0, 0), 0xe0e0e0);
	fbcon_putc(&con, '\r');
	fbcon_putc(&con, '\n'); /* line 2 moves up, line 1 is blank */
	assert_int_equal(px32(mem, 0, 0), 0);
	assert_int_equal(px32(mem, 2, 0), 0xe0e0e0);
	assert_int_equal(px32(mem, 2, 3), 0);
	assert_int_equal(con.row, 1);
	assert_int_equal(con.col, 0);
	/* A full line wraps: the fifth character scrolls again. */
	for (int i = 0; i < 5; i++)
		fbcon_putc(&con, '#');
	assert_int_equal(px32(mem, 0, 0), 0xe0e0e0); /* moved up */
	assert_int_equal(px32(mem, 0, 3), 0xe0e0e0); /* the fifth */
	assert_int_equal(px32(mem, 2, 3), 0);
	assert_int_equal(con.text[0][1], '#');
}

static void test_unprintable_is_question_mark(void **state)
{
	uint8_t mem[40 * 6];

	(void)state;
	setup_font();
	assert_true(fbcon_init(&con, mem, &fb32, &font));
	fbcon_putc(&con, '\x01');
	fbcon_putc(&con, (char)0xe9);
	assert_int_equal(con.text[0][0], '?');
	assert_int_equal(con.text[0][1], '?');
}

static void test_refuses_bad_formats(void **state)
{
	uint8_t mem[40 * 6];
	struct fb_desc fb = fb32;

	(void)state;
	setup_font();
	fb.bpp = 8;
	assert_false(fbcon_init(&con, mem, &fb, &font));
	fbcon_putc(&con, '#'); /* unusable: draws nothing, no crash */
	fb = fb32;
	fb.red_pos = 28; /* 28 + 8 > 32 */
	assert_false(fbcon_init(&con, mem, &fb, &font));
	fb = fb32;
	fb.pitch = 16; /* less than a line of pixels */
	assert_false(fbcon_init(&con, mem, &fb, &font));
	fb = fb32;
	fb.width = 1; /* not one cell */
	assert_false(fbcon_init(&con, mem, &fb, &font));
	fb = fb32;
	fb.green_size = 0;
	assert_false(fbcon_init(&con, mem, &fb, &font));
}

static void test_scales_on_large_screens(void **state)
{
	static const struct fb_desc big = { 1920 * 4, 1920, 1080, 32, 16,
					    8,	      8,    8,	  0,  8 };
	static const struct fb_font f816 = { 8, 16, 1, glyph_bits };
	uint8_t *mem = calloc(1920 * 4, 1080);

	(void)state;
	assert_non_null(mem);
	assert_true(fbcon_init(&con, mem, &big, &f816));
	assert_int_equal(con.scale, 2);
	assert_int_equal(con.cols, 120);
	assert_int_equal(con.rows, 33);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_draws_32bit),
		cmocka_unit_test(test_draws_24bit),
		cmocka_unit_test(test_draws_16bit),
		cmocka_unit_test(test_scrolls),
		cmocka_unit_test(test_unprintable_is_question_mark),
		cmocka_unit_test(test_refuses_bad_formats),
		cmocka_unit_test(test_scales_on_large_screens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
