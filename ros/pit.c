/* Delays on PIT channel 2 in mode 0 (interrupt on terminal count), polled
 * through port 0x61 bit 5 (its OUT line), so no interrupt is needed. */
#include "cpu.h"
#include "smp.h"

#define PIT_HZ	     1193182u
#define PIT_CH2	     0x42
#define PIT_CMD	     0x43
#define PORT_61	     0x61
#define P61_GATE2    0x01
#define P61_SPEAKER  0x02
#define P61_OUT2     0x20
#define MAX_CHUNK_US 50000 /* 59659 ticks < 65536 */

static void wait_ticks(uint16_t ticks)
{
	uint8_t p61 = inb(PORT_61);

	outb(PORT_61, (p61 & ~P61_SPEAKER) & ~P61_GATE2);
	outb(PIT_CMD, 0xb0); /* channel 2, lobyte/hibyte, mode 0 */
	outb(PIT_CH2, ticks & 0xff);
	outb(PIT_CH2, ticks >> 8);
	/* Counting runs while the gate is high; OUT2 goes high at zero. */
	outb(PORT_61, (p61 & ~P61_SPEAKER) | P61_GATE2);
	while (!(inb(PORT_61) & P61_OUT2))
		cpu_relax();
}

void ros_udelay(unsigned us)
{
	while (us) {
		unsigned chunk = us > MAX_CHUNK_US ? MAX_CHUNK_US : us;
		uint64_t ticks = (uint64_t)chunk * PIT_HZ / 1000000;

		wait_ticks((uint16_t)(ticks ? ticks : 1));
		us -= chunk;
	}
}

uint64_t ros_tsc_khz(void)
{
	uint64_t t0 = rdtsc();

	ros_udelay(20000);
	return (rdtsc() - t0) / 20;
}
