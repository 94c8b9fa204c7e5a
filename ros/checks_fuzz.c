/*
 * The hypercall fuzzer (docs/design.md, testing): random hypercalls
 * and random 0xf00d downcalls from the ROS, at CPL 0 and CPL 3, through
 * VMMCALL, VMCALL and the hypercall page, while the ROS's other CPUs issue
 * random calls of their own at CPL 0; then checks that Tandem is as it
 * was: pool pages, cells, a null hypercall and downcall, the HRT and the
 * ROS's other CPUs. Runs after the cell checks, before Disable.
 *
 * Reproducible: "fuzz_seed=N" on the ROS command line (default
 * FUZZ_SEED_DEFAULT) seeds one splitmix64 stream; the seed, the counts and
 * the time taken are printed on a "ros: fuzz:" line. On the same machine
 * (the memory map shapes some arguments) the BSP's calls repeat exactly;
 * what they meet (the fuzz_arena's contents, the HRT's state) may depend on
 * the timing of the other CPUs' calls.
 * "fuzz_n=N", "fuzz_hvm_n=N" and "fuzz_ap_n=N" (each other CPU; default
 * fuzz_n / 4) set the counts. Without them: FUZZ_N hypercalls and
 * FUZZ_HVM_N downcalls under QEMU (told by its fw_cfg signature), a tenth
 * of each on any other machine (Bochs emulates every instruction and is
 * about ten times slower per exit): the line says which.
 *
 * Then the hypercall page MSR with random values (fuzz_msr()).
 *
 * Transfers: VMMCALL, VMCALL, the page, and at CPL 0 one call in eight by
 * VMMCALL or VMCALL from 32-bit compatibility mode (ros/fuzz.asm). Every
 * answer is judged, and so is every register the ABI says Tandem keeps.
 *
 * Codes: mostly 1..15 (Disable, code 0, only at CPL 3: at CPL 0 it would
 * end Tandem), some around the end of the table, 0xf00d, and fully random
 * 64-bit ones. Arguments from a mix of generators: Tandem's memory and the
 * HRT's (Get Info types 5-10), beyond RAM, unaligned, across page
 * boundaries, the hypercall page, the ROS's image, a scratch fuzz_arena filled
 * with random bytes and half-valid cell configurations and ELF headers,
 * small numbers, cell ids, all ones, random.
 *
 * What the ROS keeps out, so that it survives its own fuzzing (each is a
 * request the ROS is entitled to, not a refusal to test):
 *   - a downcall that makes Tandem or the HRT write ROS memory (GET_STATE's
 *     event, an invoke's descriptor, whose results the HRT writes, and its
 *     completion word) is sent the fuzz_arena or one of the fuzzer's own
 *     descriptors when its pointer is ROS RAM (a word keeps its
 *     misalignment, which is refused); those descriptors run functions 0, 1 (over a fixed array),
 *     2, 3 and an unknown one, never 4 (triple fault) or 5 (spin);
 *   - an invoke's completion interrupt (RDI), when it is a vector at all
 *     (32-255), is the ROS's own ROS_VEC_HRT_DONE: another would reach
 *     the ROS without a handler;
 *   - at most FUZZ_MAX_REBOOTS HRT reboots a run (each is followed by a
 *     wait until every HRT core answers again); further reboot requests
 *     are sent as null requests, and the other CPUs send none;
 *   - a cell that Cell Create accepts is destroyed at once (with every ROS
 *     CPU running root code, none should be accepted);
 *   - a synchronous-mode set-up (0x28) names a block outside the ROS's
 *     RAM (refused): the HRT would serve whatever a random block says;
 *   - a signal handler install (0x40) is sent as a removal: a handler
 *     would take the fuzzer's own CPL 3 code at the next signal, so no
 *     signal (0x41) is ever accepted;
 *   - reboot ROS and reboot both (0x1, 0x3) are sent as null requests:
 *     the ROS would start again (the reboot group, ros/checks_reboot.c,
 *     issues them itself).
 */
#include "cpu.h"
#include "fuzz.h"

#define FUZZ_NOT_RAM 0xfffff000000ull /* far beyond the ROS's RAM */
#include "smp.h"
#include "suite.h"
#include "tandem_hvm.h"
#include "trap.h"
#include <tandem/hvm_call.h>

#include "../hrt/hrt_funcs.h"

extern const uint8_t ros_hrt2_image[], ros_hrt2_image_end[];

#define FUZZ_SEED_DEFAULT 20261203ull
#define FUZZ_N		  100000 /* hypercalls, CPL 0 and 3 together */
#define FUZZ_HVM_N	  20000	 /* 0xf00d downcalls */
#define FUZZ_SLOW_DIV	  10	 /* not QEMU: a tenth */
#define FUZZ_MAX_REBOOTS  3
#define NSAFE		  6
#define RECOVER_MS	  20000 /* after a reboot, until every core answers */
#define CALL_MS		  2000
#define HRT_CORES_DEFAULT 2
#define PAR_ARG		  11
#define AP_WAIT_MS	  120000 /* until the other CPUs' loops end */
#define FUZZ_AP_DIV	  4	 /* each other CPU: a quarter of fuzz_n */
#define FUZZ_MSR_DIV	  50	 /* hypercall page MSR writes: fuzz_n / 50 */
#define LAST_CODE	  TANDEM_HC_CELL_SOFT_RESTART
#define HC_PAGE_SLOTS	  TANDEM_HC_SLOT_HVM /* plain slots 0..126 */

