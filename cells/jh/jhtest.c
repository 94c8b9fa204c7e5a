/*
 * jhtest: the test inmate of the Jailhouse contract (cells/jh/jh_test.h
 * has the layout; ros/checks_jh_cells.c runs it). The first CPU:
 *
 *   1. checks the communication region: "JHCOMM" and the revision the
 *      command line says (expect-rev=N, default 2); on a mismatch it writes
 *      cell_state 4 (failed-comm-rev) and stops, as Jailhouse's inmates do;
 *   2. prints its line on the UART of the console descriptor;
 *   3. measures the TSC against 100 ms of the ACPI PM timer;
 *   4. takes JHT_TIMER_HZ x2APIC timer interrupts (periodic, EOI by MSR)
 *      and prints how many came per second (a hand-shake with the ROS
 *      around it: the ROS reads the CPU's exit counter then);
 *   5. with "smp", starts every other CPU of the cell by INIT/SIPI through
 *      the x2APIC ICR; each says it runs;
 *   6. answers messages: the first deny=N (default 1) shutdown requests
 *      denied, the next approved.
 *
 * Every number also goes to the results page (RAM shared with the root).
 */
#include "inmate.h"

static volatile uint32_t ticks;

static struct jht_results *res(void)
{
	return (struct jht_results *)(uintptr_t)JHT_RESULTS_ADDR;
}

void jh_timer_handler(void);
void inmate_main(void);

void jh_timer_handler(void)
{
	ticks++;
	wrmsr(X2APIC_EOI, 0);
}

static void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Wait until the ROS writes @want to ack, at most about 10 s. A TSC spin:
 * no exits while the ROS reads the exit counter around the timer. */
static void wait_ack(uint32_t want)
{
	uint64_t t0 = rdtsc(), bound = (uint64_t)res()->comm_tsc_khz * 10000;

	while (res()->ack != want && rdtsc() - t0 < bound)
		cpu_relax();
}

static void measure_pm_timer(struct jht_results *r)
{
	uint32_t pm0, pm1;
	uint64_t t0, t1, counts;

	pm0 = pm_timer_read();
	t0 = rdtsc();
	delay_us(100000);
	pm1 = pm_timer_read();
	t1 = rdtsc();
	counts = pm_timer_since(pm0, pm1);
	if (counts)
		r->pm_tsc_khz = (uint32_t)((t1 - t0) * PM_TIMER_HZ /
					   (counts * 1000));
	printk("jhtest: pm timer at port 0x%x: TSC %u kHz against it, comm region says %u kHz\n",
	       r->pm_port, r->pm_tsc_khz, r->comm_tsc_khz);
}

static void run_timer(struct jht_results *r)
{
	uint64_t t0, t1;
	uint32_t count;

	if (!r->comm_apic_khz) {
		printk("jhtest: apic timer: the comm region gives no apic_khz\n");
		return;
	}
	count = r->comm_apic_khz * 1000u / 16u / JHT_TIMER_HZ;
	r->timer_count = count;
	idt_init();
	wrmsr(X2APIC_SPIV, 0x1ff);
	wrmsr(X2APIC_TDCR, 3); /* divide by 16 */
	r->phase = JHT_PHASE_TIMER_ARM;
	wait_ack(1);
	ticks = 0;
	t0 = rdtsc();
	wrmsr(X2APIC_LVTT, JHT_TIMER_VECTOR | 1u << 17); /* periodic */
	wrmsr(X2APIC_TMICT, count);
	__asm__ volatile("sti");
	/* A spin without exits: the window holds the interrupts and their
	 * EOIs, and little else. Bounded by the TSC (5 s) in case no
	 * interrupt comes: the cell must reach its message loop. */
	while (ticks < JHT_TIMER_HZ &&
	       rdtsc() - t0 < (uint64_t)r->comm_tsc_khz * 5000)
		cpu_relax();
	t1 = rdtsc();
	__asm__ volatile("cli");
	wrmsr(X2APIC_LVTT, 1u << 16); /* masked */
	wrmsr(X2APIC_TMICT, 0);
	r->ticks = ticks;
	r->phase = JHT_PHASE_TIMER_END;
	wait_ack(2);
	r->timer_us = (uint32_t)((t1 - t0) * 1000 / r->comm_tsc_khz);
	if (r->timer_us)
		r->ticks_per_s = (uint32_t)((uint64_t)r->ticks * 1000000 /
					    r->timer_us);
	printk("jhtest: apic timer: %u interrupts in %u us: %u per second (initial count %u)\n",
	       r->ticks, r->timer_us, r->ticks_per_s, count);
}

static void ap_main(void)
{
	struct jht_results *r = res();

	printk("jhtest: cpu with APIC id %u runs\n", (uint32_t)rdmsr(X2APIC_ID));
	__atomic_fetch_add(&r->cpus_running, 1, __ATOMIC_SEQ_CST);
	halt_forever();
}

