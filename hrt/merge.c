/* Merge and unmerge (upcalls 0x30 and 0x31 on core 0, Palacios HVM seed):
 * the lower half of the HRT's address space (PML4 entries 0-255) becomes
 * that of the ROS process whose CR3 the upcall carries, or the HRT's own
 * identity map again; core 0 then issues merge done (0x3f). The ROS's
 * page tables are read where they are, in the ROS's memory, which the HRT
 * sees at the same physical addresses (through the offset mapping here).
 *
 * Every core runs on one PML4 (hrt/selftest.c's, or Tandem's when those
 * could not be used), so a merge is seen by all of them; each core reloads
 * CR3 before its next call when the merge generation moved, so that none
 * keeps a translation of the other lower half. */
#include "hrt.h"

#define PML4_LOWER    256
#define CR3_ADDR_MASK 0x000ffffffffff000ull

static uint64_t own_lower[PML4_LOWER];
static bool own_saved;
static volatile bool merged;
volatile uint64_t hrt_merge_gen;

static uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

void hrt_flush_tlb(void)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(read_cr3()) : "memory");
}

bool hrt_merged(void)
{
	return merged;
}

static uint64_t *pml4_of(const struct hrt_setup *s, uint64_t cr3)
{
	uint64_t pa = cr3 & CR3_ADDR_MASK;

	return hrt_phys_ok(s, pa, 4096) ? hrt_phys(s, pa) : NULL;
}

void hrt_merge(struct hrt_core *c, uint64_t ros_cr3, bool on)
{
	const struct hrt_setup *s = &c->setup;
	uint64_t *mine = pml4_of(s, read_cr3());
	const uint64_t *ros = on ? pml4_of(s, ros_cr3) : NULL;
	long r;

	if (!mine || (on && !ros)) {
		hrt_log("core %u: %s with CR3 0x%lx: page tables outside the mapped memory",
			c->index, on ? "merge" : "unmerge",
			on ? ros_cr3 : read_cr3());
	} else {
		if (!own_saved) {
			memcpy(own_lower, mine, sizeof(own_lower));
			own_saved = true;
		}
		memcpy(mine, on ? ros : own_lower, sizeof(own_lower));
		merged = on;
		__atomic_add_fetch(&hrt_merge_gen, 1, __ATOMIC_RELEASE);
		hrt_flush_tlb();
		c->merge_gen = hrt_merge_gen;
	}
	r = hrt_downcall(c, TANDEM_HVM_MERGE_DONE, 0, 0);
	if (r != 0)
		hrt_log("core %u: merge done returned %ld", c->index, r);
}

uint64_t hrt_sum_virtual(uint64_t va, uint64_t n)
{
	uint64_t total = 0, v;

	if (!merged || n > HRT_SUM_MAX || va >= 1ull << 47 ||
	    n * 8 > (1ull << 47) - va)
		return HRT_FN_BAD;
	for (uint64_t i = 0; i < n; i++) {
		if (hrt_safe_load(va + 8 * i, &v))
			return HRT_FN_BAD;
		total += v;
	}
	return total;
}