static uint8_t user_stack[PAGE_SIZE] __attribute__((aligned(16)));
static struct tandem_hrt_call safe[NSAFE], check_call;
static uint64_t safe_results[HRT_MAX_CORES + 1];
static uint64_t check_results[HRT_MAX_CORES + 1];
static uint64_t sum_values[16];
static struct tandem_ros_event event;

/* Which loop a call belongs to: the BSP's two, or the other CPUs'. */
enum loop { LOOP_HC, LOOP_HVM, LOOP_AP, NLOOPS };

static struct {
	const struct suite *s;
	uint64_t seed, n, hvm_n, ap_n;
	bool qemu, hrt;
	unsigned cores;
	uint64_t khz;
	/* What happened; the other CPUs add with atomics. */
	uint64_t done[2], hvm_done[2]; /* by CPL 0 / 3 */
	uint64_t ap_done[ROS_MAX_CPUS];
	volatile int ap_finished[ROS_MAX_CPUS];
	uint64_t bad[NLOOPS], faults[NLOOPS];
	int have_first[NLOOPS];
	char first_bad[NLOOPS][200];
	uint64_t created, reboots, redirected, nulled, invokes;
	uint64_t by_via[5]; /* enum via */
	bool hrt_lost;
} fz;

/* The loop each CPU is in. */
static enum loop cur_loop[ROS_MAX_CPUS];

#define INC(x) __atomic_add_fetch(&(x), 1, __ATOMIC_RELAXED)

/* ---- one transfer ---- */

static struct hc_result issue(struct fuzz_regs *r, bool user)
{
	static void (*const stubs[])(void) = {
		[FV_VMMCALL] = ros_fuzz_vmmcall,
		[FV_VMCALL] = ros_fuzz_vmcall,
		[FV_VMMCALL32] = ros_fuzz_vmmcall32,
		[FV_VMCALL32] = ros_fuzz_vmcall32,
	};
	struct hc_result res = { 0 };
	int fault;

	if (r->how != FV_PAGE)
		r->target = (uint64_t)stubs[r->how];
	fault = ros_try(ROS_ANY_VECTOR);

	if (fault == 0) {
		uint64_t cs = 0;
		long v = user ? (long)ros_run_user(ros_user_fuzz,
						   user_stack + sizeof(user_stack),
						   (uint64_t)r, &cs) :
				ros_fuzz_call(r);

		ros_untry();
		res.value = v;
	} else {
		res.fault = fault;
		res.fault_rip = ros_last_fault()->rip;
	}
	return res;
}

/* Plain calls by the vendor's own instruction (set-up and checks). */
static struct hc_result plain(uint64_t code, uint64_t a1)
{
	struct fuzz_regs r = { .rax = code, .rdi = a1 };

	r.how = fz.s->native_via;
	return issue(&r, false);
}

static long info(unsigned type)
{
	struct hc_result r = plain(TANDEM_HC_HYPERVISOR_GET_INFO, type);

	return r.fault ? -1000 - r.fault : r.value;
}

static bool called(struct hc_result r)
{
	return !r.fault && !r.not_called;
}

static bool is(struct hc_result r, long want)
{
	return called(r) && r.value == want;
}

#define S(r) hc_str((r), (char[64]){ 0 }, 64)

static const char *const via_names[] = { "page", "vmmcall", "vmcall",
					 "32-bit vmmcall", "32-bit vmcall" };

static void bad(const struct fuzz_regs *r, bool user, struct hc_result res,
		const char *want)
{
	enum loop k = cur_loop[fuzz_cpu()];

	INC(fz.bad[k]);
	if (res.fault)
		INC(fz.faults[k]);
	if (__atomic_exchange_n(&fz.have_first[k], 1, __ATOMIC_ACQ_REL))
		return;
	ksnprintf(fz.first_bad[k], sizeof(fz.first_bad[k]),
		  "CPL %d %s rax 0x%lx rbx 0x%lx rcx 0x%lx rdx 0x%lx rsi 0x%lx "
		  "rdi 0x%lx: %s, want %s",
		  user ? 3 : 0, via_names[r->how], r->rax, r->rbx, r->rcx,
		  r->rdx, r->rsi, r->rdi, S(res), want);
}

/* ---- the HRT ---- */

static bool hrt_idle(unsigned ms)
{
	return tandem_hrt_wait_idle(fz.khz * ms, &event) == 0;
}

