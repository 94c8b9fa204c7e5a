/* Guest memory access for instruction fetch and hypercall arguments. */
#include <tandem/errno.h>
#include "virt/partition.h"
#include "virt/guest_mem.h"
#include "lib/klib.h"
#include "mm/gva.h"
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

void guest_paging_regs(struct vcpu *v, struct pt_guest_regs *regs)
{
	vcpu_ops->get_paging(v, &regs->cr0, &regs->cr3, &regs->cr4, &regs->efer);
}

enum insn_mode guest_insn_mode(struct vcpu *v)
{
	switch (vcpu_ops->get_mode(v)) {
	case CPU_MODE_64:
		return INSN_MODE_64;
	case CPU_MODE_32:
		return INSN_MODE_32;
	default:
		return INSN_MODE_16;
	}
}

/* ---- pointer arguments of the caller (0xf00d requests) ---- */

static void caller_regs(struct vcpu *v, struct pt_guest_regs *regs,
			unsigned *access)
{
	guest_paging_regs(v, regs);
	if (vcpu_ops->get_cpl(v) == 3)
		*access |= GVA_USER;
}

struct copy_in {
	const struct cell *cell;
	uint8_t *dst;
};

static int copy_piece(void *ctx, uint64_t gpa, size_t offset, size_t len)
{
	struct copy_in *c = ctx;
	const void *src = cell_gpa_to_hva(c->cell, gpa, len);

	if (!src)
		return -TANDEM_EINVAL;
	memcpy(c->dst + offset, src, len);
	return 0;
}

int guest_caller_read(struct vcpu *v, uint64_t gva, void *dst, size_t len)
{
	struct pt_guest_regs regs;
	unsigned access = 0;
	struct copy_in c = { v->cell, dst };

	caller_regs(v, &regs, &access);
	return gva_for_each(&regs, gva, len, access, read_guest_phys, v->cell,
			    copy_piece, &c);
}

/* Where each page of a range lies in Tandem's view, all found (and
 * checked against the cell's RAM) before anything is written: a caller's
 * small object (GUEST_CALLER_MAX_PIECES) or a write into another vCPU's
 * address space (GUEST_WRITE_MAX_PAGES). */
struct pieces {
	const struct cell *cell;
	unsigned max, n;
	void *hva[GUEST_WRITE_MAX_PAGES];
	size_t len[GUEST_WRITE_MAX_PAGES];
	uint64_t gpa[GUEST_WRITE_MAX_PAGES];
};

_Static_assert(GUEST_CALLER_MAX_PIECES <= GUEST_WRITE_MAX_PAGES,
	       "struct pieces holds both kinds of range");

static int note_piece(void *ctx, uint64_t gpa, size_t offset, size_t len)
{
	struct pieces *p = ctx;

	(void)offset;
	if (p->n == p->max)
		return -TANDEM_E2BIG;
	p->hva[p->n] = cell_gpa_to_hva(p->cell, gpa, len);
	if (!p->hva[p->n])
		return -TANDEM_EINVAL;
	p->gpa[p->n] = gpa;
	p->len[p->n++] = len;
	return 0;
}

static int find_pieces(const struct cell *c, const struct pt_guest_regs *regs,
		       uint64_t gva, size_t len, unsigned access, unsigned max,
		       struct pieces *p)
{
	p->cell = c;
	p->max = max;
	p->n = 0;
	return gva_for_each(regs, gva, len, access, read_guest_phys, (void *)c,
			    note_piece, p);
}

static void write_pieces(const struct pieces *p, const void *src)
{
	const uint8_t *from = src;

	for (unsigned i = 0; i < p->n; i++) {
		memcpy(p->hva[i], from, p->len[i]);
		from += p->len[i];
	}
}

static int caller_pieces(struct vcpu *v, uint64_t gva, size_t len,
			 unsigned access, struct pieces *p)
{
	struct pt_guest_regs regs;

	caller_regs(v, &regs, &access);
	return find_pieces(v->cell, &regs, gva, len, access,
			   GUEST_CALLER_MAX_PIECES, p);
}

int guest_caller_write(struct vcpu *v, uint64_t gva, const void *src, size_t len)
{
	struct pieces p;
	int err = caller_pieces(v, gva, len, GVA_WRITE, &p);

	/* Every page is checked before the first byte is written. */
	if (err)
		return err;
	write_pieces(&p, src);
	return 0;
}

int guest_write_through(const struct cell *c, const struct pt_guest_regs *regs,
			uint64_t gva, const void *src, size_t len)
{
	struct pieces p;
	int err = find_pieces(c, regs, gva, len, GVA_WRITE,
			      GUEST_WRITE_MAX_PAGES, &p);

	if (err)
		return err;
	write_pieces(&p, src);
	return 0;
}

int guest_caller_gpa(struct vcpu *v, uint64_t gva, size_t len, bool write,
		     uint64_t *gpa)
{
	struct pieces p;
	int err = caller_pieces(v, gva, len, write ? GVA_WRITE : 0, &p);

	if (err)
		return err;
	if (!p.n)
		return -TANDEM_EINVAL;
	for (unsigned i = 1; i < p.n; i++)
		if (p.gpa[i] != p.gpa[i - 1] + p.len[i - 1])
			return -TANDEM_EINVAL;
	*gpa = p.gpa[0];
	return 0;
}
