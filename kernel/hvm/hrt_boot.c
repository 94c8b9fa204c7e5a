/*
 * HRT boot state builders (see hrt_boot.h): page tables, descriptor
 * tables and the Multiboot2 boot information, written into HRT memory.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvm/hrt_boot.h"
#include "lib/fail.h"
#include "lib/klib.h"
#include "lib/unaligned.h"
#include "fmt/mb2.h"
#include "mm/paging.h"
#include "tandem/errno.h"
#include "tandem/hvm.h"
#include "virt/segment.h"

#define PAGE	      0x1000ull
#define PTE_P	      (1ull << 0)
#define PTE_RW	      (1ull << 1)
#define PTE_PS	      (1ull << 7) /* in a PDPTE or PDE: maps a page */
#define PTE_ADDR      0x000ffffffffff000ull
#define LOWER_HALF    (UINT64_C(1) << 47)
#define PML4_SPAN     (UINT64_C(1) << 39) /* one PML4 entry: 512 GiB */

/* SDM Vol. 3A 3.4.5, 7.2.3: descriptors. */
#define GDT_CODE64    0x00af9b000000ffffull /* G, L, P, code r/x, accessed */
#define GDT_DATA      0x00cf93000000ffffull /* G, D/B, P, data r/w, accessed */
#define TSS_SIZE      104
#define TSS_AVAILABLE 0x89 /* P, 64-bit TSS (available) */
#define GDT_SLOTS     5	   /* null, code, data, TSS (2) */
#define IDT_SIZE      (256 * 16)

static bool region_ok(const struct hrt_region *r)
{
	return r && r->hva && !(r->gpa & (PAGE - 1)) &&
	       !((uintptr_t)r->hva & (PAGE - 1)) && r->used <= r->size &&
	       r->gpa + r->size >= r->gpa;
}

/* Takes @len bytes aligned to @align from @r; NULL when they do not fit. */
static uint8_t *take(struct hrt_region *r, uint64_t len, uint64_t align,
		     uint64_t *gpa)
{
	uint64_t at = ALIGN_UP(r->used, align);

	if (at < r->used || at > r->size || len > r->size - at)
		return NULL;
	r->used = at + len;
	*gpa = r->gpa + at;
	memset((uint8_t *)r->hva + at, 0, len);
	return (uint8_t *)r->hva + at;
}

/* ---- page tables ---- */

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

static bool map_params_ok(const struct hrt_map_params *p)
{
	if (p->page_size != PT_SIZE_4K && p->page_size != PT_SIZE_2M &&
	    p->page_size != PT_SIZE_1G)
		return false;
	if (!p->max_mem || p->max_mem > LOWER_HALF || p->max_mem % p->page_size)
		return false;
	if ((p->comm_page_gpa & (PAGE - 1)) || p->comm_page_gpa >= LOWER_HALF)
		return false;
	/* The offset mapping reuses whole PML4 entries of the lower half. */
	return p->gva_offset == 0 || (p->gva_offset >= ~(LOWER_HALF - 1) &&
				      !(p->gva_offset & (PML4_SPAN - 1)));
}

uint64_t hrt_page_tables_pages(const struct hrt_map_params *p)
{
	uint64_t n;

	if (!p || !map_params_ok(p))
		return 0;
	n = 1 + div_up(p->max_mem, PML4_SPAN);
	if (p->page_size <= PT_SIZE_2M)
		n += div_up(p->max_mem, PT_SIZE_1G);
	if (p->page_size == PT_SIZE_4K)
		n += div_up(p->max_mem, PT_SIZE_2M);
	if (p->comm_page_gpa >= p->max_mem)
		n += 3; /* PDPT, PD, PT at most */
	return n;
}

struct pt_build {
	struct hrt_region *r;
	uint8_t *root;
	uint64_t pages;
};

/* The table an entry points to, allocating it if the entry is empty;
 * NULL when out of room or when the entry maps a page itself. */
static uint8_t *child(struct pt_build *b, uint8_t *slot)
{
	uint64_t e = rd64(slot), gpa;
	uint8_t *t;

	if (e & PTE_P) {
		if (e & PTE_PS)
			return NULL;
		return (uint8_t *)b->r->hva + ((e & PTE_ADDR) - b->r->gpa);
	}
	t = take(b->r, PAGE, PAGE, &gpa);
	if (!t)
		return NULL;
	b->pages++;
	wr64(slot, gpa | PTE_P | PTE_RW);
	return t;
}

/* Maps one page of @size at identity address @pa; -ENOMEM when out of room.
 * An address already covered by a large page is left as it is. */
