/*
 * The page-table builder (see paging.h): one walker for host, NPT and EPT
 * tables that maps, unmaps and re-protects ranges, splitting large pages
 * where a range ends inside one and freeing tables that end up empty; and a
 * read-only walker for guest page tables.
 *
 * Levels are numbered from the bottom: 0 = page table (4 KiB entries),
 * 1 = page directory (2 MiB), 2 = PDPT (1 GiB), 3 = PML4 / EPT PML4 (root).
 * Inside the builder, host addresses are handled as their low 48 bits, so a
 * range in the upper canonical half cannot wrap past 2^64.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/paging.h"
#include "tandem/errno.h"

#define LEVELS	    4
#define ENTRIES	    512
#define VA_BITS	    48
#define VA_LIMIT    (1ull << VA_BITS)
#define PA_LIMIT    (1ull << 52)	  /* architectural MAXPHYADDR limit */
#define ADDR_MASK   0x000ffffffffff000ull /* bits 51:12 */
#define PAGE_OFFSET 0xfffull
#define PT_ALL_FLAGS \
	(PT_READ | PT_WRITE | PT_EXEC | PT_USER | PT_UNCACHED | PT_MT_MASK)

/* 4-level paging entries, SDM Vol. 3A 4.5 (the tables at its end). */
#define X86_P	    (1ull << 0)
#define X86_RW	    (1ull << 1)
#define X86_US	    (1ull << 2)
#define X86_PWT	    (1ull << 3)
#define X86_PCD	    (1ull << 4)
#define X86_A	    (1ull << 5)
#define X86_D	    (1ull << 6)	 /* in a leaf */
#define X86_PS	    (1ull << 7)	 /* in a PDPTE or PDE: maps a page */
#define X86_NX	    (1ull << 63) /* reserved unless EFER.NXE */

/* EPT entries, SDM Vol. 3C 29.3.2; memory type, 29.3.7. */
#define EPT_R	    (1ull << 0)
#define EPT_W	    (1ull << 1)
#define EPT_X	    (1ull << 2)
#define EPT_MT_UC   (0ull << 3)
#define EPT_MT_WB   (6ull << 3)
#define EPT_MT_MASK (7ull << 3)
#define EPT_IPAT    (1ull << 6)
#define EPT_LARGE   (1ull << 7)
#define EPT_A	    (1ull << 8) /* only with EPT A/D enabled */
#define EPT_D	    (1ull << 9)

/*
 * How a format encodes entries. Non-leaf entries carry every right
 * (effective rights are the AND over all levels, SDM Vol. 3A 4.6, Vol. 3C
 * 29.3.3.2), so the leaf alone decides.
 */
struct pt_format {
	const char *name;
	uint64_t present;    /* an entry is present if any of these is set */
	uint64_t table;	     /* a non-leaf entry: these plus the address */
	uint64_t leaf;	     /* set in every leaf */
	uint64_t read;	     /* PT_READ, if the format has a bit for it */
	uint64_t write;	     /* PT_WRITE */
	uint64_t exec;	     /* PT_EXEC, for formats with an X bit */
	uint64_t nx;	     /* !PT_EXEC, for formats with an NX bit */
	uint64_t user;	     /* PT_USER */
	uint64_t cache_mask; /* memory-type bits of a leaf */
	uint64_t cache_wb;   /* their value for normal memory */
	uint64_t cache_uc;   /* and for PT_UNCACHED */
	int type_shift;	     /* PT_MT(t) is t at this bit; 0: no types */
	uint64_t large;	     /* marks a 2 MiB or 1 GiB leaf */
	uint64_t hw_set;     /* bits the MMU sets itself (accessed, dirty) */
	bool canonical;	     /* addresses are sign-extended (host) */
};

/* PAT stays 0, so PWT/PCD select PAT entries 0 (WB) and 3 (UC) with the
 * power-on PAT (SDM Vol. 3A 4.9.2, 13.12.4). */
const struct pt_format pt_format_host = {
	.name = "host",
	.present = X86_P,
	.table = X86_P | X86_RW | X86_US,
	.leaf = X86_P,
	.write = X86_RW,
	.nx = X86_NX,
	.user = X86_US,
	.cache_mask = X86_PCD | X86_PWT,
	.cache_uc = X86_PCD | X86_PWT,
	.large = X86_PS,
	.hw_set = X86_A | X86_D,
	.canonical = true,
};

