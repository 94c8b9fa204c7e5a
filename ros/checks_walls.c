/*
 * The interrupt and MSR walls (guest-abi/ABI.md, "The local APIC" and
 * "MSRs"), attacked from inside: from the ROS, from a hostile cell
 * (cells/apicwall.c) and from the HRT (function HRT_FN_ATTACK of
 * hrt/hrt_funcs.h). After the cell checks, before Disable.
 *
 * The ROS's AP (the cells' CPU) runs a probe that waits with interrupts
 * on and counts the checks' fixed IPIs (vector ROS_VEC_TEST_IPI, counted
 * by ros/trap.c). IPIs meant for the HRT's CPUs (every APIC ID that is
 * not the ROS's) must not arrive: an INIT would stop an HRT core (the
 * parallel invoke after each attack would not finish), a fixed IPI would
 * reach Tandem ("interrupt vector 227 reached Tandem", forbidden in
 * tests/boot-plan.json), and Tandem names each refusal in a line the
 * harness expects (the "walls" set).
 */
#include "cpu.h"
#include "smp.h"
#include "suite.h"
#include "tandem_hvm.h"
#include "trap.h"

#include "../hrt/hrt_funcs.h"

#define APIC_PAGE	 0xfee00000ull
#define APIC_ID		 0x020
#define APIC_ICR_LO	 0x300
#define APIC_ICR_HI	 0x310
#define X2APIC_ID	 0x802
#define X2APIC_ICR	 0x830
#define X2APIC_SELF_IPI	 0x83f
#define APIC_BASE_BSP	 (1ull << 8)
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)
#define ICR_FIXED	 (0x4000u | ROS_VEC_TEST_IPI)
#define ICR_NMI		 0x4400u
#define ICR_INIT	 0x4500u
#define ICR_SMI		 0x4200u
#define ICR_LOGICAL	 (1u << 11)
#define ICR_ALL_BUT_SELF (3u << 18)
#define MAX_ATTACKED_ID	 64 /* APIC IDs 0..63 are tried */
#define IPI_WAIT_MS	 1000
#define CALL_MS		 5000
#define CELL_MS		 10000
#define HRT_ATTACK_WANT	 HRT_ATTACK_ALL

extern const uint8_t ros_cell_apicwall[], ros_cell_apicwall_end[];

volatile unsigned ros_test_ipis[ROS_MAX_CPUS];

static struct tandem_hrt_call call;
static uint64_t results[HRT_MAX_CORES + 1];

static struct {
	const struct suite *s;
	bool have_ap, have_hrt;
	unsigned ap; /* the ROS CPU index of the AP */
	uint64_t khz;
} ws;

/* ---- helpers ---- */

static volatile uint32_t *apic_reg(uint32_t off)
{
	return (volatile uint32_t *)(APIC_PAGE + off);
}

static int try_wrmsr(uint32_t msr, uint64_t v)
{
	int f = ros_try(ROS_VEC_GP);

	if (f == 0) {
		wrmsr(msr, v);
		ros_untry();
	}
	return f;
}

static int try_rdmsr(uint32_t msr, uint64_t *v)
{
	int f = ros_try(ROS_VEC_GP);

	*v = 0;
	if (f == 0) {
		*v = rdmsr(msr);
		ros_untry();
	}
	return f;
}

static void xapic_ipi(uint32_t dest, uint32_t lo)
{
	*apic_reg(APIC_ICR_HI) = dest << 24;
	*apic_reg(APIC_ICR_LO) = lo;
}

static unsigned ipis(unsigned cpu)
{
	return __atomic_load_n(&ros_test_ipis[cpu], __ATOMIC_ACQUIRE);
}

/* Waits until the AP counted @want IPIs or IPI_WAIT_MS passed. */
static bool ap_reaches(unsigned want)
{
	for (unsigned i = 0; i < IPI_WAIT_MS; i++) {
		if (ipis(ws.ap) >= want)
			break;
		ros_udelay(1000);
	}
	ros_udelay(2000); /* and nothing more arrives */
	return ipis(ws.ap) == want;
}

