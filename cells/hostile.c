/*
 * hostile: makes one access its configuration does not allow, chosen by
 * the loader in the image info block, and must be stopped by it (Tandem
 * marks the cell Failed):
 *
 *   arg[0] = HOSTILE_READ   reads the u32 at cell-physical arg[1]
 *            HOSTILE_WRITE  writes a u32 there
 *            (bits 8-31 of arg[0]: bits 32-55 of the address; a target
 *            above 4 GiB is reached through PAE paging of its own)
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

#define PTE_P	    0x1ull
#define PTE_W	    0x2ull
#define PTE_PS	    0x80ull
#define HIGH_WINDOW 0x40000000u /* where the 2 MiB frame of the target shows */

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd_low[512] __attribute__((aligned(4096)));
static uint64_t pd_window[512] __attribute__((aligned(4096)));

/* PAE paging (SDM Vol. 3A 4.4): the cell's first 2 MiB (image, stack,
 * communication region) identity mapped, and the 2 MiB frame of @at at
 * HIGH_WINDOW. PDPTEs take only P and the address. */
static volatile uint32_t *window(uint64_t at)
{
	uint32_t cr;

	pd_low[0] = PTE_P | PTE_W | PTE_PS;
	pd_window[0] = (at & ~0x1fffffull) | PTE_P | PTE_W | PTE_PS;
	pdpt[0] = (uint32_t)(uintptr_t)pd_low | PTE_P;
	pdpt[1] = (uint32_t)(uintptr_t)pd_window | PTE_P;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr | 0x20)); /* PAE */
	__asm__ volatile("mov %0, %%cr3" : : "r"((uint32_t)(uintptr_t)pdpt));
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr | 0x80000000u) : "memory");
	return (volatile uint32_t *)(uintptr_t)(HIGH_WINDOW + (at & 0x1fffff));
}

void cell_main(void)
{
	uint32_t what = cell_image_info.arg[0] & 0xff,
		 at = cell_image_info.arg[1];
	uint64_t high = (uint64_t)(cell_image_info.arg[0] >> 8) << 32;
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)at;
	uint32_t v = 0;

	if (high && (what == HOSTILE_READ || what == HOSTILE_WRITE))
		p = window(high | at);
	switch (what) {
	case HOSTILE_READ:
		v = *p;
		break;
	case HOSTILE_WRITE:
		*p = 0x5a5a5a5a;
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
