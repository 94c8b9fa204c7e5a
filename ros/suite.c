/* Suite driver: check reporting, hypercalls with faults caught, the SMP
 * checks, and the native-boot path. */
#include <stdarg.h>

#include "cpu.h"
#include "smp.h"
#include "suite.h"
#include "trap.h"

static unsigned passed, failed;
static struct suite suite;

bool check(bool ok, const char *name, const char *detail_fmt, ...)
{
	if (!ok && detail_fmt) {
		char buf[200];
		va_list ap;

		va_start(ap, detail_fmt);
		kvsnprintf(buf, sizeof(buf), detail_fmt, ap);
		va_end(ap);
		ros_log("%s: %s", name, buf);
	}
	if (ok)
		passed++;
	else
		failed++;
	ros_line("%sok %u - %s", ok ? "" : "not ", passed + failed, name);
	return ok;
}

static const uint8_t insn_vmmcall[3] = { 0x0f, 0x01, 0xd9 };
static const uint8_t insn_vmcall[3] = { 0x0f, 0x01, 0xc1 };

const uint8_t *hc_insn_bytes(const struct suite *s)
{
	return s->id.amd ? insn_vmmcall : insn_vmcall;
}

bool hc_slot_ok(const struct suite *s, unsigned slot, uint32_t code)
{
	const uint8_t *p = s->page + slot * TANDEM_HC_STUB_SIZE;

	if (p[0] != 0xb8 || memcmp(p + 1, &code, 4) != 0 ||
	    memcmp(p + 5, hc_insn_bytes(s), 3) != 0 || p[8] != 0xc3)
		return false;
	for (unsigned i = 9; i < TANDEM_HC_STUB_SIZE; i++)
		if (p[i] != 0xcc)
			return false;
	return true;
}

struct hc_result hc_call(const struct suite *s, enum hc_via via, unsigned code,
			 uint64_t a1)
{
	struct hc_result r = { 0 };
	int fault;

	/* Never jump into a page that does not hold the right stub. */
	if (via == VIA_PAGE &&
	    (code >= TANDEM_HC_SLOT_HVM || !hc_slot_ok(s, code, code))) {
		r.not_called = true;
		return r;
	}
	fault = ros_try(ROS_ANY_VECTOR);
	if (fault == 0) {
		long v;

		switch (via) {
		case VIA_PAGE:
			v = tandem_call_page(s->page, code, a1, 0, 0, 0, 0, 0);
			break;
		case VIA_VMMCALL:
			v = tandem_vmmcall(code, a1, 0, 0, 0, 0, 0);
			break;
		case VIA_VMCALL:
		default:
			v = tandem_vmcall(code, a1, 0, 0, 0, 0, 0);
			break;
		}
		ros_untry();
		r.value = v;
	} else {
		r.fault = fault;
		r.fault_rip = ros_last_fault()->rip;
	}
	return r;
}

long suite_cpu0_exits(void)
{
	return tandem_hypercall(TANDEM_HC_CPU_GET_STATE, 0,
				TANDEM_CPU_STAT_TOTAL, 0, 0, 0, 0);
}

struct hc_result hc_native(enum hc_via via, unsigned code, uint64_t a1,
			   uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct hc_result r = { 0 };
	int fault = ros_try(ROS_ANY_VECTOR);

	if (fault == 0) {
		long v = via == VIA_VMMCALL ?
				 tandem_vmmcall(code, a1, a2, a3, a4, a5, 0) :
				 tandem_vmcall(code, a1, a2, a3, a4, a5, 0);

		ros_untry();
		r.value = v;
	} else {
		r.fault = fault;
		r.fault_rip = ros_last_fault()->rip;
	}
	return r;
}

const char *hc_str(struct hc_result r, char *buf, size_t size)
{
	if (r.not_called)
		ksnprintf(buf, size, "not called (page slot is no valid stub)");
	else if (r.fault)
		ksnprintf(buf, size, "fault %s at 0x%lx",
			  ros_vector_name((unsigned)r.fault - 1), r.fault_rip);
	else
		ksnprintf(buf, size, "%ld", r.value);
	return buf;
}

bool hc_is(struct hc_result r, long want)
{
	return !r.not_called && !r.fault && r.value == want;
}

