/*
 * The HVM requests beyond invoke (guest-abi/ABI.md 4.10): address-space
 * merge and unmerge from a CPL 3 process with an address space of its
 * own, ROS events the HRT forwards (a system call and a page fault the
 * ROS serves), through the reference HRT's functions 11 (SUM_VIRTUAL)
 * and 12 (EVENT), and user-level signals to that process (raised by the
 * ROS and by the HRT), each with its refusals. After the HRT checks,
 * which leave the HRT running and answering.
 *
 * The process: a PML4 of its own that copies the ROS's (its identity map
 * of RAM, user-accessible, so the process's code and stack are the ROS's)
 * and adds PROC_PAGES pages at PROC_BASE that exist only there: the sum
 * buffer, a page the ROS maps on demand when the HRT forwards a page
 * fault for it, and the call descriptor and result slots. Its CPL 3 part
 * (proc_main) issues the downcalls with the vendor's instruction, as
 * Palacios's ROS library does, and polls get state into its own memory.
 */
#include "bench_hvm.h"
#include "cpu.h"
#include "smp.h"
#include "suite.h"
#include <tandem/hvm_call.h>
#include "tandem_hvm.h"
#include "trap.h"

#include "../hrt/hrt_funcs.h"

#define PTE_P	     0x1ull
#define PTE_W	     0x2ull
#define PTE_U	     0x4ull
#define ADDR_MASK    0x000ffffffffff000ull
#define PROC_PML4I   3 /* checks_hrt.c's own mapping uses entry 1 */
#define PROC_BASE    ((uint64_t)PROC_PML4I << 39)
#define PROC_PAGES   4
#define PROC_NOWHERE (PROC_BASE + PROC_PAGES * 4096) /* never mapped */
#define PG_SUM	     0				     /* SUM_N u64: 1..SUM_N */
#define PG_DEMAND    1 /* not present until the ROS serves the fault */
#define PG_CALL	     2 /* descriptor at 0, result slots at CALL_SLOTS */
#define PG_SIGSTACK  3 /* the signal handler\'s stack */
#define CALL_SLOTS   256
#define SUM_N	     512
#define SUM_WANT     (SUM_N * (SUM_N + 1ull) / 2)
#define DEMAND_FILL  7ull /* every u64 of the demand page, once served */
#define DEMAND_WANT  (DEMAND_FILL * 512)
#define WAIT_MS	     3000
#define SYSCALL_NR   0x4d
#define FAULT_RIP    0x401234ull
#define HRT_VIEW     0xffff800000000000ull /* the HRT sees RAM at + this */
#define UNSET	     0x5555555555555555ull
#define SIG_ROS	     0x5151ull
#define SIG_HRT	     0x7171ull
#define SIG_SPIN_MS  20 /* a signal that would come, comes in this time */
#define GDT_FSBASE   0x7f0012345000ull
#define GDT_CPU	     7
#define SYNC_BLOCK   (PROC_BASE + PG_CALL * 4096 + 512)
#define SYNC_CALL    (PROC_BASE + PG_CALL * 4096 + 1024)
#define SYNC_CALLS   100000u
#define GDT_NOWHERE  0xffff807000000000ull /* beyond the HRT\'s map */

static uint64_t proc_pml4[512] __attribute__((aligned(4096)));
static uint64_t proc_pdpt[512] __attribute__((aligned(4096)));
static uint64_t proc_pd[512] __attribute__((aligned(4096)));
static uint64_t proc_pt[512] __attribute__((aligned(4096)));
static uint8_t proc_pages[PROC_PAGES][4096] __attribute__((aligned(4096)));
static uint8_t proc_stack[16384] __attribute__((aligned(16)));

/* What the CPL 3 part is told and what it found (in the identity map,
 * user-accessible). */
enum proc_mode {
	PROC_MERGE,   /* merge (with a wrong CR3 first), sum */
	PROC_UNMERGE, /* unmerge, sum (refused) */
	PROC_INSTALL, /* install the signal handler, then again */
	PROC_SPIN,    /* wait SIG_SPIN_MS for a signal */
	PROC_HRT_SIG, /* the HRT raises a signal in a call; wait for it */
	PROC_GDT,     /* GDT synchronisation (0x51) from CPL 3 */
	PROC_SYNC,    /* merge, then synchronous mode set up */
	PROC_UNSYNC,  /* synchronous mode torn down, then unmerge */
	PROC_BENCH,   /* make bench: signals raised and taken, timed */
};

struct proc_io {
	bool amd;
	uint64_t khz, cr3, bad_cr3;
	enum proc_mode mode;
	long r_bad, st_bad, r_merge, st_merge, r_call, st_call;
	uint64_t result, got;
	bool back;	 /* the process went on after its signal */
	uint64_t cycles; /* PROC_BENCH: TSC cycles of its signals (0: failed) */
	struct tandem_ros_event ev;
};

static struct proc_io io;
static unsigned bench_signals; /* PROC_BENCH: how many */
static struct {
	void (*fn)(struct proc_io *);
	struct proc_io *arg;
} user_c;
static uint64_t khz;
static bool amd;

/* ros/isr.asm: the CPL 3 signal handler; it stores the code here. */
void ros_user_signal_stub(void);
extern volatile uint64_t ros_signal_got;

/* ros/isr.asm: calls user_c.fn(user_c.arg) at CPL 3, then int 0x80. */
void ros_user_c(void);

static long hvm(bool a, uint64_t req, uint64_t a1, uint64_t a2)
{
	return tandem_hvm_call_insn(a, TANDEM_HVM_MARKER_64, req, a1, a2, 0, 0);
}