static int map_one(struct pt_build *b, uint64_t pa, uint64_t size)
{
	uint8_t *t = b->root;
	int shift;

	for (shift = 39;; shift -= 9) {
		uint8_t *slot = t + 8 * ((pa >> shift) & 511);
		uint64_t e = rd64(slot);

		if ((UINT64_C(1) << shift) == size) {
			wr64(slot,
			     pa | PTE_P | PTE_RW | (size != PAGE ? PTE_PS : 0));
			return 0;
		}
		if ((e & PTE_P) && (e & PTE_PS))
			return 0;
		t = child(b, slot);
		if (!t)
			return -TANDEM_ENOMEM;
	}
}

int hrt_build_page_tables(struct hrt_region *r, const struct hrt_map_params *p,
			  struct hrt_page_tables *out, const char **why)
{
	struct pt_build b = { .r = r };
	uint64_t saved, pa, root_gpa, avail;
	unsigned i, first;
	int ret = 0;

	if (!region_ok(r) || !p || !out)
		return fail(why, TANDEM_EINVAL, "HRT boot region is misaligned");
	if (!map_params_ok(p))
		return fail(why, TANDEM_EINVAL, "bad HRT mapping parameters");
	/* Exact but for the comm page: refuse early rather than after
	 * walking terabytes page by page. */
	avail = ALIGN_UP(r->used, PAGE) <= r->size ?
			(r->size - ALIGN_UP(r->used, PAGE)) / PAGE :
			0;
	if (hrt_page_tables_pages(p) - (p->comm_page_gpa >= p->max_mem ? 3 : 0) >
	    avail)
		return fail(why, TANDEM_ENOMEM,
			    "HRT boot region too small for the page tables");

	saved = r->used;
	b.root = take(r, PAGE, PAGE, &root_gpa);
	if (!b.root)
		return fail(why, TANDEM_ENOMEM,
			    "HRT boot region too small for the page tables");
	b.pages = 1;
	for (pa = 0; ret == 0 && pa < p->max_mem; pa += p->page_size)
		ret = map_one(&b, pa, p->page_size);
	if (ret == 0 && p->comm_page_gpa >= p->max_mem)
		ret = map_one(&b, p->comm_page_gpa, PAGE);
	if (ret < 0) {
		r->used = saved;
		return fail(why, TANDEM_ENOMEM,
			    "HRT boot region too small for the page tables");
	}
	if (p->gva_offset) {
		first = (unsigned)((p->gva_offset >> 39) & 511);
		for (i = 0; i < 256; i++) {
			uint64_t e = rd64(b.root + 8 * i);

			if (!(e & PTE_P))
				continue;
			if (first + i > 511) {
				r->used = saved;
				return fail(why, TANDEM_EINVAL,
					    "HRT offset mapping would wrap");
			}
			wr64(b.root + 8 * (first + i), e);
		}
	}
	out->cr3 = root_gpa;
	out->pages = b.pages;
	return 0;
}

/* ---- GDT, TSS, IDT ---- */

int hrt_build_gdt(struct hrt_region *r, struct hrt_gdt *out, const char **why)
{
	uint64_t saved, gdt_gpa, tss_gpa, idt_gpa, lo;
	uint8_t *gdt, *tss, *idt;

	if (!region_ok(r) || !out)
		return fail(why, TANDEM_EINVAL, "HRT boot region is misaligned");
	saved = r->used;
	gdt = take(r, GDT_SLOTS * 8, 16, &gdt_gpa);
	tss = gdt ? take(r, TSS_SIZE, 16, &tss_gpa) : NULL;
	idt = tss ? take(r, IDT_SIZE, PAGE, &idt_gpa) : NULL;
	if (!idt) {
		r->used = saved;
		return fail(why, TANDEM_ENOMEM,
			    "HRT boot region too small for the GDT and IDT");
	}

	wr64(gdt + HRT_SEL_CODE64, GDT_CODE64);
	wr64(gdt + HRT_SEL_DATA, GDT_DATA);
	/* 16-byte system descriptor (SDM Vol. 3A 7.2.3). */
	lo = (uint64_t)(TSS_SIZE - 1) | ((tss_gpa & 0xffffff) << 16) |
	     ((uint64_t)TSS_AVAILABLE << 40) | (((tss_gpa >> 24) & 0xff) << 56);
	wr64(gdt + HRT_SEL_TSS, lo);
	wr64(gdt + HRT_SEL_TSS + 8, tss_gpa >> 32);
	/* I/O map base at the limit: no I/O permission bitmap. */
	tss[102] = TSS_SIZE & 0xff;
	tss[103] = TSS_SIZE >> 8;

	out->gdtr_base = gdt_gpa;
	out->gdtr_limit = GDT_SLOTS * 8 - 1;
	out->idtr_base = idt_gpa;
	out->idtr_limit = IDT_SIZE - 1;
	out->cs = HRT_SEL_CODE64;
	out->cs_attr = ATTR_CODE64;
	out->ds = HRT_SEL_DATA;
	out->ds_attr = ATTR_DATA;
	out->tr = HRT_SEL_TSS;
	out->tss_attr = ATTR_TSS_BUSY;
	out->tss_base = tss_gpa;
	out->tss_limit = TSS_SIZE - 1;
	return 0;
}