/* A parallel call of function 2 answered by every core with its index. */
static bool hrt_answers(char *why, size_t size)
{
	long r;

	memset(&check_call, 0, sizeof(check_call));
	check_call.func = HRT_FN_CORE;
	check_call.result_gpa = (uint64_t)check_results;
	check_call.args[0] = PAR_ARG;
	for (unsigned i = 0; i <= HRT_MAX_CORES; i++)
		check_results[i] = ~0ull;
	r = tandem_hrt_call_sync_parallel(&check_call, fz.khz * CALL_MS);
	if (r != 0) {
		ksnprintf(why, size, "parallel invoke of function 2: %ld", r);
		return false;
	}
	for (unsigned i = 0; i < fz.cores; i++)
		if (check_results[i] != (uint64_t)i * HRT_CORE_FACTOR + PAR_ARG) {
			ksnprintf(why, size, "core %u answered 0x%lx, want %lu",
				  i, check_results[i],
				  (uint64_t)i * HRT_CORE_FACTOR + PAR_ARG);
			return false;
		}
	return true;
}

/* After a reboot: until RECOVER_MS, every core answers again. */
static bool hrt_recover(char *why, size_t size)
{
	uint64_t t0 = rdtsc();

	do {
		if (hrt_idle(CALL_MS) && hrt_answers(why, size))
			return true;
		ros_udelay(1000);
	} while (rdtsc() - t0 < fz.khz * RECOVER_MS);
	return false;
}

static void make_safe_descriptors(void)
{
	static const uint64_t funcs[NSAFE] = {
		HRT_FN_NULL,	       HRT_FN_SUM, HRT_FN_CORE, HRT_FN_VERSION,
		HRT_FN_SPIN_US + 1000, HRT_FN_CORE
	};

	for (unsigned i = 0; i < 16; i++)
		sum_values[i] = i;
	for (unsigned i = 0; i < NSAFE; i++) {
		memset(&safe[i], 0, sizeof(safe[i]));
		safe[i].func = funcs[i];
		safe[i].result_gpa = (uint64_t)safe_results;
		safe[i].args[0] = funcs[i] == HRT_FN_SUM ? (uint64_t)sum_values :
							   fuzz_rnd();
		safe[i].args[1] = funcs[i] == HRT_FN_SUM ? 16 : fuzz_rnd();
	}
}

/* ---- what the ROS keeps out (see the top of the file) ---- */

static void sanitize_hvm(struct fuzz_regs *r)
{
	if (r->rbx != TANDEM_HVM_MARKER_64)
		return;
	switch (r->rcx) {
	case TANDEM_HVM_GET_STATE:
		if (r->rdx &&
		    fuzz_ros_ram(r->rdx, sizeof(struct tandem_ros_event)) &&
		    !fuzz_in_arena(r->rdx, sizeof(struct tandem_ros_event))) {
			r->rdx = (uint64_t)fuzz_arena +
				 fuzz_below(FUZZ_ARENA_SIZE -
					    sizeof(struct tandem_ros_event));
			INC(fz.redirected);
		}
		break;
	case TANDEM_HVM_INVOKE:
	case TANDEM_HVM_PAR_INVOKE:
		if (fuzz_ros_ram(r->rdx, sizeof(struct tandem_hrt_call))) {
			r->rdx = (uint64_t)&safe[fuzz_below(NSAFE)];
			INC(fz.redirected);
		}
		/* Tandem writes the completion word (RSI) when the call
		 * ends: into the arena, misaligned as it came (refused). */
		if (r->rsi && fuzz_ros_ram(r->rsi, 8) &&
		    !fuzz_in_arena(r->rsi, 8)) {
			r->rsi = (uint64_t)fuzz_arena +
				 fuzz_below(FUZZ_ARENA_SIZE / 8 - 1) * 8 +
				 (r->rsi & 7);
			INC(fz.redirected);
		}
		/* A completion interrupt (RDI) of a vector the ROS has no
		 * handler for would end the run when it is let in: the
		 * ROS's own vector instead (out of range stays: refused). */
		if (r->rdi >= TANDEM_HRT_DONE_VECTOR_MIN && r->rdi <= 255 &&
		    r->rdi != ROS_VEC_HRT_DONE) {
			r->rdi = ROS_VEC_HRT_DONE;
			INC(fz.redirected);
		}
		break;
	case TANDEM_HVM_SYNC_SETUP:
		/* The HRT would run whatever a random block names, forever:
		 * a block outside the ROS's RAM, which Tandem refuses. */
		r->rdx = FUZZ_NOT_RAM;
		INC(fz.redirected);
		break;
	case TANDEM_HVM_SIGNAL_INSTALL:
		/* A handler would take the fuzzer's own CPL 3 code at the next
		 * signal: only removals (and so no signal is ever raised). */
		if (r->rdx || r->rsi) {
			r->rdx = r->rsi = 0;
			INC(fz.redirected);
		}
		break;
	case TANDEM_HVM_REBOOT_ROS:
	case TANDEM_HVM_REBOOT_BOTH:
		/* The suite would start again from its marker (ros/checks_reboot.c);
		 * the reboot group issues these itself. */
		r->rcx = TANDEM_HVM_NULL;
		INC(fz.nulled);
		break;
	case TANDEM_HVM_REBOOT_HRT:
		/* The BSP alone reboots: it waits for the HRT afterwards. */
		if (fuzz_cpu() != 0 || fz.reboots >= FUZZ_MAX_REBOOTS) {
			r->rcx = TANDEM_HVM_NULL;
			INC(fz.nulled);
		}
		break;
	default:
		break;
	}
}

