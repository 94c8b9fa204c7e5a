/* Reading a guest's memory the way it sees it: guest-virtual addresses are
 * walked through the guest's own page tables, and every guest-physical
 * address is checked against the cell's RAM before it is touched. */
#ifndef TANDEM_VIRT_GUEST_MEM_H
#define TANDEM_VIRT_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mm/paging.h"
#include "virt/insn.h"
#include "virt/vcpu.h"

/** Translates the guest linear address @gva of @v. 0 or a negative errno
 * (-ENOENT: not mapped, the guest would fault). */
int guest_linear_to_gpa(struct vcpu *v, uint64_t gva, uint64_t *gpa);

/** Copies @len bytes at guest linear address @gva into @buf (page by
 * page, RAM of the cell only). 0 or a negative errno. */
int guest_read_linear(struct vcpu *v, uint64_t gva, void *buf, size_t len);

/** The paging registers of @v now (CR0, CR3, CR4, EFER), to write into
 * its address space later from another CPU (guest_write_through()). */
void guest_paging_regs(struct vcpu *v, struct pt_guest_regs *regs);

/** Copies @len bytes from @src to supervisor linear address @gva of a
 * vCPU of cell @c whose paging registers were @regs (its page tables as
 * they are now, read from the cell's RAM), with the rights a supervisor
 * write needs; every page is translated and checked (RAM of @c) before
 * the first byte is written. 0 or a negative errno (-E2BIG: more than
 * GUEST_WRITE_MAX_PAGES pages). */
#define GUEST_WRITE_MAX_PAGES 18 /* 64 KiB + a header, unaligned */
int guest_write_through(const struct cell *c, const struct pt_guest_regs *regs,
			uint64_t gva, const void *src, size_t len);

/** Reads up to @max bytes of the instruction at the guest's CS:RIP; stores
 * how many could be read in *@got (at least 1 on success). */
int guest_fetch_insn(struct vcpu *v, uint8_t *buf, size_t max, size_t *got);

/** The mode @v's instructions are decoded in (virt/insn.h). */
enum insn_mode guest_insn_mode(struct vcpu *v);

/*
 * Pointer arguments of the caller of a request (Palacios semantics for
 * 0xf00d): guest-virtual addresses of @v, translated through its page
 * tables as they are now (CR0, CR3, CR4, EFER), page by page, with the
 * rights its CPL needs (mm/gva.h: U/S and R/W for CPL 3, R/W under CR0.WP
 * for a supervisor write; SMAP ignored), each page then RAM of @v's cell
 * (cell_gpa_to_hva). 0 or a negative errno: -ENOENT not mapped, -EPERM
 * forbidden, -EINVAL not RAM of the cell (or a range that wraps), -E2BIG
 * too many pages.
 */

/* Pages a range given to guest_caller_write() or guest_caller_gpa() may
 * span: those take small objects. */
#define GUEST_CALLER_MAX_PIECES 2

/** Copies @len bytes at the caller's @gva into @dst, page by page. On an
 * error @dst may hold a prefix of them. */
int guest_caller_read(struct vcpu *v, uint64_t gva, void *dst, size_t len);

/** Copies @len bytes (at most 2 pages' worth of range) from @src to the
 * caller's @gva; every page is translated and checked first, so on an
 * error nothing is written. */
int guest_caller_write(struct vcpu *v, uint64_t gva, const void *src, size_t len);

/** The guest-physical address of the caller's [@gva, @gva + @len) (at
 * most 2 pages), checked for a read or (@write) a write, which must be
 * physically contiguous (-EINVAL otherwise); for an address handed on to
 * another partition. */
int guest_caller_gpa(struct vcpu *v, uint64_t gva, size_t len, bool write,
		     uint64_t *gpa);

#endif
