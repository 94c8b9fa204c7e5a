/*
 * Upcalls (Palacios HVM seed): Tandem writes the type and its argument to
 * the comm page, then injects the HRT's vector on the core(s) concerned.
 * Invokes (0x20 on the first HRT core, 0x21 on every HRT core) run one
 * function of hrt/hrt_funcs.h from the ROS's struct tandem_hrt_call, store
 * the result at result_gpa + 8 * index, and report with CALL_DONE (0x2f).
 * The comm page does not change before this core's CALL_DONE: Tandem
 * accepts no new invoke until every core has reported. Merge (0x30) and
 * unmerge (0x31) go to core 0 (hrt/merge.c).
 */
#include "hrt.h"

/* Load a zero-limit IDT and raise #UD: #UD, then #GP, then #DF cannot be
 * delivered, and the CPU shuts down (SDM Vol. 3A 6.15, interrupt 8). */
void hrt_triple_fault(const struct hrt_core *c)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) none = { 0, 0 };

	hrt_log("core %u: triple fault on purpose", c->index);
	__asm__ volatile("lidt %0\n\tud2" : : "m"(none) : "memory");
	hrt_stop();
}

/* Function PORT: one IN or OUT of 1, 2 or 4 bytes (a = args). */
static uint64_t port_io(const uint64_t *a)
{
	uint16_t port = (uint16_t)a[0];
	uint32_t v = (uint32_t)a[3];

	if (a[0] > 0xffff || (a[1] != 1 && a[1] != 2 && a[1] != 4) ||
	    (a[2] != HRT_PORT_IN && a[2] != HRT_PORT_OUT))
		return HRT_FN_BAD;
	if (a[2] == HRT_PORT_OUT) {
		if (a[1] == 1)
			__asm__ volatile("outb %b0, %w1"
					 :
					 : "a"(v), "Nd"(port));
		else if (a[1] == 2)
			__asm__ volatile("outw %w0, %w1"
					 :
					 : "a"(v), "Nd"(port));
		else
			__asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(port));
		return 0;
	}
	v = 0;
	if (a[1] == 1)
		__asm__ volatile("inb %w1, %b0" : "+a"(v) : "Nd"(port));
	else if (a[1] == 2)
		__asm__ volatile("inw %w1, %w0" : "+a"(v) : "Nd"(port));
	else
		__asm__ volatile("inl %w1, %0" : "+a"(v) : "Nd"(port));
	return v;
}

/* Function 14: writes of CR8 with interrupts off (this runs in the
 * upcall, before its IRET), the way a runtime's scheduler sets its
 * interrupt priority. */
static void cr8_writes(const struct hrt_setup *s, uint64_t us)
{
	uint64_t khz = hrt_khz(s);
	uint64_t t0 = rdtsc(), cycles = us * khz / 1000;

	while (rdtsc() - t0 < cycles)
		__asm__ volatile("mov %0, %%cr8" : : "r"(0ull) : "memory");
}

/* Far return to code selector @sel (the same 64-bit code at 0x08 and
 * 0x18: function 17). */
static void load_cs(uint64_t sel)
{
	__asm__ volatile("lea 1f(%%rip), %%rax\n\tpush %0\n\tpush %%rax\n\t"
			 "lretq\n1:"
			 :
			 : "r"(sel)
			 : "rax", "memory");
}

static void spin_cycles(const struct hrt_setup *s, uint64_t us)
{
	uint64_t t0 = rdtsc(), cycles = us * hrt_khz(s) / 1000;

	while (rdtsc() - t0 < cycles)
		cpu_relax();
}

static uint64_t spin_us(const struct hrt_setup *s, uint64_t us)
{
	if (us > HRT_SPIN_MAX_US)
		return HRT_FN_BAD;
	spin_cycles(s, us);
	return 0;
}

/* Function 16: a real page fault (a read of @va, not mapped) is taken as
 * one, not as a magic upcall: its CR2, or HRT_FN_BAD. */
