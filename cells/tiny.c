/*
 * tiny: the smallest cell. Boot entry (reset_entry 0x1000): prints
 * "hello from tiny", sets its state to Shut Down, halts.
 * Restart entry (0x1010, CELL_RESTART_ENTRY; Soft Restart, code 9): waits a
 * little (so that the root cell can see it Running again), prints
 * "restart a=<EDI> b=<ESI> c=<EDX>" in hex, shuts down the same way.
 */
#include "cell_lib.h"

const char cell_name[] = "tiny";

void cell_main(void)
{
	cell_puts("hello from tiny\n");
	cell_shut_down();
}

void cell_restart(uint32_t a, uint32_t b, uint32_t c)
{
	cell_spin(1000000);
	cell_puts("restart a=");
	cell_put_hex(a);
	cell_puts(" b=");
	cell_put_hex(b);
	cell_puts(" c=");
	cell_put_hex(c);
	cell_putc('\n');
	cell_shut_down();
}
