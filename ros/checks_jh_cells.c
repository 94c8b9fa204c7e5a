/*
 * Jailhouse-contract cells (issue 15): the test inmate of cells/jh/, a
 * flat 64-bit image with its own 16-bit entry, created from the Jailhouse-
 * format cell descriptions the build generates (cells/jh/jhcellgen.c), as
 * a Jailhouse root does it: the description patched for this machine (its
 * RAM's physical base, the CPU bitmap), Cell Create, the image and its
 * command line (Jailhouse's .cmdline at 0x1000) written into the LOADABLE
 * region, Cell Start.
 *
 * The inmate's numbers come back on its results page, RAM shared with the
 * root (cells/jh/jh_test.h); its UART line goes to COM2, which the harness
 * reads (scripts/boottest.py: "com2: ..." lines). (Refused descriptions,
 * field by field, are ros/checks_jh_config.c's.) Three runs:
 *
 *   jhtest  1 CPU: JHCOMM, the UART line, the PM timer against the TSC,
 *           x2APIC timer interrupts (the ROS reads the CPU's exit counter
 *           around them), then a shutdown request denied and one approved
 *           (Cell Destroy -EPERM, then 0);
 *   jhrev   told to expect revision 3: Cell Get State must say 4
 *           (failed-comm-rev), and Destroy does not ask it;
 *   jhsmp   2 CPUs, only where the ROS has a third CPU to give (qemu-big, bochs-vmx):
 *           the first starts the other by INIT/SIPI through the x2APIC ICR.
 *
 * They run after the walls checks, on the cells' CPU (cells_cpu()), parked
 * here and started again at the end, with 2 MiB of free RAM at or above
 * 64 MiB (the RAM, then the results page).
 */
#include "cpu.h"
#include "smp.h"
#include "suite.h"
#include "trap.h"
#include "tandem_hvm.h"

#include "tandem/jailhouse.h"
#include "../cells/jh/jh_test.h"

#define JH_PHYS_MIN   0x4000000ull /* 64 MiB */
#define JH_MEM_STEP   0x200000ull  /* RAM 1 MiB + the results page */
#define JH_WAIT_MS    30000	   /* start until READY (Bochs is slow) */
#define JH_STATE_MS   10000
#define JH_SETTLE_MS  20
#define JH_CFG_MAX    512
#define JH_CHECKS     9 /* jhtest 6, jhrev 2, CPUs back 1 */
#define JH_SMP_CHECKS 2

extern const uint8_t ros_jh_image[], ros_jh_image_end[];
extern const uint8_t ros_jh_jhtest_cell[], ros_jh_jhtest_cell_end[];
extern const uint8_t ros_jh_jhsmp_cell[], ros_jh_jhsmp_cell_end[];
extern const uint8_t ros_jh_jhrev_cell[], ros_jh_jhrev_cell_end[];

static uint8_t cfg[JH_CFG_MAX] __attribute__((aligned(8)));

static struct {
	enum hc_via via; /* VIA_VMMCALL or VIA_VMCALL */
	unsigned cpu[2]; /* ROS index = Tandem logical id; [1]: SMP only */
	bool smp;	 /* a second CPU to give */
	uint64_t phys;	 /* the cells' 2 MiB */
	bool have_mem;
	long live; /* a cell that could not be destroyed */
	uint64_t tsc_khz;
} jc;

#define S(r) hc_str((r), (char[64]){ 0 }, 64)

static struct hc_result hc(unsigned code, uint64_t a1, uint64_t a2)
{
	return hc_native(jc.via, code, a1, a2, 0, 0, 0);
}

static struct jht_results *results(void)
{
	return (struct jht_results *)(jc.phys + JHT_RAM_SIZE);
}

static uint64_t exits(unsigned cpu)
{
	struct hc_result r = hc(TANDEM_HC_CPU_GET_STATE, cpu,
				TANDEM_CPU_STAT_TOTAL);

	return r.fault || r.value < 0 ? 0 : (uint64_t)r.value;
}

/* TSC ticks per millisecond: the lowest of five 10 ms PIT samples (a
 * preempted emulator thread only makes one too high). */
