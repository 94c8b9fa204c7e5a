/* Checks of detection, the hypercall page, Get Info, unknown codes and the
 * CPL 3 rule. Every hypercall names its transfer (page, vmmcall, vmcall). */
#include "cpu.h"
#include "suite.h"
#include "trap.h"

#define SVM_BIT 2 /* CPUID 0x80000001 ECX */
#define VMX_BIT 5 /* CPUID 1 ECX */

static uint8_t hc_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t user_stack[PAGE_SIZE] __attribute__((aligned(16)));

/* What Tandem hides because the MSRs behind it are on no list (ABI.md 1):
 * MONITOR/MWAIT (leaf 1 ECX 3, leaf 5), PDCM (leaf 1 ECX 15),
 * ENERGY_PERF_BIAS (leaf 6 ECX 3), performance monitoring
 * (leaf 0xa), supervisor XSAVE states (leaf 0xd.1 ECX/EDX); and OSXSAVE,
 * which follows this CPU's CR4 rather than Tandem's. */
static void checks_cpuid_policy(void)
{
	uint32_t l1[4], l5[4] = { 0 }, l6[4] = { 0 };
	uint32_t la[4] = { 0 }, ld[4] = { 0 }, max[4], before[4], after[4];
	uint64_t cr4 = read_cr4();
	bool xsave, osxsave_ok = true;

	cpuid(0, 0, max);
	cpuid(1, 0, l1);
	if (max[0] >= 5)
		cpuid(5, 0, l5);
	if (max[0] >= 6)
		cpuid(6, 0, l6);
	if (max[0] >= 0xa)
		cpuid(0xa, 0, la);
	if (max[0] >= 0xd)
		cpuid(0xd, 1, ld);
	check(!(l1[2] & (1u << 3)) && !(l1[2] & (1u << 15)) && !l5[0] &&
		      !l5[1] && !l5[2] && !l5[3] && !(l6[2] & (1u << 3)) &&
		      !la[0] && !la[1] && !la[2] && !la[3] && !ld[2] && !ld[3],
	      "cpuid: features without msrs hidden",
	      "leaf 1 ecx 0x%x, leaf 5 eax 0x%x, leaf 6 ecx 0x%x, "
	      "leaf 0xa eax 0x%x, leaf 0xd.1 ecx 0x%x edx 0x%x",
	      l1[2], l5[0], l6[2], la[0], ld[2], ld[3]);

	/* CR4.OSXSAVE (bit 18) off, then on where XSAVE exists. */
	xsave = l1[2] & (1u << 26);
	write_cr4(cr4 & ~(1ull << 18));
	cpuid(1, 0, before);
	if (xsave) {
		write_cr4(cr4 | (1ull << 18));
		cpuid(1, 0, after);
		osxsave_ok = after[2] & (1u << 27);
	}
	write_cr4(cr4);
	check(!(before[2] & (1u << 27)) && osxsave_ok,
	      "cpuid: osxsave follows cr4",
	      "OSXSAVE %u with CR4.OSXSAVE clear, %u with it set (XSAVE %u)",
	      !!(before[2] & (1u << 27)), osxsave_ok, xsave);
}

void checks_cpuid(struct suite *s)
{
	const struct tandem_id *id = &s->id;
	uint32_t want_version = TANDEM_VERSION_MAJOR << 16 | TANDEM_VERSION_MINOR;
	uint32_t r[4];

	check(id->hv_bit, "cpuid: hypervisor bit", "CPUID 1 ECX bit 31 clear");
	check(s->detected, "cpuid: signature",
	      "leaf 0x40000000 signature '%s', want '%s'", id->signature,
	      TANDEM_SIGNATURE);
	check(id->max_leaf == TANDEM_CPUID_MAX, "cpuid: max leaf",
	      "got 0x%x, want 0x%x", id->max_leaf, TANDEM_CPUID_MAX);
	check(id->version == want_version, "cpuid: version",
	      "got 0x%x, want 0x%x", id->version, want_version);
	cpuid(TANDEM_CPUID_HYPERCALL, 0, r);
	check(s->detected && r[0] == TANDEM_HYPERCALL_PAGES &&
		      r[1] == TANDEM_MSR_HYPERCALL_PAGE && r[2] == 0 && r[3] == 0,
	      "cpuid: hypercall leaf",
	      "got eax %u ebx 0x%x ecx 0x%x edx 0x%x, want %u 0x%x 0 0", r[0],
	      r[1], r[2], r[3], TANDEM_HYPERCALL_PAGES,
	      TANDEM_MSR_HYPERCALL_PAGE);

	cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000001)
		cpuid(0x80000001, 0, r);
	else
		r[2] = 0;
	check(!(r[2] & (1u << SVM_BIT)), "cpuid: svm hidden",
	      "CPUID 0x80000001 ECX 0x%x has SVM (bit 2) set", r[2]);
	cpuid(1, 0, r);
	check(!(r[2] & (1u << VMX_BIT)), "cpuid: vmx hidden",
	      "CPUID 1 ECX 0x%x has VMX (bit 5) set", r[2]);
	checks_cpuid_policy();
}