/* ---- Multiboot2 boot information ---- */

/* Spec 3.6.4 from the map: available memory at 0 (below 640 KiB) and from
 * 1 MiB up to the first hole, in KiB. */
static void basic_meminfo(const struct hrt_boot_params *p, uint32_t *lower,
			  uint32_t *upper)
{
	uint64_t end = 0x100000, lo = 0;
	bool grown = true;
	size_t i;

	for (i = 0; i < p->mmap_count; i++) {
		const struct mb2_mmap_entry *e = &p->mmap[i];

		if (e->type == MB2_MMAP_AVAILABLE && e->base == 0)
			lo = e->length < 0xa0000 ? e->length : 0xa0000;
	}
	/* Follow touching or overlapping available entries upwards. */
	while (grown) {
		grown = false;
		for (i = 0; i < p->mmap_count; i++) {
			const struct mb2_mmap_entry *e = &p->mmap[i];
			uint64_t e_end = e->base + e->length;

			if (e->type != MB2_MMAP_AVAILABLE || e_end < e->base)
				continue;
			if (e->base <= end && e_end > end) {
				end = e_end;
				grown = true;
			}
		}
	}
	*lower = (uint32_t)(lo / 1024);
	end = (end - 0x100000) / 1024;
	*upper = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
}

int hrt_build_boot_info(struct hrt_region *r, const struct hrt_boot_params *p,
			struct hrt_boot_info *out, const char **why)
{
	static const char loader[] = "Tandem";
	struct tandem_mb2_hrt_info info;
	struct mb2_builder b;
	uint64_t at;
	uint32_t lower, upper;
	const char *cmdline;
	int ret;

	if (!region_ok(r) || !p || !out || (p->mmap_count && !p->mmap) ||
	    (p->rsdp && p->rsdp_len < 20))
		return fail(why, TANDEM_EINVAL,
			    "bad HRT boot information arguments");
	at = ALIGN_UP(r->used, 8);
	if (at > r->size)
		return fail(why, TANDEM_ENOMEM,
			    "HRT boot region too small for the boot information");

	memset(&info, 0, sizeof(info));
	info.type = TANDEM_MB2_INFO_HRT;
	info.size = sizeof(info);
	info.total_num_apics = p->total_num_apics;
	info.first_hrt_apic_id = p->first_hrt_apic_id;
	info.have_hrt_ioapic = 0;
	info.first_hrt_ioapic_entry = 0;
	info.cpu_freq_khz = p->cpu_freq_khz;
	info.hrt_flags = p->hrt_flags;
	info.max_mem_mapped = p->max_mem_mapped;
	info.first_hrt_gpa = p->first_hrt_gpa;
	info.boot_state_gpa = p->boot_state_gpa;
	info.gva_offset = p->gva_offset;
	info.comm_page_gpa = p->comm_page_gpa;
	info.hrt_int_vector = p->hrt_int_vector;

	cmdline = p->cmdline ? p->cmdline : "";
	basic_meminfo(p, &lower, &upper);
	mb2b_init(&b, (uint8_t *)r->hva + at, r->size - at);
	mb2b_cmdline(&b, cmdline, strlen(cmdline));
	mb2b_loader_name(&b, loader, sizeof(loader) - 1);
	mb2b_basic_meminfo(&b, lower, upper);
	if (p->mmap_count)
		mb2b_mmap(&b, p->mmap, p->mmap_count);
	if (p->rsdp) {
		bool is_new = p->rsdp_len >= 36 &&
			      ((const uint8_t *)p->rsdp)[15] >= 2;

		mb2b_rsdp(&b, is_new, p->rsdp, is_new ? p->rsdp_len : 20);
	}
	/* The payload is the tag without its 8-byte type/size header. */
	mb2b_raw_tag(&b, TANDEM_MB2_INFO_HRT, &info.total_num_apics,
		     sizeof(info) - 8);
	ret = mb2b_finish(&b);
	if (ret == -TANDEM_E2BIG)
		return fail(why, TANDEM_ENOMEM,
			    "HRT boot region too small for the boot information");
	if (ret < 0)
		return fail(why, -ret, "bad HRT boot information arguments");
	r->used = at + (uint64_t)ret;
	out->gpa = r->gpa + at;
	out->len = (uint32_t)ret;
	return 0;
}
