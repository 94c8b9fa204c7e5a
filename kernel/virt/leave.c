/* Leaving a CPU for good (the mechanics of Disable, cell/disable.c): turn
 * virtualization off on this CPU and let the root guest continue natively
 * where it was.
 *
 * A root CPU running guest code continues natively at its guest state: a
 * small resume page (boot/resume_native.asm) is mapped at the same address
 * in Tandem's tables and in an unused lower-half slot of the guest's own
 * top-level table, so the code survives the switch to the guest's CR3. A
 * root CPU that the guest never started (or put back with INIT) is left in
 * wait-for-SIPI by a real INIT, as on a machine without Tandem. The guest
 * must be in 64-bit mode with 4-level paging (a running OS is); the pages
 * left behind are in Tandem's memory, which the guest's map marks reserved.
 */
#include <tandem/errno.h>
#include "hw/apic.h"
#include "virt/partition.h"
#include "hw/console.h"
#include "lib/cpu.h"
#include "virt/leave.h"
#include "virt/tsc_emul.h"
#include "virt/exits.h"
#include "virt/guest_mem.h"
#include "lib/klib.h"
#include "hw/percpu.h"
#include "mm/pools.h"

#define PTE_P	  1ull
#define PTE_W	  2ull
#define ADDR_MASK 0x000ffffffffff000ull
#define CR0_PG	  (1ull << 31)
#define EFER_LMA  (1ull << 10)

extern uint64_t boot_pml4[512];
extern const uint8_t resume_native_code[], resume_native_code_end[];

bool vcpu_can_leave(const struct vcpu_state *st)
{
	return (st->cr0 & CR0_PG) && (st->efer & EFER_LMA) &&
	       cell_gpa_to_hva(&root_cell, st->cr3 & ADDR_MASK, PAGE_SIZE);
}

/* An unused lower-half slot of both top-level tables. */
static int free_slot(const uint64_t *guest_pml4)
{
	for (int slot = 255; slot > 0; slot--)
		if (!(guest_pml4[slot] & PTE_P) && !(boot_pml4[slot] & PTE_P))
			return slot;
	return -1;
}

_Static_assert(sizeof(struct native_state) <= NATIVE_GDT_COPY,
	       "the state fits below the GDT copy");

/* LTR needs a TSS descriptor that is not busy, and sets the busy bit in
 * the GDT GDTR names, through the guest's mapping, which may be read-only
 * (Linux runs on a read-only alias of its GDT). So LTR runs on a copy of
 * the guest's GDT in the state page, with the bit clear; the guest's own
 * GDT keeps its descriptor busy, as after its own LTR. Returns false when
 * no copy can be made (a GDT past the copy's room, or not mapped). */
static bool copy_gdt(struct vcpu *v, const struct vcpu_state *st,
		     uint8_t *state_page, uint64_t state_va,
		     struct native_state *ns)
{
	uint8_t *copy = state_page + NATIVE_GDT_COPY;
	uint32_t len = st->gdtr.limit + 1u;
	uint32_t tss = st->tr.sel & ~7u;

	if (len > NATIVE_GDT_COPY_MAX)
		len = NATIVE_GDT_COPY_MAX;
	if (tss + 16 > len)
		return false;
	if (guest_read_linear(v, st->gdtr.base, copy, len))
		return false;
	copy[tss + 5] &= ~0x02;
	ns->tr_gdt_limit = (uint16_t)(len - 1);
	ns->tr_gdt_base = state_va + NATIVE_GDT_COPY;
	return true;
}

/* Without a copy: clear the bit in the guest's GDT (through its
 * guest-physical address), and LTR runs on the guest's GDT. */
static void unbusy_tss(struct vcpu *v, const struct vcpu_state *st)
{
	uint64_t gpa;
	uint8_t *type;

	if (!(st->tr.sel & ~7u) ||
	    guest_linear_to_gpa(v, st->gdtr.base + (st->tr.sel & ~7u) + 5, &gpa))
		return;
	type = cell_gpa_to_hva(&root_cell, gpa, 1);
	if (type)
		*type &= ~0x02;
}