static void start_others(struct jht_results *r)
{
	/* Every CPU starts with the first: wait until all drew a number. */
	for (unsigned i = 0; i < 1000 && jh_cpus_found < r->comm_cpus; i++)
		delay_us(1000);
	r->cpus_found = jh_cpus_found;
	for (unsigned i = 1; i < jh_cpus_found && i < JHT_MAX_CPUS; i++)
		smp_start_cpu(jh_cpu_ids[i], ap_main);
	for (unsigned i = 0; i < 2000 && r->cpus_running < jh_cpus_found; i++)
		delay_us(1000);
	printk("jhtest: smp: %u of %u CPUs run (comm region: %u)\n",
	       r->cpus_running, jh_cpus_found, r->comm_cpus);
}

/* Jailhouse's protocol: clear the message, then write the reply. */
static void reply(struct jh_comm_region *c, uint32_t code)
{
	c->msg_to_cell = JH_MSG_NONE;
	__asm__ volatile("" ::: "memory");
	c->reply_from_cell = code;
}

static void serve_messages(struct jht_results *r)
{
	struct jh_comm_region *c = comm_region();

	for (;;) {
		uint32_t msg = c->msg_to_cell;

		if (msg == JH_MSG_SHUTDOWN_REQUEST) {
			if (r->denied < r->deny_first) {
				printk("jhtest: shutdown request %u denied\n",
				       r->denied + r->approved + 1);
				r->denied++;
				reply(c, JH_MSG_REQUEST_DENIED);
			} else {
				printk("jhtest: shutdown request %u approved\n",
				       r->denied + r->approved + 1);
				r->approved++;
				reply(c, JH_MSG_REQUEST_APPROVED);
			}
		} else if (msg == JH_MSG_RECONFIG_COMPLETED) {
			r->others++;
			reply(c, JH_MSG_RECEIVED);
		} else if (msg != JH_MSG_NONE) {
			r->others++;
			reply(c, JH_MSG_UNKNOWN);
		}
		cpu_relax();
	}
}

static bool signature_ok(const char *sig)
{
	for (unsigned i = 0; i < 6; i++)
		if (sig[i] != JH_COMM_SIGNATURE[i])
			return false;
	return true;
}

void inmate_main(void)
{
	struct jht_results *r = res();
	struct jh_comm_region *c = comm_region();
	uint16_t want_rev = (uint16_t)cmdline_int("expect-rev", JH_COMM_REVISION);
	bool sig_ok = signature_ok(c->signature);

	memset(r, 0, sizeof(*r));
	r->tsc_main = rdtsc();
	r->magic = JHT_MAGIC;
	memcpy(r->cmdline, cmdline, JHT_CMDLINE_SIZE - 1);
	r->apic_id = (uint32_t)rdmsr(X2APIC_ID);
	r->mtrr_def = (uint32_t)rdmsr(MTRR_DEF_TYPE);
	r->xsave = xsave_on();
	r->xcr0 = r->xsave ? (uint32_t)xgetbv0() : 0;
	r->amd = hc_is_amd();
	r->cpus_found = jh_cpus_found; /* so far: start_others() waits */
	r->cpus_running = 1;
	r->deny_first = (uint32_t)cmdline_int("deny", 1);
	r->comm_revision = c->revision;
	r->phase = JHT_PHASE_STARTED;
	if (!sig_ok || c->revision != want_rev) {
		/* The line first: the root, once it sees the state, prints on
		 * the same serial port as Tandem's console. */
		if (c->flags & JH_COMM_FLAG_DBG_PUTC_PERMITTED)
			hc_printk("jhtest: comm region %s revision %u, want %u: failed-comm-rev\n",
				  sig_ok ? "JHCOMM" : "without signature",
				  c->revision, want_rev);
		r->phase = sig_ok ? JHT_PHASE_COMM_REV : JHT_PHASE_NO_COMM;
		c->cell_state = JH_CELL_FAILED_COMM_REV;
		return;
	}
	r->pm_port = c->pm_timer_address;
	r->comm_cpus = c->num_cpus;
	r->comm_tsc_khz = c->tsc_khz;
	r->comm_apic_khz = c->apic_khz;
	uart_init(&c->console);
	printk("jhtest: hello on the UART from APIC id %u: %u CPUs, TSC %u kHz, APIC timer %u kHz, PM timer port 0x%x\n",
	       r->apic_id, r->comm_cpus, r->comm_tsc_khz, r->comm_apic_khz,
	       r->pm_port);
	r->tsc_line = rdtsc();
	/* The hypervisor's console only where the configuration permits it,
	 * as Jailhouse's inmates do. */
	if (c->flags & JH_COMM_FLAG_DBG_PUTC_PERMITTED)
		hc_printk("jhtest: console putc by %s\n",
			  r->amd ? "vmmcall" : "vmcall");
	if (r->pm_port && r->comm_tsc_khz)
		measure_pm_timer(r);
	if (r->comm_tsc_khz)
		run_timer(r);
	if (cmdline_bool("smp"))
		start_others(r);
	r->phase = JHT_PHASE_READY;
	serve_messages(r);
}
