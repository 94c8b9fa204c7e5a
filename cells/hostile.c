/*
 * hostile: makes one access its configuration does not allow, chosen by
 * the loader in the image info block, and must be stopped by it (Tandem
 * marks the cell Failed):
 *
 *   arg[0] = HOSTILE_READ   reads the u32 at cell-physical arg[1]
 *            HOSTILE_WRITE  writes a u32 there
 *            HOSTILE_PORT   writes port HOSTILE_OWN_PORT (which its
 *                           configuration must give it), then reads port
 *                           arg[1]
 *
 * It prints nothing before the access (its line would share the serial
 * port with the ROS's). Should the access return, it says so and shuts
 * down, which the ROS sees as Shut down instead of Failed.
 */
#include "cell_lib.h"

const char cell_name[] = "hostile";
const int cell_quiet = 1;

static uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

void cell_main(void)
{
	uint32_t what = cell_image_info.arg[0], at = cell_image_info.arg[1];
	uint32_t v = 0;

	switch (what) {
	case HOSTILE_READ:
		v = *(volatile uint32_t *)(uintptr_t)at;
		break;
	case HOSTILE_WRITE:
		*(volatile uint32_t *)(uintptr_t)at = 0x5a5a5a5a;
		break;
	case HOSTILE_PORT:
		outb(HOSTILE_OWN_PORT, 0x42);
		v = inb((uint16_t)at);
		break;
	default:
		cell_puts("hostile: no attack given\n");
		cell_shut_down();
	}
	cell_puts("hostile: attack ");
	cell_put_dec((long)what);
	cell_puts(" at 0x");
	cell_put_hex(at);
	cell_puts(" returned 0x");
	cell_put_hex(v);
	cell_puts(": still running\n");
	cell_shut_down();
}