/* Everything but the last jump; returns the resume page's address. */
static uint64_t prepare(struct vcpu *v, struct native_state **out)
{
	struct vcpu_state st;
	uint64_t *guest_pml4, *pdpt, *pd, *pt, va;
	uint8_t *code, *state_page;
	struct native_state *ns;
	int slot;

	vcpu_ops->get_state(v, &st);
	if (!vcpu_can_leave(&st))
		return 0;
	guest_pml4 = cell_gpa_to_hva(&root_cell, st.cr3 & ADDR_MASK, PAGE_SIZE);
	slot = free_slot(guest_pml4);
	code = page_alloc(2);
	pdpt = page_alloc(1);
	pd = page_alloc(1);
	pt = page_alloc(1);
	if (slot < 0 || !code || !pdpt || !pd || !pt)
		return 0;
	state_page = code + PAGE_SIZE;
	memcpy(code, resume_native_code,
	       resume_native_code_end - resume_native_code);
	pt[0] = virt_to_phys(code) | PTE_P;
	pt[1] = virt_to_phys(state_page) | PTE_P | PTE_W;
	pd[0] = virt_to_phys(pt) | PTE_P | PTE_W;
	pdpt[0] = virt_to_phys(pd) | PTE_P | PTE_W;
	guest_pml4[slot] = virt_to_phys(pdpt) | PTE_P | PTE_W;
	boot_pml4[slot] = virt_to_phys(pdpt) | PTE_P | PTE_W;
	va = (uint64_t)slot << 39;

	ns = (struct native_state *)state_page;
	ns->cr0 = st.cr0;
	ns->cr3 = st.cr3;
	ns->cr4 = st.cr4;
	ns->fs_base = st.fs.base;
	ns->gs_base = st.gs.base;
	ns->rip = v->rip;
	ns->rflags = v->rflags;
	ns->rsp = v->regs[GPR_RSP];
	ns->cs = st.cs.sel;
	ns->ss = st.ss.sel;
	memcpy(ns->regs, v->regs, sizeof(ns->regs));
	ns->ds = st.ds.sel;
	ns->es = st.es.sel;
	ns->fs = st.fs.sel;
	ns->gs = st.gs.sel;
	ns->tr = st.tr.sel;
	ns->ldtr = (st.ldtr.attr & SEG_UNUSABLE) ? 0 : st.ldtr.sel;
	ns->gdtr_limit = st.gdtr.limit;
	ns->gdtr_base = st.gdtr.base;
	ns->idtr_limit = st.idtr.limit;
	ns->idtr_base = st.idtr.base;
	ns->tr_gdt_limit = 0;
	if (!(st.tr.sel & ~7u) ||
	    !copy_gdt(v, &st, state_page, va + PAGE_SIZE, ns))
		unbusy_tss(v, &st);

	/* MSRs the resume code does not load: the guest's values now. */
	wrmsr(0xc0000081, st.star);
	wrmsr(0xc0000082, st.lstar);
	wrmsr(0xc0000083, st.cstar);
	wrmsr(0xc0000084, st.sfmask);
	wrmsr(0xc0000102, st.kernel_gs_base);
	wrmsr(0x174, st.sysenter_cs);
	wrmsr(0x175, st.sysenter_esp);
	wrmsr(0x176, st.sysenter_eip);
	wrmsr(0x277, st.pat);
	asm volatile("mov %0, %%cr2" : : "r"(st.cr2));
	*out = (struct native_state *)(va + PAGE_SIZE);
	return va;
}

void disable_this_cpu(struct vcpu *v)
{
	struct native_state *ns = NULL;
	uint64_t efer = 0, cr0, cr3, cr4;
	uint64_t va = v->cell->kind->root && v->state == VCPU_RUNNING ?
			      prepare(v, &ns) :
			      0;

	if (va) {
		vcpu_ops->get_paging(v, &cr0, &cr3, &cr4, &efer);
		tsc_emul_leave(v);
	}
	vcpu_ops->cpu_disable(this_cpu());
	__atomic_and_fetch(&v->requests, ~VCPU_REQ_DISABLE, __ATOMIC_RELEASE);
	if (!va)
		cpu_halt_forever(); /* the caller sends INIT: wait-for-SIPI */
	wrmsr(MSR_EFER, efer);	    /* the guest's, as get_paging gives it */
	asm volatile("jmp *%0" : : "r"(va), "D"(ns) : "memory");
	__builtin_unreachable();
}