static uint64_t real_fault(struct hrt_core *c, uint64_t va)
{
	uint64_t magic = c->magic_upcalls, v;

	if ((uint64_t)((int64_t)(va << 16) >> 16) != va)
		return HRT_FN_BAD; /* #GP, not #PF */
	c->safe_pf_cr2 = 0;
	c->safe_pf_error = ~0ull;
	if (!hrt_safe_load(va, &v))
		return HRT_FN_BAD; /* mapped after all */
	if (c->magic_upcalls != magic || (c->safe_pf_error & 7) != 0)
		return HRT_FN_BAD; /* not a supervisor read of a page not present */
	return c->safe_pf_cr2;
}

static uint64_t sum(const struct hrt_setup *s, uint64_t pa, uint64_t n)
{
	const volatile uint64_t *v;
	uint64_t total = 0;

	if (n > HRT_SUM_MAX || !hrt_phys_ok(s, pa, n * 8))
		return HRT_FN_BAD;
	v = hrt_phys(s, pa);
	for (uint64_t i = 0; i < n; i++)
		total += v[i];
	return total;
}

/* Function 18: the other end of a plain shared-memory ping-pong with the
 * ROS (no Tandem in between), the baseline synchronous calls are
 * measured against. */
static uint64_t ping_pong(const struct hrt_setup *s, uint64_t pa, uint64_t rounds)
{
	uint64_t khz = hrt_khz(s);
	volatile uint64_t *w;

	if ((pa & 7) || rounds > HRT_PINGPONG_MAX || !hrt_phys_ok(s, pa, 8))
		return HRT_FN_BAD;
	w = hrt_phys(s, pa);
	for (uint64_t i = 0; i < rounds; i++) {
		uint64_t t0 = rdtsc();

		while (__atomic_load_n(w, __ATOMIC_ACQUIRE) != 2 * i + 1) {
			if (rdtsc() - t0 > khz * 1000)
				return HRT_FN_BAD;
			cpu_relax();
		}
		__atomic_store_n(w, 2 * i + 2, __ATOMIC_RELEASE);
	}
	return 0;
}

/* Any request, any arguments: Tandem decides whether the HRT may. */
static uint64_t downcall(const struct hrt_core *c, const uint64_t *a)
{
	return (uint64_t)tandem_hvm_call_insn(c->amd, TANDEM_HVM_MARKER_64,
					      a[0], a[1], a[2], a[3], a[4]);
}

uint64_t hrt_run_function(struct hrt_core *c, const struct tandem_hrt_call *call)
{
	switch (call->func) {
	case HRT_FN_NULL:
		return 0;
	case HRT_FN_SUM:
		return sum(&c->setup, call->args[0], call->args[1]);
	case HRT_FN_CORE:
		return (uint64_t)c->index * HRT_CORE_FACTOR + call->args[0];
	case HRT_FN_VERSION:
		return HRT_VERSION;
	case HRT_FN_TRIPLE_FAULT:
		hrt_triple_fault(c);
	case HRT_FN_SPIN_US:
		return spin_us(&c->setup, call->args[0]);
	case HRT_FN_DOWNCALL:
		return downcall(c, call->args);
	case HRT_FN_BOOT_ID:
		return hrt_boot_id;
	case HRT_FN_ATTACK:
		return hrt_attack(c, call->args[0], call->args[1]);
	case HRT_FN_TICKS:
		return __atomic_load_n(&c->ticks, __ATOMIC_RELAXED);
	case HRT_FN_PORT:
		return port_io(call->args);
	case HRT_FN_SUM_VIRTUAL:
		return hrt_sum_virtual(call->args[0], call->args[1]);
	case HRT_FN_EVENT:
		return hrt_forward_event(c, call->args);
	case HRT_FN_GDT_INFO:
		return hrt_gdt_info(call->args[0]);
	case HRT_FN_MAGIC_UPCALLS:
		if (call->args[0] == HRT_MAGIC_OTHER_CS)
			return c->magic_other_cs;
		return c->magic_upcalls << 32 | (uint32_t)c->magic_if_off;
	case HRT_FN_OTHER_CS_AFTER:
		if (call->args[0] > HRT_SPIN_MAX_US)
			return HRT_FN_BAD;
		c->other_cs_after_us = call->args[0];
		return 0;
	case HRT_FN_REAL_FAULT:
		return real_fault(c, call->args[0]);
	case HRT_FN_CR8_AFTER:
		if (call->args[0] > HRT_SPIN_MAX_US)
			return HRT_FN_BAD;
		c->cr8_after_us = call->args[0];
		return 0;
	case HRT_FN_PINGPONG:
		return ping_pong(&c->setup, call->args[0], call->args[1]);
	default:
		return HRT_FN_BAD;
	}
}