static bool compat(const struct fuzz_regs *r)
{
	return r->how >= FV_VMMCALL32;
}

/* 0xf00d is the HVM call in 64-bit mode only (guest-abi/ABI.md 2). */
static bool is_hvm(const struct fuzz_regs *r)
{
	if (compat(r))
		return false;
	return r->how == FV_PAGE ?
		       r->target == (uint64_t)fz.s->page +
					    TANDEM_HC_SLOT_HVM *
						    TANDEM_HC_STUB_SIZE :
		       (uint32_t)r->rax == TANDEM_HC_HVM;
}

static bool known_code(uint64_t code)
{
	return code <= LAST_CODE && code != TANDEM_HC_CELL_SET_LOADABLE;
}

static bool is_errno(long v)
{
	static const int errs[] = { TANDEM_EPERM,  TANDEM_ENOENT, TANDEM_EIO,
				    TANDEM_E2BIG,  TANDEM_ENOMEM, TANDEM_EBUSY,
				    TANDEM_EEXIST, TANDEM_ENODEV, TANDEM_EINVAL,
				    TANDEM_ERANGE, TANDEM_ENOSYS };

	for (unsigned i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (v == -errs[i])
			return true;
	return false;
}

/* Judge a downcall's answer; an accepted reboot or replace waits for the
 * HRT. */
static void judge_hvm(const struct fuzz_regs *r, bool user, struct hc_result res)
{
	bool ok;

	if (!called(res)) {
		bad(r, user, res, "an answer");
		return;
	}
	if (r->rbx != TANDEM_HVM_MARKER_64) {
		if (res.value != -1)
			bad(r, user, res, "-1 (no marker)");
		return;
	}
	switch (r->rcx) {
	case TANDEM_HVM_NULL:
		ok = res.value == 0;
		break;
	case TANDEM_HVM_GET_STATE:
		ok = res.value == -1 || (res.value >= TANDEM_HRT_IDLE &&
					 res.value <= TANDEM_HRT_GDTSYNC);
		break;
	case TANDEM_HVM_INVOKE:
	case TANDEM_HVM_PAR_INVOKE:
		ok = res.value == -1 || res.value == 0;
		if (res.value == 0)
			INC(fz.invokes);
		break;
	case TANDEM_HVM_SIGNAL_INSTALL:
		ok = res.value == 0; /* a removal: never a code pending */
		break;
	case TANDEM_HVM_MERGE:
	case TANDEM_HVM_UNMERGE:
	case TANDEM_HVM_GDT_SYNC:
	case TANDEM_HVM_GDT_RESTORE:
		/* An accepted one goes to HRT core 0, which answers with
		 * merge or GDT sync done: IDLE again soon (not waited for:
		 * the other CPUs may start the next transaction first). */
		ok = res.value == -1 || res.value == 0;
		break;
	case TANDEM_HVM_REBOOT_HRT:
	case TANDEM_HVM_REPLACE_HRT:
		ok = res.value == -1 || res.value == 0;
		if (res.value == 0) {
			char why[120];

			fz.reboots++;
			if (!hrt_recover(why, sizeof(why))) {
				fz.hrt_lost = true;
				bad(r, user, res, "the HRT back (it is not)");
			}
		}
		break;
	default:
		ok = res.value == -1;
		break;
	}
	if (!ok)
		bad(r, user, res, "-1 or the request's result");
}

static void judge_hc(const struct fuzz_regs *r, bool user, struct hc_result res)
{
	uint64_t mask = compat(r) ? 0xffffffffull : ~0ull;
	uint64_t code = r->how == FV_PAGE ? (r->target - (uint64_t)fz.s->page) /
						    TANDEM_HC_STUB_SIZE :
					    r->rax & mask;
	uint64_t a1 = r->rdi & mask;
	long want;

	if (!called(res)) {
		bad(r, user, res, "an answer");
		return;
	}
	if (compat(r)) {
		/* The result in EAX, bits 63:32 of RAX zero. */
		if ((uint64_t)res.value >> 32) {
			bad(r, user, res, "bits 63:32 of RAX zero");
			return;
		}
		res.value = (int32_t)res.value;
	}
	if (!known_code(code)) {
		if (res.value != -TANDEM_ENOSYS)
			bad(r, user, res, "-38 (unknown code)");
		return;
	}
	if (user) {
		if (res.value != -TANDEM_EPERM)
			bad(r, user, res, "-1 (EPERM at CPL 3)");
		return;
	}
	if (code == TANDEM_HC_HYPERVISOR_GET_INFO) {
		if (a1 > TANDEM_INFO_LAST)
			want = -TANDEM_EINVAL;
		else if (a1 == TANDEM_INFO_MEM_TYPE) /* depends on RSI */
			want = (res.value >= TANDEM_MT_UC &&
				res.value <= TANDEM_MT_WB && res.value != 2 &&
				res.value != 3) ||
					       res.value == -TANDEM_ENOENT ?
				       res.value :
				       -TANDEM_ENOENT;
		else if (info_fixed((unsigned)a1))
			want = compat(r) ? (int32_t)fz.s->info[a1] :
					   fz.s->info[a1];
		else
			want = res.value >= 0 ? res.value : 0;
		if (res.value != want)
			bad(r, user, res, "Get Info's value");
		return;
	}
	if (code == TANDEM_HC_CELL_CREATE && res.value > 0) {
		struct hc_result d = plain(TANDEM_HC_CELL_DESTROY,
					   (uint64_t)res.value);

		INC(fz.created);
		ros_log("fuzz: Cell Create accepted a random configuration at 0x%lx "
			"(cell %ld); destroying it: %s",
			a1, res.value, S(d));
		return;
	}
	if (res.value < 0 && !is_errno(res.value))
		bad(r, user, res, "a result or a documented error");
}

/* ---- the two loops ---- */

/* The page for @code, else an instruction; at CPL 0 one call in eight
 * from compatibility mode. */
static void choose_via(struct fuzz_regs *r, uint64_t code, bool user)
{
	r->how = fuzz_below(3);
	if (!user && !fuzz_below(8))
		r->how = FV_VMMCALL32 + fuzz_below(2);
	if (r->how != FV_PAGE)
		return;
	if (code < HC_PAGE_SLOTS)
		r->target = (uint64_t)fz.s->page + code * TANDEM_HC_STUB_SIZE;
	else if ((uint32_t)code == TANDEM_HC_HVM)
		r->target = (uint64_t)fz.s->page +
			    TANDEM_HC_SLOT_HVM * TANDEM_HC_STUB_SIZE;
	else
		r->how = FV_VMMCALL + fuzz_below(2);
}

/* What the ABI says Tandem keeps (guest-abi/ABI.md 2 and 4.10): every
 * register but RAX for a downcall; RBX, RBP and R12-R15 for a hypercall
 * (the argument registers, RCX and R11 are reserved as clobbered). From
 * compatibility mode only the low halves are compared. */
static void judge_regs(const struct fuzz_regs *r, bool user, bool hvm,
		       struct hc_result res)
{
	static const char *const names[NREGS] = {
		"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "R8",	 "R9",
		"R10", "R11", "RBP", "R12", "R13", "R14", "R15",
	};
	uint64_t mask = compat(r) ? 0xffffffffull : ~0ull;
	char want[64];

	if (!called(res))
		return;
	for (unsigned i = R_RBX; i < NREGS; i++) {
		bool kept = hvm || i == R_RBX || i >= R_RBP;

		if (!kept || !((r->in[i] ^ r->out[i]) & mask))
			continue;
		ksnprintf(want, sizeof(want), "%s kept (it came back 0x%lx)",
			  names[i], r->out[i]);
		bad(r, user, res, want);
		return;
	}
}

static void one(const struct fuzz_regs *src, bool user)
{
	struct fuzz_regs r = *src;
	struct hc_result res;

	if (is_hvm(&r))
		sanitize_hvm(&r);
	res = issue(&r, user);
	INC(fz.by_via[r.how]);
	judge_regs(&r, user, is_hvm(&r), res);
	if (is_hvm(&r))
		judge_hvm(&r, user, res);
	else
		judge_hc(&r, user, res);
}

static void fuzz_hypercalls(void)
{
	cur_loop[0] = LOOP_HC;
	for (uint64_t i = 0; i < fz.n; i++) {
		struct fuzz_regs r = { 0 };
		bool user = fuzz_below(2);
		uint64_t code;

		if (!(i & 63))
			fuzz_fill_arena();
		do
			code = fuzz_code();
		while (!user && code == TANDEM_HC_DISABLE);
		fuzz_random_regs(&r);
		r.rax = code;
		choose_via(&r, code, user);
		one(&r, user);
		fz.done[user]++;
	}
}

static void fuzz_downcalls(void)
{
	cur_loop[0] = LOOP_HVM;
	for (uint64_t i = 0; i < fz.hvm_n; i++) {
		struct fuzz_regs r = { 0 };
		bool user = fuzz_below(2);

		if (!(i & 63))
			fuzz_fill_arena();
		fuzz_random_regs(&r);
		r.rax = TANDEM_HC_HVM | (fuzz_below(8) ? 0 : fuzz_rnd() << 32);
		if (fuzz_below(10))
			r.rbx = TANDEM_HVM_MARKER_64;
		else if (fuzz_below(2))
			r.rbx = TANDEM_HVM_MARKER_64 ^ (1ull << fuzz_below(64));
		r.rcx = fuzz_request();
		choose_via(&r, r.rax, user);
		one(&r, user);
		fz.hvm_done[user]++;
	}
}

/* What the ROS's other CPUs run meanwhile: hypercalls and downcalls
 * mixed, at CPL 0 only (the CPL 3 round trip has one kernel stack, the
 * BSP's), never a reboot (the BSP waits for the HRT after its own). */
static void ap_fuzz(unsigned cpu)
{
	__atomic_store_n(&ros_smp.probes[cpu].answered, 1, __ATOMIC_RELEASE);
	cur_loop[cpu] = LOOP_AP;
	for (uint64_t i = 0; i < fz.ap_n; i++) {
		struct fuzz_regs r = { 0 };

		if (!(i & 63))
			fuzz_fill_arena();
		fuzz_random_regs(&r);
		if (fuzz_below(4)) {
			do
				r.rax = fuzz_code();
			while (r.rax == TANDEM_HC_DISABLE);
		} else {
			r.rax = TANDEM_HC_HVM;
			if (fuzz_below(10))
				r.rbx = TANDEM_HVM_MARKER_64;
			r.rcx = fuzz_request();
		}
		choose_via(&r, r.rax, false);
		one(&r, false);
		fz.ap_done[cpu]++;
	}
	__atomic_store_n(&fz.ap_finished[cpu], 1, __ATOMIC_RELEASE);
}

/* Every other CPU that answered in the SMP checks: parked, then started
 * again into ap_fuzz(). Returns how many run it. */
static unsigned start_aps(void)
{
	unsigned n = 0;

	for (unsigned k = 1; k < ros_smp.ncpus; k++) {
		if (!ros_smp.probes[k].answered)
			continue;
		fuzz_seed_cpu(k, fz.seed ^ (0x9e3779b97f4a7c15ull * k));
		ros_smp_park(k);
		if (ros_smp_restart(k, ap_fuzz))
			n++;
		else
			ros_log("fuzz: CPU %u did not start again to fuzz", k);
	}
	return n;
}

/* Until every started CPU has finished, at most AP_WAIT_MS. */
static bool wait_aps(void)
{
	uint64_t t0 = rdtsc();

	for (;;) {
		bool all = true;

		for (unsigned k = 1; k < ros_smp.ncpus; k++)
			if (ros_smp.probes[k].answered &&
			    !__atomic_load_n(&fz.ap_finished[k], __ATOMIC_ACQUIRE))
				all = false;
		if (all)
			return true;
		if (rdtsc() - t0 > fz.khz * AP_WAIT_MS)
			return false;
		ros_udelay(1000);
	}
}

/*
 * The hypercall page MSR with random values: a page of ROS RAM would be
 * overwritten with stubs, so every value that touches the ROS's RAM is
 * sent as a page of the fuzz_arena (and must be taken); Tandem's memory, the
 * HRT's, anything above the end of RAM and every unaligned value must give
 * #GP and leave the MSR as it was. The real page is installed again at
 * the end. Returns the number of wrong answers; the first in @why.
 */
static uint64_t fuzz_msr(uint64_t n, char *why, size_t size)
{
	uint64_t wrong = 0, cur = (uint64_t)fz.s->page;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = fuzz_arg(), got = 0;
		bool want_ok;
		int fault;

		if (fuzz_below(2))
			v &= ~(uint64_t)(PAGE_SIZE - 1);
		if (fuzz_ros_ram(v, PAGE_SIZE) ||
		    (v < ros_ram_end(fz.s->boot) &&
		     !fuzz_in_ranges(v, fz.s->tandem_mem, 2) &&
		     !fuzz_in_ranges(v, &fz.s->hrt_mem, 1))) {
			/* the ROS's (or firmware's) memory: the fuzz_arena */
			v = (uint64_t)fuzz_arena +
			    fuzz_below(FUZZ_ARENA_SIZE / PAGE_SIZE) * PAGE_SIZE +
			    (fuzz_below(4) ? 0 : fuzz_below(PAGE_SIZE));
		}
		want_ok = fuzz_in_arena(v, PAGE_SIZE) && !(v & (PAGE_SIZE - 1));
		fault = hcmsr_write(v);
		if (!fault)
			cur = v;
		if (hcmsr_read(&got) || got != cur ||
		    (want_ok ? fault != 0 : fault != ROS_VEC_GP + 1)) {
			if (!wrong++)
				ksnprintf(why, size,
					  "wrmsr 0x%x <- 0x%lx: %s (want %s), reads back 0x%lx",
					  TANDEM_MSR_HYPERCALL_PAGE, v,
					  fault ? ros_vector_name(
							  (unsigned)fault - 1) :
						  "taken",
					  want_ok ? "taken" : "#GP", got);
		}
	}
	if (hcmsr_write((uint64_t)fz.s->page) && !wrong++)
		ksnprintf(why, size, "the real page 0x%lx is refused now",
			  (uint64_t)fz.s->page);
	return wrong;
}

