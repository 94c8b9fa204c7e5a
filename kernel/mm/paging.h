/*
 * The one page-table builder: Tandem's own host page tables, AMD nested
 * page tables (NPT) and Intel extended page tables (EPT), all 4-level with
 * 4 KiB, 2 MiB and (if the CPU has them) 1 GiB pages. A small format
 * descriptor says how an entry is encoded; the walk, split and free logic
 * is shared. Plus a read-only walker for a guest's own page tables.
 *
 * Pure logic: table pages come from and go back to the caller through
 * struct pt_ops, and nothing here touches hardware. In particular nothing
 * here flushes a TLB: after changing or removing a present translation the
 * caller invalidates (INVLPG, INVEPT, a new ASID or TLB_CONTROL), and table
 * pages handed to free_table() may still be cached by other CPUs until then.
 * Callers serialize changes to one table.
 */
#ifndef TANDEM_MM_PAGING_H
#define TANDEM_MM_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Access and attribute flags in a format-neutral form. */
#define PT_READ	    1u /* required by pt_map() and pt_protect() */
#define PT_WRITE    2u
#define PT_EXEC	    4u
#define PT_USER	    8u	/* host: U/S; NPT: always set; EPT: ignored */
#define PT_UNCACHED 16u /* host/NPT: PCD|PWT; EPT: type UC, not WB */
/* A memory type other than WB and UC for formats that carry one (EPT; see
 * mm/mtrr.h for the codes): PT_MT(MT_WC) etc. Host and NPT leaves ignore
 * it (there the MTRRs decide, APM Vol. 2 15.25.8); PT_MT(MT_WB) is the
 * default and PT_MT(MT_UC) is PT_UNCACHED, so pt_lookup() reports neither. */
#define PT_MT_SHIFT 5
#define PT_MT_MASK  (7u << PT_MT_SHIFT)
#define PT_MT(t)    ((((unsigned)(t)&7u) + 1u) << PT_MT_SHIFT)
/* The type in @flags, or -1 for none. */
#define PT_MT_OF(f) ((int)(((f)&PT_MT_MASK) >> PT_MT_SHIFT) - 1)

#define PT_SIZE_4K  0x1000ull
#define PT_SIZE_2M  0x200000ull
#define PT_SIZE_1G  0x40000000ull

/* How one kind of table encodes its entries; defined in paging.c. */
struct pt_format;

/* x86-64 4-level paging (SDM Vol. 3A 4.5), tables for Tandem itself. */
extern const struct pt_format pt_format_host;
/* AMD nested paging (APM Vol. 2 15.25): host format, U set everywhere. */
extern const struct pt_format pt_format_npt;
/* Intel EPT (SDM Vol. 3C 29.3), 4-level, no accessed/dirty flags. */
extern const struct pt_format pt_format_ept;

/* Does @fmt carry memory types in its leaves (PT_MT)? Only EPT does. */
bool pt_format_typed(const struct pt_format *fmt);

/* What the caller supplies: where table pages come from. */
struct pt_ops {
	/* One zeroed, 4 KiB-aligned page: returns its virtual address and
	 * stores its physical address in *phys; NULL when out of memory. */
	void *(*alloc_table)(void *ctx, uint64_t *phys);
	/* Gives back a page alloc_table() returned. */
	void (*free_table)(void *ctx, void *virt, uint64_t phys);
	/* Virtual address of a table page from its physical address. */
	void *(*phys_to_virt)(void *ctx, uint64_t phys);
	void *ctx;
};

/* One address space. Fields are read-only for users of this interface. */
struct page_table {
	const struct pt_format *fmt;
	const struct pt_ops *ops;
	uint64_t root_phys; /* CR3 / nCR3 / EPTP address bits */
	uint64_t *root;	    /* NULL before pt_init() and after pt_destroy() */
	uint64_t max_page;  /* PT_SIZE_4K, PT_SIZE_2M or PT_SIZE_1G */
	bool nx;	    /* host/NPT: encode !PT_EXEC as the NX bit */
};

/*
 * Set up @pt in format @fmt and allocate its (empty) root table. Mappings
 * use pages up to @max_page (PT_SIZE_1G only if the CPU supports 1 GiB
 * pages: CPUID 0x80000001 EDX bit 26, or the EPT capability MSR). @nx says
 * the NX bit may be used (host EFER.NXE is set); without it host and NPT
 * mappings are always executable. EPT ignores @nx: it has its own X bit.
 * Returns 0, -TANDEM_EINVAL for a bad @max_page or missing callback,
 * -TANDEM_ENOMEM.
 */
int pt_init(struct page_table *pt, const struct pt_format *fmt,
	    const struct pt_ops *ops, uint64_t max_page, bool nx);