/* Copy the descriptor once, run it, store the result, report. */
static void invoke(struct hrt_core *c, uint64_t desc_pa)
{
	const struct hrt_setup *s = &c->setup;
	struct tandem_hrt_call call;
	uint64_t result, slot, cr8_us, other_cs_us;
	long r;

	if (c->merge_gen != hrt_merge_gen) {
		c->merge_gen = hrt_merge_gen;
		hrt_flush_tlb();
	}
	if (!hrt_phys_ok(s, desc_pa, sizeof(call))) {
		hrt_log("core %u: call descriptor 0x%lx lies outside the mapped memory",
			c->index, desc_pa);
	} else {
		memcpy(&call, hrt_phys(s, desc_pa), sizeof(call));
		result = hrt_run_function(c, &call);
		slot = call.result_gpa + 8ull * c->index;
		if (call.result_gpa <= UINT64_MAX - 8ull * c->index &&
		    hrt_phys_ok(s, slot, 8))
			*(volatile uint64_t *)hrt_phys(s, slot) = result;
		else
			hrt_log("core %u: result address 0x%lx lies outside the mapped memory",
				c->index, call.result_gpa);
	}
	/* Taken first: the next upcall may come as soon as CALL_DONE is
	 * issued, and nest here (the magic page fault: version 2). */
	cr8_us = c->cr8_after_us;
	other_cs_us = c->other_cs_after_us;
	c->cr8_after_us = c->other_cs_after_us = 0;
	/* Function 17: CS 0x18 from before CALL_DONE, so that an upcall
	 * coming right after it finds CS 0x18 too. */
	if (other_cs_us)
		load_cs(HRT_SEL_CODE_ALT);
	r = hrt_downcall(c, TANDEM_HVM_CALL_DONE, 0, 0);
	if (other_cs_us) {
		spin_cycles(s, other_cs_us);
		load_cs(0x08);
	}
	if (r != 0)
		hrt_log("core %u: call done returned %ld", c->index, r);
	if (cr8_us)
		cr8_writes(s, cr8_us);
}

void hrt_upcall(struct hrt_core *c)
{
	const volatile struct tandem_comm_page *cp =
		hrt_phys(&c->setup, c->setup.comm_page_gpa);
	uint64_t type = cp->upcall_type, arg = cp->upcall_arg;

	switch (type) {
	case TANDEM_UPCALL_NULL:
		break;
	case TANDEM_UPCALL_INVOKE:
	case TANDEM_UPCALL_PAR_INVOKE:
		if (c->index == 0) /* before the ROS hears back */
			hrt_log_flush();
		invoke(c, arg);
		break;
	case TANDEM_UPCALL_MERGE:
	case TANDEM_UPCALL_UNMERGE:
		hrt_merge(c, arg, type == TANDEM_UPCALL_MERGE);
		break;
	case TANDEM_UPCALL_SYNC_SETUP:
	case TANDEM_UPCALL_SYNC_TEARDOWN:
		hrt_sync_upcall(c, type, arg);
		break;
	case TANDEM_UPCALL_GDT_SYNC:
	case TANDEM_UPCALL_GDT_RESTORE:
		hrt_gdt_upcall(c, type, cp->upcall_arg2);
		break;
	default:
		hrt_log("core %u: upcall type 0x%lx (argument 0x%lx) not supported",
			c->index, type, arg);
		break;
	}
}