/* ---- the process's CPL 3 part (only its own memory and the ROS's) ---- */

static long proc_wait(const struct proc_io *p, struct tandem_ros_event *ev)
{
	uint64_t t0 = rdtsc();
	long st;

	do {
		st = hvm(p->amd, TANDEM_HVM_GET_STATE, (uint64_t)ev, 0);
		if (st <= 0)
			return st;
	} while (rdtsc() - t0 < WAIT_MS * p->khz);
	return st;
}

/* Polls the state until it is @want (or an error), at most WAIT_MS. */
static long proc_wait_for(const struct proc_io *p, long want)
{
	uint64_t t0 = rdtsc();
	long st;

	do {
		st = hvm(p->amd, TANDEM_HVM_GET_STATE, 0, 0);
		if (st == want || st < 0)
			return st;
	} while (rdtsc() - t0 < WAIT_MS * p->khz);
	return st;
}

/* Invoke @func with @a0, @a1 from the process, with the descriptor and
 * result slot in its own pages; wait for IDLE. */
static void proc_call(struct proc_io *p, uint64_t func, uint64_t a0, uint64_t a1)
{
	struct tandem_hrt_call *c = (struct tandem_hrt_call *)(PROC_BASE +
							       PG_CALL * 4096);
	uint64_t *slots = (uint64_t *)(PROC_BASE + PG_CALL * 4096 + CALL_SLOTS);

	c->func = func;
	c->result_gpa = (uint64_t)slots;
	c->args[0] = a0;
	c->args[1] = a1;
	slots[0] = UNSET;
	p->r_call = hvm(p->amd, TANDEM_HVM_INVOKE, (uint64_t)c, 0);
	p->st_call = p->r_call ? -1 : proc_wait(p, &p->ev);
	p->result = slots[0];
}

/* Waits SIG_SPIN_MS, or for a signal when @until_got: what came. It
 * issues null downcalls meanwhile, as a Palacios process waiting for the
 * HRT polls: Tandem delivers at an entry into the process, so the
 * process must leave the guest now and then. */
static void proc_spin(struct proc_io *p, bool until_got)
{
	uint64_t t0 = rdtsc(), ms = until_got ? WAIT_MS : SIG_SPIN_MS;

	while (rdtsc() - t0 < ms * p->khz && !(until_got && ros_signal_got))
		(void)hvm(p->amd, TANDEM_HVM_NULL, 0, 0);
	p->got = ros_signal_got;
	p->back = true;
}

static void proc_main(struct proc_io *p)
{
	uint64_t sig_stack = PROC_BASE + (PG_SIGSTACK + 1) * 4096;

	switch (p->mode) {
	case PROC_MERGE:
	case PROC_UNMERGE:
		/* Merge (or unmerge) with a wrong CR3 first, then properly,
		 * then sum the process's buffer through its own virtual
		 * addresses in the HRT. */
		p->r_bad = hvm(p->amd, TANDEM_HVM_MERGE, p->bad_cr3, 0);
		p->st_bad = hvm(p->amd, TANDEM_HVM_GET_STATE, 0, 0);
		p->r_merge = hvm(p->amd,
				 p->mode == PROC_MERGE ? TANDEM_HVM_MERGE :
							 TANDEM_HVM_UNMERGE,
				 p->mode == PROC_MERGE ? p->cr3 : 0, 0);
		p->st_merge = p->r_merge ? -1 : proc_wait(p, &p->ev);
		proc_call(p, HRT_FN_SUM_VIRTUAL, PROC_BASE + PG_SUM * 4096,
			  SUM_N);
		break;
	case PROC_INSTALL:
		p->r_merge = hvm(p->amd, TANDEM_HVM_SIGNAL_INSTALL,
				 (uint64_t)ros_user_signal_stub, sig_stack);
		p->r_bad = hvm(p->amd, TANDEM_HVM_SIGNAL_INSTALL,
			       (uint64_t)ros_user_signal_stub, sig_stack);
		break;
	case PROC_SPIN:
		proc_spin(p, false);
		break;
	case PROC_HRT_SIG:
		proc_call(p, HRT_FN_DOWNCALL, TANDEM_HVM_SIGNAL, SIG_HRT);
		proc_spin(p, true);
		break;
	case PROC_SYNC:
		p->r_bad = hvm(p->amd, TANDEM_HVM_MERGE, 0, 0);
		p->st_bad = p->r_bad ? -1 : proc_wait(p, &p->ev);
		p->r_merge = hvm(p->amd, TANDEM_HVM_SYNC_SETUP, SYNC_BLOCK, 0);
		p->st_merge = p->r_merge ? -1 : proc_wait_for(p, TANDEM_HRT_SYNC);
		/* In synchronous mode an invoke and a second set-up wait. */
		p->r_call = hvm(p->amd, TANDEM_HVM_SYNC_SETUP, SYNC_BLOCK, 0);
		p->st_call = hvm(p->amd, TANDEM_HVM_INVOKE,
				 PROC_BASE + PG_CALL * 4096, 0);
		break;
	case PROC_UNSYNC:
		p->r_merge = hvm(p->amd, TANDEM_HVM_SYNC_TEARDOWN, SYNC_BLOCK, 0);
		p->st_merge = p->r_merge ? -1 : proc_wait(p, &p->ev);
		p->r_bad = hvm(p->amd, TANDEM_HVM_UNMERGE, 0, 0);
		p->st_bad = p->r_bad ? -1 : proc_wait(p, &p->ev);
		break;
	case PROC_BENCH: {
		/* Raised by the process itself: Tandem delivers it as this
		 * very call returns (CPL 3, the registered CR3). */
		uint64_t t0 = rdtsc();

		for (unsigned i = 0; i < bench_signals; i++) {
			ros_signal_got = 0;
			if (hvm(p->amd, TANDEM_HVM_SIGNAL, SIG_ROS, 0) ||
			    ros_signal_got != SIG_ROS)
				return;
		}
		p->cycles = rdtsc() - t0;
		break;
	}
	case PROC_GDT:
		p->r_merge = hvm(p->amd, TANDEM_HVM_GDT_SYNC, GDT_FSBASE,
				 GDT_CPU);
		p->st_merge = p->r_merge ? -1 : proc_wait(p, &p->ev);
		break;
	}
}

