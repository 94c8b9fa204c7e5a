/* Checks that Tandem keeps its own memory out of the ROS's reach: the
 * hypercall MSR refuses bad addresses (#GP, nothing written), and reads of
 * Tandem's two ranges (image, hypervisor memory: Get Info types 5-8, taken
 * by checks_getinfo) give all ones while writes are dropped. */
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
 * @watch (filled with 0xaa; NULL: none) as it was. False with what went
 * wrong in @why. */
static bool bad_write(uint64_t addr, const uint8_t *watch, char *why, size_t size)
{
	uint64_t before = 0, after = 0;
	int rf_before = hcmsr_read(&before);
	int fault = hcmsr_write(addr);
	int rf_after = hcmsr_read(&after);
	bool msr_same = rf_before == rf_after && before == after;
	bool page_untouched = !watch || page_is(watch, 0xaa);

	ksnprintf(why, size,
		  "wrmsr 0x%lx: %s (want #GP); msr 0x%lx -> 0x%lx%s; %s", addr,
		  fault_str(fault), before, after,
		  rf_before || rf_after ? " (rdmsr faulted)" : "",
		  page_untouched ? "page untouched" : "page written");
	return fault == ROS_VEC_GP + 1 && msr_same && page_untouched;
}

void checks_msr(struct suite *s)
{
	char why[160];
	uint64_t addr;
	bool ok;

	memset(probe_page, 0xaa, sizeof(probe_page));
	addr = (uint64_t)probe_page + 8;
	check(bad_write(addr, probe_page, why, sizeof(why)),
	      "msr: unaligned gp", "%s", why);

	addr = ALIGN_UP(ros_ram_end(s->boot), (uint64_t)PAGE_SIZE);
	check(bad_write(addr, NULL, why, sizeof(why)), "msr: beyond ram gp",
	      "%s", why);

	/* The first page of each of Tandem's ranges. */
	if (!s->mem_ok) {
		check(false, "msr: tandem memory gp", "%s", s->mem_why);
		return;
	}
	ok = true;
	for (unsigned k = 0; k < 2 && ok; k++)
		ok = bad_write(s->tandem_mem[k].base, NULL, why, sizeof(why));
	check(ok, "msr: tandem memory gp", "%s", why);
}

static void get_info_all(const struct suite *s,
			 struct hc_result r[TANDEM_INFO_LAST + 1])
{
	enum hc_via via = s->info_ok ? VIA_PAGE : s->native_via;

	for (unsigned t = 0; t <= TANDEM_INFO_LAST; t++)
		r[t] = hc_call(s, via, TANDEM_HC_HYPERVISOR_GET_INFO, t);
}

/*
 * Reads of the first and the middle word of each of Tandem's two ranges
 * give all ones; a write to each middle word is dropped; Tandem's state is
 * intact afterwards (Get Info gives the same fixed values, and counts for
 * the changing ones) and a hypercall through the page still works.
 */
void checks_tandem_mem(struct suite *s)
{
	static const char *const names[] = {
		"tandem memory: read all ones",
		"tandem memory: write dropped",
		"tandem memory: get info same",
		"tandem memory: hypercall works",
	};
	struct hc_result before[TANDEM_INFO_LAST + 1],
		after[TANDEM_INFO_LAST + 1], r;
	uint64_t addr[4], v[4] = { 0 };
	int f[4] = { 0 };
	bool ok;
	char b0[64], b1[64];
	int bad;
	unsigned i;

	if (!s->mem_ok) {
		for (i = 0; i < 4; i++)
			check(false, names[i], "%s", s->mem_why);
		return;
	}
	for (unsigned k = 0; k < 2; k++) {
		const struct ros_range *m = &s->tandem_mem[k];

		ros_log("tandem memory: 0x%lx-0x%lx", m->base, m->base + m->size);
		addr[2 * k] = m->base;
		addr[2 * k + 1] = m->base + ((m->size / 2) & ~7ull);
	}
	get_info_all(s, before);

	for (i = 0; i < 4; i++) {
		f[i] = read_u64(addr[i], &v[i]);
		if (f[i] || v[i] != ALL_ONES)
			break;
	}
	ok = i == 4;
	check(ok, names[0], "[0x%lx] = 0x%lx (%s), want all ones", addr[i % 4],
	      v[i % 4], fault_str(f[i % 4]));

	/* Write only under Tandem and where the reads gave all ones: natively
	 * the range is firmware's and must not be scribbled on. */
	if (s->detected && ok) {
		for (i = 1; i < 4; i += 2) {
			int fw = write_u64(addr[i], MARK);

			f[i] = read_u64(addr[i], &v[i]);
			if (fw || f[i] || v[i] != ALL_ONES) {
				check(false, names[1],
				      "wrote 0x%lx to 0x%lx (%s), read back 0x%lx "
				      "(%s), want all ones",
				      MARK, addr[i], fault_str(fw), v[i],
				      fault_str(f[i]));
				break;
			}
		}
		if (i >= 4)
			check(true, names[1], NULL);
	} else {
		check(false, names[1], "not attempted: %s",
		      s->detected ? "the reads did not give all ones" :
				    "no Tandem");
	}

	get_info_all(s, after);
	for (i = 0; i <= TANDEM_INFO_LAST; i++) {
		if (before[i].fault || before[i].not_called ||
		    (info_fixed(i) ? !hc_is(after[i], before[i].value) :
				     after[i].fault || after[i].not_called ||
					     after[i].value < 0)) {
			check(false, names[2], "type %u: before %s, after %s%s",
			      i, hc_str(before[i], b0, sizeof(b0)),
			      hc_str(after[i], b1, sizeof(b1)),
			      info_fixed(i) ? "" : " (want a count)");
			break;
		}
	}
	if (i > TANDEM_INFO_LAST)
		check(true, names[2], NULL);

	bad = hc_first_bad_slot(s);
	r = hc_call(s, VIA_PAGE, TANDEM_HC_HYPERVISOR_GET_INFO,
		    TANDEM_INFO_MEM_POOL_PAGES);
	check(bad < 0 && s->info_ok &&
		      hc_is(r, s->info[TANDEM_INFO_MEM_POOL_PAGES]),
	      names[3],
	      "page slot %d bad; get info pool pages via page %s, want %ld", bad,
	      hc_str(r, b0, sizeof(b0)), s->info[TANDEM_INFO_MEM_POOL_PAGES]);
}