/* The host format, but every guest access through nested tables counts as
 * a user access, so U is set on every level (APM Vol. 2 15.25.5). */
const struct pt_format pt_format_npt = {
	.name = "npt",
	.present = X86_P,
	.table = X86_P | X86_RW | X86_US,
	.leaf = X86_P | X86_US,
	.write = X86_RW,
	.nx = X86_NX,
	.user = X86_US,
	.cache_mask = X86_PCD | X86_PWT,
	.cache_uc = X86_PCD | X86_PWT,
	.large = X86_PS,
	.hw_set = X86_A | X86_D,
};

/*
 * Each leaf carries the memory type the host MTRRs give its host-physical
 * range (mm/mtrr.h: with EPT the CPU ignores the MTRRs for guest accesses,
 * SDM Vol. 3C 29.3.7), and IPAT stays clear so the guest's PAT combines
 * with it (29.3.7.2) as it would with MTRRs on bare metal. RAM is WB for
 * Tandem and guest alike unless the guest's PAT asks for a stronger type
 * for its own pages, which the CPU keeps coherent by self-snooping.
 */
const struct pt_format pt_format_ept = {
	.name = "ept",
	.present = EPT_R | EPT_W | EPT_X,
	.table = EPT_R | EPT_W | EPT_X,
	.read = EPT_R,
	.write = EPT_W,
	.exec = EPT_X,
	.cache_mask = EPT_MT_MASK | EPT_IPAT,
	.cache_wb = EPT_MT_WB,
	.cache_uc = EPT_MT_UC,
	.type_shift = 3,
	.large = EPT_LARGE,
	.hw_set = EPT_A | EPT_D,
};

bool pt_format_typed(const struct pt_format *fmt)
{
	return fmt->type_shift != 0;
}

enum pt_op_kind { OP_MAP, OP_UNMAP, OP_PROTECT };

/* One range operation as the recursive walk sees it. */
struct pt_op {
	enum pt_op_kind kind;
	uint64_t delta; /* OP_MAP: pa - va, modulo 2^64 */
	uint64_t attr;	/* leaf bits except address and large bit */
	int max_level;	/* OP_MAP: highest level a leaf may sit at */
};

static inline uint64_t level_size(int level)
{
	return 1ull << (12 + 9 * level);
}

static inline unsigned level_index(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * level)) & (ENTRIES - 1);
}

static inline bool is_present(const struct page_table *pt, uint64_t e)
{
	return e & pt->fmt->present;
}

static inline bool is_leaf(const struct page_table *pt, uint64_t e, int level)
{
	return level == 0 || (e & pt->fmt->large);
}

/* The address bits of a leaf at @level. Bits 20:12 of a host large leaf
 * hold PAT and reserved bits, never address. */
static inline uint64_t leaf_addr(uint64_t e, int level)
{
	return e & ADDR_MASK & ~(level_size(level) - 1);
}

static inline uint64_t *table_virt(const struct page_table *pt, uint64_t phys)
{
	return pt->ops->phys_to_virt(pt->ops->ctx, phys);
}

/* Entries may be in use by the MMU of another CPU: one store each, in
 * program order, so a new table is complete before it becomes visible. */
static inline void write_entry(uint64_t *slot, uint64_t e)
{
	*(volatile uint64_t *)slot = e;
}

static uint64_t encode_attr(const struct page_table *pt, unsigned flags)
{
	const struct pt_format *f = pt->fmt;
	uint64_t e = f->leaf | f->read;

	if (flags & PT_WRITE)
		e |= f->write;
	if (flags & PT_EXEC)
		e |= f->exec;
	else if (pt->nx)
		e |= f->nx;
	if (flags & PT_USER)
		e |= f->user;
	if (flags & PT_UNCACHED)
		e |= f->cache_uc;
	else if (f->type_shift && PT_MT_OF(flags) >= 0)
		e |= (uint64_t)PT_MT_OF(flags) << f->type_shift;
	else
		e |= f->cache_wb;
	return e;
}

static unsigned decode_flags(const struct page_table *pt, uint64_t e)
{
	const struct pt_format *f = pt->fmt;
	unsigned flags = 0;

	if (!f->read || (e & f->read))
		flags |= PT_READ;
	if (e & f->write)
		flags |= PT_WRITE;
	if (f->exec ? (e & f->exec) : !(e & f->nx))
		flags |= PT_EXEC;
	if (e & f->user)
		flags |= PT_USER;
	if ((e & f->cache_mask) == f->cache_uc)
		flags |= PT_UNCACHED;
	else if (f->type_shift && (e & f->cache_mask) != f->cache_wb)
		flags |= PT_MT((e & f->cache_mask) >> f->type_shift);
	return flags;
}