static uint64_t measure_tsc_khz(void)
{
	uint64_t best = 0;

	for (unsigned i = 0; i < 5; i++) {
		uint64_t t0 = rdtsc(), khz;

		ros_udelay(10000);
		khz = (rdtsc() - t0) / 10;
		if (khz && (!best || khz < best))
			best = khz;
	}
	return best ? best : 1000000;
}

/* ---- the description, the image ---- */

/* Copy the generated description, check its layout (what the generator
 * wrote must be what the header says), and patch it for this machine:
 * RAM and shared regions move to the cells' memory, the CPU bitmap names
 * @ncpus CPUs of jc.cpu[]. */
static bool prepare(const uint8_t *start, const uint8_t *end, unsigned ncpus,
		    char *why, size_t size)
{
	size_t len = (size_t)(end - start), want;
	struct jh_cell_desc *d = (struct jh_cell_desc *)cfg;
	struct jh_memory *mem;
	uint8_t *bitmap;

	if (len < sizeof(*d) || len > sizeof(cfg)) {
		ksnprintf(why, size, "description of %zu bytes", len);
		return false;
	}
	memcpy(cfg, start, len);
	want = sizeof(*d) + d->cpu_set_size +
	       d->num_memory_regions * sizeof(struct jh_memory) +
	       d->num_pio_regions * sizeof(struct jh_pio);
	if (memcmp(d->signature, JH_CELL_SIGNATURE, 5) != 0 ||
	    d->revision != JH_CONFIG_REVISION || want != len ||
	    d->cpu_set_size < 8 || d->num_cache_regions || d->num_irqchips ||
	    d->num_pci_devices) {
		ksnprintf(why, size,
			  "generated description: %zu bytes, its header says %zu",
			  len, want);
		return false;
	}
	bitmap = cfg + sizeof(*d);
	memset(bitmap, 0, d->cpu_set_size);
	for (unsigned i = 0; i < ncpus; i++)
		bitmap[jc.cpu[i] / 8] |= (uint8_t)(1u << (jc.cpu[i] % 8));
	mem = (struct jh_memory *)(bitmap + d->cpu_set_size);
	for (unsigned i = 0; i < d->num_memory_regions; i++)
		if (!(mem[i].flags & JH_MEM_COMM_REGION))
			mem[i].phys_start += jc.phys;
	return true;
}

/* The image at cell address 0 (the RAM's base), @args at 0x1000, the
 * results page cleared. */
static bool load(const char *args, char *why, size_t size)
{
	size_t len = (size_t)(ros_jh_image_end - ros_jh_image);
	uint8_t *ram = (uint8_t *)jc.phys;

	if (jc.live) {
		ksnprintf(why, size, "cell %ld still holds the memory", jc.live);
		return false;
	}
	if (!jc.have_mem) {
		ksnprintf(why, size, "no free 2 MiB at or above 64 MiB");
		return false;
	}
	if (len <= JHT_CMDLINE_OFFSET + JHT_CMDLINE_SIZE || len > JHT_RAM_SIZE) {
		ksnprintf(why, size, "image of %zu bytes", len);
		return false;
	}
	memcpy(ram, ros_jh_image, len);
	memset(ram + JHT_CMDLINE_OFFSET, 0, JHT_CMDLINE_SIZE);
	memcpy(ram + JHT_CMDLINE_OFFSET, args,
	       strnlen(args, JHT_CMDLINE_SIZE - 1));
	memset(results(), 0, JHT_RESULTS_SIZE);
	return true;
}

static struct hc_result create(void)
{
	struct hc_result r = hc(TANDEM_HC_CELL_CREATE, (uint64_t)cfg, 0);

	if (!r.fault && r.value > 0)
		jc.live = r.value;
	return r;
}

static struct hc_result destroy(long id)
{
	struct hc_result r = hc(TANDEM_HC_CELL_DESTROY, (uint64_t)id, 0);

	if (!r.fault && r.value == 0 && jc.live == id)
		jc.live = 0;
	return r;
}

static struct hc_result get_state(long id)
{
	return hc(TANDEM_HC_CELL_GET_STATE, (uint64_t)id, 0);
}