static bool is_ros_apic(uint32_t id)
{
	for (size_t k = 0; k < ros_smp.ncpus; k++)
		if (ros_smp.apic_ids[k] == id)
			return true;
	return false;
}

#define MSR_TSC_AUX 0xc0000103
#define AUX_MARK    0x5a5au

static volatile int ap_aux_fault;
static volatile uint64_t ap_aux;

/* The AP's probe while the checks run: leave a TSC_AUX for the hostile
 * cell not to see, answer, then take interrupts. */
static void ap_listen(unsigned cpu)
{
	try_wrmsr(MSR_TSC_AUX, AUX_MARK);
	__atomic_store_n(&ros_smp.probes[cpu].answered, 1, __ATOMIC_RELEASE);
	for (;;)
		__asm__ volatile("sti\n\thlt\n\tcli" ::: "memory");
}

/* Runs `call` on the HRT (every core when @parallel) until IDLE again: 0,
 * the library's error, or -100 - the vector + 1 of a fault. */
static long hrt_sync(bool parallel)
{
	int f = ros_try(ROS_ANY_VECTOR);
	long r;

	if (f)
		return -100 - f;
	r = parallel ? tandem_hrt_call_sync_parallel(&call, ws.khz * CALL_MS) :
		       tandem_hrt_call_sync(&call, ws.khz * CALL_MS);
	ros_untry();
	return r;
}

/* A parallel call of HRT_FN_CORE: every core answers index * 1000 + 11. */
static void check_hrt_answers(const char *name)
{
	unsigned bad = 0;
	long r;

	if (!ws.have_hrt) {
		check(true, name, NULL);
		ros_log("walls: no HRT: '%s' has nothing to ask", name);
		return;
	}
	memset(&call, 0, sizeof(call));
	call.func = HRT_FN_CORE;
	call.args[0] = 11;
	call.result_gpa = (uint64_t)results;
	for (unsigned i = 0; i <= HRT_MAX_CORES; i++)
		results[i] = 0x5555;
	r = hrt_sync(true);
	for (unsigned i = 0; i < 2; i++)
		if (results[i] != i * HRT_CORE_FACTOR + 11)
			bad++;
	check(r == 0 && !bad, name, "parallel call: %ld; results 0x%lx 0x%lx",
	      r, results[0], results[1]);
}

/* ---- the ROS's own APIC ---- */

static void check_ids(void)
{
	uint64_t x2 = 0;
	int f = try_rdmsr(X2APIC_ID, &x2);
	uint32_t xid = *apic_reg(APIC_ID) >> 24;

	check(!f && x2 == xid && xid == ros_smp.apic_ids[0],
	      "walls: x2apic id is the xapic id",
	      "MSR 0x802: 0x%lx%s; xAPIC ID %u; MADT %u", x2, f ? " (#GP)" : "",
	      xid, ros_smp.apic_ids[0]);
}

/* Registers that x2APIC mode lacks (APR 0x90, RRD 0xc0, reserved 0x40,
 * 0x400) or has read-only/write-only, through the page: with the host in
 * x2APIC mode Tandem must not turn them into faulting MSR accesses. */
static void check_xapic_only_regs(void)
{
	static const uint32_t offs[] = { 0x40, 0x90, 0xc0, 0x400, 0xb0 };
	uint32_t bad = 0, id;

	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		if (*apic_reg(offs[i]))
			bad |= 1u << i;
	*apic_reg(0x40) = 0x55;
	*apic_reg(0x90) = 0xff;
	*apic_reg(0xc0) = 0xff;
	*apic_reg(0x30) = 0x12345678; /* version: read-only */
	*apic_reg(0x280) = 0xff;      /* ESR: x2APIC takes 0 only */
	*apic_reg(0x80) = 0xffff0000; /* TPR: reserved bits */
	*apic_reg(0x80) = 0;
	id = *apic_reg(APIC_ID) >> 24;
	check(!bad && id == ros_smp.apic_ids[0],
	      "walls: xapic-only registers read 0, writes dropped",
	      "nonzero reads 0x%x (0x40,0x90,0xc0,0x400,0xb0); id %u", bad, id);
}