/* ---- the ROS's side ---- */

static void proc_build(void)
{
	const uint64_t *ros = (const uint64_t *)(read_cr3() & ADDR_MASK);
	uint64_t *sum = (uint64_t *)proc_pages[PG_SUM];

	memcpy(proc_pml4, ros, sizeof(proc_pml4));
	memset(proc_pdpt, 0, sizeof(proc_pdpt));
	memset(proc_pd, 0, sizeof(proc_pd));
	memset(proc_pt, 0, sizeof(proc_pt));
	memset(proc_pages, 0, sizeof(proc_pages));
	for (unsigned i = 0; i < SUM_N; i++)
		sum[i] = i + 1;
	for (unsigned i = 0; i < PROC_PAGES; i++)
		if (i != PG_DEMAND)
			proc_pt[i] = (uint64_t)proc_pages[i] | PTE_P | PTE_W |
				     PTE_U;
	proc_pd[0] = (uint64_t)proc_pt | PTE_P | PTE_W | PTE_U;
	proc_pdpt[0] = (uint64_t)proc_pd | PTE_P | PTE_W | PTE_U;
	proc_pml4[PROC_PML4I] = (uint64_t)proc_pdpt | PTE_P | PTE_W | PTE_U;
}

/* Runs proc_main at CPL 3 in the process's address space (@own), or in
 * the ROS's (another process, as it were). */
static void proc_run(enum proc_mode mode, bool own)
{
	uint64_t ros_cr3 = read_cr3(), cs;

	memset(&io, 0, sizeof(io));
	io.amd = amd;
	io.khz = khz;
	io.cr3 = (uint64_t)proc_pml4;
	io.bad_cr3 = ros_cr3;
	io.mode = mode;
	user_c.fn = proc_main;
	user_c.arg = &io;
	if (own)
		write_cr3((uint64_t)proc_pml4);
	(void)ros_run_user(ros_user_c, proc_stack + sizeof(proc_stack),
			   (uint64_t)&user_c, &cs);
	write_cr3(ros_cr3);
}

static struct tandem_hrt_call call;
static uint64_t results[HRT_MAX_CORES];
static struct tandem_ros_event event;

/* Invoke @func on HRT core 0 and wait for IDLE, serving any event with
 * @serve; the call's result in *@result. Returns the state (0: IDLE). */
static long call_serving(uint64_t func, const uint64_t *args, unsigned nargs,
			 bool (*serve)(const struct tandem_ros_event *),
			 uint64_t *result)
{
	uint64_t t0;
	long r, st;

	memset(&call, 0, sizeof(call));
	call.func = func;
	call.result_gpa = (uint64_t)results;
	for (unsigned i = 0; i < nargs; i++)
		call.args[i] = args[i];
	results[0] = UNSET;
	r = tandem_hrt_invoke(&call);
	if (r)
		return r;
	t0 = rdtsc();
	do {
		st = tandem_hrt_state(&event);
		if (st == TANDEM_HRT_IDLE) {
			*result = results[0];
			return 0;
		}
		if (st < 0)
			return st;
		if ((event.event_type == TANDEM_ROS_PAGE_FAULT ||
		     event.event_type == TANDEM_ROS_SYSCALL) &&
		    serve && !serve(&event))
			serve = NULL; /* answered once */
	} while (rdtsc() - t0 < WAIT_MS * khz);
	return TANDEM_HRT_TIMEOUT;
}

static uint64_t syscall_result(const uint64_t *a)
{
	return a[0] * 1000 + a[1] + a[2] + a[3] + a[4] + a[5] + a[6];
}

static struct tandem_ros_event served;

/* The ROS's "system call": a function of its arguments. */
static bool serve_syscall(const struct tandem_ros_event *e)
{
	served = *e;
	return tandem_hvm_call(TANDEM_HVM_ROS_EVENT_DONE,
			       e->event_type == TANDEM_ROS_SYSCALL ?
				       syscall_result(e->syscall.args) :
				       0xbad,
			       0, 0, 0) != 0;
}

/* The ROS's page fault handling: the demand page gets its frame (filled)
 * in the process's tables, as a kernel faults a page in. */
static bool serve_fault(const struct tandem_ros_event *e)
{
	uint64_t *d = (uint64_t *)proc_pages[PG_DEMAND];

	served = *e;
	if (e->event_type == TANDEM_ROS_PAGE_FAULT &&
	    e->page_fault.cr2 >> 12 == (PROC_BASE >> 12) + PG_DEMAND) {
		for (unsigned i = 0; i < 512; i++)
			d[i] = DEMAND_FILL;
		proc_pt[PG_DEMAND] = (uint64_t)d | PTE_P | PTE_W | PTE_U;
	}
	return tandem_hvm_call(TANDEM_HVM_ROS_EVENT_DONE, 0, 0, 0, 0) != 0;
}