int hc_first_bad_slot(const struct suite *s)
{
	for (unsigned n = 0; n < TANDEM_HC_SLOT_HVM; n++)
		if (!hc_slot_ok(s, n, n))
			return (int)n;
	return -1;
}

static void dump_slot(const struct suite *s, unsigned slot)
{
	const uint8_t *p = s->page + slot * TANDEM_HC_STUB_SIZE;

	ros_log("slot %u: %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x"
		" (want b8 <%u le32> %02x %02x %02x c3 cc)",
		slot, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8],
		p[9], p[10], slot == TANDEM_HC_SLOT_HVM ? TANDEM_HC_HVM : slot,
		hc_insn_bytes(s)[0], hc_insn_bytes(s)[1], hc_insn_bytes(s)[2]);
}

void checks_hcpage(struct suite *s)
{
	uint64_t gpa = (uint64_t)hc_page, got = 0;
	int fault, bad;

	s->page = hc_page;
	memset(hc_page, 0xaa, sizeof(hc_page));
	ros_log("hcpage: installing at 0x%lx, stubs use %s", gpa,
		s->id.amd ? "vmmcall (AuthenticAMD)" :
			    "vmcall (not AuthenticAMD)");
	fault = hcmsr_write(gpa);
	check(!fault, "hcpage: install", "wrmsr 0x%x <- 0x%lx: fault %s",
	      TANDEM_MSR_HYPERCALL_PAGE, gpa,
	      ros_vector_name((unsigned)fault - 1));

	bad = hc_first_bad_slot(s);
	if (bad >= 0)
		dump_slot(s, (unsigned)bad);
	check(bad < 0, "hcpage: slots 0-126",
	      "slot %d is not the expected stub", bad);
	if (!hc_slot_ok(s, TANDEM_HC_SLOT_HVM, TANDEM_HC_HVM))
		dump_slot(s, TANDEM_HC_SLOT_HVM);
	check(hc_slot_ok(s, TANDEM_HC_SLOT_HVM, TANDEM_HC_HVM),
	      "hcpage: slot 127 hvm", "slot 127 is not mov eax, 0xf00d; %s; ret",
	      s->id.amd ? "vmmcall" : "vmcall");

	fault = hcmsr_read(&got);
	check(!fault && got == gpa, "hcpage: msr reads back",
	      "rdmsr 0x%x: %s 0x%lx, want 0x%lx", TANDEM_MSR_HYPERCALL_PAGE,
	      fault ? "fault, got" : "got", got, gpa);
}

bool info_fixed(unsigned type)
{
	return type != TANDEM_INFO_MEM_POOL_USED &&
	       type != TANDEM_INFO_REMAP_POOL_USED &&
	       type != TANDEM_INFO_NUM_CELLS;
}

/*
 * Get Info of every type issued with @via: a fixed value must be what the
 * page gave, a changing one (pool use, cells: other CPUs, an HRT booting
 * among them, may change it in between) only a count, and the first type
 * past the last -EINVAL.
 */
static void same_via(const struct suite *s, enum hc_via via, const char *name)
{
	char buf[64];

	if (!s->info_ok) {
		check(false, name, "no values through the page to compare with");
		return;
	}
	for (unsigned t = 0; t <= TANDEM_INFO_LAST + 1; t++) {
		struct hc_result r = hc_call(s, via,
					     TANDEM_HC_HYPERVISOR_GET_INFO, t);
		bool ok;

		if (t > TANDEM_INFO_LAST)
			ok = hc_is(r, -TANDEM_EINVAL);
		else if (info_fixed(t))
			ok = hc_is(r, s->info[t]);
		else
			ok = !r.not_called && !r.fault && r.value >= 0;
		if (ok)
			continue;
		hc_str(r, buf, sizeof(buf));
		if (t > TANDEM_INFO_LAST)
			check(false, name, "type %u: %s, want %d", t, buf,
			      -TANDEM_EINVAL);
		else if (info_fixed(t))
			check(false, name, "type %u: %s, through the page %ld",
			      t, buf, s->info[t]);
		else
			check(false, name,
			      "type %u: %s, want a count (through the page %ld)",
			      t, buf, s->info[t]);
		return;
	}
	check(true, name, NULL);
}