/* prepare(), load(), Cell Create: the id, or 0 with @why. */
static long make_cell(const uint8_t *start, const uint8_t *end, unsigned ncpus,
		      const char *args, char *why, size_t size)
{
	struct hc_result r;

	if (!prepare(start, end, ncpus, why, size) || !load(args, why, size))
		return 0;
	r = create();
	if (r.fault || r.value <= 0) {
		ksnprintf(why, size, "cell create '%s': %s, want an id > 0",
			  ((struct jh_cell_desc *)cfg)->name, S(r));
		return 0;
	}
	return r.value;
}

static bool start(long id, char *why, size_t size)
{
	struct hc_result r = hc(TANDEM_HC_CELL_START, (uint64_t)id, 0);

	if (r.fault || r.value != 0) {
		ksnprintf(why, size, "cell start %ld: %s, want 0", id, S(r));
		return false;
	}
	return true;
}

/* Destroy @id at the end of a run. A cell that did not get as far as its
 * message loop may still deny (jhtest denies one request): ask again. */
static void cleanup(long id)
{
	struct hc_result r = { .not_called = true };

	for (unsigned i = 0; i < 3 && id > 0 && jc.live == id; i++)
		r = destroy(id);
	if (id > 0 && jc.live == id)
		ros_log("jh cells: cleanup: destroy %ld gave %s; its memory and CPUs stay away",
			id, S(r));
}

/* Until the inmate's phase is at least @phase (or it reported a wrong
 * comm region), the cell leaves Running, or @ms pass. */
static bool wait_phase(long id, uint32_t phase, unsigned ms)
{
	volatile struct jht_results *r = results();

	for (unsigned i = 0; i < ms; i++) {
		struct hc_result st;

		if (r->phase >= phase)
			return r->phase < JHT_PHASE_COMM_REV ||
			       phase >= JHT_PHASE_COMM_REV;
		if ((i & 63) == 0) {
			st = get_state(id);
			if (st.fault || st.value != JH_CELL_RUNNING)
				return false;
		}
		ros_udelay(1000);
	}
	return false;
}

/* ---- jhtest ---- */

static const char *phase_str(uint32_t p)
{
	static const char *const names[] = {
		"not started",	"started", "before the timer",
		"in the timer", "ready",   "failed-comm-rev",
		"no JHCOMM",
	};

	return p < sizeof(names) / sizeof(names[0]) ? names[p] : "?";
}

/* One jhtest run up to READY, shared by the suite and bench mode: Cell
 * Create, Cell Start (the TSC then), the CPU's exits read when the inmate
 * arms its timer and when its window ends. The cell is left running. */
struct jht_run {
	long id;
	bool started, have_timer, have_exits, ready;
	uint64_t t0, e0, e1;
	char why[128];
};

static void run_jhtest(struct jht_run *run, const char *args)
{
	volatile struct jht_results *r = results();

	memset(run, 0, sizeof(*run));
	run->id = make_cell(ros_jh_jhtest_cell, ros_jh_jhtest_cell_end, 1, args,
			    run->why, sizeof(run->why));
	if (run->id > 0) {
		run->t0 = rdtsc();
		run->started = start(run->id, run->why, sizeof(run->why));
	}
	if (run->started && wait_phase(run->id, JHT_PHASE_TIMER_ARM, JH_WAIT_MS)) {
		run->e0 = exits(jc.cpu[0]);
		r->ack = 1;
		if (wait_phase(run->id, JHT_PHASE_TIMER_END, JH_WAIT_MS)) {
			run->e1 = exits(jc.cpu[0]);
			run->have_timer = true;
			run->have_exits = run->e0 && run->e1 >= run->e0;
		}
		r->ack = 2;
	}
	run->ready = run->started &&
		     wait_phase(run->id, JHT_PHASE_READY, JH_WAIT_MS);
	if (run->started && !run->ready)
		ksnprintf(run->why, sizeof(run->why), "phase %u (%s) after start",
			  r->phase, phase_str(r->phase));
}

/* Exits per interrupt, in hundredths. */
static uint64_t exits_per100(const struct jht_run *run, uint32_t ticks)
{
	return ticks ? (run->e1 - run->e0) * 100 / ticks : 0;
}