/*
 * Map [@va, @va + @size) to [@pa, @pa + @size) with @flags (PT_*; PT_READ
 * required, PT_WRITE needs PT_READ). Uses the largest pages that alignment
 * and max_page allow. Whatever was mapped in the range is replaced; large
 * pages that only partly overlap are split first, so the rest of them keeps
 * its translation, and tables left covering nothing are freed.
 *
 * Addresses and size are 4 KiB multiples, @size > 0. Host addresses are
 * canonical 48-bit (either half, not crossing the hole); NPT and EPT
 * addresses are guest-physical below 2^48. @pa + @size <= 2^52.
 * Returns 0, -TANDEM_EINVAL for bad arguments (nothing changed), or
 * -TANDEM_ENOMEM: then a part of the range may already carry the new
 * mapping, the rest its old one; every entry is valid and no table leaks.
 */
int pt_map(struct page_table *pt, uint64_t va, uint64_t pa, uint64_t size,
	   unsigned flags);

/*
 * Remove any mapping in [@va, @va + @size), splitting large pages that
 * only partly overlap and freeing tables left empty. Unmapped parts of the
 * range are fine. Same argument rules as pt_map().
 * Returns 0, -TANDEM_EINVAL, or -TANDEM_ENOMEM (a split failed; the range
 * is then partly unmapped, everything else unchanged).
 */
int pt_unmap(struct page_table *pt, uint64_t va, uint64_t size);

/*
 * Give every mapped page in [@va, @va + @size) the access and attribute
 * @flags, keeping its physical address; unmapped parts stay unmapped.
 * Same argument and error rules as pt_unmap().
 */
int pt_protect(struct page_table *pt, uint64_t va, uint64_t size, unsigned flags);

/*
 * Translate @va. Returns false if it is not mapped (or not canonical);
 * otherwise true, with the physical address of @va itself in *@pa, its PT_*
 * flags in *@flags and the size of the page it lies in in *@page_size.
 * Any of the out pointers may be NULL.
 */
bool pt_lookup(const struct page_table *pt, uint64_t va, uint64_t *pa,
	       unsigned *flags, uint64_t *page_size);

/* Free every table page, the root included. @pt may be torn down twice. */
void pt_destroy(struct page_table *pt);

/* Number of table pages @pt holds, root included (Get Info accounting). */
size_t pt_count_tables(const struct page_table *pt);

/* The guest registers that decide how a guest linear address translates. */
struct pt_guest_regs {
	uint64_t cr0; /* PG (bit 31): paging on; off means linear = physical */
	uint64_t cr3;
	uint64_t cr4;  /* PSE (bit 4), PAE (bit 5), LA57 (bit 12) */
	uint64_t efer; /* LMA (bit 10): 4/5-level paging; NXE (bit 11) */
};

/* Reads @size (4 or 8) bytes of guest-physical memory at @gpa into *@val,
 * zero-extended. Returns 0 or a negative TANDEM_E* code, passed on. */
typedef int (*pt_read_guest_fn)(void *ctx, uint64_t gpa, unsigned size,
				uint64_t *val);

/*
 * Translate the guest linear address @va the way the guest's MMU would in
 * the mode @regs describes: 32-bit paging (4 MiB pages with CR4.PSE, PSE-36
 * addresses), PAE paging, or 4- or 5-level paging (CR4.LA57), 2 MiB and
 * 1 GiB pages included.
 * On success stores the guest-physical address in *@gpa and, if @flags is
 * not NULL, the PT_* rights all levels together grant (PT_READ always,
 * PT_WRITE, PT_USER, PT_EXEC unless NX is set somewhere and EFER.NXE is on).
 * Rights are reported, not checked, and A/D bits are not set.
 *
 * For PAE paging the PDPTEs are read from memory, where the CPU uses the
 * copies it loaded with CR3 (SDM Vol. 3A 4.4.1); they differ only if the
 * guest changed its PDPT without reloading CR3.
 *
 * Reserved bits are not checked (the guest would take #PF with RSVD set),
 * except PS in a PML4E or PML5E, which fails as not present: an address
 * the walk produces is only a guest-physical address, which callers check
 * against the guest's memory before they touch it.
 *
 * Returns 0; -TANDEM_ENOENT if an entry on the way is not present (the
 * guest would take #PF); -TANDEM_EINVAL if @va is not canonical in long
 * mode (#GP); or the error of @read.
 */
int pt_guest_walk(const struct pt_guest_regs *regs, uint64_t va,
		  pt_read_guest_fn read, void *ctx, uint64_t *gpa,
		  unsigned *flags);

#endif
