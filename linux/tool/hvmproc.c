/*
 * hvmproc: a Linux process that uses the HRT the way a Palacios ROS
 * process does (guest-abi/ABI.md 4.10): every 0xf00d request issued from
 * here, at CPL 3, with the vendor's instruction; every pointer one of this
 * process's virtual addresses; every wait a poll of get state (0xf) with
 * the event copied to this process's stack. No driver.
 *
 * One run is the merge + invoke + signal sequence of issue 13, each step
 * checked, with one line per step on stdout:
 *
 *   1. signal handler install (0x40): an assembly stub and a stack of this
 *      process; a second install and the code 0 (0x41) are refused;
 *   2. merge (0x30): RDX = 1 (not this process's CR3, which a Linux process
 *      cannot know) is refused and changes no state; RDX = 0 merges, the
 *      process polls until IDLE;
 *   3. the reference HRT's SUM_VIRTUAL (hrt/hrt_funcs.h, 11) adds a buffer
 *      of this process, several pages that are not physically contiguous,
 *      through its virtual addresses;
 *   4. the HRT raises a signal (function 6 issues 0x41 on the HRT core);
 *      the stub must run in this process, on its stack, with the code;
 *      then the process raises one itself;
 *   5. the handler is removed, unmerge (0x31), and SUM_VIRTUAL now answers
 *      HRT_FN_BAD (not merged) while the call itself completes.
 *
 * Output and exit status as tandemctl's: 0 when every step held; else 1
 * and one line "hvmproc: <step>: <ERRNO NAME>: <why>" on stderr.
 */
#define _GNU_SOURCE /* sched_getcpu, sched_setaffinity */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <cpuid.h>

#include "tandem/cpuid.h"
#include "tandem/hvm_call.h"
#include "../../hrt/hrt_funcs.h"
#include "tool.h"

#define PAGE	    4096u
#define SUM_PAGES   4 /* the buffer SUM_VIRTUAL adds */
#define SUM_N	    (SUM_PAGES * PAGE / 8)
#define SUM_WANT    ((uint64_t)SUM_N * (SUM_N + 1) / 2)
#define SIG_STACK   (4 * PAGE)
#define SIG_HRT	    0x7171ull /* the code the HRT raises */
#define SIG_ROS	    0x5151ull /* the code this process raises */
#define UNSET	    0x5555555555555555ull
#define WAIT_MS	    10000 /* one transaction until IDLE (slow emulators) */
#define ACCEPT_MS   10000 /* a just (re)booted HRT until it takes requests */
#define USER_CS_RPL 3

/* Written by the stubs (below) when a signal comes: the code, the
 * interrupted RIP, CS and SS from Tandem's frame, and where the frame
 * was (the handler's RSP, which must be on the registered stack). */
volatile uint64_t hvm_sig_count, hvm_sig_code, hvm_sig_rip, hvm_sig_cs,
	hvm_sig_ss, hvm_sig_rsp, hvm_sig_ret_rsp;
void hvm_signal_stub(void);
void hvm_signal_stub_iret(void);
extern const char __executable_start[], etext[]; /* this program's text */

/*
 * The handlers Tandem enters (ABI 4.10, Palacios's frame): RSP points at
 * the code, above it RIP, CS, RFLAGS, RSP and SS of the interrupted code.
 * Plain assembly: a C handler would need every register it might use
 * saved, SSE included. Each saves the one register it uses (RAX) and
 * returns to the interrupted code with its RIP, RSP and RFLAGS.
 *
 * hvm_signal_stub_iret returns as Palacios's stub does: drop the code,
 * iretq. QEMU's TCG (7.2, Debian 12) reads IRET's frame with supervisor
 * rights even at CPL 3, so under Linux, which enables SMAP, that iretq
 * takes a #PF on the (user) stack and the process is killed; hardware
 * and Bochs read it at the CPL. hvm_signal_stub, the default, returns
 * without IRET: POPFQ of the saved RFLAGS (nothing after it changes a
 * flag), RAX back, RSP from the frame, then a jump to the saved RIP.
 * It writes nothing below the interrupted RSP (the red zone stays).
 */