static bool table_empty(const struct page_table *pt, const uint64_t *table)
{
	for (int i = 0; i < ENTRIES; i++)
		if (is_present(pt, table[i]))
			return false;
	return true;
}

/* Free the table at @phys (at @level) and every table below it. */
static void free_tables(const struct page_table *pt, uint64_t phys, int level)
{
	uint64_t *table = table_virt(pt, phys);

	for (int i = 0; level > 0 && i < ENTRIES; i++)
		if (is_present(pt, table[i]) && !is_leaf(pt, table[i], level))
			free_tables(pt, table[i] & ADDR_MASK, level - 1);
	pt->ops->free_table(pt->ops->ctx, table, phys);
}

/* After the entry at @level was overwritten with something else. */
static void free_old(const struct page_table *pt, uint64_t old, int level)
{
	if (is_present(pt, old) && !is_leaf(pt, old, level))
		free_tables(pt, old & ADDR_MASK, level - 1);
}

static uint64_t *new_table(const struct page_table *pt, uint64_t *phys)
{
	return pt->ops->alloc_table(pt->ops->ctx, phys);
}

/*
 * Replace the large leaf in @slot (at @level) by a table of 512 leaves one
 * level down that translate exactly as it did, so the change is atomic for
 * the MMU. Returns the new table, or NULL (and no change) if out of memory.
 */
static uint64_t *split(const struct page_table *pt, uint64_t *slot, int level)
{
	uint64_t e = *slot, phys;
	uint64_t *table = new_table(pt, &phys);
	uint64_t base = leaf_addr(e, level);
	uint64_t attr = e & ~ADDR_MASK;
	uint64_t step = level_size(level - 1);

	if (!table)
		return NULL;
	/* In a 4 KiB leaf bit 7 is PAT (host) or ignored (EPT), not "large". */
	if (level == 1)
		attr &= ~pt->fmt->large;
	for (int i = 0; i < ENTRIES; i++)
		write_entry(&table[i], (base + (uint64_t)i * step) | attr);
	write_entry(slot, phys | pt->fmt->table);
	return table;
}

/* The table below @slot for @op to work in: followed, split off a large
 * leaf, or (OP_MAP into a hole) newly allocated. NULL if out of memory. */
static uint64_t *child_table(const struct page_table *pt, uint64_t *slot,
			     int level)
{
	uint64_t e = *slot, phys;
	uint64_t *table;

	if (is_present(pt, e))
		return is_leaf(pt, e, level) ? split(pt, slot, level) :
					       table_virt(pt, e & ADDR_MASK);
	table = new_table(pt, &phys);
	if (table)
		write_entry(slot, phys | pt->fmt->table);
	return table;
}

/*
 * After a map or protect below @slot (at @level): if its table now maps one
 * aligned, contiguous range with the same rights in every entry, replace it
 * by one large leaf and free it, so that mapping back what an unmap split
 * leaves the tables as they were (no table page stays behind). Bits the MMU
 * sets (accessed, dirty) do not count as a difference.
 */
static void merge(const struct page_table *pt, uint64_t *slot, int level,
		  int max_level)
{
	uint64_t *child = table_virt(pt, *slot & ADDR_MASK);
	uint64_t phys = *slot & ADDR_MASK;
	uint64_t step = level_size(level - 1), base, attr;

	if (level > max_level || !is_present(pt, child[0]) ||
	    !is_leaf(pt, child[0], level - 1))
		return;
	base = leaf_addr(child[0], level - 1);
	attr = child[0] & ~ADDR_MASK & ~pt->fmt->large & ~pt->fmt->hw_set;
	if (base & (level_size(level) - 1))
		return;
	for (int i = 0; i < ENTRIES; i++) {
		uint64_t e = child[i];

		if (!is_present(pt, e) || !is_leaf(pt, e, level - 1) ||
		    leaf_addr(e, level - 1) != base + (uint64_t)i * step ||
		    (e & ~ADDR_MASK & ~pt->fmt->large & ~pt->fmt->hw_set) != attr)
			return;
	}
	write_entry(slot, base | attr | pt->fmt->large);
	pt->ops->free_table(pt->ops->ctx, child, phys);
}