static void check_own_ipis(void)
{
	uint32_t ap_id = ros_smp.apic_ids[ws.ap];
	unsigned before = ipis(ws.ap), bsp = ipis(0);
	bool page, msr, self;
	int f;

	xapic_ipi(ap_id, ICR_FIXED);
	page = ws.have_ap && ap_reaches(before + 1);
	check(page, "walls: fixed ipi to own cpu via xapic page",
	      "AP %u (APIC ID %u) counted %u, want %u", ws.ap, ap_id,
	      ipis(ws.ap), before + 1);

	before = ipis(ws.ap);
	f = try_wrmsr(X2APIC_ICR, (uint64_t)ap_id << 32 | ICR_FIXED);
	msr = !f && ws.have_ap && ap_reaches(before + 1);
	check(msr, "walls: fixed ipi to own cpu via x2apic msr",
	      "wrmsr 0x830%s; AP counted %u, want %u", f ? " #GP" : "",
	      ipis(ws.ap), before + 1);

	f = try_wrmsr(X2APIC_SELF_IPI, ROS_VEC_TEST_IPI);
	ros_take_interrupts(1000);
	self = !f && ipis(0) == bsp + 1;
	check(self, "walls: self ipi via x2apic msr",
	      "wrmsr 0x83f%s; BSP counted %u, want %u", f ? " #GP" : "",
	      ipis(0), bsp + 1);
}

/* The attack of the issue, found on Bochs VMX: the ROS disables or moves
 * its APIC; Tandem could no longer signal this CPU. */
static void check_apic_base(void)
{
	uint64_t base = 0, after = 0;
	int fr = try_rdmsr(MSR_APIC_BASE, &base);
	uint64_t want = APIC_PAGE | APIC_BASE_ENABLE | APIC_BASE_BSP;
	int fd, fm, fx, fs;

	check(!fr && (base & ~APIC_BASE_X2APIC) == want,
	      "walls: apic_base shows an enabled bsp",
	      "rdmsr 0x1b: 0x%lx%s, want 0x%lx", base, fr ? " (#GP)" : "", want);
	fd = try_wrmsr(MSR_APIC_BASE, base & ~APIC_BASE_ENABLE);
	fm = try_wrmsr(MSR_APIC_BASE, base + 0x1000);
	fx = try_wrmsr(MSR_APIC_BASE, base ^ APIC_BASE_X2APIC);
	fs = try_wrmsr(MSR_APIC_BASE, base);
	try_rdmsr(MSR_APIC_BASE, &after);
	check(fd == ROS_VEC_GP + 1 && fm == ROS_VEC_GP + 1 &&
		      fx == ROS_VEC_GP + 1 && !fs && after == base,
	      "walls: apic_base changes refused",
	      "disable %d, move %d, mode %d (want #GP each), same value %d "
	      "(want no fault); reads 0x%lx, was 0x%lx",
	      fd, fm, fx, fs, after, base);
	check_hrt_answers("walls: hrt answers after apic_base writes");
}

/* An x2APIC logical destination naming @id alone: its cluster and bit. */
static uint64_t x2_logical(uint32_t id)
{
	return (uint64_t)(id >> 4) << 16 | 1u << (id & 15);
}

/* Fixed, NMI and INIT to every APIC ID the ROS does not own, through the
 * page and the MSR; SMI to itself; then the broadcasts, which must reach
 * the ROS's own AP and nobody else. */