/* A request from HRT core 0 (function 6); its RAX. */
static uint64_t from_hrt(uint64_t req, uint64_t a1)
{
	uint64_t args[2] = { req, a1 }, got = UNSET;

	if (call_serving(HRT_FN_DOWNCALL, args, 2, NULL, &got))
		return UNSET;
	return got;
}

static void check_merge(void)
{
	uint64_t got = UNSET;

	proc_run(PROC_MERGE, true);
	check(io.r_merge == 0 && io.st_merge == TANDEM_HRT_IDLE &&
		      io.r_call == 0 && io.st_call == TANDEM_HRT_IDLE &&
		      io.result == SUM_WANT,
	      "hvm: merge from a cpl 3 process",
	      "merge %ld, state %ld; SUM_VIRTUAL invoke %ld, state %ld, result 0x%lx (want 0x%llx)",
	      io.r_merge, io.st_merge, io.r_call, io.st_call, io.result,
	      SUM_WANT);
	check(io.r_bad == TANDEM_HRT_ERROR && io.st_bad == TANDEM_HRT_IDLE,
	      "hvm: merge with another cr3 refused",
	      "merge with RDX = the ROS's CR3 0x%lx from the process: %ld, then state %ld (want -1, 0)",
	      io.bad_cr3, io.r_bad, io.st_bad);

	long ros_done = tandem_hvm_call(TANDEM_HVM_MERGE_DONE, 0, 0, 0, 0);
	uint64_t hrt_merge = from_hrt(TANDEM_HVM_MERGE, 0);
	uint64_t hrt_done = from_hrt(TANDEM_HVM_MERGE_DONE, 0);
	long st = tandem_hrt_state(NULL);

	(void)got;
	check(ros_done == TANDEM_HRT_ERROR && hrt_merge == (uint64_t)-1 &&
		      hrt_done == (uint64_t)-1 && st == TANDEM_HRT_IDLE,
	      "hvm: merge requests from the wrong side refused",
	      "merge done from the ROS %ld, merge from the HRT 0x%lx, merge done from the HRT in a call 0x%lx (want -1 each); state %ld",
	      ros_done, hrt_merge, hrt_done, st);
}

static void check_events(void)
{
	const uint64_t sys[8] = {
		TANDEM_ROS_SYSCALL, SYSCALL_NR, 1, 2, 3, 4, 5, 6
	};
	const uint64_t pf[4] = { TANDEM_ROS_PAGE_FAULT, FAULT_RIP,
				 PROC_BASE + PG_DEMAND * 4096 + 0x18, 1 };
	uint64_t got = UNSET, sum = UNSET, ros_cr3 = read_cr3();
	long r;

	memset(&served, 0, sizeof(served));
	r = call_serving(HRT_FN_EVENT, sys, 8, serve_syscall, &got);
	check(r == 0 && served.event_type == TANDEM_ROS_SYSCALL &&
		      served.syscall.args[0] == SYSCALL_NR &&
		      served.syscall.args[6] == 6 &&
		      got == syscall_result(served.syscall.args),
	      "hvm: system call event served by the ros",
	      "call %ld; the ROS saw event %u, number 0x%lx, arg 6 %lu; the HRT got 0x%lx (want 0x%lx)",
	      r, served.event_type, served.syscall.args[0],
	      served.syscall.args[6], got, syscall_result(served.syscall.args));

	/* The fault names the process's page: its tables are current. */
	memset(&served, 0, sizeof(served));
	write_cr3((uint64_t)proc_pml4);
	r = call_serving(HRT_FN_EVENT, pf, 4, serve_fault, &got);
	{
		uint64_t args[2] = { PROC_BASE + PG_DEMAND * 4096, 512 };

		if (r == 0)
			r = call_serving(HRT_FN_SUM_VIRTUAL, args, 2, NULL, &sum);
	}
	write_cr3(ros_cr3);
	check(r == 0 && served.event_type == TANDEM_ROS_PAGE_FAULT &&
		      served.page_fault.rip == FAULT_RIP &&
		      served.page_fault.cr2 == pf[2] &&
		      served.page_fault.action == 1 && got == 0 &&
		      sum == DEMAND_WANT,
	      "hvm: page fault event served by the ros",
	      "calls %ld; the ROS saw event %u rip 0x%lx cr2 0x%lx action %u; the HRT got 0x%lx, then summed 0x%lx through the merge (want 0x%llx)",
	      r, served.event_type, served.page_fault.rip, served.page_fault.cr2,
	      served.page_fault.action, got, sum, DEMAND_WANT);

	/* Refusals: no event outstanding, the wrong side, a bad event. */
	static struct tandem_ros_event bad;
	long done = tandem_hvm_call(TANDEM_HVM_ROS_EVENT_DONE, 5, 0, 0, 0);
	long ros_req = tandem_hvm_call(TANDEM_HVM_ROS_EVENT_REQUEST,
				       (uint64_t)&bad, 0, 0, 0);
	uint64_t ack = from_hrt(TANDEM_HVM_HRT_EVENT_ACK, 0);
	uint64_t bad_type;

	memset(&bad, 0, sizeof(bad));
	bad.event_type = TANDEM_HRT_EXCEPTION;
	bad_type = from_hrt(TANDEM_HVM_ROS_EVENT_REQUEST,
			    HRT_VIEW + (uint64_t)&bad);
	r = tandem_hrt_state(&event);
	check(done == TANDEM_HRT_ERROR && ros_req == TANDEM_HRT_ERROR &&
		      ack == (uint64_t)-1 && bad_type == (uint64_t)-1 &&
		      r == TANDEM_HRT_IDLE && event.event_type == TANDEM_ROS_DONE,
	      "hvm: event requests refused when out of place",
	      "event done with none outstanding %ld, event request from the ROS %ld, ack from the HRT 0x%lx, an HRT_EXCEPTION event from the HRT 0x%lx (want -1 each); then state %ld, event %u",
	      done, ros_req, ack, bad_type, r, event.event_type);
}

