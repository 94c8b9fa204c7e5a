/* Test cell runtime (see cell_lib.h). */
#include "cell_lib.h"

struct tandem_comm_region *cell_comm;
uint32_t cell_id;

/* A cell that must print nothing unasked (spinner) defines it as 1. */
__attribute__((weak)) const int cell_quiet = 0;

static void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

void cell_putc(char c)
{
	tandem_debug_putc(c);
}

void cell_puts(const char *s)
{
	while (*s)
		cell_putc(*s++);
}

void cell_put_hex(uint32_t v)
{
	char buf[8];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	while (n)
		cell_putc(buf[--n]);
}

void cell_put_dec(long v)
{
	char buf[12];
	unsigned long u = (unsigned long)v;
	int n = 0;

	if (v < 0) {
		cell_putc('-');
		u = 0ul - u;
	}
	do {
		buf[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n)
		cell_putc(buf[--n]);
}

void cell_reply(uint32_t reply)
{
	cell_comm->msg_to_cell = TANDEM_MSG_NONE;
	barrier(); /* x86 keeps stores in order; the compiler must too */
	cell_comm->reply_from_cell = reply;
	barrier();
}

void cell_shut_down(void)
{
	barrier();
	cell_comm->cell_state = TANDEM_COMM_CELL_SHUT_DOWN;
	barrier();
	cell_halt();
}

void cell_spin(uint32_t n)
{
	while (n--)
		__asm__ volatile("pause" ::: "memory");
}

/* Common start of both entries: the comm region, the transfer (vmcall on
 * Intel, vmmcall on AMD, from CPUID), and a line when Tandem's boot
 * registers are not what tandem/hypercall.h promises. */
static void setup(uint32_t magic, uint32_t comm, uint32_t id)
{
	static const char sig[8] = "TNDMCOMM";

	cell_comm = (struct tandem_comm_region *)(comm ? comm : CELL_COMM_ADDR);
	cell_id = id;
	tandem_detect(0);
	if (cell_quiet)
		return;
	if (magic != TANDEM_CELL_BOOT_MAGIC) {
		cell_puts(cell_name);
		cell_puts(": boot magic 0x");
		cell_put_hex(magic);
		cell_puts(", want 0x");
		cell_put_hex(TANDEM_CELL_BOOT_MAGIC);
		cell_putc('\n');
	}
	if (comm != CELL_COMM_ADDR) {
		cell_puts(cell_name);
		cell_puts(": comm region at 0x");
		cell_put_hex(comm);
		cell_puts(", want 0x");
		cell_put_hex(CELL_COMM_ADDR);
		cell_putc('\n');
	}
	for (int i = 0; i < 8; i++)
		if (cell_comm->signature[i] != sig[i]) {
			cell_puts(cell_name);
			cell_puts(": comm region has no TNDMCOMM signature\n");
			break;
		}
}

void cell_boot_c(uint32_t magic, uint32_t comm, uint32_t id)
{
	setup(magic, comm, id);
	cell_main();
	cell_shut_down();
}

__attribute__((weak)) void cell_restart(uint32_t a, uint32_t b, uint32_t c)
{
	(void)a;
	(void)b;
	(void)c;
	cell_main();
}

void cell_restart_c(uint32_t magic, uint32_t comm, uint32_t id, uint32_t a,
		    uint32_t b, uint32_t c)
{
	setup(magic, comm, id);
	cell_restart(a, b, c);
	cell_shut_down();
}