/* ---- set-up and the checks ---- */

static unsigned hrt_cores(void)
{
	uint64_t n = fuzz_cmdline_num(fz.s->boot, "hrt_cores", HRT_CORES_DEFAULT);

	return n >= 1 && n <= HRT_MAX_CORES ? (unsigned)n : HRT_CORES_DEFAULT;
}

static bool have_hrt(const struct suite *s)
{
	return s->detected &&
	       tandem_hvm_call_insn(s->id.amd, TANDEM_HVM_MARKER_64,
				    TANDEM_HVM_NULL, 0, 0, 0, 0) == 0;
}

unsigned checks_fuzz_planned(const struct suite *s)
{
	return 7 + (have_hrt(s) ? 1 : 0);
}

/* Pool pages used (both pools) and cells. */
struct counters {
	long mem_used, remap_used, cells;
};

static struct counters counters(void)
{
	return (struct counters){ info(TANDEM_INFO_MEM_POOL_USED),
				  info(TANDEM_INFO_REMAP_POOL_USED),
				  info(TANDEM_INFO_NUM_CELLS) };
}

static void check_null_calls(void)
{
	struct hc_result r[3];
	long n[2];
	bool ok = true;

	for (unsigned v = 0; v < 3; v++) {
		r[v] = hc_call(fz.s, (enum hc_via)v,
			       TANDEM_HC_HYPERVISOR_GET_INFO,
			       TANDEM_INFO_MEM_POOL_PAGES);
		ok &= is(r[v], fz.s->info[TANDEM_INFO_MEM_POOL_PAGES]);
	}
	n[0] = tandem_hvm_call_insn(true, TANDEM_HVM_MARKER_64, TANDEM_HVM_NULL,
				    0, 0, 0, 0);
	n[1] = tandem_hvm_call_insn(false, TANDEM_HVM_MARKER_64,
				    TANDEM_HVM_NULL, 0, 0, 0, 0);
	ok &= n[0] == n[1] && n[0] == (fz.hrt ? 0 : -1);
	check(ok, "fuzz: null hypercall and downcall after",
	      "get info 0 by page %s, vmmcall %s, vmcall %s (want %ld); "
	      "null downcall %ld, %ld (want %d)",
	      S(r[0]), S(r[1]), S(r[2]), fz.s->info[TANDEM_INFO_MEM_POOL_PAGES],
	      n[0], n[1], fz.hrt ? 0 : -1);
}

