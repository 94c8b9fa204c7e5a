/*
 * Reboot ROS (0x1) and reboot both (0x3), through the real 0xf00d path
 * (guest-abi/ABI.md 4.10, "Reboot ROS"). The suite runs across three
 * boots of the ROS:
 *
 *   boot 1: every group up to this one; then a marker page is written,
 *     a call that spins on the HRT is started (with a completion
 *     interrupt, which no later boot may take), the ROS's .data and boot
 *     information are spoilt, a signal handler is installed, and 0x1 is
 *     issued;
 *   boot 2: ROS_REBOOT_MARKER says phase 1: the suite continues here
 *     with its counts from the marker (no second plan line, so the TAP
 *     stream stays one): the transaction was aborted, .data is back, the
 *     boot information is there again, the APs start from wait-for-SIPI,
 *     the HRT answers and was not rebooted, the signal handler is gone;
 *     then the same preparation and 0x3, issued from the last AP (the
 *     path where the caller is not the BSP: Tandem sends it to
 *     wait-for-SIPI with the others and restarts the BSP);
 *   boot 3: phase 2: the transaction was aborted, .data is back, the APs
 *     start again, the HRT answers and was rebooted (function 7's boot id
 *     changed, its version did not), and its new boot registered its GDT
 *     area (a GDT sync is accepted); then the groups after this one.
 *
 * The marker lives in ROS RAM outside the image, at ROS_REBOOT_MARKER: a
 * page low in conventional memory (the image starts at 1 MiB; Tandem
 * puts the boot information at the top of the ROS's RAM; the AP
 * trampoline skips it, ros/smp.c), which a reboot keeps as a warm reset
 * keeps RAM. It also holds the spinning call's descriptor and result
 * slots, which the HRT writes after the reboot: inside the reloaded image
 * they would land on the new boot's variables.
 */
#include "cpu.h"
#include "smp.h"
#include "suite.h"
#include <tandem/hvm_call.h>
#include "tandem_hvm.h"
#include "trap.h"

#include "../hrt/hrt_funcs.h"

#define REBOOT_MAGIC  0x544e44524f53524bull /* "KRSORDNT" */
#define DATA_INIT     0x0123456789abcdeful
#define SPIN_US	      300000		   /* the call each reboot interrupts */
#define RECOVER_MS    5000		   /* until the HRT answers again */
#define SPIN_UNSET    0x5555555555555555ul /* the spin's slot, unwritten */
#define SIG_HANDLER   0x400000ull	   /* user addresses; never used */
#define SIG_STACK     0x500000ull
#define PHASE1_CHECKS 6
#define PHASE2_CHECKS 5

struct reboot_marker {
	uint64_t magic;
	uint32_t phase; /* 1: 0x1 issued; 2: 0x3 issued */
	uint32_t passed, failed, group_start;
	uint32_t invoked;	   /* the spinning call was accepted */
	uint32_t signal_set;	   /* a signal handler was installed */
	uint64_t boot_id, version; /* the HRT's, before the request */
	/* The TSC at the request: a ROS reboot keeps it counting, a reset of
	 * the machine starts it again, so a marker left in RAM by an earlier
	 * run (a warm reset on hardware) is not taken for this run's. */
	uint64_t tsc;
	uint64_t cmdline_sum, ram_total;
	struct tandem_hrt_call call;
	uint64_t results[HRT_MAX_CORES + 1];
};

_Static_assert(sizeof(struct reboot_marker) <= PAGE_SIZE, "one page");

/* In .data: the first boot changes it, a reboot must bring it back. */
static volatile uint64_t reboot_data = DATA_INIT;

static struct reboot_marker *marker(void)
{
	return (struct reboot_marker *)ROS_REBOOT_MARKER;
}

unsigned checks_reboot_planned(const struct suite *s)
{
	if (!s->detected || !tandem_hrt_present())
		return 0;
	return PHASE1_CHECKS + PHASE2_CHECKS;
}