int hcmsr_write(uint64_t v)
{
	int fault = ros_try(ROS_ANY_VECTOR);

	if (fault == 0) {
		wrmsr(TANDEM_MSR_HYPERCALL_PAGE, v);
		ros_untry();
	}
	return fault;
}

int hcmsr_read(uint64_t *v)
{
	int fault = ros_try(ROS_ANY_VECTOR);

	if (fault == 0) {
		*v = rdmsr(TANDEM_MSR_HYPERCALL_PAGE);
		ros_untry();
	}
	return fault;
}

/* The suite's own fault catching, which the #GP checks rely on: a
 * non-canonical read must give #GP, ud2 #UD, both resumed. */
static void checks_faults(struct suite *s)
{
	volatile uint64_t *noncanonical = (volatile uint64_t *)0x8000000000000000ul;
	int gp, ud;

	(void)s;
	gp = ros_try(ROS_ANY_VECTOR);
	if (gp == 0) {
		(void)*noncanonical;
		ros_untry();
	}
	ud = ros_try(ROS_ANY_VECTOR);
	if (ud == 0) {
		__asm__ volatile("ud2");
		ros_untry();
	}
	check(gp == ROS_VEC_GP + 1 && ud == ROS_VEC_UD + 1, "idt: fault recovery",
	      "non-canonical read gave %s (want #GP), ud2 gave %s (want #UD)",
	      gp ? ros_vector_name((unsigned)gp - 1) : "no fault",
	      ud ? ros_vector_name((unsigned)ud - 1) : "no fault");
}

/* What every CPU does once up: detection and one Get Info (pool pages) with
 * the vendor's own instruction. */
void suite_cpu_probe(unsigned cpu)
{
	struct ros_probe *p = &ros_smp.probes[cpu];
	struct tandem_id id;

	p->detected = tandem_detect(&id);
	if (p->detected) {
		struct hc_result r = hc_call(&suite,
					     id.amd ? VIA_VMMCALL : VIA_VMCALL,
					     TANDEM_HC_HYPERVISOR_GET_INFO,
					     TANDEM_INFO_MEM_POOL_PAGES);

		p->info = r.value;
		p->fault = r.fault;
	}
	__atomic_store_n(&p->answered, 1, __ATOMIC_RELEASE);
}

void checks_smp(struct suite *s)
{
	const struct ros_probe *bsp = &ros_smp.probes[0];
	const char *err;

	suite_cpu_probe(0);
	err = ros_smp_start(s->boot, suite_cpu_probe);
	if (err)
		ros_log("smp: %s", err);
	else if (ros_smp.ncpus > 1)
		ros_log("smp: trampoline at 0x%lx, %s", ros_smp.trampoline,
			ros_smp.x2apic ? "x2APIC" : "xAPIC");
	for (unsigned k = 0; k < ros_smp.ncpus; k++) {
		const struct ros_probe *p = &ros_smp.probes[k];
		char name[40];
		bool ok;

		ksnprintf(name, sizeof(name), "smp: cpu %u answered", k);
		if (!p->answered) {
			check(false, name, "APIC ID %u: %s within %u ms",
			      ros_smp.apic_ids[k],
			      p->started ? "started but gave no answer" :
					   "did not start",
			      ROS_AP_ANSWER_MS);
			continue;
		}
		/* Natively (forced suite) an answer is all there is to check. */
		ok = !s->detected ||
		     (p->detected && !p->fault && p->info == bsp->info);
		check(ok, name,
		      "APIC ID %u: detected %d (want 1), get info %ld%s (CPU 0: %ld)",
		      ros_smp.apic_ids[k], p->detected, p->info,
		      p->fault ? " after a fault" : "", bsp->info);
	}
}

static unsigned smp_planned(const struct suite *s)
{
	(void)s;
	return (unsigned)ros_smp.ncpus; /* "smp: cpu K answered" */
}

/*
 * The groups in suite order, each with the number of checks it reports:
 * fixed, or counted from the configuration before anything runs (CPUs,
 * whether there is an HRT, whether Tandem is there). Every path through a
 * group, failures included, reports that many, except where a group gives
 * up after a failed check (the HRT checks after a null downcall that does
 * not answer): the plan then tells the harness that checks are missing.
 */