static void check_foreign_ipis(void)
{
	static const uint32_t modes[] = { ICR_FIXED, ICR_NMI, ICR_INIT };
	unsigned ap0 = ipis(ws.ap), bsp0 = ipis(0), faults = 0, sent = 0;

	/* First, while the line limit lets it through: SMI to itself. */
	xapic_ipi(0, ICR_SMI | 1u << 18);
	for (uint32_t id = 0; id < MAX_ATTACKED_ID; id++) {
		if (is_ros_apic(id))
			continue;
		for (unsigned m = 0; m < 3; m++) {
			xapic_ipi(id, modes[m]);
			faults += try_wrmsr(X2APIC_ICR,
					    (uint64_t)id << 32 | modes[m]) != 0;
			/* x2APIC logical: @id's cluster and bit (SDM Vol. 3A
			 * 11.12.10). */
			faults += try_wrmsr(X2APIC_ICR,
					    x2_logical(id) << 32 | modes[m] |
						    ICR_LOGICAL) != 0;
			sent += 3;
		}
	}
	check(!faults && ipis(ws.ap) == ap0,
	      "walls: ipis to foreign apic ids refused",
	      "%u sent, %u faulted (want 0); AP counted %u more (want 0)", sent,
	      faults, ipis(ws.ap) - ap0);

	/* Broadcasts: xAPIC 0xff, x2APIC 0xffffffff, all but self, xAPIC
	 * logical 0xff, and NMI to all but self (absorbed). */
	ap0 = ipis(ws.ap);
	xapic_ipi(0xff, ICR_FIXED);
	ap_reaches(ap0 + 1);
	try_wrmsr(X2APIC_ICR, 0xffffffffull << 32 | ICR_FIXED);
	ap_reaches(ap0 + 2);
	xapic_ipi(0, ICR_FIXED | ICR_ALL_BUT_SELF);
	ap_reaches(ap0 + 3);
	xapic_ipi(0xff, ICR_FIXED | ICR_LOGICAL); /* every logical id */
	ap_reaches(ap0 + 4);
	xapic_ipi(0, ICR_NMI | ICR_ALL_BUT_SELF);
	try_wrmsr(X2APIC_ICR, ICR_NMI | ICR_ALL_BUT_SELF);
	ap_reaches(ap0 + 4);
	ros_take_interrupts(1000);
	check(ipis(ws.ap) == ap0 + 4 && ipis(0) >= bsp0 + 1,
	      "walls: broadcasts reach own cpus only",
	      "AP counted %u (want 4), BSP %u (want at least 1)",
	      ipis(ws.ap) - ap0, ipis(0) - bsp0);
	check_hrt_answers("walls: hrt answers after the ipi attack");
}

/* ---- MSRs ---- */

/* Platform-wide MSRs: a write raises #GP and changes nothing; the MTRRs'
 * writes are dropped (no #GP), and change nothing either. */
static bool write_dropped(uint32_t msr)
{
	return msr == 0x2ff || msr == 0x200 || msr == 0x250 || msr == 0x8b ||
	       msr == 0x1a0;
}