unsigned ros_reboot_phase(unsigned *group_start, unsigned *passed,
			  unsigned *failed)
{
	const struct reboot_marker *m = marker();
	unsigned phase;

	if (m->magic != REBOOT_MAGIC || (m->phase != 1 && m->phase != 2) ||
	    rdtsc() < m->tsc)
		return 0;
	phase = m->phase;
	*group_start = m->group_start;
	*passed = m->passed;
	*failed = m->failed;
	return phase;
}

static uint64_t cmdline_sum(const struct ros_boot *b)
{
	uint64_t sum = 0;

	for (const char *p = b->cmdline; *p; p++)
		sum = sum * 131 + (uint8_t)*p;
	return sum;
}

static long hvm3(uint64_t req, uint64_t a1, uint64_t a2, uint64_t a3)
{
	if (ros_try(ROS_ANY_VECTOR) == 0) {
		long v = tandem_hvm_call(req, a1, a2, a3, 0);

		ros_untry();
		return v;
	}
	return -2; /* faulted */
}

static long hvm(uint64_t req, uint64_t a1, uint64_t a2)
{
	return hvm3(req, a1, a2, 0);
}

static void fail_rest(unsigned n, const char *names[], const char *why)
{
	for (unsigned i = 0; i < n; i++)
		check(false, names[i], "%s", why);
}

static const char *phase1_names[PHASE1_CHECKS] = {
	"reboot ros: hrt transaction aborted",
	"reboot ros: .data reloaded",
	"reboot ros: boot information rebuilt",
	"reboot ros: aps start again from wait-for-sipi",
	"reboot ros: hrt answers, not rebooted",
	"reboot ros: signal handler dropped",
};

static const char *phase2_names[PHASE2_CHECKS] = {
	"reboot both: hrt transaction aborted",
	"reboot both: .data reloaded",
	"reboot both: aps start again from wait-for-sipi",
	"reboot both: hrt rebooted and answers",
	"reboot both: the new hrt's gdt area registered",
};

/* Interrupts on for a moment on this CPU (the suite runs with them
 * off): how many completion interrupts it has taken in this boot. */
static unsigned done_irqs(void)
{
	ros_take_interrupts(0);
	return ros_done_irqs_here();
}

/* Reboot both from an AP: the path where the caller is not the BSP,
 * which Tandem then sends to wait-for-SIPI like the other APs. */
static volatile long ap_result;
static uint64_t ap_request;

static void ap_issue(unsigned cpu)
{
	ap_result = hvm(ap_request, 0, 0);
	__atomic_store_n(&ros_smp.probes[cpu].answered, 1, __ATOMIC_RELEASE);
}

/* Marker, spoilt state and a spinning call; then @req, from the BSP, or
 * with @from_ap from the last AP (started again to issue it; the BSP
 * waits for it meanwhile). Returns only when the request failed (its
 * result in @why). */
static void issue(struct suite *s, unsigned phase, uint64_t req,
		  unsigned group_start, bool from_ap, char *why, size_t size)
{
	struct reboot_marker *m = marker();
	struct ros_hrt_probe p;
	unsigned passed, failed;
	char w[120];
	long r;

	if (!ros_hrt_answers(RECOVER_MS, w, sizeof(w)))
		ros_log("reboot: the HRT is not idle before request 0x%lx: %s",
			req, w);
	ros_hrt_probe(&p);
	memset(m, 0, sizeof(*m));
	suite_counts(&passed, &failed);
	m->phase = phase;
	m->group_start = group_start;
	m->passed = passed;
	m->failed = failed;
	m->boot_id = p.boot_id;
	m->version = p.version;
	m->cmdline_sum = cmdline_sum(s->boot);
	m->ram_total = ros_ram_total(s->boot);
	if (phase == 1)
		m->signal_set = hvm(TANDEM_HVM_SIGNAL_INSTALL, SIG_HANDLER,
				    SIG_STACK) == 0;
	m->call.func = HRT_FN_SPIN_US;
	m->call.args[0] = SPIN_US;
	m->call.result_gpa = (uint64_t)m->results;
	m->results[0] = SPIN_UNSET;
	/* With a completion interrupt, which the reboot must hold back:
	 * the next boot takes none. Any this CPU was still to take (the
	 * fuzz group's invokes name one too) it takes now: Tandem does not
	 * clear the ROS's APIC at a reboot. */
	(void)done_irqs();
	m->invoked = hvm3(TANDEM_HVM_INVOKE, (uint64_t)&m->call, 0,
			  ROS_VEC_HRT_DONE) == 0;
	reboot_data = ~DATA_INIT;
	/* The old boot information gone: the next boot must get new. */
	memset((void *)s->boot->mbi, 0, s->boot->mbi_size);
	ros_log("reboot: request 0x%lx (phase %u), %u checks so far%s", req,
		phase, passed + failed,
		from_ap && ros_smp.ncpus > 1 ? ", from the last AP" : "");
	m->magic = REBOOT_MAGIC;
	m->tsc = rdtsc();
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (from_ap && ros_smp.ncpus > 1) {
		unsigned k = (unsigned)ros_smp.ncpus - 1;

		ap_result = -3;
		ap_request = req;
		ros_smp_park(k);
		(void)ros_smp_restart(k, ap_issue);
		r = ap_result;
	} else {
		r = hvm(req, 0, 0);
	}
	m->magic = 0;
	ksnprintf(why, size,
		  "request 0x%lx%s returned %ld instead of rebooting (-3: not issued)",
		  req, from_ap ? " from the last AP" : "", r);
}