static void check_cpus(void)
{
	unsigned k, fail = 0;

	for (k = 1; k < ros_smp.ncpus; k++) {
		if (!ros_smp.probes[k].answered)
			continue; /* never started: the SMP checks said so */
		ros_smp_park(k);
		if (!ros_smp_restart(k, suite_cpu_probe) ||
		    !ros_smp.probes[k].detected || ros_smp.probes[k].fault) {
			fail = k;
			break;
		}
	}
	check(!fail, "fuzz: the ros's other cpus answer after",
	      "CPU %u (APIC ID %u): no answer to INIT-SIPI-SIPI within %u ms, "
	      "or its Get Info faulted",
	      fail, ros_smp.apic_ids[fail], ROS_AP_ANSWER_MS);
}

void checks_fuzz(struct suite *s)
{
	struct counters before, after;
	uint64_t t0, t1, ms, ap_total = 0, msr_n, msr_wrong = 0;
	char msr_why[160] = "";
	unsigned aps = 0;
	bool aps_done = true;
	char why[120] = "";

	memset(&fz, 0, sizeof(fz));
	fz.s = s;
	fz.seed = fuzz_cmdline_num(s->boot, "fuzz_seed", FUZZ_SEED_DEFAULT);
	fuzz_gen_init(s);
	fuzz_seed_cpu(0, fz.seed);
	fz.qemu = fuzz_on_qemu();
	fz.n = fuzz_cmdline_num(s->boot, "fuzz_n",
				fz.qemu ? FUZZ_N : FUZZ_N / FUZZ_SLOW_DIV);
	fz.hvm_n = fuzz_cmdline_num(s->boot, "fuzz_hvm_n",
				    fz.qemu ? FUZZ_HVM_N :
					      FUZZ_HVM_N / FUZZ_SLOW_DIV);
	fz.hrt = have_hrt(s);
	fz.cores = hrt_cores();
	fz.khz = ros_tsc_khz();
	if (!fz.khz)
		fz.khz = 1000000;
	fz.ap_n = fuzz_cmdline_num(s->boot, "fuzz_ap_n", fz.n / FUZZ_AP_DIV);
	if (!fz.hrt)
		fz.hvm_n = 0; /* every request would be -1 */
	make_safe_descriptors();
	ros_log("fuzz: fuzz_seed=%lu, %lu hypercalls and %lu downcalls, %lu calls "
		"on each other CPU (%s)",
		fz.seed, fz.n, fz.hvm_n, fz.ap_n,
		fz.qemu ? "QEMU: full counts" :
			  "not QEMU (Bochs): a tenth of QEMU's counts");

	if (fz.hrt)
		hrt_idle(CALL_MS);
	before = counters();
	t0 = rdtsc();
	if (s->detected) {
		aps = start_aps();
		fuzz_hypercalls();
		fuzz_downcalls();
		aps_done = wait_aps();
	}
	msr_n = fz.n / FUZZ_MSR_DIV;
	if (s->detected)
		msr_wrong = fuzz_msr(msr_n, msr_why, sizeof(msr_why));
	t1 = rdtsc();
	for (unsigned k = 1; k < ros_smp.ncpus; k++)
		ap_total += fz.ap_done[k];
	ms = (t1 - t0) / fz.khz;
	plain(TANDEM_HC_DEBUG_CONSOLE_PUTC, '\n'); /* end the fuzzed line */
	if (fz.hrt)
		hrt_idle(CALL_MS);
	/* An accepted replace may have left Tandem holding another copy of
	 * an image (the bytes of hrt2 up to a random length): the image the
	 * suite installed before, again, makes the pools comparable. */
	if (fz.hrt && fz.reboots) {
		char back[120];

		if (tandem_hrt_replace(ros_hrt2_image,
				       (uint64_t)(ros_hrt2_image_end -
						  ros_hrt2_image)) != 0 ||
		    !hrt_recover(back, sizeof(back)))
			fz.hrt_lost = true;
	}
	after = counters();
	ros_log("fuzz: fuzz_seed=%lu: %lu hypercalls (CPL 0 %lu, CPL 3 %lu), "
		"%lu downcalls (CPL 0 %lu, CPL 3 %lu) in %lu ms",
		fz.seed, fz.done[0] + fz.done[1], fz.done[0], fz.done[1],
		fz.hvm_done[0] + fz.hvm_done[1], fz.hvm_done[0], fz.hvm_done[1],
		ms);
	ros_log("fuzz: %lu calls at CPL 0 on %u other CPUs at the same time",
		ap_total, aps);
	ros_log("fuzz: by the page %lu, vmmcall %lu, vmcall %lu, from 32-bit "
		"code vmmcall %lu, vmcall %lu",
		fz.by_via[FV_PAGE], fz.by_via[FV_VMMCALL], fz.by_via[FV_VMCALL],
		fz.by_via[FV_VMMCALL32], fz.by_via[FV_VMCALL32]);
	ros_log("fuzz: %lu invokes and %lu reboots accepted, %lu pointers sent to "
		"the ROS's own buffers, %lu reboots sent as null, %lu cells created",
		fz.invokes, fz.reboots, fz.redirected, fz.nulled, fz.created);
	ros_log("fuzz: pool pages used: mem %ld -> %ld, remap %ld -> %ld; cells %ld -> %ld",
		before.mem_used, after.mem_used, before.remap_used,
		after.remap_used, before.cells, after.cells);

	check(s->detected && fz.done[0] + fz.done[1] == fz.n && !fz.bad[0] &&
		      !fz.created,
	      "fuzz: random hypercalls at cpl 0 and 3",
	      "%lu of %lu results wrong (%lu faults), %lu cells created; "
	      "first: %s",
	      fz.bad[0], fz.n, fz.faults[0], fz.created, fz.first_bad[0]);
	check(s->detected && fz.hvm_done[0] + fz.hvm_done[1] == fz.hvm_n &&
		      !fz.bad[1] && !fz.hrt_lost,
	      "fuzz: random downcalls at cpl 0 and 3",
	      "%lu of %lu results wrong (%lu faults)%s; first: %s", fz.bad[1],
	      fz.hvm_n, fz.faults[1],
	      fz.hrt_lost ? ", the HRT did not come back after a reboot" : "",
	      fz.first_bad[1]);
	check(before.mem_used == after.mem_used &&
		      before.remap_used == after.remap_used &&
		      before.cells == after.cells && before.mem_used >= 0,
	      "fuzz: pool pages and cells back at baseline",
	      "mem pool used %ld -> %ld, remap %ld -> %ld, cells %ld -> %ld",
	      before.mem_used, after.mem_used, before.remap_used,
	      after.remap_used, before.cells, after.cells);
	check(s->detected && aps_done && ap_total == aps * fz.ap_n &&
		      !fz.bad[LOOP_AP],
	      "fuzz: random calls from the other cpus at once",
	      "%lu of %lu calls on %u CPUs done%s, %lu results wrong (%lu faults); "
	      "first: %s",
	      ap_total, aps * fz.ap_n, aps,
	      aps_done ? "" : " (not finished in time)", fz.bad[LOOP_AP],
	      fz.faults[LOOP_AP], fz.first_bad[LOOP_AP]);
	check(s->detected && !msr_wrong, "fuzz: random hypercall page msr values",
	      "%lu of %lu writes answered wrong; first: %s", msr_wrong, msr_n,
	      msr_why);
	check_null_calls();
	if (fz.hrt)
		check(hrt_idle(CALL_MS) && hrt_answers(why, sizeof(why)),
		      "fuzz: hrt answers after", "%s",
		      why[0] ? why : "not IDLE within the time");
	check_cpus();
}