static void check_platform_msrs(void)
{
	static const uint32_t msrs[] = {
		0x2ff,	    /* MTRR_DEF_TYPE: dropped */
		0x200,	    /* MTRR_PHYSBASE0: dropped */
		0x250,	    /* MTRR_FIX64K_00000: dropped */
		0x79,	    /* BIOS_UPDT_TRIG (microcode) */
		0x8b,	    /* BIOS_SIGN_ID: dropped */
		0x3a,	    /* FEATURE_CONTROL */
		0x9b,	    /* SMM_MONITOR_CTL */
		0x1f2,	    /* SMRR_PHYSBASE */
		0x1a0,	    /* MISC_ENABLE: dropped */
		0x199,	    /* PERF_CTL */
		0x19a,	    /* CLOCK_MODULATION */
		0x1b0,	    /* ENERGY_PERF_BIAS */
		0x186,	    /* PERFEVTSEL0 */
		0xc1,	    /* PMC0 */
		0x38f,	    /* PERF_GLOBAL_CTRL */
		0x480,	    /* VMX_BASIC */
		0xc0010000, /* AMD PERF_CTL0 */
		0xc0010004, /* AMD PERF_CTR0 */
		0xc0010010, /* AMD SYSCFG */
		0xc0010015, /* AMD HWCR */
		0xc0010114, /* VM_CR */
		0xc0010117, /* VM_HSAVE_PA */
	};
	unsigned bad = 0;
	uint32_t first = 0;

	for (unsigned i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		uint64_t before, after;
		int rb = try_rdmsr(msrs[i], &before);
		int w = try_wrmsr(msrs[i], before ^ 1);
		int ra = try_rdmsr(msrs[i], &after);

		int want = write_dropped(msrs[i]) ? 0 : ROS_VEC_GP + 1;

		if (w != want || rb != ra || before != after) {
			if (!bad++)
				first = msrs[i];
		}
	}
	check(!bad, "walls: platform msr writes gp",
	      "%u MSRs not refused or changed, first 0x%x", bad, first);
}

/* The root may read MTRRs; DEBUGCTL and XSS read 0 and take only 0; unlisted
 * MSRs raise #GP on reads too; guest context passes. */
static void check_msr_lists(void)
{
	uint64_t def = 0, dbg = 1, v = 0, old = 0;
	int fdef = try_rdmsr(0x2ff, &def);
	int fdbg = try_rdmsr(0x1d9, &dbg);
	int fdw = try_wrmsr(0x1d9, 1); /* LBR on: refused */
	int fdz = try_wrmsr(0x1d9, 0);
	int fun = try_rdmsr(0x1f2, &v);
	uint64_t xss = 1;
	int fxr = try_rdmsr(0xda0, &xss);
	int fxw = try_wrmsr(0xda0, 1ull << 8); /* a supervisor state: refused */
	int fxz = try_wrmsr(0xda0, 0);
	int fl, flr;

	try_rdmsr(0xc0000102, &old); /* KERNEL_GS_BASE */
	fl = try_wrmsr(0xc0000102, 0xffff800012345000ull);
	flr = try_rdmsr(0xc0000102, &v);
	try_wrmsr(0xc0000102, old);
	check(!fdef && !fdbg && dbg == 0 && fdw == ROS_VEC_GP + 1 && !fdz &&
		      fun == ROS_VEC_GP + 1 && !fl && !flr &&
		      v == 0xffff800012345000ull && !fxr && xss == 0 &&
		      fxw == ROS_VEC_GP + 1 && !fxz,
	      "walls: msr lists of the root",
	      "MTRR_DEF_TYPE read %d (0x%lx); DEBUGCTL read %d (0x%lx), "
	      "write 1 %d, write 0 %d; SMRR read %d; KERNEL_GS_BASE %d %d 0x%lx; "
	      "XSS read %d (0x%lx), write PT %d, write 0 %d",
	      fdef, def, fdbg, dbg, fdw, fdz, fun, fl, flr, v, fxr, xss, fxw,
	      fxz);
}

/* TSC_ADJUST (0x3b) is shown and is the guest's own: a write moves this
 * CPU's TSC as the guest reads it by the difference (SDM Vol. 3B 18.17.3),
 * as a write of the TSC itself moves TSC_ADJUST; TSC_DEADLINE reads back in
 * the guest's time, and a write back restores the view; Tandem's clock,
 * which its calls time out by, never moves. */
