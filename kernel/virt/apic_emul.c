/* xAPIC page emulation (SDM Vol. 3A 11.6.1 ICR). Registers are 32 bits at
 * 16-byte aligned offsets; other accesses read 0 and are dropped. */
#include "hw/apic.h"
#include "virt/apic_emul.h"
#include "virt/partition.h"
#include "hw/console.h"
#include "virt/exits.h"

#define APIC_ICR_LO	 0x300
#define APIC_ICR_HI	 0x310
#define ICR_MODE(v)	 (((v) >> 8) & 7)
#define ICR_MODE_INIT	 5
#define ICR_MODE_STARTUP 6
#define ICR_LOGICAL	 (1u << 11)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_SHORTHAND(v) (((v) >> 18) & 3)

uint64_t apic_emul_read(struct vcpu *v, uint64_t gpa, unsigned size)
{
	uint32_t off = gpa & 0xfff;

	(void)v;
	if (size != 4 || (off & 0xf))
		return 0;
	return apic_mmio_read(off);
}

static bool targets(const struct vcpu *src, const struct vcpu *dst, uint32_t lo,
		    uint32_t dest)
{
	switch (ICR_SHORTHAND(lo)) {
	case 1:
		return src == dst;
	case 2:
		return true;
	case 3:
		return src != dst;
	}
	if (lo & ICR_LOGICAL)
		return false; /* logical destinations: not for INIT/SIPI */
	return dest == 0xff || dest == dst->apic_id;
}

static void init_sipi(struct vcpu *v, uint32_t lo)
{
	struct cell *c = v->cell;
	uint32_t dest = v->lapic_icr_high >> 24;

	for (unsigned int i = 0; i < c->nvcpus; i++) {
		struct vcpu *t = c->vcpus[i];

		if (!targets(v, t, lo, dest))
			continue;
		if (ICR_MODE(lo) == ICR_MODE_INIT) {
			if (!(lo & ICR_LEVEL_ASSERT))
				continue; /* INIT level de-assert: no effect */
			if (t == v) {
				v->sipi_vector = -1;
				v->state = VCPU_WAIT_SIPI;
			} else {
				vcpu_request(t, VCPU_REQ_INIT);
			}
		} else if (t->state == VCPU_WAIT_SIPI) {
			__atomic_store_n(&t->sipi_vector, (int)(lo & 0xff),
					 __ATOMIC_RELEASE);
		}
	}
}

void apic_emul_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t value)
{
	uint32_t off = gpa & 0xfff, val = (uint32_t)value;

	if (size != 4 || (off & 0xf))
		return;
	if (off == APIC_ICR_HI)
		v->lapic_icr_high = val;
	if (off == APIC_ICR_LO && (ICR_MODE(val) == ICR_MODE_INIT ||
				   ICR_MODE(val) == ICR_MODE_STARTUP)) {
		init_sipi(v, val);
		return;
	}
	apic_mmio_write(off, val);
}