static const struct group {
	const char *name;
	void (*run)(struct suite *s);
	unsigned checks; /* when planned is NULL */
	unsigned (*planned)(const struct suite *s);
} groups[] = {
	{ "idt", checks_faults, 1, NULL },
	{ "cpuid", checks_cpuid, 9, NULL },
	{ "hcpage", checks_hcpage, 4, NULL },
	{ "getinfo", checks_getinfo, 6, NULL },
	{ "hypercall", checks_unknown, 2, NULL },
	{ "user", checks_user, 3, NULL },
	{ "msr", checks_msr, 3, NULL },
	{ "tandem memory", checks_tandem_mem, 4, NULL },
	{ "memory types", checks_memtype, 4, NULL },
	{ "smp", checks_smp, 0, smp_planned },
	{ "hrt", checks_hrt, 0, checks_hrt_planned },
	{ "hvm", checks_hvm, 0, checks_hvm_planned },
	{ "hvm irq", checks_hvm_irq, 0, checks_hvm_irq_planned },
	{ "cells", checks_cells, 0, checks_cells_planned },
	{ "jh config", checks_jh_config, 0, checks_jh_config_planned },
	{ "walls", checks_walls, 0, checks_walls_planned },
	{ "jh cells", checks_jh_cells, 0, checks_jh_cells_planned },
	{ "fuzz", checks_fuzz, 0, checks_fuzz_planned },
	{ "reboot", checks_reboot, 0, checks_reboot_planned },
	{ "disable", checks_disable, 0, checks_disable_planned },
};

#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

/* The ROS option hrt_boot_fault: these instead of the suite. */
static const struct group boot_fault_groups[] = {
	{ "hrt boot fault", checks_hrt_boot_fault, HRT_BOOT_FAULT_CHECKS, NULL },
};
_Static_assert(sizeof(boot_fault_groups) <= sizeof(groups),
	       "run_groups() counts up to NGROUPS groups");

void suite_counts(unsigned *p, unsigned *f)
{
	*p = passed;
	*f = failed;
}

/* The plan line, then groups @gs[0..@n) in order. After a ROS reboot
 * (ros/checks_reboot.c) the suite continues at the reboot group, with
 * the counts it had, and without a second plan line: one TAP stream
 * over the boots. */
static void run_groups(const struct group *gs, unsigned n,
		       const struct ros_boot *b, const struct tandem_id *id,
		       bool detected)
{
	unsigned want[NGROUPS], plan = 0, first = 0, resumed_at = 0;
	unsigned phase = 0;

	suite.boot = b;
	suite.id = *id;
	suite.detected = detected;
	suite.native_via = id->amd ? VIA_VMMCALL : VIA_VMCALL;

	if (gs == groups && detected)
		phase = ros_reboot_phase(&resumed_at, &passed, &failed);
	for (unsigned g = 0; phase && g < n; g++)
		if (gs[g].run == checks_reboot)
			first = g;
	for (unsigned g = first; g < n; g++) {
		want[g] = gs[g].planned ? gs[g].planned(&suite) : gs[g].checks;
		plan += want[g];
	}
	if (phase)
		ros_log("suite: continues after reboot %u at check %u", phase,
			passed + failed + 1);
	else
		ros_line("1..%u", plan);
	for (unsigned g = first; g < n; g++) {
		unsigned before = phase && g == first ? resumed_at :
							passed + failed;

		gs[g].run(&suite);
		if (passed + failed - before != want[g])
			ros_log("plan: the %s checks reported %u, planned %u",
				gs[g].name, passed + failed - before, want[g]);
	}
	ros_log("suite done: %u passed, %u failed", passed, failed);
}

void ros_suite_run(const struct ros_boot *b, const struct tandem_id *id,
		   bool detected)
{
	if (detected && ros_cmdline_has(b, "hrt_boot_fault"))
		run_groups(boot_fault_groups,
			   sizeof(boot_fault_groups) /
				   sizeof(boot_fault_groups[0]),
			   b, id, detected);
	else
		run_groups(groups, NGROUPS, b, id, detected);
}

void ros_suite_native(void)
{
	ros_log("no hypervisor found (native boot)");
	ros_line("1..1");
	check(true, "native: no hypervisor signature", NULL);
	ros_log("suite done: %u passed, %u failed", passed, failed);
}