/* What the transaction looked like as this boot began: read before
 * anything else, reported once the HRT answers (its lines share the
 * serial port: a check line must not be printed while the aborted call's
 * "call done returned -1" or a rebooted HRT's boot lines may come). */
struct first_look {
	long state;
	uint32_t event;
};

static void look(struct first_look *f)
{
	struct tandem_ros_event ev;

	memset(&ev, 0xff, sizeof(ev));
	f->state = tandem_hrt_state(&ev);
	f->event = ev.event_type;
}

/* After the aborted call has ended on the HRT (phase 1) or the HRT was
 * rebooted (phase 2): no completion interrupt reached this boot. */
static void check_aborted(const char *name, const struct first_look *f)
{
	const struct reboot_marker *m = marker();
	unsigned irqs = done_irqs();

	check(m->invoked && f->state == TANDEM_HRT_IDLE &&
		      f->event == TANDEM_ROS_NONE && irqs == 0,
	      name,
	      "spinning call accepted %u, state %ld (want 0, IDLE), event %u (want 0, none); completion interrupts taken %u (want 0)",
	      m->invoked, f->state, f->event, irqs);
}

static void check_data(const char *name)
{
	check(reboot_data == DATA_INIT, name,
	      "a .data variable is 0x%lx after the reboot, want 0x%lx",
	      (uint64_t)reboot_data, DATA_INIT);
}

static void check_aps(struct suite *s, const char *name)
{
	const char *err;
	unsigned bad = 0;

	for (unsigned k = 0; k < ros_smp.ncpus; k++)
		ros_smp.probes[k].answered = 0;
	err = ros_smp_start(s->boot, suite_cpu_probe);
	for (unsigned k = 1; !err && k < ros_smp.ncpus; k++)
		if (!ros_smp.probes[k].answered)
			bad++;
	check(!err && bad == 0 && ros_smp.ncpus > 1, name,
	      "%s; %u of %zu APs did not answer INIT-SIPI-SIPI",
	      err ? err : "started", bad, ros_smp.ncpus - 1);
}