/* Does @op end at the whole entry @e at @level covering [base, base+size)? */
static bool ends_here(const struct page_table *pt, const struct pt_op *op,
		      uint64_t e, int level, uint64_t base)
{
	switch (op->kind) {
	case OP_MAP:
		return level <= op->max_level &&
		       !((base + op->delta) & (level_size(level) - 1));
	case OP_UNMAP:
		return true;
	case OP_PROTECT:
		return is_leaf(pt, e, level);
	}
	return false;
}

/* Apply @op to [start, end) within @table at @level (end <= 2^48). */
static int update(const struct page_table *pt, uint64_t *table, int level,
		  uint64_t start, uint64_t end, const struct pt_op *op)
{
	uint64_t size = level_size(level);
	uint64_t addr, next;

	for (addr = start; addr < end; addr = next) {
		uint64_t base = addr & ~(size - 1);
		uint64_t *slot = &table[level_index(addr, level)];
		uint64_t e = *slot;
		uint64_t *child;
		int ret;

		next = base + size;
		if (op->kind != OP_MAP && !is_present(pt, e))
			continue;
		if (addr == base && next <= end &&
		    ends_here(pt, op, e, level, base)) {
			uint64_t large = level ? pt->fmt->large : 0;

			if (op->kind == OP_MAP)
				write_entry(slot,
					    ((base + op->delta) & ADDR_MASK) |
						    op->attr | large);
			else if (op->kind == OP_PROTECT)
				write_entry(slot, leaf_addr(e, level) |
							  op->attr | large);
			else
				write_entry(slot, 0);
			free_old(pt, e, level);
			continue;
		}
		/* Level 0 always ends above: 4 KiB granularity throughout. */
		child = child_table(pt, slot, level);
		if (!child)
			return -TANDEM_ENOMEM;
		ret = update(pt, child, level - 1, addr,
			     next < end ? next : end, op);
		if (table_empty(pt, child)) {
			uint64_t phys = *slot & ADDR_MASK;

			write_entry(slot, 0);
			pt->ops->free_table(pt->ops->ctx, child, phys);
		} else if (!ret && op->kind != OP_UNMAP) {
			merge(pt, slot, level, op->max_level);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* Check a range and convert its start to the 48-bit form update() uses. */
static int check_range(const struct page_table *pt, uint64_t va, uint64_t size,
		       uint64_t *start)
{
	uint64_t limit = VA_LIMIT;

	if (!pt->root || !size || ((va | size) & PAGE_OFFSET))
		return -TANDEM_EINVAL;
	if (pt->fmt->canonical) {
		uint64_t top = va >> (VA_BITS - 1);

		if (top == 0)
			limit = VA_LIMIT / 2;
		else if (top != (1ull << (64 - VA_BITS + 1)) - 1)
			return -TANDEM_EINVAL;
		va &= VA_LIMIT - 1;
	}
	if (va >= limit || size > limit - va)
		return -TANDEM_EINVAL;
	*start = va;
	return 0;
}

static int check_flags(unsigned flags)
{
	if ((flags & ~PT_ALL_FLAGS) || !(flags & PT_READ))
		return -TANDEM_EINVAL;
	if (PT_MT_OF(flags) == 2 || PT_MT_OF(flags) == 3)
		return -TANDEM_EINVAL; /* reserved memory types */
	return 0;
}

int pt_init(struct page_table *pt, const struct pt_format *fmt,
	    const struct pt_ops *ops, uint64_t max_page, bool nx)
{
	pt->fmt = fmt;
	pt->ops = ops;
	pt->root = NULL;
	pt->root_phys = 0;
	pt->max_page = max_page;
	pt->nx = false;
	if (!fmt || !ops || !ops->alloc_table || !ops->free_table ||
	    !ops->phys_to_virt)
		return -TANDEM_EINVAL;
	if (max_page != PT_SIZE_4K && max_page != PT_SIZE_2M &&
	    max_page != PT_SIZE_1G)
		return -TANDEM_EINVAL;
	pt->nx = nx && fmt->nx;
	pt->root = new_table(pt, &pt->root_phys);
	return pt->root ? 0 : -TANDEM_ENOMEM;
}

static int max_level(const struct page_table *pt)
{
	if (pt->max_page == PT_SIZE_1G)
		return 2;
	return pt->max_page == PT_SIZE_2M ? 1 : 0;
}

int pt_map(struct page_table *pt, uint64_t va, uint64_t pa, uint64_t size,
	   unsigned flags)
{
	struct pt_op op = { .kind = OP_MAP, .max_level = max_level(pt) };
	uint64_t start;
	int ret = check_range(pt, va, size, &start);

	if (ret)
		return ret;
	if ((pa & PAGE_OFFSET) || pa >= PA_LIMIT || size > PA_LIMIT - pa ||
	    check_flags(flags))
		return -TANDEM_EINVAL;
	op.delta = pa - start;
	op.attr = encode_attr(pt, flags);
	return update(pt, pt->root, LEVELS - 1, start, start + size, &op);
}

int pt_unmap(struct page_table *pt, uint64_t va, uint64_t size)
{
	struct pt_op op = { .kind = OP_UNMAP };
	uint64_t start;
	int ret = check_range(pt, va, size, &start);

	if (ret)
		return ret;
	return update(pt, pt->root, LEVELS - 1, start, start + size, &op);
}

int pt_protect(struct page_table *pt, uint64_t va, uint64_t size, unsigned flags)
{
	struct pt_op op = { .kind = OP_PROTECT, .max_level = max_level(pt) };
	uint64_t start;
	int ret = check_range(pt, va, size, &start);

	if (ret)
		return ret;
	if (check_flags(flags))
		return -TANDEM_EINVAL;
	op.attr = encode_attr(pt, flags);
	return update(pt, pt->root, LEVELS - 1, start, start + size, &op);
}

bool pt_lookup(const struct page_table *pt, uint64_t va, uint64_t *pa,
	       unsigned *flags, uint64_t *page_size)
{
	const uint64_t *table = pt->root;
	uint64_t start;

	if (check_range(pt, va & ~PAGE_OFFSET, PT_SIZE_4K, &start))
		return false;
	for (int level = LEVELS - 1; level >= 0; level--) {
		uint64_t e = table[level_index(start, level)];

		if (!is_present(pt, e))
			return false;
		if (is_leaf(pt, e, level)) {
			uint64_t sz = level_size(level);

			if (pa)
				*pa = leaf_addr(e, level) | (va & (sz - 1));
			if (flags)
				*flags = decode_flags(pt, e);
			if (page_size)
				*page_size = sz;
			return true;
		}
		table = table_virt(pt, e & ADDR_MASK);
	}
	return false;
}

void pt_destroy(struct page_table *pt)
{
	if (!pt->root)
		return;
	free_tables(pt, pt->root_phys, LEVELS - 1);
	pt->root = NULL;
	pt->root_phys = 0;
}

static size_t count_tables(const struct page_table *pt, const uint64_t *table,
			   int level)
{
	size_t n = 1;

	for (int i = 0; level > 0 && i < ENTRIES; i++)
		if (is_present(pt, table[i]) && !is_leaf(pt, table[i], level))
			n += count_tables(pt,
					  table_virt(pt, table[i] & ADDR_MASK),
					  level - 1);
	return n;
}

size_t pt_count_tables(const struct page_table *pt)
{
	return pt->root ? count_tables(pt, pt->root, LEVELS - 1) : 0;
}

/* Guest control bits, SDM Vol. 3A 2.5 and 2.2.1. */
#define GUEST_CR0_PG   (1ull << 31)
#define GUEST_CR4_PSE  (1ull << 4)
#define GUEST_CR4_PAE  (1ull << 5)
#define GUEST_CR4_LA57 (1ull << 12)
#define GUEST_EFER_LMA (1ull << 10)
#define GUEST_EFER_NXE (1ull << 11)

/* Fold one guest entry's rights into @rights (SDM Vol. 3A 4.6). */
static unsigned guest_rights(unsigned rights, uint64_t e, bool nxe)
{
	if (!(e & X86_RW))
		rights &= ~PT_WRITE;
	if (!(e & X86_US))
		rights &= ~PT_USER;
	if (nxe && (e & X86_NX))
		rights &= ~PT_EXEC;
	return rights;
}

/* The 64-bit-entry part shared by 4-level (from level 3) and PAE (from
 * level 1) paging, SDM Vol. 3A 4.4.2 and 4.5.4. */
static int guest_walk64(uint64_t table, uint64_t va, int level, bool nxe,
			pt_read_guest_fn read, void *ctx, uint64_t *gpa,
			unsigned *rights)
{
	for (; level >= 0; level--) {
		uint64_t e;
		int ret = read(ctx, table + level_index(va, level) * 8, 8, &e);

		if (ret)
			return ret;
		if (!(e & X86_P))
			return -TANDEM_ENOENT;
		*rights = guest_rights(*rights, e, nxe);
		/* PS is reserved in a PML4E and a PML5E: the guest would take
		 * #PF (RSVD). */
		if (level >= 3 && (e & X86_PS))
			return -TANDEM_ENOENT;
		if (level == 0 || (e & X86_PS)) {
			uint64_t sz = level_size(level);

			*gpa = leaf_addr(e, level) | (va & (sz - 1));
			return 0;
		}
		table = e & ADDR_MASK;
	}
	return -TANDEM_ENOENT; /* not reached */
}

/* 32-bit paging, SDM Vol. 3A 4.3: 4-byte entries, 4 MiB pages with
 * CR4.PSE whose PDE bits 20:13 are physical address bits 39:32. */
static int guest_walk32(uint64_t cr3, uint32_t va, bool pse,
			pt_read_guest_fn read, void *ctx, uint64_t *gpa,
			unsigned *rights)
{
	uint64_t pde, pte;
	int ret = read(ctx, (cr3 & 0xfffff000) + (va >> 22) * 4, 4, &pde);

	if (ret)
		return ret;
	if (!(pde & X86_P))
		return -TANDEM_ENOENT;
	*rights = guest_rights(*rights, pde, false);
	if (pse && (pde & X86_PS)) {
		*gpa = (pde & 0xffc00000) | (((pde >> 13) & 0xff) << 32) |
		       (va & 0x3fffff);
		return 0;
	}
	ret = read(ctx, (pde & 0xfffff000) + ((va >> 12) & 0x3ff) * 4, 4, &pte);
	if (ret)
		return ret;
	if (!(pte & X86_P))
		return -TANDEM_ENOENT;
	*rights = guest_rights(*rights, pte, false);
	*gpa = (pte & 0xfffff000) | (va & 0xfff);
	return 0;
}

int pt_guest_walk(const struct pt_guest_regs *regs, uint64_t va,
		  pt_read_guest_fn read, void *ctx, uint64_t *gpa,
		  unsigned *flags)
{
	unsigned rights = PT_READ | PT_WRITE | PT_EXEC | PT_USER;
	bool nxe = regs->efer & GUEST_EFER_NXE;
	uint64_t addr, pdpte;
	int ret;

	if (!(regs->cr0 & GUEST_CR0_PG)) {
		/* Without paging a linear address is 32 bits and physical. */
		ret = 0;
		addr = (uint32_t)va;
	} else if (regs->efer & GUEST_EFER_LMA) {
		/* 4-level paging, or 5-level with CR4.LA57 (SDM Vol. 3A 4.5):
		 * 48 or 57 significant bits, sign-extended. */
		bool la57 = regs->cr4 & GUEST_CR4_LA57;
		int bits = la57 ? VA_BITS + 9 : VA_BITS;
		uint64_t top = va >> (bits - 1);

		if (top != 0 && top != (1ull << (64 - bits + 1)) - 1)
			return -TANDEM_EINVAL;
		ret = guest_walk64(regs->cr3 & ADDR_MASK, va,
				   la57 ? LEVELS : LEVELS - 1, nxe, read, ctx,
				   &addr, &rights);
	} else if (regs->cr4 & GUEST_CR4_PAE) {
		/* The PDPT: four entries at CR3 bits 31:5 (SDM Vol. 3A 4.4.1),
		 * no rights bits of their own. */
		va = (uint32_t)va;
		ret = read(ctx, (regs->cr3 & 0xffffffe0) + (va >> 30) * 8, 8,
			   &pdpte);
		if (!ret && !(pdpte & X86_P))
			ret = -TANDEM_ENOENT;
		if (!ret)
			ret = guest_walk64(pdpte & ADDR_MASK, va, 1, nxe, read,
					   ctx, &addr, &rights);
	} else {
		ret = guest_walk32(regs->cr3, (uint32_t)va,
				   regs->cr4 & GUEST_CR4_PSE, read, ctx, &addr,
				   &rights);
	}
	if (ret)
		return ret;
	*gpa = addr;
	if (flags)
		*flags = rights;
	return 0;
}