static void check_unmerge(void)
{
	uint64_t got = UNSET;
	long r;

	proc_run(PROC_UNMERGE, true);
	r = call_serving(HRT_FN_NULL, NULL, 0, NULL, &got);
	check(io.r_merge == 0 && io.st_merge == TANDEM_HRT_IDLE &&
		      io.r_call == 0 && io.st_call == TANDEM_HRT_IDLE &&
		      io.result == HRT_FN_BAD && r == 0 && got == 0,
	      "hvm: unmerge from a cpl 3 process",
	      "unmerge %ld, state %ld; SUM_VIRTUAL invoke %ld, state %ld, result 0x%lx (want 0x%x: not merged); then function 0: %ld, 0x%lx",
	      io.r_merge, io.st_merge, io.r_call, io.st_call, io.result,
	      HRT_FN_BAD, r, got);
}

static void check_signals(void)
{
	uint64_t t0, at_cpl0, other, hrt_install, kernel_handler;
	long raise, again, zero, removed, unhandled, reinstall;

	/* Installed from the process at CPL 3; a second install refused. */
	ros_signal_got = 0;
	proc_run(PROC_INSTALL, true);
	check(io.r_merge == 0 && io.r_bad == TANDEM_HRT_ERROR,
	      "hvm: signal handler installed from a cpl 3 process",
	      "install %ld, again %ld (want 0, -1)", io.r_merge, io.r_bad);

	/* Raised by the ROS at CPL 0: it waits while the ROS is at CPL 0,
	 * and while another address space runs at CPL 3. */
	raise = tandem_hvm_call(TANDEM_HVM_SIGNAL, SIG_ROS, 0, 0, 0);
	again = tandem_hvm_call(TANDEM_HVM_SIGNAL, SIG_ROS + 1, 0, 0, 0);
	t0 = rdtsc();
	while (rdtsc() - t0 < SIG_SPIN_MS * khz)
		(void)tandem_hvm_null(); /* entries at CPL 0 */
	at_cpl0 = ros_signal_got;
	proc_run(PROC_SPIN, false);
	other = io.got;
	check(raise == 0 && again == TANDEM_HRT_ERROR && !at_cpl0 && !other &&
		      io.back,
	      "hvm: signal waits for cpl 3 and the process's cr3",
	      "raise %ld, a second one %ld (want 0, -1); got 0x%lx at CPL 0, 0x%lx at CPL 3 in another address space (want 0)",
	      raise, again, at_cpl0, other);

	proc_run(PROC_SPIN, true);
	check(io.got == SIG_ROS && io.back,
	      "hvm: signal delivered to the process at cpl 3",
	      "the handler got 0x%lx (want 0x%llx); the process went on: %d",
	      io.got, SIG_ROS, io.back);

	/* From the HRT (function 6 issues 0x41) while the process waits for
	 * that very call at CPL 3. */
	ros_signal_got = 0;
	proc_run(PROC_HRT_SIG, true);
	check(io.r_call == 0 && io.st_call == TANDEM_HRT_IDLE &&
		      io.result == 0 && io.got == SIG_HRT && io.back,
	      "hvm: signal from the hrt to the process",
	      "call %ld, state %ld, the HRT's 0x41 gave 0x%lx; the handler got 0x%lx (want 0x%llx)",
	      io.r_call, io.st_call, io.result, io.got, SIG_HRT);

	/* Refusals: a zero code, a kernel-half handler, the HRT installing,
	 * and, once removed, a raise with no handler. */
	zero = tandem_hvm_call(TANDEM_HVM_SIGNAL, 0, 0, 0, 0);
	kernel_handler = (uint64_t)tandem_hvm_call(TANDEM_HVM_SIGNAL_INSTALL, 0,
						   0, 0, 0);
	removed = (long)kernel_handler;
	reinstall = tandem_hvm_call(TANDEM_HVM_SIGNAL_INSTALL,
				    0xffff800000001000ull,
				    PROC_BASE + (PG_SIGSTACK + 1) * 4096, 0, 0);
	hrt_install = from_hrt(TANDEM_HVM_SIGNAL_INSTALL, PROC_BASE);
	unhandled = tandem_hvm_call(TANDEM_HVM_SIGNAL, SIG_ROS, 0, 0, 0);
	check(zero == TANDEM_HRT_ERROR && removed == 0 &&
		      reinstall == TANDEM_HRT_ERROR &&
		      hrt_install == (uint64_t)-1 &&
		      unhandled == TANDEM_HRT_ERROR,
	      "hvm: signal requests refused when wrong",
	      "code 0: %ld; removal %ld (want 0); a kernel-half handler %ld; install from the HRT 0x%lx; raise with no handler %ld (want -1 each)",
	      zero, removed, reinstall, hrt_install, unhandled);
}