static void report_timer(const struct jht_results *r, const struct jht_run *run)
{
	uint64_t per100 = exits_per100(run, r->ticks);
	/* All of them within the inmate's 5 s, not faster than programmed. The
	 * rate itself is a figure: an emulator's periodic timer on a loaded
	 * host drops periods (QEMU TCG gave 358 per second with Bochs beside
	 * it), which says nothing about Tandem. */
	bool ok = run->have_timer && r->ticks >= JHT_TIMER_HZ &&
		  r->ticks_per_s <= JHT_TIMER_HZ * 2;

	check(ok, "jh cells: jhtest x2apic timer interrupts with eoi",
	      "%u interrupts in %u us (%u per second), want %u within 5 s, at most %u per second; apic_khz %u, initial count %u, phase %s",
	      r->ticks, r->timer_us, r->ticks_per_s, JHT_TIMER_HZ,
	      2 * JHT_TIMER_HZ, r->comm_apic_khz, r->timer_count,
	      phase_str(r->phase));
	if (run->have_exits && r->ticks)
		ros_log("jh cells: figure: %u APIC timer interrupts per second in a cell, %lu.%02lu exits per interrupt (%lu exits of CPU %u for %u interrupts)",
			r->ticks_per_s, per100 / 100, per100 % 100,
			run->e1 - run->e0, jc.cpu[0], r->ticks);
}

static void check_jhtest(void)
{
	volatile struct jht_results *r = results();
	struct jht_run run;
	const char *why = run.why;
	uint64_t t0;
	bool ready;
	long id;
	struct hc_result d, st;

	run_jhtest(&run, "deny=1");
	id = run.id;
	t0 = run.t0;
	ready = run.ready;
	check(id > 0, "jh cells: create jhtest from its jailhouse description",
	      "%s", why);
	/* On its way it turned its MTRRs on (MTRR_DEF_TYPE reads back E,
	 * its own register: ABI.md 11.4) and XSAVE with x87 and SSE state,
	 * as Jailhouse's inmates do. */
	check(ready && r->magic == JHT_MAGIC &&
		      r->comm_revision == JH_COMM_REVISION && r->tsc_line &&
		      r->mtrr_def == 0x800 && r->xsave && (r->xcr0 & 3) == 3,
	      "jh cells: jhtest starts at its 16-bit entry and finds JHCOMM",
	      "%s; revision %u, UART line %s; mtrr_def_type 0x%x (want 0x800), xsave %u, xcr0 0x%x (want x87|sse)",
	      why, r->comm_revision, r->tsc_line ? "written" : "not written",
	      r->mtrr_def, r->xsave, r->xcr0);
	if (ready && r->tsc_line > t0)
		ros_log("jh cells: figure: %lu us from Cell Start to the cell's first UART line (its C entry after %lu us)",
			(r->tsc_line - t0) * 1000 / jc.tsc_khz,
			r->tsc_main > t0 ? (r->tsc_main - t0) * 1000 / jc.tsc_khz :
					   0);

	check(ready && r->comm_cpus == 1 && r->comm_tsc_khz && r->pm_port &&
		      r->pm_tsc_khz * 10 >= r->comm_tsc_khz * 9 &&
		      r->pm_tsc_khz * 10 <= r->comm_tsc_khz * 11 &&
		      r->comm_tsc_khz * 10 >= jc.tsc_khz * 9 &&
		      r->comm_tsc_khz * 10 <= jc.tsc_khz * 11,
	      "jh cells: jhtest pm timer and tsc agree with the comm region",
	      "cpus %u (want 1), PM timer port 0x%x, TSC %u kHz against the PM timer, comm region %u kHz, the ROS's %lu kHz (want within 10%%)",
	      r->comm_cpus, r->pm_port, r->pm_tsc_khz, r->comm_tsc_khz,
	      jc.tsc_khz);
	report_timer((const struct jht_results *)r, &run);

	/* Jailhouse's numbering: reply 2 denied (-EPERM), 3 approved. */
	d = ready ? destroy(id) : (struct hc_result){ .not_called = true };
	ros_udelay(JH_SETTLE_MS * 1000);
	st = get_state(id);
	check(hc_is(d, -TANDEM_EPERM) && r->denied == 1 && !r->approved &&
		      hc_is(st, JH_CELL_RUNNING),
	      "jh cells: jhtest denies the first shutdown request eperm",
	      "cell destroy %ld: %s, want %d; denied %u approved %u; state then %s, want 0",
	      id, S(d), -TANDEM_EPERM, r->denied, r->approved, S(st));
	d = ready ? destroy(id) : (struct hc_result){ .not_called = true };
	check(hc_is(d, 0) && r->denied == 1 && r->approved == 1,
	      "jh cells: jhtest approves the second and is destroyed",
	      "cell destroy %ld: %s, want 0; denied %u approved %u", id, S(d),
	      r->denied, r->approved);
	cleanup(id);
}

