/*
 * The host's memory-type range registers (SDM Vol. 3A 13.11, "Memory Type
 * Range Registers"), as a snapshot taken once at boot, and the questions
 * the guest-physical maps ask of it: which type a host-physical address
 * has, and how far from an address that type stays the same. With EPT the
 * CPU takes the type of a guest access from the EPT leaf instead of the
 * MTRRs (SDM Vol. 3C 29.3.7), so the leaves must carry these types.
 *
 * Pure logic: mtrr_read() in mtrr_read.c fills the snapshot from the MSRs.
 */
#ifndef TANDEM_MM_MTRR_H
#define TANDEM_MM_MTRR_H

#include <stdbool.h>
#include <stdint.h>

/* Memory types (SDM Vol. 3A table 13-8); EPT leaves use the same codes. */
#define MT_UC		0u
#define MT_WC		1u
#define MT_WT		4u
#define MT_WP		5u
#define MT_WB		6u

#define MTRR_MAX_VAR	16u /* more than VCNT of any known CPU; rest ignored */
#define MTRR_FIXED_MSRS 11u

/* MSR numbers (SDM Vol. 4 table 2-2). */
#define MSR_MTRRCAP	0xfeu
#define MSR_MTRR_BASE0	0x200u /* base n: 0x200 + 2n, mask n: 0x201 + 2n */
#define MSR_MTRR_DEF	0x2ffu

struct mtrr_state {
	bool present;	   /* CPUID.1:EDX.MTRR; false: everything WB */
	uint64_t def_type; /* IA32_MTRR_DEF_TYPE: type 7:0, FE bit 10, E 11 */
	bool fixed_supported; /* IA32_MTRRCAP.FIX */
	/* 0x250 (64 KiB x 8 from 0), 0x258, 0x259 (16 KiB x 8 from 0x80000),
	 * 0x268..0x26f (4 KiB x 8 from 0xc0000): one type per byte. */
	uint64_t fixed[MTRR_FIXED_MSRS];
	unsigned int nvar;	     /* variable ranges used, <= MTRR_MAX_VAR */
	uint64_t base[MTRR_MAX_VAR]; /* IA32_MTRR_PHYSBASEn: type 7:0 */
	uint64_t mask[MTRR_MAX_VAR]; /* IA32_MTRR_PHYSMASKn: valid bit 11 */
	unsigned int phys_bits;	     /* MAXPHYADDR, 36..52 */
};

/* The snapshot of the boot CPU, read by mtrr_read(); firmware programs
 * every CPU alike (SDM Vol. 3A 13.11.8). */
extern struct mtrr_state host_mtrrs;

/* Read host_mtrrs on the boot CPU, before any guest map is built. */
void mtrr_read(void);

/* The memory type of the 4 KiB page at host-physical @addr (SDM Vol. 3A
 * 13.11.4.1 for overlapping variable ranges: UC wins, WT wins over WB;
 * other overlaps and reserved type codes are taken as UC). */
unsigned int mtrr_type(const struct mtrr_state *s, uint64_t addr);

/*
 * How many bytes from @addr (4 KiB aligned) on have the type of @addr, at
 * most @limit (a 4 KiB multiple > 0); the type goes to *@type. The answer
 * is a 4 KiB multiple.
 */
uint64_t mtrr_run(const struct mtrr_state *s, uint64_t addr, uint64_t limit,
		  unsigned int *type);

struct page_table;

/*
 * pt_map() of [@va, @va + @size) to [@pa, @pa + @size) in pieces, each
 * carrying the MTRR type of its host-physical addresses (PT_MT(), or
 * PT_UNCACHED for UC), so large pages end where a type changes. With
 * PT_UNCACHED in @flags the whole range is UC. Errors as pt_map().
 */
int pt_map_mtrr(struct page_table *pt, const struct mtrr_state *s, uint64_t va,
		uint64_t pa, uint64_t size, unsigned int flags);

#endif