/* HRT core 0's function 13 (GDT_INFO) for @what; UNSET if it failed. */
static uint64_t gdt_info(uint64_t what)
{
	uint64_t got = UNSET;

	if (call_serving(HRT_FN_GDT_INFO, &what, 1, NULL, &got))
		return UNSET;
	return got;
}

static void check_gdt(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr;
	uint64_t area = gdt_info(HRT_GDT_AREA), sum = 0, want_fs;
	uint64_t ros_register, ros_done, hrt_done, bad_area, reregister;
	long unregistered, unwritable, noncanonical, restore, st;
	const uint8_t *gdt;

	/* Refusals: the HRT's own requests from the ROS, done from the HRT
	 * outside a synchronisation, a sync with no area or with an area
	 * Tandem cannot write (far beyond the HRT's memory); nothing
	 * changes, and the real area works again after. */
	ros_register = (uint64_t)tandem_hvm_call(TANDEM_HVM_GDT_REGISTER, area,
						 0, 0, 0);
	ros_done = (uint64_t)tandem_hvm_call(TANDEM_HVM_GDT_DONE, 0, 0, 0, 0);
	hrt_done = from_hrt(TANDEM_HVM_GDT_DONE, 0);
	bad_area = from_hrt(TANDEM_HVM_GDT_REGISTER, 0);
	unregistered = tandem_hvm_call(TANDEM_HVM_GDT_SYNC, GDT_FSBASE, 0, 0, 0);
	(void)from_hrt(TANDEM_HVM_GDT_REGISTER, GDT_NOWHERE);
	unwritable = tandem_hvm_call(TANDEM_HVM_GDT_SYNC, GDT_FSBASE, 0, 0, 0);
	reregister = from_hrt(TANDEM_HVM_GDT_REGISTER, area);
	noncanonical = tandem_hvm_call(TANDEM_HVM_GDT_SYNC,
				       0x0010000000000000ull, 0, 0, 0);
	st = tandem_hrt_state(NULL);
	check(area != UNSET && ros_register == (uint64_t)-1 &&
		      ros_done == (uint64_t)-1 && hrt_done == (uint64_t)-1 &&
		      bad_area == 0 && unregistered == TANDEM_HRT_ERROR &&
		      unwritable == TANDEM_HRT_ERROR && reregister == 0 &&
		      noncanonical == TANDEM_HRT_ERROR && st == TANDEM_HRT_IDLE,
	      "hvm: gdt requests refused when wrong",
	      "area 0x%lx; register from the ROS 0x%lx, done from the ROS 0x%lx, done from the HRT in a call 0x%lx (want -1 each); sync with no area %ld, with an area out of reach %ld, with a non-canonical FS base %ld (want -1); registering 0x%lx, 0x%lx (want 0); state %ld",
	      area, ros_register, ros_done, hrt_done, unregistered, unwritable,
	      noncanonical, bad_area, reregister, st);

	/* From the process at CPL 3, as Palacios's library mirrors it. */
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	gdt = (const uint8_t *)gdtr.base;
	for (unsigned i = 0; i <= gdtr.limit; i++)
		sum += gdt[i];
	proc_run(PROC_GDT, true);
	uint64_t got_sum = gdt_info(HRT_GDT_SUM), limit = gdt_info(HRT_GDT_LIMIT);
	uint64_t base_ok = gdt_info(HRT_GDT_BASE_OK),
		 fs = gdt_info(HRT_GDT_FSBASE);
	uint64_t synced = gdt_info(HRT_GDT_SYNCED), arg2 = gdt_info(HRT_GDT_ARG2);
	uint64_t cs = gdt_info(HRT_GDT_CS);
	check(io.r_merge == 0 && io.st_merge == TANDEM_HRT_IDLE &&
		      got_sum == sum && limit == gdtr.limit && base_ok == 1 &&
		      fs == GDT_FSBASE && synced == 1 && arg2 == GDT_CPU &&
		      cs == SEL_USER_CODE,
	      "hvm: gdt synchronised into the hrt from a cpl 3 process",
	      "sync %ld, state %ld; the HRT saw GDT sum 0x%lx limit 0x%lx (the ROS's 0x%lx, 0x%x), base right %lu, FS base 0x%lx, synced %lu, CPU %lu, CS 0x%lx (want 0x%llx, 1, %u, 0x%x)",
	      io.r_merge, io.st_merge, got_sum, limit, sum, gdtr.limit, base_ok,
	      fs, synced, arg2, cs, GDT_FSBASE, GDT_CPU, SEL_USER_CODE);

	restore = tandem_hvm_call(TANDEM_HVM_GDT_RESTORE, 0, 0, 0, 0);
	st = restore ? restore : tandem_hrt_wait_idle(WAIT_MS * khz, NULL);
	want_fs = gdt_info(HRT_GDT_FSBASE);
	synced = gdt_info(HRT_GDT_SYNCED);
	check(restore == 0 && st == TANDEM_HRT_IDLE && want_fs != GDT_FSBASE &&
		      synced == 0,
	      "hvm: gdt restored in the hrt",
	      "restore %ld, then state %ld; FS base 0x%lx, synced %lu", restore,
	      st, want_fs, synced);
}

/* One synchronous call with @block[2] = @desc: true when answered in
 * WAIT_MS. */
static bool sync_one(volatile uint64_t *block, uint64_t desc)
{
	uint64_t done = block[1], w = rdtsc();

	block[2] = desc;
	__atomic_store_n(&block[0], done + 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&block[1], __ATOMIC_ACQUIRE) != done + 1)
		if (rdtsc() - w > WAIT_MS * khz)
			return false;
	return true;
}

