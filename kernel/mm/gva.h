/*
 * A guest's own pointers: the rights a guest access needs (SDM Vol. 3A
 * 4.6) checked on top of pt_guest_walk(), and ranges of guest linear
 * addresses cut into pieces that each lie in one 4 KiB page, each page
 * translated on its own (a buffer may cross pages that are not physically
 * contiguous). Pure logic over a read callback: no hardware, no guest
 * memory touched here. Used for the pointer arguments of 0xf00d requests,
 * which Palacios defines as virtual addresses of the caller
 * (kernel/virt/guest_mem.c).
 */
#ifndef TANDEM_MM_GVA_H
#define TANDEM_MM_GVA_H

#include <stddef.h>
#include <stdint.h>
#include "mm/paging.h"

/* The access to check (bits; 0 is a supervisor read). */
#define GVA_WRITE 1u /* the guest's memory is written */
#define GVA_USER  2u /* on behalf of CPL 3 (user-mode access) */

/*
 * Translate @va as the guest's MMU would for @access (GVA_*), and check
 * the rights the guest itself would need:
 *  - a user access needs U/S set at every level, and a user write R/W set
 *    at every level;
 *  - a supervisor write needs R/W set at every level when CR0.WP is set,
 *    and nothing when it is clear; a supervisor read needs nothing.
 * SMAP and SMEP are not applied: a supervisor caller may name user pages
 * (as with RFLAGS.AC set), and nothing is executed. Protection keys are
 * not applied either.
 * Returns 0 with the guest-physical address in *@gpa; -TANDEM_EPERM when
 * the page is mapped but the access is forbidden; otherwise the error of
 * pt_guest_walk() (-TANDEM_ENOENT: not mapped). *@gpa is only written on
 * success.
 */
int gva_translate(const struct pt_guest_regs *regs, uint64_t va, unsigned access,
		  pt_read_guest_fn read, void *ctx, uint64_t *gpa);

/* One piece of a range: @len bytes (1 to 4096, within one 4 KiB page of
 * the guest's linear and physical space) at guest-physical @gpa, which
 * are bytes [@offset, @offset + @len) of the range. 0 goes on, anything
 * else stops the walk and is returned. */
typedef int (*gva_piece_fn)(void *ctx, uint64_t gpa, size_t offset, size_t len);

/*
 * Walk [@va, @va + @len) page by page in address order: translate each
 * page with gva_translate() for @access, then hand its piece to @fn. Stops
 * at the first error (of the translation or of @fn), so @fn sees a prefix
 * of the range. @len 0 does nothing. A range that wraps past the top of
 * the address space (2^64; 2^32 outside long mode) is -TANDEM_EINVAL
 * before anything is translated.
 */
int gva_for_each(const struct pt_guest_regs *regs, uint64_t va, size_t len,
		 unsigned access, pt_read_guest_fn read, void *rctx,
		 gva_piece_fn fn, void *fctx);

#endif
