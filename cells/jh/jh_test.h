/*
 * The Jailhouse-contract test cells (cells/jh/): the cell-physical layout
 * their generated configurations describe (cells/jh/jhcellgen.c) and the
 * results page the inmate fills and the ROS reads (ros/checks_jh_cells.c).
 *
 *   0x000000-0x0fffff  RAM, LOADABLE: the image at 0 (16-bit entry), its
 *                      command line at 0x1000 (Jailhouse's .cmdline)
 *   0x100000           the communication region ("JHCOMM", revision 2)
 *   0x101000           the results page: RAM shared with the root
 *                      (ROOTSHARED), so the ROS reads it while the cell
 *                      runs
 *
 * The configurations give physical addresses relative to the cells' memory
 * (RAM at 0, the results page at JHT_RAM_SIZE); the ROS adds its base and
 * writes the CPU bitmap before Cell Create, as a root does for its machine.
 */
#ifndef CELLS_JH_TEST_H
#define CELLS_JH_TEST_H

#include <stdint.h>

#define JHT_RAM_SIZE	    0x100000u
#define JHT_CMDLINE_OFFSET  0x1000u
#define JHT_CMDLINE_SIZE    256u
#define JHT_COMM_ADDR	    0x100000u
#define JHT_RESULTS_ADDR    0x101000u
#define JHT_RESULTS_SIZE    0x1000u
#define JHT_UART_PORT	    0x2f8u /* COM2: COM1 is Tandem's and the ROS's */
#define JHT_UART_PORTS	    8u
#define JHT_MAX_CPUS	    8u
#define JHT_TIMER_HZ	    1000u
#define JHT_TIMER_VECTOR    0x30u
#define JHT_REPLY_TIMEOUT   100000000ull /* polls (Jailhouse's unit) */

#define JHT_MAGIC	    0x4a48544553543031ull /* "10TSETHJ" */

/* jht_results.phase: how far the inmate got. */
#define JHT_PHASE_STARTED   1 /* in C, results page claimed */
#define JHT_PHASE_TIMER_ARM 2 /* waits for ack 1 before arming the timer */
#define JHT_PHASE_TIMER_END 3 /* timer stopped, waits for ack 2 */
#define JHT_PHASE_READY	    4 /* answers messages from now on */
#define JHT_PHASE_COMM_REV  5 /* wrong revision: cell_state 4, stopped */
#define JHT_PHASE_NO_COMM   6 /* wrong signature: cell_state 4, stopped */

struct jht_results {
	uint64_t magic;		 /* JHT_MAGIC once the inmate runs */
	volatile uint32_t phase; /* JHT_PHASE_* */
	volatile uint32_t ack;	 /* the ROS's: 1, 2 (timer hand-shake) */
	uint32_t apic_id;	 /* the first CPU's x2APIC id */
	uint32_t mtrr_def;	 /* MTRR_DEF_TYPE as read back in C */
	uint32_t xsave;		 /* 1: CPUID shows XSAVE (and OSXSAVE) */
	uint32_t xcr0;		 /* XCR0 read back (0 without XSAVE) */
	uint32_t amd;		 /* 1: vmmcall, 0: vmcall */
	uint16_t comm_revision;	 /* as found */
	uint16_t pm_port;	 /* comm->pm_timer_address */
	uint32_t comm_cpus, comm_tsc_khz, comm_apic_khz;
	uint64_t tsc_main;		/* TSC on entering C */
	uint64_t tsc_line;		/* TSC after the first UART line */
	uint32_t pm_tsc_khz;		/* TSC against 100 ms of PM timer */
	uint32_t pm_bits;		/* 24 or 32 */
	uint32_t ticks;			/* APIC timer interrupts counted */
	uint32_t timer_us;		/* over this long (TSC) */
	uint32_t ticks_per_s;		/* ticks * 10^6 / timer_us */
	uint32_t timer_count;		/* initial count programmed */
	volatile uint32_t cpus_running; /* CPUs in C (the first included) */
	uint32_t cpus_found;		/* CPUs that came to the entry */
	volatile uint32_t denied, approved, others; /* messages answered */
	uint32_t deny_first;			    /* from the command line */
	char cmdline[JHT_CMDLINE_SIZE];		    /* as the inmate read it */
};

_Static_assert(sizeof(struct jht_results) <= JHT_RESULTS_SIZE, "results page");

#endif
