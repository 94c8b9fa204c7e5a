/* Guest pointers: rights checks and page-by-page ranges (mm/gva.h). */
#include <tandem/errno.h>
#include <stdbool.h>
#include "mm/gva.h"

#define GVA_PAGE     0x1000ull
#define GVA_CR0_PG   (1ull << 31)
#define GVA_CR0_WP   (1ull << 16)
#define GVA_EFER_LMA (1ull << 10)

int gva_translate(const struct pt_guest_regs *regs, uint64_t va, unsigned access,
		  pt_read_guest_fn read, void *ctx, uint64_t *gpa)
{
	unsigned rights;
	uint64_t pa;
	int ret = pt_guest_walk(regs, va, read, ctx, &pa, &rights);

	if (ret)
		return ret;
	/* Paging off: every access is allowed (the walk grants all). */
	if ((access & GVA_USER) && !(rights & PT_USER))
		return -TANDEM_EPERM;
	if ((access & GVA_WRITE) && !(rights & PT_WRITE) &&
	    ((access & GVA_USER) || (regs->cr0 & GVA_CR0_WP)))
		return -TANDEM_EPERM;
	*gpa = pa;
	return 0;
}

int gva_for_each(const struct pt_guest_regs *regs, uint64_t va, size_t len,
		 unsigned access, pt_read_guest_fn read, void *rctx,
		 gva_piece_fn fn, void *fctx)
{
	/* Outside long mode linear addresses are 32 bits (paging off
	 * included: the walk truncates them). */
	bool wide = (regs->cr0 & GVA_CR0_PG) && (regs->efer & GVA_EFER_LMA);
	uint64_t top = wide ? UINT64_MAX : UINT32_MAX;
	size_t done = 0;

	if (!len)
		return 0;
	if (!wide && va > UINT32_MAX)
		va = (uint32_t)va;
	if (len - 1 > top - va)
		return -TANDEM_EINVAL;
	while (done < len) {
		uint64_t at = va + done, gpa;
		size_t piece = GVA_PAGE - (at & (GVA_PAGE - 1));
		int ret;

		if (piece > len - done)
			piece = len - done;
		ret = gva_translate(regs, at, access, read, rctx, &gpa);
		if (!ret)
			ret = fn(fctx, gpa, done, piece);
		if (ret)
			return ret;
		done += piece;
	}
	return 0;
}
