/* PIT channel 2 one-shot (mode 0) as a delay source (8254 datasheet). */
#include "lib/cpu.h"
#include "hw/delay.h"

#define PIT_HZ	1193182u
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B	0x61

static void pit_wait_ticks(uint16_t ticks)
{
	uint8_t b = (inb(PORT_B) & ~0x02) & ~0x01; /* speaker off, gate low */

	outb(PORT_B, b);
	outb(PIT_CMD, 0xb0); /* channel 2, lo/hi byte, mode 0 */
	outb(PIT_CH2, ticks & 0xff);
	outb(PIT_CH2, ticks >> 8);
	outb(PORT_B, b | 0x01); /* gate high: count down */
	/* OUT2 (port B bit 5) goes high at terminal count. Bounded so a
	 * broken PIT cannot hang the boot. */
	for (uint32_t i = 0; i < 50000000 && !(inb(PORT_B) & 0x20); i++)
		cpu_relax();
	outb(PORT_B, b);
}

void udelay(uint32_t us)
{
	while (us) {
		uint32_t chunk = us > 50000 ? 50000 : us;
		uint32_t ticks = (uint32_t)(((uint64_t)chunk * PIT_HZ) / 1000000);

		pit_wait_ticks(ticks ? ticks : 1);
		us -= chunk;
	}
}
