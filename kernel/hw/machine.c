/* Emulator exit ports (QEMU isa-debug-exit 0xf4, Bochs 0x8900); see
 * docs/design.md, "Platforms". */
#include "lib/cpu.h"
#include "hw/machine.h"

void machine_exit_emulator(uint8_t code)
{
	const char *s = "Shutdown";

	outb(0xf4, code); /* QEMU exits with (code << 1) | 1 */
	while (*s)
		outb(0x8900, (uint8_t)*s++); /* Bochs */
}

void cpu_halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

bool cpu_relax_is_barrier;