static bool aligned(const struct ros_range *r)
{
	return !(r->base % PAGE_SIZE) && !(r->size % PAGE_SIZE);
}

static bool overlap(const struct ros_range *a, const struct ros_range *b)
{
	return a->size && b->size && a->base < b->base + b->size &&
	       b->base < a->base + a->size;
}

/* Tandem's two ranges and the HRT's from Get Info, checked against the
 * memory map: the checks of Tandem's memory (ros/checks_mem.c, cells) use
 * them, or fail saying why they cannot. */
static void take_ranges(struct suite *s)
{
	static const char *const what[2] = { "image", "hypervisor memory" };
	const long *v = s->info;

	s->tandem_mem[0] = (struct ros_range){
		(uint64_t)v[TANDEM_INFO_IMAGE_BASE],
		(uint64_t)v[TANDEM_INFO_IMAGE_SIZE]
	};
	s->tandem_mem[1] = (struct ros_range){
		(uint64_t)v[TANDEM_INFO_HV_MEM_BASE],
		(uint64_t)v[TANDEM_INFO_HV_MEM_SIZE]
	};
	s->hrt_mem = (struct ros_range){ (uint64_t)v[TANDEM_INFO_HRT_MEM_BASE],
					 (uint64_t)v[TANDEM_INFO_HRT_MEM_SIZE] };
	s->mem_ok = false;
	if (!s->info_ok) {
		ksnprintf(s->mem_why, sizeof(s->mem_why),
			  "Get Info through the page failed");
		return;
	}
	ros_log("getinfo: tandem image 0x%lx-0x%lx, hypervisor memory 0x%lx-0x%lx",
		s->tandem_mem[0].base,
		s->tandem_mem[0].base + s->tandem_mem[0].size,
		s->tandem_mem[1].base,
		s->tandem_mem[1].base + s->tandem_mem[1].size);
	if (s->hrt_mem.size)
		ros_log("getinfo: hrt memory 0x%lx-0x%lx", s->hrt_mem.base,
			s->hrt_mem.base + s->hrt_mem.size);
	else
		ros_log("getinfo: no hrt memory");
	for (unsigned k = 0; k < 2; k++) {
		const struct ros_range *r = &s->tandem_mem[k];

		if (!r->size || !aligned(r) ||
		    !ros_range_reserved(s->boot, r->base, r->size)) {
			ksnprintf(s->mem_why, sizeof(s->mem_why),
				  "Tandem's %s 0x%lx+0x%lx is %s", what[k],
				  r->base, r->size,
				  !r->size    ? "empty" :
				  !aligned(r) ? "not page aligned" :
						"not reserved in the memory map");
			return;
		}
		if (overlap(r, &s->hrt_mem)) {
			ksnprintf(s->mem_why, sizeof(s->mem_why),
				  "Tandem's %s overlaps the HRT's memory",
				  what[k]);
			return;
		}
	}
	if (overlap(&s->tandem_mem[0], &s->tandem_mem[1])) {
		ksnprintf(s->mem_why, sizeof(s->mem_why),
			  "Tandem's image and hypervisor memory overlap");
		return;
	}
	if (s->hrt_mem.size ?
		    !aligned(&s->hrt_mem) ||
			    !ros_range_reserved(s->boot, s->hrt_mem.base,
						s->hrt_mem.size) :
		    s->hrt_mem.base != 0) {
		ksnprintf(s->mem_why, sizeof(s->mem_why),
			  "the HRT's memory 0x%lx+0x%lx is %s", s->hrt_mem.base,
			  s->hrt_mem.size,
			  !s->hrt_mem.size ? "empty with a base" :
			  !aligned(&s->hrt_mem) ?
					     "not page aligned" :
					     "not reserved in the memory map");
		return;
	}
	s->mem_ok = true;
}

