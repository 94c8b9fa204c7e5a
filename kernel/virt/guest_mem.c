/* Guest memory access for instruction fetch and hypercall arguments. */
#include <tandem/errno.h>
#include "virt/partition.h"
#include "virt/guest_mem.h"
#include "lib/klib.h"
#include "mm/paging.h"

static int read_guest_phys(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
	const struct cell *c = ctx;
	const void *p = cell_gpa_to_hva(c, gpa, size);

	if (!p)
		return -TANDEM_EIO;
	*val = size == 8 ? *(const uint64_t *)p : *(const uint32_t *)p;
	return 0;
}

int guest_linear_to_gpa(struct vcpu *v, uint64_t gva, uint64_t *gpa)
{
	struct pt_guest_regs regs;

	vcpu_ops->get_paging(v, &regs.cr0, &regs.cr3, &regs.cr4, &regs.efer);
	return pt_guest_walk(&regs, gva, read_guest_phys, v->cell, gpa, NULL);
}

int guest_read_linear(struct vcpu *v, uint64_t gva, void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len) {
		size_t chunk = PAGE_SIZE - (gva & (PAGE_SIZE - 1));
		uint64_t gpa;
		const void *src;
		int err;

		if (chunk > len)
			chunk = len;
		err = guest_linear_to_gpa(v, gva, &gpa);
		if (err)
			return err;
		src = cell_gpa_to_hva(v->cell, gpa, chunk);
		if (!src)
			return -TANDEM_EINVAL;
		memcpy(out, src, chunk);
		out += chunk;
		gva += chunk;
		len -= chunk;
	}
	return 0;
}

int guest_fetch_insn(struct vcpu *v, uint8_t *buf, size_t max, size_t *got)
{
	struct vcpu_state st;
	uint64_t linear;
	size_t first;

	vcpu_ops->get_state(v, &st);
	linear = st.rip;
	if (vcpu_ops->get_mode(v) != CPU_MODE_64)
		linear = (uint32_t)(st.cs.base + st.rip);
	/* The instruction may end on the next page, which may be unmapped:
	 * take what the first page has, then try for the rest. */
	first = PAGE_SIZE - (linear & (PAGE_SIZE - 1));
	if (first > max)
		first = max;
	if (guest_read_linear(v, linear, buf, first))
		return -TANDEM_EINVAL;
	*got = first;
	if (first < max &&
	    !guest_read_linear(v, linear + first, buf + first, max - first))
		*got = max;
	return 0;
}
