/* Checks that Tandem keeps its own memory out of the ROS's reach: the
 * hypercall MSR refuses bad addresses (#GP, nothing written), and reads of
 * Tandem's range give all ones while writes are dropped. */
#include "suite.h"
#include "trap.h"

#define ALL_ONES (~0ul)
#define MARK	 0x5a5a5a5a5a5a5a5aul

static uint8_t probe_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static const char *fault_str(int fault)
{
	return fault ? ros_vector_name((unsigned)fault - 1) : "no fault";
}

static int read_u64(uint64_t addr, uint64_t *v)
{
	int fault = ros_try(ROS_ANY_VECTOR);

	if (fault == 0) {
		*v = *(volatile uint64_t *)addr;
		ros_untry();
	}
	return fault;
}

static int write_u64(uint64_t addr, uint64_t v)
{
	int fault = ros_try(ROS_ANY_VECTOR);

	if (fault == 0) {
		*(volatile uint64_t *)addr = v;
		ros_untry();
	}
	return fault;
}

static bool page_is(const uint8_t *p, uint8_t v)
{
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* One bad MSR write: it must #GP and leave the MSR as it was, and the page
 * @watch (filled with 0xaa; NULL: none) as it was. */
static bool bad_write(const char *name, uint64_t addr, const uint8_t *watch)
{
	uint64_t before = 0, after = 0;
	int rf_before = hcmsr_read(&before);
	int fault = hcmsr_write(addr);
	int rf_after = hcmsr_read(&after);
	bool msr_same = rf_before == rf_after && before == after;
	bool page_untouched = !watch || page_is(watch, 0xaa);

	return check(fault == ROS_VEC_GP + 1 && msr_same && page_untouched, name,
		     "wrmsr 0x%lx: %s (want #GP); msr 0x%lx -> 0x%lx%s; %s",
		     addr, fault_str(fault), before, after,
		     rf_before || rf_after ? " (rdmsr faulted)" : "",
		     page_untouched ? "page untouched" : "page written");
}

void checks_msr(struct suite *s)
{
	uint64_t base, len, addr;

	memset(probe_page, 0xaa, sizeof(probe_page));
	addr = (uint64_t)probe_page + 8;
	bad_write("msr: unaligned gp", addr, probe_page);

	addr = ALIGN_UP(ros_ram_end(s->boot), (uint64_t)PAGE_SIZE);
	bad_write("msr: beyond ram gp", addr, NULL);

	if (!ros_find_tandem_range(s->boot, &base, &len)) {
		check(false, "msr: tandem memory gp",
		      "no reserved range between two available ranges above 1 MiB");
		return;
	}
	addr = ALIGN_UP(base, (uint64_t)PAGE_SIZE);
	bad_write("msr: tandem memory gp", addr, NULL);
}

static void get_info_all(const struct suite *s, struct hc_result r[5])
{
	enum hc_via via = s->info_ok ? VIA_PAGE : s->native_via;

	for (unsigned t = 0; t < 5; t++)
		r[t] = hc_call(s, via, TANDEM_HC_HYPERVISOR_GET_INFO, t);
}

void checks_tandem_mem(struct suite *s)
{
	static const char *const names[] = {
		"tandem memory: read all ones",
		"tandem memory: write dropped",
		"tandem memory: get info same",
		"tandem memory: hypercall works",
	};
	struct hc_result before[5], after[5], r;
	uint64_t base, len, mid, v0 = 0, v1 = 0, v2 = 0;
	int f0, f1, f2 = 0;
	bool same = true;
	char b0[64], b1[64];
	int bad;

	if (!ros_find_tandem_range(s->boot, &base, &len)) {
		for (unsigned i = 0; i < 4; i++)
			check(false, names[i],
			      "no reserved range between two available "
			      "ranges above 1 MiB");
		return;
	}
	ros_log("tandem memory: 0x%lx-0x%lx", base, base + len);
	base = ALIGN_UP(base, 8ull);
	mid = base + ((len / 2) & ~7ull);
	get_info_all(s, before);

	f0 = read_u64(base, &v0);
	f1 = read_u64(mid, &v1);
	check(!f0 && !f1 && v0 == ALL_ONES && v1 == ALL_ONES, names[0],
	      "[0x%lx] = 0x%lx (%s), [0x%lx] = 0x%lx (%s), want all ones", base,
	      v0, fault_str(f0), mid, v1, fault_str(f1));

	/* Write only under Tandem and where the reads gave all ones: natively
	 * the range is firmware's and must not be scribbled on. */
	if (s->detected && !f0 && !f1 && v0 == ALL_ONES && v1 == ALL_ONES) {
		f2 = write_u64(mid, MARK);
		f1 = read_u64(mid, &v2);
		check(!f2 && !f1 && v2 == ALL_ONES, names[1],
		      "wrote 0x%lx to 0x%lx (%s), read back 0x%lx (%s), want all ones",
		      MARK, mid, fault_str(f2), v2, fault_str(f1));
	} else {
		check(false, names[1], "not attempted: %s",
		      s->detected ? "the reads did not give all ones" :
				    "no Tandem");
	}

	get_info_all(s, after);
	for (unsigned t = 0; t < 5; t++)
		if (before[t].fault || before[t].not_called ||
		    !hc_is(after[t], before[t].value)) {
			check(false, names[2], "type %u: before %s, after %s",
			      t, hc_str(before[t], b0, sizeof(b0)),
			      hc_str(after[t], b1, sizeof(b1)));
			same = false;
			break;
		}
	if (same)
		check(true, names[2], NULL);

	bad = hc_first_bad_slot(s);
	r = hc_call(s, VIA_PAGE, TANDEM_HC_HYPERVISOR_GET_INFO,
		    TANDEM_INFO_NUM_CELLS);
	check(bad < 0 && s->info_ok && hc_is(r, s->info[TANDEM_INFO_NUM_CELLS]),
	      names[3], "page slot %d bad; get info cells via page %s, want %ld",
	      bad, hc_str(r, b0, sizeof(b0)), s->info[TANDEM_INFO_NUM_CELLS]);
}