/* ---- jhrev ---- */

static void check_jhrev(void)
{
	volatile struct jht_results *r = results();
	char why[128] = "";
	struct hc_result st = { .not_called = true }, d;
	long id;
	bool reached = false;

	id = make_cell(ros_jh_jhrev_cell, ros_jh_jhrev_cell_end, 1,
		       "expect-rev=3", why, sizeof(why));
	if (id > 0 && start(id, why, sizeof(why))) {
		for (unsigned i = 0; i < JH_STATE_MS && !reached; i++) {
			st = get_state(id);
			reached = hc_is(st, JH_CELL_FAILED_COMM_REV);
			if (!reached)
				ros_udelay(1000);
		}
		ros_udelay(JH_SETTLE_MS * 1000);
	}
	check(reached && r->phase == JHT_PHASE_COMM_REV,
	      "jh cells: jhrev cell get state 4 failed-comm-rev",
	      "%s; cell get state %s, want %d; inmate phase %u (%s), found revision %u",
	      why[0] ? why : "started", S(st), JH_CELL_FAILED_COMM_REV,
	      r->phase, phase_str(r->phase), r->comm_revision);
	/* Terminal: Destroy does not ask (and nobody would answer). */
	d = id > 0 ? destroy(id) : (struct hc_result){ .not_called = true };
	check(hc_is(d, 0), "jh cells: jhrev destroyed without asking",
	      "cell destroy %ld: %s, want 0", id, S(d));
	cleanup(id);
}

/* ---- jhsmp ---- */

static void check_jhsmp(void)
{
	volatile struct jht_results *r = results();
	char why[128] = "";
	struct hc_result d = { .not_called = true };
	bool ready = false;
	long id;

	id = make_cell(ros_jh_jhsmp_cell, ros_jh_jhsmp_cell_end, 2,
		       "smp deny=0", why, sizeof(why));
	if (id > 0 && start(id, why, sizeof(why))) {
		if (wait_phase(id, JHT_PHASE_TIMER_ARM, JH_WAIT_MS))
			r->ack = 1;
		if (wait_phase(id, JHT_PHASE_TIMER_END, JH_WAIT_MS))
			r->ack = 2;
		ready = wait_phase(id, JHT_PHASE_READY, JH_WAIT_MS);
	}
	check(ready && r->cpus_found == 2 && r->cpus_running == 2 &&
		      r->comm_cpus == 2,
	      "jh cells: jhsmp first cpu starts the other by init sipi",
	      "%s; phase %u (%s), %u CPUs came to the entry, %u ran C after INIT/SIPI, comm region says %u (want 2 each)",
	      why[0] ? why : "started", r->phase, phase_str(r->phase),
	      r->cpus_found, r->cpus_running, r->comm_cpus);
	if (id > 0)
		d = destroy(id);
	check(hc_is(d, 0) && r->approved == 1,
	      "jh cells: jhsmp approves and is destroyed",
	      "cell destroy %ld: %s, want 0; approved %u", id, S(d), r->approved);
	cleanup(id);
}

/* ---- the group ---- */

static bool find_memory(const struct ros_boot *b, uint64_t *phys)
{
	uint64_t end = ros_ram_end(b);

	for (uint64_t p = JH_PHYS_MIN; p + JH_MEM_STEP <= end; p += JH_MEM_STEP)
		if (ros_ram_is_free(b, p, JH_MEM_STEP)) {
			*phys = p;
			return true;
		}
	return false;
}

