/* An emulated 8254 programmable interval timer and the timer bits of
 * system control port B (0x61): the PIT a partition without the machine's
 * (the HRT) calibrates its TSC and APIC timer against. Pure C over the
 * caller's state, host-tested in tests/test_pit.c and fuzzed in
 * tests/fuzz_pit.c; kernel/hvm/hrt.c holds one per HRT, under a lock.
 *
 * Time comes from the caller: every access passes "now" in TSC ticks, and
 * the TSC rate is fixed at pit_reset(). The three counters run at
 * PIT_HZ from then on (Intel 8254 datasheet, 231164):
 *
 * - port 0x43: control word (counter, access lobyte / hibyte / lobyte
 *   then hibyte, mode 0-5, with 6 and 7 as 2 and 3, BCD), counter latch
 *   command, read-back command (latch the count and / or the status of
 *   any of the three counters); reads of 0x43 give 0xff;
 * - ports 0x40-0x42: the counters, with the lo/hi flip-flop; a latched
 *   status is read before a latched count, a latched count before the
 *   live one;
 * - port 0x61: bits 0-3 are kept as written (bit 0 is counter 2's GATE,
 *   bit 1 the speaker data, which makes no sound); reads add bit 4, the
 *   refresh toggle (flips every 18 PIT clocks, 15.08 us) and bit 5, OUT
 *   of counter 2; bits 6 and 7 read 0.
 *
 * Counters 0 and 1 have GATE tied high, as on a PC. OUT of counter 0 is
 * not wired to anything: no IRQ 0 is raised (the emulator has no
 * interrupt controller; a caller with one may poll pit_output()).
 *
 * Modes: 0 and 4 count once and wrap (GATE low suspends), 1 and 5 start
 * on a rising edge of GATE (retriggerable), 2 and 3 reload (GATE low
 * stops them with OUT high, its rising edge restarts them). A count is
 * loaded one clock after it is written (the null-count bit of the status
 * is set until then). Known simplifications: a new count written to a
 * counter in mode 2 or 3 restarts it at once (the 8254 finishes the
 * current period first), and mode 3 reads count down by two in each half
 * period, without the 8254's odd-count detail. BCD counting is emulated
 * (count 0 is 10000; a BCD count with digits above 9 that comes to more
 * than 10000 counts 10000). */
#ifndef TANDEM_VIRT_PIT_EMUL_H
#define TANDEM_VIRT_PIT_EMUL_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ		    1193182u
#define PIT_PORT_COUNTER(n) (0x40u + (n))
#define PIT_PORT_CONTROL    0x43u
#define PIT_PORT_B	    0x61u
#define PIT_REFRESH_CLOCKS  18u /* port B bit 4 flips this often */

/* Port B (0x61) bits. */
#define PIT_B_GATE2	    0x01u
#define PIT_B_SPEAKER	    0x02u
#define PIT_B_WRITABLE	    0x0fu
#define PIT_B_REFRESH	    0x10u
#define PIT_B_OUT2	    0x20u

struct pit_counter {
	uint8_t mode;	   /* 0-5 */
	uint8_t mode_bits; /* bits 3-1 of the control word, for the status */
	uint8_t access;	   /* 1 lobyte, 2 hibyte, 3 lobyte then hibyte */
	bool bcd;
	bool gate;
	bool have_count;  /* a count was written since the control word */
	bool pending;	  /* modes 1, 5: a count waits for a GATE edge */
	bool running;	  /* a count is in the counting element */
	uint32_t cr;	  /* the count register, 1..65536 (10000 in BCD) */
	uint32_t n;	  /* the count being counted */
	uint64_t load_at; /* PIT clock the count is (was) loaded at */
	uint64_t mark;	  /* clocks are counted up to here */
	uint64_t acc;	  /* clocks counted since the load */
	bool write_msb;	  /* lobyte then hibyte: the MSB comes next */
	uint8_t write_lsb;
	bool read_msb; /* likewise, for reads */
	bool count_latched, status_latched;
	uint16_t latch;
	uint8_t status;
};

struct pit {
	struct pit_counter c[3];
	uint8_t port_b; /* bits 0-3 as written */
	uint64_t origin_tsc, tsc_hz;
	uint64_t last; /* the latest PIT clock seen: time never goes back */
};

/** Power-on state at TSC @now (the PC BIOS's: every counter in mode 3,
 * lobyte then hibyte, count 65536, counting; port B 0, so counter 2's
 * GATE is low), counting PIT_HZ from a TSC of @tsc_hz (0: PIT_HZ). */
void pit_reset(struct pit *p, uint64_t now, uint64_t tsc_hz);
/** Port 0x40-0x43 or 0x61. */
bool pit_owns_port(uint16_t port);
/** A byte read of @port (one pit_owns_port() accepts) at TSC @now. */
uint8_t pit_read(struct pit *p, uint16_t port, uint64_t now);
/** A byte write of @val to @port at TSC @now. */
void pit_write(struct pit *p, uint16_t port, uint8_t val, uint64_t now);
/** Counter @n's counting element at TSC @now, in binary: 1..65536
 * (1..10000 in BCD), where the top value reads as 0 (modes 0, 1, 4, 5
 * reach it at terminal count and go on down from it); 0 before a count
 * was loaded. Changes nothing a guest sees. */
uint32_t pit_count(struct pit *p, unsigned int n, uint64_t now);
/** OUT of counter @n at TSC @now. */
bool pit_output(struct pit *p, unsigned int n, uint64_t now);

#endif
