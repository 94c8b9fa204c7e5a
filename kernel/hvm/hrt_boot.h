/*
 * The boot state of an HRT (Palacios HVM, docs/interfaces/
 * palacios-hvm-hrt.md): the page tables, GDT/TSS/IDT and
 * Multiboot2 boot information that Tandem writes into the HRT's own
 * memory before entering it in 64-bit mode with paging on.
 *
 * Every builder appends to one struct hrt_region, a window of the HRT's
 * exclusive memory seen both through a host pointer and at its
 * guest-physical address, so one region can hold the whole boot state:
 *
 *	region.gpa ->	page tables (PML4 first; CR3)	4 KiB aligned
 *			GDT (5 slots) + TSS (104 bytes)	 8-byte aligned
 *			IDT (256 empty gates)		 4 KiB aligned
 *			Multiboot2 boot information	 8-byte aligned
 *
 * Pure C: nothing here touches hardware or keeps state of its own.
 */
#ifndef TANDEM_HVM_HRT_BOOT_H
#define TANDEM_HVM_HRT_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt/mb2.h"
#include "tandem/hvm.h"

/* A window of HRT memory the builders fill from .used upwards. */
struct hrt_region {
	void *hva;     /* host virtual address of the first byte */
	uint64_t gpa;  /* guest-physical address of the same byte */
	uint64_t size; /* bytes */
	uint64_t used; /* bytes taken so far (start with 0) */
};

/* How the HRT's initial address space looks. */
struct hrt_map_params {
	uint64_t max_mem;	/* map guest-physical [0, max_mem): a multiple
				 * of page_size, at most 2^47 */
	uint64_t page_size;	/* PT_SIZE_4K, PT_SIZE_2M or PT_SIZE_1G */
	uint64_t gva_offset;	/* 0, or a 512 GiB aligned upper-half address
				 * (0xffff800000000000) to map [0, max_mem)
				 * at again */
	uint64_t comm_page_gpa; /* 4 KiB aligned, below 2^47; also mapped
				 * (identity and at the offset) when it lies
				 * at or beyond max_mem */
};

/* What hrt_build_page_tables() built. */
struct hrt_page_tables {
	uint64_t cr3;	/* guest-physical address of the PML4 */
	uint64_t pages; /* table pages used, PML4 included */
};

/*
 * Upper bound (exact unless the comm page shares tables with max_mem) of
 * the table pages hrt_build_page_tables() needs for @p; 0 if @p is bad.
 */
uint64_t hrt_page_tables_pages(const struct hrt_map_params *p);

/**
 * Build 4-level page tables (SDM Vol. 3A 4.5; entries P|RW, PS for large
 * pages; no U, no NX) mapping guest-physical [0, max_mem) at the same
 * virtual addresses and, if gva_offset is nonzero, again at gva_offset,
 * with pages of page_size, plus the comm page as above. The upper-half
 * PML4 entries point to the same lower-level tables as the identity ones
 * (the mappings are the same), so a merge that replaces the lower half of
 * the PML4 leaves the offset mapping intact.
 *
 * Takes 4 KiB-aligned pages from @r (r->gpa and r->hva + r->used 4 KiB
 * aligned after rounding r->used up). Returns 0; -TANDEM_EINVAL for bad
 * parameters; -TANDEM_ENOMEM if @r is too small (r->used unchanged).
 * *@why receives a static reason when not 0 (@why may be NULL).
 */
int hrt_build_page_tables(struct hrt_region *r, const struct hrt_map_params *p,
			  struct hrt_page_tables *out, const char **why);

/* Selectors of the HRT's GDT. */
#define HRT_SEL_CODE64 0x08
#define HRT_SEL_DATA   0x10
#define HRT_SEL_TSS    0x18

/* The descriptor tables hrt_build_gdt() wrote, with everything the vCPU's
 * registers need (hidden parts of TR included). */
struct hrt_gdt {
	uint64_t gdtr_base; /* guest-physical = linear (identity mapped) */
	uint16_t gdtr_limit;
	uint64_t idtr_base;
	uint16_t idtr_limit;
	/*
	 * Attributes in the canonical layout of struct segment
	 * (virt/segment.h), for loading the hidden parts of the segment
	 * registers directly.
	 */
	uint16_t cs;	   /* HRT_SEL_CODE64: 64-bit code, DPL 0 */
	uint16_t cs_attr;  /* ATTR_CODE64 */
	uint16_t ds;	   /* HRT_SEL_DATA: data, also SS/ES/FS/GS */
	uint16_t ds_attr;  /* ATTR_DATA */
	uint16_t tr;	   /* HRT_SEL_TSS */
	uint16_t tss_attr; /* ATTR_TSS_BUSY: as after LTR (the GDT
				 * descriptor says available, so the HRT
				 * may LTR it again) */
	uint64_t tss_base;
	uint32_t tss_limit; /* 103 */
};

/**
 * Write a GDT (null, 64-bit code, data, 64-bit TSS descriptor), a zeroed
 * 104-byte TSS and an IDT of 256 not-present gates into @r.
 * Returns 0, -TANDEM_EINVAL, or -TANDEM_ENOMEM (r->used unchanged).
 */
int hrt_build_gdt(struct hrt_region *r, struct hrt_gdt *out, const char **why);

/* What goes into the HRT's Multiboot2 boot information. */
struct hrt_boot_params {
	const char *cmdline;		   /* NUL-terminated; NULL: empty */
	const struct mb2_mmap_entry *mmap; /* the HRT's memory map */
	size_t mmap_count;
	const void *rsdp; /* optional RSDP copy for tag 14/15 */
	size_t rsdp_len;  /* 20: tag 14; 36 or more: tag 15 */
	/* HRT info tag (struct tandem_mb2_hrt_info); the IOAPIC fields
	 * are always 0, as Tandem gives the HRT no IOAPIC. */
	uint32_t total_num_apics;
	uint32_t first_hrt_apic_id;
	uint64_t cpu_freq_khz;
	uint64_t hrt_flags; /* hrt_image.hrt_flags */
	uint64_t max_mem_mapped;
	uint64_t first_hrt_gpa;
	uint64_t boot_state_gpa; /* usually the region's gpa */
	uint64_t gva_offset;
	uint64_t comm_page_gpa;
	uint8_t hrt_int_vector;
};

/* Where hrt_build_boot_info() put the block: RBX at entry is @gpa. */
struct hrt_boot_info {
	uint64_t gpa;
	uint32_t len;
};

/**
 * Write a Multiboot2 boot information block (spec 3.6) into @r: command
 * line, boot loader name "Tandem", basic memory information and memory
 * map from @p->mmap, the RSDP if given, and the HRT info tag (type
 * 0xf00df00d). Returns 0, -TANDEM_EINVAL, or -TANDEM_ENOMEM (r->used
 * unchanged).
 */
int hrt_build_boot_info(struct hrt_region *r, const struct hrt_boot_params *p,
			struct hrt_boot_info *out, const char **why);

#endif