static void phase1(struct suite *s)
{
	const struct reboot_marker *m = marker();
	struct ros_hrt_probe p;
	struct first_look f;
	char why[160];
	bool ok;
	long r;

	look(&f);
	/* The aborted call ends on the HRT (result, then its refused done
	 * and the HRT's line about it) before the checks print. */
	for (unsigned ms = 0;
	     ms < RECOVER_MS &&
	     __atomic_load_n(&m->results[0], __ATOMIC_ACQUIRE) == SPIN_UNSET;
	     ms++)
		ros_udelay(1000);
	ok = ros_hrt_answers(RECOVER_MS, why, sizeof(why));
	check_aborted(phase1_names[0], &f);
	check_data(phase1_names[1]);
	check(cmdline_sum(s->boot) == m->cmdline_sum &&
		      ros_ram_total(s->boot) == m->ram_total,
	      phase1_names[2],
	      "boot information at 0x%lx: command line '%s' (sum 0x%lx, want 0x%lx), %lu KiB of RAM (want %lu)",
	      s->boot->mbi, s->boot->cmdline, cmdline_sum(s->boot),
	      m->cmdline_sum, ros_ram_total(s->boot) >> 10, m->ram_total >> 10);
	check_aps(s, phase1_names[3]);
	ros_hrt_probe(&p);
	check(ok && p.boot_id == m->boot_id && p.version == m->version,
	      phase1_names[4], "%s; boot id 0x%lx -> 0x%lx, version %lu -> %lu",
	      ok ? "answers" : why, m->boot_id, p.boot_id, m->version, p.version);
	r = hvm(TANDEM_HVM_SIGNAL_INSTALL, SIG_HANDLER, SIG_STACK);
	check(m->signal_set && r == 0, phase1_names[5],
	      "installed before %u, install after the reboot %ld (want 0: none left)",
	      m->signal_set, r);
	(void)hvm(TANDEM_HVM_SIGNAL_INSTALL, 0, 0);
}

static void phase2(struct suite *s)
{
	const struct reboot_marker *m = marker();
	struct ros_hrt_probe p;
	char why[160];
	long sync, restore;
	struct first_look f;
	bool ok;

	look(&f);
	ok = ros_hrt_answers(RECOVER_MS, why, sizeof(why));
	check_aborted(phase2_names[0], &f);
	check_data(phase2_names[1]);
	check_aps(s, phase2_names[2]);
	ros_hrt_probe(&p);
	check(ok && p.boot_id && p.boot_id != m->boot_id &&
		      p.version == m->version,
	      phase2_names[3],
	      "%s; boot id 0x%lx -> 0x%lx (want a new one), version %lu -> %lu",
	      ok ? "answers" : why, m->boot_id, p.boot_id, m->version, p.version);
	/* The new image registers its GDT area as it boots (0x52): the
	 * reboot must be over by then, or Tandem refuses it. A GDT sync
	 * (0x51) needs it; a restore (0x53) puts the HRT's own back. */
	sync = hvm(TANDEM_HVM_GDT_SYNC, 0, 0);
	ok = ros_hrt_answers(RECOVER_MS, why, sizeof(why));
	restore = hvm(TANDEM_HVM_GDT_RESTORE, 0, 0);
	ok = ros_hrt_answers(RECOVER_MS, why, sizeof(why)) && ok;
	check(sync == 0 && restore == 0 && ok, phase2_names[4],
	      "GDT sync %ld (want 0), restore %ld (want 0), %s", sync, restore,
	      ok ? "answers after each" : why);
}

void checks_reboot(struct suite *s)
{
	struct reboot_marker *m = marker();
	unsigned start, passed, failed;
	unsigned phase = ros_reboot_phase(&start, &passed, &failed);
	char why[120];

	if (!checks_reboot_planned(s))
		return;
	if (phase == 0) {
		suite_counts(&passed, &failed);
		if (!ros_ram_is_free(s->boot, ROS_REBOOT_MARKER, PAGE_SIZE))
			ksnprintf(why, sizeof(why),
				  "the marker page 0x%x is not free RAM of the ROS",
				  ROS_REBOOT_MARKER);
		else
			issue(s, 1, TANDEM_HVM_REBOOT_ROS, passed + failed,
			      false, why, sizeof(why));
		fail_rest(PHASE1_CHECKS, phase1_names, why);
		fail_rest(PHASE2_CHECKS, phase2_names, why);
		return;
	}
	ros_hrt_resume(s);
	if (phase == 1) {
		phase1(s);
		issue(s, 2, TANDEM_HVM_REBOOT_BOTH, start, true, why,
		      sizeof(why));
		fail_rest(PHASE2_CHECKS, phase2_names, why);
		return;
	}
	phase2(s);
	m->magic = 0;
	ros_log("reboot: done; the suite goes on after its third boot");
}