static void check_tsc_adjust(void)
{
	const uint64_t step = 1ull << 40;
	uint32_t l1[4], l7[4] = { 0 }, max[4];
	uint64_t adj = 0, adj2 = 0, t0, t1, m1 = 0, t2, dl = 0, dl0 = 1;
	uint64_t want_dl = 0, t3, t4, adj3 = 0;
	int fr, fw, fw0, fm, ft;
	bool deadline;

	cpuid(0, 0, max);
	cpuid(1, 0, l1);
	if (max[0] >= 7)
		cpuid(7, 0, l7);
	deadline = l1[2] & (1u << 24);
	fr = try_rdmsr(0x3b, &adj);
	t0 = rdtsc();
	fw = try_wrmsr(0x3b, adj + step);
	t1 = rdtsc();
	fm = try_rdmsr(0x10, &m1);
	try_rdmsr(0x3b, &adj2);
	if (deadline) {
		/* The MSR holds a value only in TSC-deadline mode (SDM Vol.
		 * 3A 11.5.4.1): the timer's LVT so, masked, meanwhile. */
		uint32_t lvt = *apic_reg(0x320);

		*apic_reg(0x320) = 2u << 17 | 1u << 16 | 0xef;
		want_dl = t1 + (1ull << 36); /* far: never fires here */
		try_wrmsr(0x6e0, want_dl);
		try_rdmsr(0x6e0, &dl);
		try_wrmsr(0x6e0, 0);
		try_rdmsr(0x6e0, &dl0);
		*apic_reg(0x320) = lvt;
	} else {
		dl0 = 0;
	}
	fw0 = try_wrmsr(0x3b, adj);
	t2 = rdtsc();
	/* A TSC write: TSC_ADJUST follows by (nearly) the same step. */
	t3 = rdtsc();
	ft = try_wrmsr(0x10, t3 + step);
	t4 = rdtsc();
	try_rdmsr(0x3b, &adj3);
	try_wrmsr(0x3b, adj);
	check((l7[1] & (1u << 1)) && !fr && !fw && adj2 == adj + step &&
		      t1 - t0 >= step && !fm && m1 >= t0 + step && !fw0 &&
		      t2 < t1 && !ft && t4 >= t3 + step && adj3 > adj &&
		      adj3 <= adj + step,
	      "walls: tsc_adjust moves only the guest's tsc",
	      "leaf 7 ebx 0x%x; read %d (0x%lx); write %d, reads 0x%lx; "
	      "TSC +0x%lx; RDMSR 0x10 %d (0x%lx); WRMSR 0x10 %d, TSC +0x%lx, "
	      "TSC_ADJUST 0x%lx",
	      l7[1], fr, adj, fw, adj2, t1 - t0, fm, m1, ft, t4 - t3, adj3);
	check(dl == want_dl && dl0 == 0 && !fw0 && t2 < t1,
	      "walls: tsc_deadline in the guest's time",
	      "deadline 0x%lx want 0x%lx, disarmed 0x%lx; write back %d, "
	      "TSC 0x%lx then 0x%lx",
	      dl, want_dl, dl0, fw0, t1, t2);
	check_hrt_answers("walls: hrt answers after tsc_adjust");
}

/* ---- the HRT attacks the ROS ---- */

static void check_hrt_attack(void)
{
	uint64_t mask = 0;
	unsigned ap0 = ipis(ws.ap), bsp0 = ipis(0);
	long r;

	if (!ws.have_hrt) {
		check(true, "walls: hrt attack refused", NULL);
		check_hrt_answers("walls: hrt answers after its attack");
		return;
	}
	for (size_t k = 0; k < ros_smp.ncpus; k++)
		if (ros_smp.apic_ids[k] < 64)
			mask |= 1ull << ros_smp.apic_ids[k];
	memset(&call, 0, sizeof(call));
	call.func = HRT_FN_ATTACK;
	call.args[0] = mask;
	call.args[1] = ROS_VEC_TEST_IPI;
	call.result_gpa = (uint64_t)results;
	results[0] = 0x5555;
	r = hrt_sync(false);
	ros_udelay(IPI_WAIT_MS * 1000);
	ros_take_interrupts(1000);
	check(r == 0 && results[0] == HRT_ATTACK_WANT && ipis(ws.ap) == ap0 &&
		      ipis(0) == bsp0,
	      "walls: hrt attack refused",
	      "call %ld, result 0x%lx (want 0x%x); test IPIs: AP %u, BSP %u (want 0)",
	      r, results[0], HRT_ATTACK_WANT, ipis(ws.ap) - ap0, ipis(0) - bsp0);
	check_hrt_answers("walls: hrt answers after its attack");
}

