/* GDT synchronisation (Palacios HVM seed, requests 0x51-0x5f): core 0
 * registers a GDT area at boot (0x52); on the upcall 0x51 Tandem has
 * filled it with the ROS's GDT, selectors and an FS base, and the HRT
 * takes that FS base (the thread pointer of the ROS process whose code it
 * runs in a merged address space); 0x53 gives its own back. Either way
 * core 0 answers with 0x5f. The reference HRT does not load the ROS's
 * GDT itself: its IDT gates name its own code selector, which the ROS's
 * table does not have. Function 13 (GDT_INFO) shows the ROS what arrived.
 */
#include "hrt.h"

#define MSR_FS_BASE 0xc0000100

static uint8_t area_buf[sizeof(struct tandem_gdt_area) + 0x10000]
	__attribute__((aligned(16)));
static struct {
	bool synced;
	uint64_t arg2, own_fsbase;
} gs;

void hrt_gdt_register(struct hrt_core *c)
{
	long r = hrt_downcall(c, TANDEM_HVM_GDT_REGISTER, (uint64_t)area_buf, 0);

	if (r != 0)
		hrt_log("core %u: GDT area registration returned %ld", c->index,
			r);
}

void hrt_gdt_upcall(struct hrt_core *c, uint64_t type, uint64_t arg2)
{
	const struct tandem_gdt_area *a = (const void *)area_buf;
	long r;

	if (type == TANDEM_UPCALL_GDT_SYNC &&
	    (uint64_t)((int64_t)(a->fsbase << 16) >> 16) != a->fsbase) {
		hrt_log("core %u: GDT sync with a non-canonical FS base 0x%lx: not taken",
			c->index, a->fsbase);
	} else if (type == TANDEM_UPCALL_GDT_SYNC) {
		if (!gs.synced)
			gs.own_fsbase = rdmsr(MSR_FS_BASE);
		wrmsr(MSR_FS_BASE, a->fsbase);
		gs.synced = true;
		gs.arg2 = arg2;
	} else if (gs.synced) {
		wrmsr(MSR_FS_BASE, gs.own_fsbase);
		gs.synced = false;
	}
	r = hrt_downcall(c, TANDEM_HVM_GDT_DONE, 0, 0);
	if (r != 0)
		hrt_log("core %u: GDT sync done returned %ld", c->index, r);
}

uint64_t hrt_gdt_info(uint64_t what)
{
	const struct tandem_gdt_area *a = (const void *)area_buf;
	uint64_t sum = 0;

	switch (what) {
	case HRT_GDT_SUM:
		for (unsigned i = 0; i <= a->gdtr_limit; i++)
			sum += a->gdt[i];
		return sum;
	case HRT_GDT_LIMIT:
		return a->gdtr_limit;
	case HRT_GDT_BASE_OK:
		return a->gdtr_base == (uint64_t)a->gdt;
	case HRT_GDT_FSBASE:
		return rdmsr(MSR_FS_BASE);
	case HRT_GDT_SYNCED:
		return gs.synced;
	case HRT_GDT_ARG2:
		return gs.arg2;
	case HRT_GDT_CS:
		return a->cs;
	case HRT_GDT_AREA:
		return (uint64_t)area_buf;
	default:
		return HRT_FN_BAD;
	}
}