/* In synchronous mode, in the process's address space: a call the HRT
 * cannot read, then one whose result it cannot write, are answered
 * without a result (the HRT's core does not stop), and a good call after
 * them works. How many of the three went right. */
static int sync_bad_pointers(volatile uint64_t *block, struct tandem_hrt_call *c,
			     volatile uint64_t *result)
{
	int ok = 0;

	*result = UNSET;
	if (!sync_one(block, PROC_NOWHERE) || *result != UNSET)
		return ok;
	ok++;
	c->result_gpa = PROC_NOWHERE;
	c->args[0] = 7;
	if (!sync_one(block, (uint64_t)c) || *result != UNSET)
		return ok;
	ok++;
	c->result_gpa = (uint64_t)result;
	if (!sync_one(block, (uint64_t)c) || *result != 7)
		return ok;
	return ok + 1;
}

static void check_sync(void)
{
	volatile uint64_t *block = (volatile uint64_t *)SYNC_BLOCK;
	struct tandem_hrt_call *c = (struct tandem_hrt_call *)SYNC_CALL;
	volatile uint64_t *result = (volatile uint64_t *)(SYNC_CALL + 128);
	uint64_t ros_cr3 = read_cr3(), wrong = 0, first_wrong = 0, t0, t1;
	long e0, e1, bad_block, teardown_idle, from_hrt_setup, st;
	unsigned n = 0;
	int bad_ptrs = -1;
	bool early;

	/* Refusals first: a block that is not the caller's RAM, a teardown
	 * outside synchronous mode, a set-up from the HRT. */
	bad_block = tandem_hvm_call(TANDEM_HVM_SYNC_SETUP, 0xfffff000000ull, 0,
				    0, 0);
	teardown_idle = tandem_hvm_call(TANDEM_HVM_SYNC_TEARDOWN, SYNC_BLOCK, 0,
					0, 0);
	from_hrt_setup = (long)from_hrt(TANDEM_HVM_SYNC_SETUP, SYNC_BLOCK);
	st = tandem_hrt_state(NULL);
	check(bad_block == TANDEM_HRT_ERROR && teardown_idle == TANDEM_HRT_ERROR &&
		      from_hrt_setup == TANDEM_HRT_ERROR && st == TANDEM_HRT_IDLE,
	      "hvm: synchronous mode requests refused when wrong",
	      "set-up with a block outside RAM %ld, teardown in IDLE %ld, set-up from the HRT %ld (want -1 each); state %ld",
	      bad_block, teardown_idle, from_hrt_setup, st);

	/* A call already issued when the HRT begins to serve (the process
	 * may issue its first one as soon as it sees SYNC, before HRT core
	 * 0 gets to its loop): it is answered, the counts say so. */
	write_cr3((uint64_t)proc_pml4);
	memset(c, 0, sizeof(*c));
	c->func = HRT_FN_CORE;
	c->args[0] = 1234;
	c->result_gpa = (uint64_t)result;
	*result = UNSET;
	block[1] = 0;
	block[2] = (uint64_t)c;
	block[0] = 1;
	write_cr3(ros_cr3);
	proc_run(PROC_SYNC, true);
	write_cr3((uint64_t)proc_pml4);
	for (uint64_t w = rdtsc();
	     __atomic_load_n(&block[1], __ATOMIC_ACQUIRE) != 1 &&
	     rdtsc() - w < WAIT_MS * khz;)
		cpu_relax();
	early = block[1] == 1 && *result == 1234;
	write_cr3(ros_cr3);
	check(io.r_bad == 0 && io.st_bad == TANDEM_HRT_IDLE &&
		      io.r_merge == 0 && io.st_merge == TANDEM_HRT_SYNC &&
		      io.r_call == TANDEM_HRT_ERROR &&
		      io.st_call == TANDEM_HRT_ERROR && early,
	      "hvm: synchronous mode set up from a cpl 3 process",
	      "merge %ld, state %ld; set-up %ld, state %ld (want 4, SYNC); then a second set-up %ld and an invoke %ld (want -1); the call issued before set-up %s",
	      io.r_bad, io.st_bad, io.r_merge, io.st_merge, io.r_call,
	      io.st_call, early ? "answered" : "not answered");

	/* The calls, in the process's address space (its block and call
	 * are its own virtual addresses): no exit on this CPU at all. */
	write_cr3((uint64_t)proc_pml4);
	memset(c, 0, sizeof(*c));
	c->func = HRT_FN_CORE;
	c->result_gpa = (uint64_t)result;
	block[2] = (uint64_t)c;
	e0 = suite_cpu0_exits();
	t0 = rdtsc();
	if (io.st_merge == TANDEM_HRT_SYNC) {
		for (; n < SYNC_CALLS; n++) {
			uint64_t done = block[1];

			c->args[0] = n;
			__atomic_store_n(&block[0], done + 1, __ATOMIC_RELEASE);
			for (uint64_t w = rdtsc();
			     __atomic_load_n(&block[1], __ATOMIC_ACQUIRE) !=
			     done + 1;)
				if (rdtsc() - w > WAIT_MS * khz)
					goto out;
			if (*result != n && !wrong++)
				first_wrong = n;
		}
	}
out:
	t1 = rdtsc();
	e1 = suite_cpu0_exits();
	bad_ptrs = sync_bad_pointers(block, c, result);
	write_cr3(ros_cr3);
	ros_log("hvm: %u synchronous calls in %lu us, %ld exits on this CPU", n,
		(t1 - t0) * 1000 / khz, e1 - e0 - 1);
	check(n == SYNC_CALLS && !wrong && e0 >= 0 && e1 - e0 - 1 == 0,
	      "hvm: 100000 synchronous calls without an exit",
	      "%u of %u calls answered, %lu wrong (first: call %lu); exits on this CPU meanwhile %ld (want 0)",
	      n, SYNC_CALLS, wrong, first_wrong, e1 - e0 - 1);
	check(bad_ptrs == 3,
	      "hvm: synchronous calls through bad pointers answered",
	      "%d of 3 answered as they should (a call not mapped, a result not mapped, then a good call): %s",
	      bad_ptrs,
	      bad_ptrs < 0 ? "none" : "the rest timed out or were wrong");

	proc_run(PROC_UNSYNC, true);
	{
		uint64_t got = UNSET;
		long r = call_serving(HRT_FN_NULL, NULL, 0, NULL, &got);

		check(io.r_merge == 0 && io.st_merge == TANDEM_HRT_IDLE &&
			      io.r_bad == 0 && io.st_bad == TANDEM_HRT_IDLE &&
			      r == 0 && got == 0,
		      "hvm: synchronous mode torn down",
		      "teardown %ld, state %ld; unmerge %ld, state %ld; then function 0: %ld, 0x%lx",
		      io.r_merge, io.st_merge, io.r_bad, io.st_bad, r, got);
	}
}