void checks_getinfo(struct suite *s)
{
	/* Past the last type, and a valid type with bit 32 set: a 64-bit
	 * caller's type is not cut to 32 bits. */
	static const uint64_t bad_types[] = {
		TANDEM_INFO_LAST + 1,
		1ull << 32 | TANDEM_INFO_MEM_POOL_PAGES,
	};
	struct hc_result r[TANDEM_INFO_LAST + 1];
	uint64_t bad_type = 0;
	char b0[64], b1[64];
	bool all_called = true;

	for (unsigned t = 0; t <= TANDEM_INFO_LAST; t++) {
		r[t] = hc_call(s, VIA_PAGE, TANDEM_HC_HYPERVISOR_GET_INFO, t);
		s->info[t] = r[t].value;
		all_called &= !r[t].not_called && !r[t].fault;
	}
	s->info_ok = all_called;
	if (all_called)
		ros_log("getinfo: mem pool %ld pages (%ld used), remap pool %ld pages "
			"(%ld used), %ld cells",
			s->info[0], s->info[1], s->info[2], s->info[3],
			s->info[4]);
	take_ranges(s);
	check(all_called && r[0].value > 0 && r[1].value > 0 &&
		      r[1].value <= r[0].value,
	      "getinfo: mem pool",
	      "via page: pages %s, used %s (want pages > 0, 0 < used <= pages)",
	      hc_str(r[0], b0, sizeof(b0)), hc_str(r[1], b1, sizeof(b1)));
	check(all_called && r[2].value > 0 && r[3].value >= 0 &&
		      r[3].value <= r[2].value,
	      "getinfo: remap pool",
	      "via page: pages %s, used %s (want pages > 0, used <= pages)",
	      hc_str(r[2], b0, sizeof(b0)), hc_str(r[3], b1, sizeof(b1)));
	check(all_called && r[4].value >= 1, "getinfo: cells",
	      "via page: %s (want >= 1)", hc_str(r[4], b0, sizeof(b0)));
	for (unsigned i = 0; i < 2; i++) {
		bad_type = bad_types[i];
		r[0] = hc_call(s, VIA_PAGE, TANDEM_HC_HYPERVISOR_GET_INFO,
			       bad_type);
		if (!hc_is(r[0], -TANDEM_EINVAL))
			break;
	}
	check(hc_is(r[0], -TANDEM_EINVAL), "getinfo: bad type einval",
	      "type 0x%lx via page: %s, want %d", bad_type,
	      hc_str(r[0], b0, sizeof(b0)), -TANDEM_EINVAL);

	same_via(s, VIA_VMMCALL, "getinfo: vmmcall same");
	same_via(s, VIA_VMCALL, "getinfo: vmcall same");
}

void checks_unknown(struct suite *s)
{
	static const unsigned codes[] = { 0x1234, 9999 };
	static const char *const names[] = {
		"hypercall: code 0x1234 enosys",
		"hypercall: code 9999 enosys",
	};

	for (unsigned i = 0; i < 2; i++) {
		struct hc_result a = hc_call(s, VIA_VMMCALL, codes[i], 0);
		struct hc_result b = hc_call(s, VIA_VMCALL, codes[i], 0);
		char b0[64], b1[64];

		check(hc_is(a, -TANDEM_ENOSYS) && hc_is(b, -TANDEM_ENOSYS),
		      names[i], "vmmcall %s, vmcall %s, want %d",
		      hc_str(a, b0, sizeof(b0)), hc_str(b, b1, sizeof(b1)),
		      -TANDEM_ENOSYS);
	}
}

#define PING 0x0123456789abcdefull

/* Run @fn at CPL 3; faults there are caught and resume here. */
static struct hc_result run_user(void (*fn)(void), uint64_t *cs)
{
	struct hc_result r = { 0 };
	int fault = ros_try(ROS_ANY_VECTOR);

	if (fault == 0) {
		r.value = (long)ros_run_user(fn, user_stack + sizeof(user_stack),
					     PING, cs);
		ros_untry();
	} else {
		r.fault = fault;
		r.fault_rip = ros_last_fault()->rip;
	}
	return r;
}

void checks_user(struct suite *s)
{
	struct hc_result r;
	uint64_t cs = 0;
	char b0[64];

	(void)s;
	r = run_user(ros_user_ping, &cs);
	check(hc_is(r, (long)~PING) && (cs & 3) == 3, "user: round trip",
	      "rax %s (want %ld), cs 0x%lx (want RPL 3)",
	      hc_str(r, b0, sizeof(b0)), (long)~PING, cs);
	r = run_user(ros_user_vmmcall, &cs);
	check(hc_is(r, -TANDEM_EPERM), "user: vmmcall eperm",
	      "get info from CPL 3 via vmmcall: %s, want %d",
	      hc_str(r, b0, sizeof(b0)), -TANDEM_EPERM);
	r = run_user(ros_user_vmcall, &cs);
	check(hc_is(r, -TANDEM_EPERM), "user: vmcall eperm",
	      "get info from CPL 3 via vmcall: %s, want %d",
	      hc_str(r, b0, sizeof(b0)), -TANDEM_EPERM);
}
