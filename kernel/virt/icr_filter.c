/* The IPI filter's decision (see icr_filter.h); pure logic. */
#include "virt/icr_filter.h"

uint32_t icr_x2apic_ldr(uint32_t id)
{
	return (id >> 4) << 16 | 1u << (id & 0xf);
}

/* xAPIC logical destinations (SDM Vol. 3A 11.6.2.2): flat model, a match
 * when the 8-bit MDA and the LDR's bits 31:24 share a bit; cluster model,
 * the high nibbles equal and the low ones share a bit. 0xff is every CPU. */
static bool xapic_logical(uint32_t mda, const struct icr_cpu *c)
{
	uint32_t lid = c->ldr >> 24;

	if (mda == 0xff)
		return true;
	if (!c->cluster)
		return (lid & mda) != 0;
	return (lid >> 4) == (mda >> 4) && (lid & mda & 0xf) != 0;
}

/* x2APIC logical destinations (11.12.10.2): cluster in bits 31:16, a
 * bit per CPU of the cluster in 15:0; 0xffffffff is every CPU. */
static bool x2apic_logical(uint32_t dest, const struct icr_cpu *c)
{
	uint32_t lid = icr_x2apic_ldr(c->apic_id);

	if (dest == 0xffffffffu)
		return true;
	return (dest >> 16) == (lid >> 16) && (dest & lid & 0xffff) != 0;
}

bool icr_dest_matches(const struct icr_request *r, const struct icr_cpu *c)
{
	if (r->x2apic) {
		if (r->low & ICR_LOGICAL)
			return x2apic_logical(r->dest, c);
		return r->dest == 0xffffffffu || r->dest == c->apic_id;
	}
	if (r->low & ICR_LOGICAL)
		return xapic_logical(r->dest & 0xff, c);
	return (r->dest & 0xff) == 0xff || (r->dest & 0xff) == c->apic_id;
}

static uint64_t reached(const struct icr_cpu *cpus, unsigned n,
			const struct icr_request *r)
{
	uint64_t all = n >= 64 ? ~0ull : (1ull << n) - 1;
	uint64_t self = r->self < n ? 1ull << r->self : 0;
	uint64_t set = 0;

	switch (ICR_SHORTHAND(r->low)) {
	case 1:
		return self;
	case 2:
		return all;
	case 3:
		return all & ~self;
	}
	for (unsigned i = 0; i < n; i++)
		if (icr_dest_matches(r, &cpus[i]))
			set |= 1ull << i;
	return set;
}

void icr_decide(const struct icr_cpu *cpus, unsigned n,
		const struct icr_request *r, struct icr_decision *d)
{
	uint64_t set, own = 0;

	if (n > ICR_MAX_CPUS)
		n = ICR_MAX_CPUS;
	set = reached(cpus, n, r);
	for (unsigned i = 0; i < n; i++)
		if (cpus[i].own)
			own |= 1ull << i;
	d->own = set & own;
	d->foreign = set & ~own;
	switch (ICR_MODE(r->low)) {
	case ICR_MODE_FIXED:
		d->action = ICR_SEND_FIXED;
		break;
	case ICR_MODE_LOWEST:
		/* One of the targets takes it (11.6.2.4): the first own one. */
		d->action = ICR_SEND_FIXED;
		d->own &= -d->own;
		break;
	case ICR_MODE_NMI:
		d->action = ICR_ABSORB;
		break;
	case ICR_MODE_INIT:
		if (!(r->low & ICR_LEVEL_ASSERT)) {
			/* De-assert: no effect on any CPU, nothing to drop. */
			d->action = ICR_IGNORE;
			d->own = d->foreign = 0;
			return;
		}
		d->action = ICR_INIT;
		break;
	case ICR_MODE_STARTUP:
		d->action = ICR_STARTUP;
		break;
	default: /* SMI, reserved 3 and 7 */
		d->action = ICR_REFUSE;
		d->own = 0;
		break;
	}
}