#define SIG_RECORD                            \
	"	pushq %rax\n"                       \
	"	movq %rsp, hvm_sig_rsp(%rip)\n"     \
	"	movq 8(%rsp), %rax\n"               \
	"	movq %rax, hvm_sig_code(%rip)\n"    \
	"	movq 16(%rsp), %rax\n"              \
	"	movq %rax, hvm_sig_rip(%rip)\n"     \
	"	movq 24(%rsp), %rax\n"              \
	"	movq %rax, hvm_sig_cs(%rip)\n"      \
	"	movq 40(%rsp), %rax\n"              \
	"	movq %rax, hvm_sig_ret_rsp(%rip)\n" \
	"	movq 48(%rsp), %rax\n"              \
	"	movq %rax, hvm_sig_ss(%rip)\n"      \
	"	lock incq hvm_sig_count(%rip)\n"
__asm__(".text\n"
	".globl hvm_signal_stub\n"
	".type hvm_signal_stub, @function\n"
	"hvm_signal_stub:\n" SIG_RECORD "	movq 32(%rsp), %rax\n"
	"	pushq %rax\n"
	"	popfq\n"
	"	popq %rax\n"
	"	movq hvm_sig_ret_rsp(%rip), %rsp\n"
	"	jmpq *hvm_sig_rip(%rip)\n"
	".size hvm_signal_stub, . - hvm_signal_stub\n"
	".globl hvm_signal_stub_iret\n"
	".type hvm_signal_stub_iret, @function\n"
	"hvm_signal_stub_iret:\n" SIG_RECORD "	popq %rax\n"
	"	addq $8, %rsp\n"
	"	iretq\n"
	".size hvm_signal_stub_iret, . - hvm_signal_stub_iret\n");

static void need_tandem(void)
{
	unsigned int a, b, c, d;

	__cpuid(1, a, b, c, d);
	if (!(c >> TANDEM_CPUID_HV_PRESENT_BIT & 1))
		fail(ENODEV, "no hypervisor");
	__cpuid(TANDEM_CPUID_BASE, a, b, c, d);
	if (b != TANDEM_SIGNATURE_EBX || c != TANDEM_SIGNATURE_ECX ||
	    d != TANDEM_SIGNATURE_EDX)
		fail(ENODEV, "no Tandem hypervisor");
	tool_amd = tool_cpu_is_amd();
}

/* Locked, written pages of this process (Tandem and the HRT never fault
 * a page in: ABI 4.10). */
static void *locked_pages(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fail(ENOMEM, "mmap of %zu bytes: %s", size, strerror(errno));
	memset(p, 0, size);
	if (mlock(p, size))
		fail(ENOMEM, "mlock of %zu bytes: %s", size, strerror(errno));
	return p;
}

/* Polls get state, the event copied to this process's stack as
 * Palacios's library does, until it is @want; -1 on a timeout. */
static long wait_state(long want, struct tandem_ros_event *ev)
{
	uint64_t t0 = now_ms();
	long st;

	while ((st = hvm(TANDEM_HVM_GET_STATE, (uintptr_t)ev, 0)) != want) {
		if (st < 0)
			fail(EIO, "get state returned -1");
		if (now_ms() - t0 > WAIT_MS)
			fail(ETIMEDOUT, "state %ld after %d ms, want %ld", st,
			     WAIT_MS, want);
	}
	return st;
}

struct call_page {
	struct tandem_hrt_call call;
	volatile uint64_t slot;
};

/* One invoke of @func, retried while the HRT does not take it yet (just
 * after a reboot), then polled until IDLE; the HRT's result. */
static uint64_t invoke(struct call_page *cp, uint64_t func, uint64_t a0,
		       uint64_t a1)
{
	struct tandem_ros_event ev;
	uint64_t t0 = now_ms();

	memset(&cp->call, 0, sizeof(cp->call));
	cp->call.func = func;
	cp->call.result_gpa = (uintptr_t)&cp->slot;
	cp->call.args[0] = a0;
	cp->call.args[1] = a1;
	cp->slot = UNSET;
	while (hvm(TANDEM_HVM_INVOKE, (uintptr_t)&cp->call, 0) != 0)
		if (now_ms() - t0 > ACCEPT_MS)
			fail(EIO, "the invoke was refused for %d ms", ACCEPT_MS);
	wait_state(TANDEM_HRT_IDLE, &ev);
	if (ev.event_type != TANDEM_ROS_DONE)
		fail(EIO, "the call ended with event %u, not ROS_DONE (5)",
		     ev.event_type);
	if (cp->slot == UNSET)
		fail(EIO, "the HRT wrote no result");
	return cp->slot;
}