unsigned checks_jh_cells_planned(const struct suite *s)
{
	if (!s->detected)
		return 0;
	return JH_CHECKS + (ros_smp.ncpus >= 3 ? JH_SMP_CHECKS : 0);
}

void checks_jh_cells(struct suite *s)
{
	bool back = true;

	if (!s->detected)
		return;
	jc.via = s->native_via;
	jc.cpu[0] = cells_cpu();
	jc.smp = ros_smp.ncpus >= 3;
	jc.cpu[1] = jc.cpu[0] - 1; /* another AP: 1 .. ncpus - 2 */
	jc.tsc_khz = measure_tsc_khz();
	jc.have_mem = find_memory(s->boot, &jc.phys);
	ros_log("jh cells: CPU %u%s, RAM 0x%lx, results page 0x%lx", jc.cpu[0],
		jc.smp ? " (and the SMP cell's second)" : "", jc.phys,
		jc.phys + JHT_RAM_SIZE);
	ros_smp_park(jc.cpu[0]);
	check_jhtest();
	check_jhrev();
	if (jc.smp) {
		ros_smp_park(jc.cpu[1]);
		check_jhsmp();
	} else {
		ros_log("jh cells: jhsmp not run: the ROS has %zu CPUs, the SMP cell needs two besides the BSP",
			ros_smp.ncpus);
	}
	for (unsigned i = 0; i < (jc.smp ? 2u : 1u); i++) {
		if (jc.live) {
			back = false;
			break;
		}
		back = ros_smp_restart(jc.cpu[i], suite_cpu_probe) && back;
	}
	check(back, "jh cells: cpus back to the ros",
	      jc.live ? "cell %ld still holds them" :
			"a CPU did not answer a restart (cell %ld)",
	      jc.live);
}

/* ---- bench mode ---- */

/* One jhtest run for the bench table (ros/bench.c, after its loops): on
 * the ROS's last AP, one "ros: bench: jhcell ..." line with the three
 * figures the suite logs as "jh cells: figure:", or "jhcell failed: why". */
void jh_cells_bench(const struct ros_boot *b, bool vmmcall, uint64_t tsc_khz)
{
	volatile struct jht_results *r;
	struct jht_run run;
	uint64_t per100;

	if (ros_smp.ncpus < 2) {
		ros_log("bench: jhcell failed: the ROS has %zu CPU, the cell needs an AP",
			ros_smp.ncpus);
		return;
	}
	jc.via = vmmcall ? VIA_VMMCALL : VIA_VMCALL;
	jc.cpu[0] = (unsigned)ros_smp.ncpus - 1;
	jc.smp = false;
	jc.live = 0;
	jc.tsc_khz = tsc_khz ? tsc_khz : measure_tsc_khz();
	jc.have_mem = find_memory(b, &jc.phys);
	if (!jc.have_mem) {
		ros_log("bench: jhcell failed: no free 2 MiB at or above 64 MiB");
		return;
	}
	r = results(); /* at jc.phys */
	ros_smp_park(jc.cpu[0]);
	run_jhtest(&run, "deny=0");
	if (!run.ready || !run.have_exits || !r->ticks ||
	    r->tsc_line <= run.t0 || r->tsc_main <= run.t0)
		ros_log("bench: jhcell failed: %s%sphase %u (%s), %u interrupts, exits %s",
			run.why, run.why[0] ? "; " : "", r->phase,
			phase_str(r->phase), r->ticks,
			run.have_exits ? "read" : "not read");
	else {
		per100 = exits_per100(&run, r->ticks);
		ros_log("bench: jhcell start_us=%lu main_us=%lu timer_hz=%u exits_per_irq=%lu.%02lu exits=%lu irqs=%u cpu=%u",
			(r->tsc_line - run.t0) * 1000 / jc.tsc_khz,
			(r->tsc_main - run.t0) * 1000 / jc.tsc_khz,
			r->ticks_per_s, per100 / 100, per100 % 100,
			run.e1 - run.e0, r->ticks, jc.cpu[0]);
	}
	if (run.ready)
		destroy(run.id);
	cleanup(run.id);
	/* Bench mode never started the APs (no ros_smp_start()): the CPU
	 * goes back to the root waiting for a start-up IPI, as it was. */
}