/* ---- a hostile cell (cells/apicwall.c) ---- */

/* The AP back from the cell: what TSC_AUX it has, then the usual probe. */
static void ap_aux_probe(unsigned cpu)
{
	uint64_t v;

	ap_aux_fault = try_rdmsr(MSR_TSC_AUX, &v);
	ap_aux = v;
	suite_cpu_probe(cpu);
}

static void check_hostile_cell(void)
{
	unsigned bsp0 = ipis(0);
	char why[120] = "";
	long st;
	bool back;

	if (ws.have_ap)
		ros_smp_park(ws.ap);
	st = cells_run_image(ros_cell_apicwall, ros_cell_apicwall_end,
			     "apicwall", CELL_MS, why, sizeof(why));
	ros_take_interrupts(1000);
	check(st == TANDEM_CELL_SHUT_DOWN, "walls: apicwall cell shut down",
	      "%s (want shut down)", why);
	check(ipis(0) == bsp0, "walls: apicwall cell reached no ros cpu",
	      "BSP counted %u test IPIs (want 0)", ipis(0) - bsp0);
	back = ws.have_ap && ros_smp_restart(ws.ap, ap_aux_probe);
	check(back, "walls: ros cpu answers after the apicwall cell",
	      "CPU %u did not answer a restart", ws.ap);
	/* No RDTSCP: no TSC_AUX to keep (the cell's line says #GP too). */
	check(back && (ap_aux_fault || ap_aux == AUX_MARK),
	      "walls: ros cpu keeps its tsc_aux across the cell",
	      "TSC_AUX 0x%lx%s, want 0x%x", ap_aux,
	      ap_aux_fault ? " (#GP)" : "", AUX_MARK);
	check_hrt_answers("walls: hrt answers after the apicwall cell");
}

/* Own IPIs 3, APIC_BASE 3, foreign IPIs 3, MSRs 2, TSC_ADJUST 3, HRT 2,
 * cell 5, IDs 1, xAPIC-only registers 1. */
#define WALLS_CHECKS 23

unsigned checks_walls_planned(const struct suite *s)
{
	return s->detected ? WALLS_CHECKS : 0;
}

void checks_walls(struct suite *s)
{
	int f;

	if (!s->detected)
		return;
	ws.s = s;
	ws.ap = cells_cpu();
	{
		uint64_t t0 = rdtsc();

		ros_udelay(20000);
		ws.khz = (rdtsc() - t0) / 20;
		if (!ws.khz)
			ws.khz = 1000000;
	}
	f = ros_try(ROS_ANY_VECTOR);
	if (f == 0) {
		ws.have_hrt = tandem_hrt_present();
		ros_untry();
	}
	ros_smp_park(ws.ap);
	ws.have_ap = ws.ap < ros_smp.ncpus && ros_smp_restart(ws.ap, ap_listen);
	ros_log("walls: AP %u (APIC ID %u) %s; HRT %s", ws.ap,
		ros_smp.apic_ids[ws.ap],
		ws.have_ap ? "listens" : "did not answer",
		ws.have_hrt ? "there" : "absent");
	check_ids();
	check_xapic_only_regs();
	check_own_ipis();
	check_apic_base();
	check_foreign_ipis();
	check_platform_msrs();
	check_msr_lists();
	check_tsc_adjust();
	check_hrt_attack();
	check_hostile_cell();
}