/* Null downcalls until a signal came or @ms passed: Tandem delivers at an
 * entry into this process, so it leaves the guest now and then, as a
 * Palacios process polling for the HRT does. */
static bool wait_signal(uint64_t before, unsigned int ms)
{
	uint64_t t0 = now_ms();

	while (hvm_sig_count == before && now_ms() - t0 < ms)
		(void)hvm(TANDEM_HVM_NULL, 0, 0);
	return hvm_sig_count != before;
}

/* The vDSO's loaded segments: this process runs there too, at CPL 3 with
 * its CR3 (now_ms()'s clock_gettime), so a signal may interrupt it there. */
static bool in_vdso(uint64_t rip)
{
	const Elf64_Ehdr *eh = (const void *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Phdr *ph;

	if (!eh)
		return false;
	ph = (const void *)((const char *)eh + eh->e_phoff);
	for (unsigned int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD &&
		    rip >= (uintptr_t)eh + ph[i].p_vaddr &&
		    rip < (uintptr_t)eh + ph[i].p_vaddr + ph[i].p_memsz)
			return true;
	return false;
}

static void check_signal(const char *from, uint64_t code, const uint8_t *stack)
{
	uint64_t rsp = hvm_sig_rsp;

	if (hvm_sig_code != code)
		fail(EIO, "the handler got code 0x%" PRIx64 ", want 0x%" PRIx64,
		     hvm_sig_code, code);
	if (rsp < (uintptr_t)stack || rsp >= (uintptr_t)stack + SIG_STACK)
		fail(EIO,
		     "the handler ran at RSP 0x%" PRIx64
		     ", not on its stack %p-%p",
		     rsp, (void *)stack, (void *)(stack + SIG_STACK));
	if ((hvm_sig_rip < (uintptr_t)__executable_start ||
	     hvm_sig_rip >= (uintptr_t)etext) &&
	    !in_vdso(hvm_sig_rip))
		fail(EIO,
		     "interrupted RIP 0x%" PRIx64
		     " is neither in this program nor in its vDSO",
		     hvm_sig_rip);
	if ((hvm_sig_cs & 3) != USER_CS_RPL || (hvm_sig_ss & 3) != USER_CS_RPL)
		fail(EIO,
		     "interrupted CS 0x%" PRIx64 " SS 0x%" PRIx64 ": not CPL 3",
		     hvm_sig_cs, hvm_sig_ss);
	printf("signal from %s: code 0x%" PRIx64
	       " in this process (pid %d), handler on its stack, from rip 0x%" PRIx64
	       " cs 0x%" PRIx64 "\n",
	       from, code, (int)getpid(), hvm_sig_rip, hvm_sig_cs);
}

int main(int argc, char **argv)
{
	struct tandem_ros_event ev;
	struct call_page *cp;
	uint8_t *sig_stack;
	uint64_t *buf, got, n;
	long r, r2, st;
	cpu_set_t cpus;
	void (*handler)(void);

	tool_prog = "hvmproc";
	tool_what = "hvmproc";
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "iret"))) {
		fputs("usage: hvmproc [iret]   (the merge + invoke + signal sequence;\n"
		      "       iret: the handler returns with iretq, as Palacios's)\n",
		      stderr);
		return 2;
	}
	handler = argc == 2 ? hvm_signal_stub_iret : hvm_signal_stub;
	setvbuf(stdout, NULL, _IOLBF, 0);
	need_tandem();
	if (hvm(TANDEM_HVM_GET_STATE, 0, 0) != TANDEM_HRT_IDLE)
		fail(ENODEV, "no HRT, or not IDLE");

	/* One CPU: with PCIDs, Linux may load this address space with another
	 * CR3 on another CPU, and a signal waits for the registered one. */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);

	cp = locked_pages(PAGE);
	sig_stack = locked_pages(SIG_STACK);
	buf = locked_pages(SUM_PAGES * PAGE);
	for (n = 0; n < SUM_N; n++)
		buf[n] = n + 1;

	tool_what = "signal install";
	r = hvm(TANDEM_HVM_SIGNAL_INSTALL, (uintptr_t)handler,
		(uintptr_t)(sig_stack + SIG_STACK));
	r2 = hvm(TANDEM_HVM_SIGNAL_INSTALL, (uintptr_t)handler,
		 (uintptr_t)(sig_stack + SIG_STACK));
	if (r != 0 || r2 != -1)
		fail(EIO, "install %ld, a second install %ld (want 0, -1)", r,
		     r2);
	r = hvm(TANDEM_HVM_SIGNAL, 0, 0);
	if (r != -1 || hvm_sig_count)
		fail(EIO, "signal code 0 gave %ld (want -1)", r);
	printf("signal handler installed; a second install -1, code 0 -1\n");

	tool_what = "merge";
	r = hvm(TANDEM_HVM_MERGE, 1, 0);
	st = hvm(TANDEM_HVM_GET_STATE, 0, 0);
	if (r != -1 || st != TANDEM_HRT_IDLE)
		fail(EIO, "merge with RDX = 1 gave %ld, state %ld (want -1, 0)",
		     r, st);
	r = hvm(TANDEM_HVM_MERGE, 0, 0);
	if (r != 0)
		fail(EIO, "merge refused (%ld)", r);
	wait_state(TANDEM_HRT_IDLE, &ev);
	printf("merge: RDX = 1 refused (-1, state IDLE); RDX = 0 merged (state IDLE)\n");

	tool_what = "sum merged";
	got = invoke(cp, HRT_FN_SUM_VIRTUAL, (uintptr_t)buf, SUM_N);
	if (got != SUM_WANT)
		fail(EIO,
		     "SUM_VIRTUAL of %u u64 at %p: 0x%" PRIx64
		     ", want 0x%" PRIx64,
		     SUM_N, (void *)buf, got, SUM_WANT);
	printf("sum through this process's virtual addresses: %" PRIu64
	       " (want %" PRIu64 ", %d pages at %p)\n",
	       got, SUM_WANT, SUM_PAGES, (void *)buf);

	tool_what = "signal from the hrt";
	n = hvm_sig_count;
	got = invoke(cp, HRT_FN_DOWNCALL, TANDEM_HVM_SIGNAL, SIG_HRT);
	if (got != 0)
		fail(EIO, "the HRT's 0x41 gave %" PRId64, (int64_t)got);
	if (!wait_signal(n, WAIT_MS))
		fail(ETIMEDOUT, "no signal within %d ms", WAIT_MS);
	check_signal("the HRT", SIG_HRT, sig_stack);

	tool_what = "signal from this process";
	n = hvm_sig_count;
	r = hvm(TANDEM_HVM_SIGNAL, SIG_ROS, 0);
	if (r != 0)
		fail(EIO, "raise gave %ld", r);
	if (!wait_signal(n, WAIT_MS))
		fail(ETIMEDOUT, "no signal within %d ms", WAIT_MS);
	check_signal("this process", SIG_ROS, sig_stack);

	tool_what = "signal remove";
	r = hvm(TANDEM_HVM_SIGNAL_INSTALL, 0, 0);
	r2 = hvm(TANDEM_HVM_SIGNAL, SIG_ROS, 0);
	if (r != 0 || r2 != -1)
		fail(EIO, "removal %ld, then a raise %ld (want 0, -1)", r, r2);
	printf("signal handler removed; a raise then -1\n");

	tool_what = "unmerge";
	r = hvm(TANDEM_HVM_UNMERGE, 0, 0);
	if (r != 0)
		fail(EIO, "unmerge refused (%ld)", r);
	wait_state(TANDEM_HRT_IDLE, &ev);
	tool_what = "sum unmerged";
	got = invoke(cp, HRT_FN_SUM_VIRTUAL, (uintptr_t)buf, SUM_N);
	if (got != HRT_FN_BAD)
		fail(EIO,
		     "SUM_VIRTUAL after unmerge: 0x%" PRIx64
		     ", want 0x%x (not merged)",
		     got, HRT_FN_BAD);
	printf("unmerged: SUM_VIRTUAL now 0x%" PRIx64
	       " (not merged), state IDLE\n",
	       got);
	return 0;
}