/* Invokes and parallel invokes with a completion word (RSI): Tandem
 * writes it once the state is IDLE again, so the caller waits on memory
 * and the invoke is its only exit. */
#define NOTIFY_CALLS 100

static volatile uint64_t notify_word __attribute__((aligned(8)));

static void check_completion(void)
{
	uint64_t wrong = 0, bad_word = UNSET;
	long e0, e1, r = 0, w = 0, misaligned, outside, st;
	unsigned n = 0;

	memset(&call, 0, sizeof(call));
	call.func = HRT_FN_CORE;
	call.result_gpa = (uint64_t)results;
	e0 = suite_cpu0_exits();
	for (; n < 2 * NOTIFY_CALLS; n++) {
		bool par = n >= NOTIFY_CALLS;

		call.args[0] = n;
		r = tandem_hrt_invoke_notify(&call, par, &notify_word);
		if (r)
			break;
		w = tandem_hrt_wait_done(&notify_word, WAIT_MS * khz);
		if (w != TANDEM_HRT_COMPLETED)
			break;
		if (results[0] != n) /* core 0's: 0 * HRT_CORE_FACTOR + n */
			wrong++;
	}
	e1 = suite_cpu0_exits();
	ros_log("hvm: %u invokes with a completion word (half of them parallel), %ld exits on this CPU",
		n, e1 - e0 - 1);
	check(n == 2 * NOTIFY_CALLS && !wrong && e0 >= 0 && e1 - e0 - 1 == (long)n,
	      "hvm: an invoke with a completion word costs one exit",
	      "call %u: invoke %ld, word %ld (want 0, %u); %lu wrong results; exits on this CPU %ld for %u calls (want one each)",
	      n, r, w, TANDEM_HRT_COMPLETED, wrong, e1 - e0 - 1, n);

	/* Refused, changing nothing: a word not 8-aligned, one outside RAM. */
	notify_word = bad_word;
	misaligned = tandem_hvm_call(TANDEM_HVM_INVOKE, (uint64_t)&call,
				     (uint64_t)&notify_word + 4, 0, 0);
	outside = tandem_hvm_call(TANDEM_HVM_PAR_INVOKE, (uint64_t)&call,
				  0xfffff000000ull, 0, 0);
	st = tandem_hrt_state(NULL);
	check(misaligned == TANDEM_HRT_ERROR && outside == TANDEM_HRT_ERROR &&
		      st == TANDEM_HRT_IDLE && notify_word == bad_word,
	      "hvm: a bad completion word refused",
	      "misaligned %ld, outside RAM %ld (want -1 each); state %ld (want 0); word 0x%lx (want untouched)",
	      misaligned, outside, st, notify_word);
}

/* make bench (ros/bench_hvm.c): the process with its handler installed,
 * then rounds of signals it raises and takes, then the handler removed. */
bool hvm_bench_signal_setup(bool on_amd)
{
	amd = on_amd;
	khz = 1000000; /* only the waits of other modes use it */
	proc_build();
	proc_run(PROC_INSTALL, true);
	return io.r_merge == 0;
}

long hvm_bench_signal_run(unsigned n)
{
	bench_signals = n;
	proc_run(PROC_BENCH, true);
	return io.cycles ? 0 : TANDEM_HRT_ERROR;
}

void hvm_bench_signal_done(void)
{
	(void)tandem_hvm_call(TANDEM_HVM_SIGNAL_INSTALL, 0, 0, 0, 0);
}

/* merge 3, events 3, unmerge 1, signals 5, gdt 3, synchronous mode 5,
 * completion word 2 */
#define HVM_CHECKS 22

unsigned checks_hvm_planned(const struct suite *s)
{
	return s->detected && tandem_hrt_present() ? HVM_CHECKS : 0;
}

void checks_hvm(struct suite *s)
{
	if (!s->detected || !tandem_hrt_present())
		return;
	amd = s->id.amd;
	khz = ros_tsc_khz();
	if (!khz)
		khz = 1000000;
	proc_build();
	check_merge();
	check_events();
	check_unmerge();
	check_signals();
	check_gdt();
	check_sync();
	check_completion();
}
