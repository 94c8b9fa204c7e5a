/* Intel VMX backend: VMXON, the VMCS of a vCPU, guest state in and out of
 * the canonical form (SDM Vol. 3C chapters 24-26). Exits: vmx_exit.c. */
#include <tandem/errno.h>
#include "hw/console.h"
#include "lib/cpu.h"
#include "lib/klib.h"
#include "layout.h"
#include "mm/paging.h"
#include "hw/percpu.h"
#include "mm/pools.h"
#include "vmx.h"
#include "virt/io_bitmap.h"

#define CR0_NE	    (1ull << 5)
#define CR0_PE	    (1ull << 0)
#define CR0_PG	    (1ull << 31)
#define CR4_VMXE    (1ull << 13)
#define CR4_OSXSAVE (1ull << 18)
#define EFER_LMA    (1ull << 10)

static void *vmxon_region[TANDEM_MAX_CPUS];

extern void vmx_exit_stub(void);

uint64_t vmx_cr0_forced(void)
{
	/* Unrestricted guest lifts PE and PG (SDM Vol. 3C 26.3.1.1). */
	return vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG);
}

uint64_t vmx_cr4_forced(void)
{
	return vmx_caps.cr4_fixed0;
}

static int vmx_cpu_enable(struct per_cpu *pc)
{
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL), cr0, cr4;
	uint32_t *region;
	uint8_t err;

	if (!(fc & FC_LOCK)) {
		wrmsr(MSR_FEATURE_CONTROL, fc | FC_LOCK | FC_VMX_OUTSIDE_SMX);
	} else if (!(fc & FC_VMX_OUTSIDE_SMX)) {
		if (pc->cpu_id == 0)
			pr_err("vmx: VMX disabled by firmware (IA32_FEATURE_CONTROL locked)");
		return -TANDEM_EIO;
	}
	if (read_cr4() & CR4_VMXE)
		return -TANDEM_EBUSY; /* somebody else's VMX is on */

	region = page_alloc(1);
	if (!region)
		return -TANDEM_ENOMEM;
	region[0] = vmx_caps.revision;
	vmxon_region[pc->cpu_id] = region;

	/* Fixed bits (SDM Vol. 3D A.7, A.8): NE and VMXE at least. */
	cr0 = (read_cr0() | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1;
	asm volatile("mov %0, %%cr0" : : "r"(cr0));
	cr4 = (read_cr4() | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1;
	if (cpuid(1, 0).ecx & (1u << 26))
		cr4 |= CR4_OSXSAVE; /* guests' XSETBV runs on the host */
	write_cr4(cr4);

	uint64_t pa = virt_to_phys(region);
	asm volatile("vmxon %1; setna %0"
		     : "=q"(err)
		     : "m"(pa)
		     : "cc", "memory");
	if (err) {
		vmxon_region[pc->cpu_id] = NULL;
		page_free(region, 1);
		return -TANDEM_EIO;
	}
	return 0;
}

static void vmx_cpu_disable(struct per_cpu *pc)
{
	(void)pc;
	asm volatile("vmxoff" ::: "cc");
	write_cr4(read_cr4() & ~CR4_VMXE);
}

static void setup_host_state(void)
{
	struct per_cpu *pc = this_cpu();
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idtr;

	asm volatile("sidt %0" : "=m"(idtr));
	vmwrite(HOST_CR0, read_cr0());
	vmwrite(HOST_CR3, read_cr3());
	vmwrite(HOST_CR4, read_cr4());
	vmwrite(HOST_CS_SEL, GDT_CODE64);
	vmwrite(HOST_SS_SEL, GDT_DATA);
	vmwrite(HOST_DS_SEL, GDT_DATA);
	vmwrite(HOST_ES_SEL, GDT_DATA);
	vmwrite(HOST_FS_SEL, 0);
	vmwrite(HOST_GS_SEL, 0);
	vmwrite(HOST_TR_SEL, GDT_TSS);
	vmwrite(HOST_FS_BASE, 0);
	vmwrite(HOST_GS_BASE, 0);
	vmwrite(HOST_TR_BASE, (uint64_t)&pc->tss);
	vmwrite(HOST_GDTR_BASE, (uint64_t)pc->gdt);
	vmwrite(HOST_IDTR_BASE, idtr.base);
	vmwrite(HOST_SYSENTER_CS, 0);
	vmwrite(HOST_SYSENTER_ESP, 0);
	vmwrite(HOST_SYSENTER_EIP, 0);
	vmwrite(HOST_EFER, rdmsr(MSR_EFER));
	vmwrite(HOST_PAT, rdmsr(0x277));
	vmwrite(HOST_RIP, (uint64_t)vmx_exit_stub);
}

/* The pages of @x, the VMCS not (or no longer) active on any CPU. */
static void free_vcpu_pages(struct vmx_vcpu *x)
{
	if (x->vmcs)
		page_free(x->vmcs, 1);
	if (x->msr_bitmap)
		page_free(x->msr_bitmap, 1);
	if (x->io_bitmap)
		page_free(x->io_bitmap, 2);
	page_free(x, 1);
}

static int vmx_vcpu_create(struct vcpu *v)
{
	struct vmx_vcpu *x = page_alloc(1);
	uint8_t err;

	if (!x)
		return -TANDEM_ENOMEM;
	x->vmcs = page_alloc(1);
	x->msr_bitmap = page_alloc(1);
	x->io_bitmap = page_alloc(2);
	if (!x->vmcs || !x->msr_bitmap || !x->io_bitmap) {
		free_vcpu_pages(x);
		return -TANDEM_ENOMEM;
	}
	*(uint32_t *)x->vmcs = vmx_caps.revision;
	x->vmcs_pa = virt_to_phys(x->vmcs);
	v->backend = x;

	asm volatile("vmclear %1; setna %0"
		     : "=q"(err)
		     : "m"(x->vmcs_pa)
		     : "cc", "memory");
	if (!err)
		asm volatile("vmptrld %1; setna %0"
			     : "=q"(err)
			     : "m"(x->vmcs_pa)
			     : "cc", "memory");
	if (err)
		return -TANDEM_EIO;

	/* Physical interrupts and HLT stay in the guest: every partition takes
	 * its own CPUs' interrupts directly (Tandem's kick is the NMI). */
	vmwrite(PIN_CONTROLS, vmx_caps.pin);
	vmwrite(PROC_CONTROLS, vmx_caps.proc);
	vmwrite(PROC_CONTROLS2, vmx_caps.proc2);
	vmwrite(EXIT_CONTROLS, vmx_caps.exit);
	vmwrite(ENTRY_CONTROLS, vmx_caps.entry);
	vmwrite(EXCEPTION_BITMAP, 1u << 6); /* #UD: the other vendor's hypercall */
	vmwrite(CR3_TARGET_COUNT, 0);
	vmwrite(EXIT_MSR_STORE_COUNT, 0);
	vmwrite(EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(ENTRY_INTR_INFO, 0);
	vmwrite(IO_BITMAP_A, virt_to_phys(x->io_bitmap));
	vmwrite(IO_BITMAP_B, virt_to_phys(x->io_bitmap) + PAGE_SIZE);
	vmwrite(MSR_BITMAP, virt_to_phys(x->msr_bitmap));
	vmwrite(VMCS_LINK_POINTER, ~0ull);
	if (vmx_caps.vpid)
		vmwrite(VPID, 1); /* one vCPU per physical CPU */
	vmwrite(CR0_MASK, vmx_cr0_forced());
	vmwrite(CR4_MASK, vmx_cr4_forced());
	vmx_msr_bitmap_init(x->msr_bitmap);
	setup_host_state();
	return 0;
}

static void vmx_vcpu_load(struct vcpu *v)
{
	uint64_t pa = vmx_of(v)->vmcs_pa;

	asm volatile("vmptrld %0" : : "m"(pa) : "cc", "memory");
}

static void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *x = v->backend;

	if (!x)
		return;
	asm volatile("vmclear %0" : : "m"(x->vmcs_pa) : "cc", "memory");
	free_vcpu_pages(x);
	v->backend = NULL;
}

/* Access rights: the canonical attributes with bits 8-11 moved to 12-15
 * and the unusable bit at 16 (SDM Vol. 3C 24.4.1). */
static uint32_t ar_to_vmx(uint32_t attr)
{
	if (attr & SEG_UNUSABLE)
		return 1u << 16;
	return (attr & 0xff) | ((attr & 0xf00) << 4);
}

static uint32_t ar_from_vmx(uint32_t ar)
{
	uint32_t attr = (ar & 0xff) | ((ar >> 4) & 0xf00);

	return (ar & (1u << 16)) ? attr | SEG_UNUSABLE : attr;
}

#define SEG_FIELDS(name)                                                     \
	{                                                                    \
		GUEST_##name##_SEL, GUEST_##name##_AR, GUEST_##name##_LIMIT, \
			GUEST_##name##_BASE                                  \
	}

static const enum vmcs_field seg_fields[8][4] = {
	SEG_FIELDS(ES), SEG_FIELDS(CS), SEG_FIELDS(SS),	  SEG_FIELDS(DS),
	SEG_FIELDS(FS), SEG_FIELDS(GS), SEG_FIELDS(LDTR), SEG_FIELDS(TR),
};

static struct segment *seg_of(struct vcpu_state *s, int i)
{
	struct segment *segs[8] = { &s->es, &s->cs, &s->ss,   &s->ds,
				    &s->fs, &s->gs, &s->ldtr, &s->tr };
	return segs[i];
}

static void set_entry_ia32e(bool on)
{
	uint64_t ctl = vmread(ENTRY_CONTROLS);

	vmwrite(ENTRY_CONTROLS, on ? ctl | ENTRY_IA32E : ctl & ~ENTRY_IA32E);
}

static void vmx_set_state(struct vcpu *v, const struct vcpu_state *st)
{
	struct vmx_vcpu *x = vmx_of(v);
	struct vcpu_state copy = *st;

	for (int i = 0; i < 8; i++) {
		const struct segment *s = seg_of(&copy, i);

		vmwrite(seg_fields[i][0], s->sel);
		vmwrite(seg_fields[i][1], ar_to_vmx(s->attr));
		vmwrite(seg_fields[i][2], s->limit);
		vmwrite(seg_fields[i][3], s->base);
	}
	vmwrite(GUEST_GDTR_BASE, st->gdtr.base);
	vmwrite(GUEST_GDTR_LIMIT, st->gdtr.limit);
	vmwrite(GUEST_IDTR_BASE, st->idtr.base);
	vmwrite(GUEST_IDTR_LIMIT, st->idtr.limit);
	x->cr0_shadow = st->cr0;
	x->cr4_shadow = st->cr4;
	vmwrite(CR0_SHADOW, st->cr0);
	vmwrite(CR4_SHADOW, st->cr4);
	vmwrite(GUEST_CR0, (st->cr0 | vmx_cr0_forced()) & vmx_caps.cr0_fixed1);
	vmwrite(GUEST_CR4, (st->cr4 | vmx_cr4_forced()) & vmx_caps.cr4_fixed1);
	vmwrite(GUEST_CR3, st->cr3);
	vmwrite(GUEST_DR7, st->dr7);
	vmwrite(GUEST_EFER, st->efer);
	set_entry_ia32e(st->efer & EFER_LMA);
	vmwrite(GUEST_PAT, st->pat);
	vmwrite(GUEST_DEBUGCTL, 0);
	vmwrite(GUEST_SYSENTER_CS, st->sysenter_cs);
	vmwrite(GUEST_SYSENTER_ESP, st->sysenter_esp);
	vmwrite(GUEST_SYSENTER_EIP, st->sysenter_eip);
	vmwrite(GUEST_INTERRUPTIBILITY, 0);
	vmwrite(GUEST_ACTIVITY, 0);
	vmwrite(GUEST_PENDING_DBG, 0);
	vmwrite(ENTRY_INTR_INFO, 0);
	/* Not switched by VMX: the guest owns them on this CPU. */
	wrmsr(0xc0000081, st->star);
	wrmsr(0xc0000082, st->lstar);
	wrmsr(0xc0000083, st->cstar);
	wrmsr(0xc0000084, st->sfmask);
	wrmsr(0xc0000102, st->kernel_gs_base);
	asm volatile("mov %0, %%cr2" : : "r"(st->cr2));
	v->rip = st->rip;
	v->rflags = st->rflags;
}

static void vmx_get_state(struct vcpu *v, struct vcpu_state *st)
{
	struct vmx_vcpu *x = vmx_of(v);

	for (int i = 0; i < 8; i++) {
		struct segment *s = seg_of(st, i);

		s->sel = vmread(seg_fields[i][0]);
		s->attr = ar_from_vmx(vmread(seg_fields[i][1]));
		s->limit = vmread(seg_fields[i][2]);
		s->base = vmread(seg_fields[i][3]);
	}
	st->gdtr.base = vmread(GUEST_GDTR_BASE);
	st->gdtr.limit = vmread(GUEST_GDTR_LIMIT);
	st->idtr.base = vmread(GUEST_IDTR_BASE);
	st->idtr.limit = vmread(GUEST_IDTR_LIMIT);
	st->cr0 = (vmread(GUEST_CR0) & ~vmx_cr0_forced()) |
		  (x->cr0_shadow & vmx_cr0_forced());
	st->cr4 = (vmread(GUEST_CR4) & ~vmx_cr4_forced()) |
		  (x->cr4_shadow & vmx_cr4_forced());
	st->cr3 = vmread(GUEST_CR3);
	st->dr7 = vmread(GUEST_DR7);
	st->efer = vmread(GUEST_EFER);
	st->pat = vmread(GUEST_PAT);
	st->sysenter_cs = vmread(GUEST_SYSENTER_CS);
	st->sysenter_esp = vmread(GUEST_SYSENTER_ESP);
	st->sysenter_eip = vmread(GUEST_SYSENTER_EIP);
	st->star = rdmsr(0xc0000081);
	st->lstar = rdmsr(0xc0000082);
	st->cstar = rdmsr(0xc0000083);
	st->sfmask = rdmsr(0xc0000084);
	st->kernel_gs_base = rdmsr(0xc0000102);
	st->cr2 = read_cr2();
	st->rip = v->rip;
	st->rflags = v->rflags;
}

static unsigned int vmx_get_cpl(struct vcpu *v)
{
	(void)v;
	/* SS.DPL is the CPL (SDM Vol. 3C 24.4.1); real mode is CPL 0. */
	if (!(vmread(GUEST_CR0) & CR0_PE))
		return 0;
	return (vmread(GUEST_SS_AR) >> 5) & 3;
}

static enum cpu_mode vmx_get_mode(struct vcpu *v)
{
	uint32_t cs_ar = vmread(GUEST_CS_AR);

	(void)v;
	if (!(vmread(GUEST_CR0) & CR0_PE))
		return CPU_MODE_REAL;
	if ((vmread(GUEST_EFER) & EFER_LMA) && (cs_ar & (1u << 13)))
		return CPU_MODE_64;
	return (cs_ar & (1u << 14)) ? CPU_MODE_32 : CPU_MODE_16;
}

static void vmx_get_paging(struct vcpu *v, uint64_t *cr0, uint64_t *cr3,
			   uint64_t *cr4, uint64_t *efer)
{
	(void)v;
	*cr0 = vmread(GUEST_CR0); /* PG as the CPU uses it */
	*cr3 = vmread(GUEST_CR3);
	*cr4 = vmread(GUEST_CR4);
	*efer = vmread(GUEST_EFER);
}

static void invept(uint64_t type, uint64_t eptp)
{
	struct {
		uint64_t eptp, zero;
	} desc = { eptp, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

static void vmx_set_gpa_root(struct vcpu *v, uint64_t root_phys)
{
	(void)v;
	/* Write-back paging structures, 4-level walk (SDM Vol. 3C 25.6.11). */
	vmwrite(EPT_POINTER, root_phys | (3u << 3) | 6);
	invept(2, 0);
}

static void vmx_flush_gpa(struct vcpu *v)
{
	(void)v;
	if (vmx_caps.invept_single)
		invept(1, vmread(EPT_POINTER));
	else
		invept(2, 0);
}

static void vmx_inject(struct vcpu *v, const struct vcpu_event *e)
{
	uint32_t info = e->vector | INTR_INFO_VALID;

	(void)v;
	switch (e->type) {
	case EVENT_EXCEPTION:
		info |= INTR_TYPE_HW_EXCEPTION;
		if (e->has_error) {
			info |= INTR_INFO_ERROR_VALID;
			vmwrite(ENTRY_EXCEPTION_ERROR, e->error);
		}
		break;
	case EVENT_NMI:
		info = 2 | INTR_INFO_VALID | INTR_TYPE_NMI;
		break;
	case EVENT_INTERRUPT:
		info |= INTR_TYPE_EXT_INTR;
		vmwrite(GUEST_INTERRUPTIBILITY,
			vmread(GUEST_INTERRUPTIBILITY) & ~3ull);
		break;
	}
	vmwrite(ENTRY_INTR_INFO, info);
	vmwrite(GUEST_ACTIVITY, 0); /* a halted guest wakes for the event */
}

static bool vmx_irq_ready(struct vcpu *v)
{
	uint64_t blocking = vmread(GUEST_INTERRUPTIBILITY);

	/* A guest halted by "sti; hlt" is past the STI shadow: the HLT was
	 * the instruction it covered. Bochs still saves blocking by STI
	 * with the HLT state, which would keep the upcall out until another
	 * interrupt woke the guest. */
	if ((blocking & 1) && vmread(GUEST_ACTIVITY) == GUEST_ACTIVITY_HLT) {
		blocking &= ~1ull;
		vmwrite(GUEST_INTERRUPTIBILITY, blocking);
	}
	return (v->rflags & (1u << 9)) && !(blocking & 3) &&
	       !(vmread(ENTRY_INTR_INFO) & INTR_INFO_VALID);
}

static bool vmx_event_pending(struct vcpu *v)
{
	(void)v;
	return vmread(ENTRY_INTR_INFO) & INTR_INFO_VALID;
}

static void vmx_set_irq_window(struct vcpu *v, bool on)
{
	uint64_t proc = vmread(PROC_CONTROLS);

	(void)v;
	vmwrite(PROC_CONTROLS,
		on ? proc | PROC_IRQ_WINDOW : proc & ~PROC_IRQ_WINDOW);
}

/* TSC offsetting (SDM Vol. 3C 26.6.5): RDTSC, RDTSCP and RDMSR of IA32_TSC
 * that do not exit add TSC_OFFSET. */
static void vmx_set_tsc_offset(struct vcpu *v, uint64_t offset)
{
	(void)v;
	vmwrite(TSC_OFFSET, offset);
}

static void vmx_set_msr_intercept(struct vcpu *v, uint32_t msr, bool rd, bool wr)
{
	vmx_msr_intercept(vmx_of(v)->msr_bitmap, msr, rd, wr);
}

static void vmx_set_io_intercept(struct vcpu *v, uint32_t port, uint32_t count,
				 bool on)
{
	io_bitmap_set(vmx_of(v)->io_bitmap, port, count, on);
}

const struct vcpu_ops vmx_ops = {
	.name = "VMX",
	.probe = vmx_probe,
	.hypercall_insn = { 0x0f, 0x01, 0xc1 }, /* vmcall */
	.gpa_format = &pt_format_ept,
	.gpa_1g_pages = vmx_gpa_1g_pages,
	.cpu_enable = vmx_cpu_enable,
	.cpu_disable = vmx_cpu_disable,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_load = vmx_vcpu_load,
	.set_state = vmx_set_state,
	.get_state = vmx_get_state,
	.get_cpl = vmx_get_cpl,
	.get_mode = vmx_get_mode,
	.get_paging = vmx_get_paging,
	.set_gpa_root = vmx_set_gpa_root,
	.flush_gpa = vmx_flush_gpa,
	.run = vmx_run,
	.inject = vmx_inject,
	.irq_ready = vmx_irq_ready,
	.event_pending = vmx_event_pending,
	.set_irq_window = vmx_set_irq_window,
	.vendor_msr = vmx_vendor_msr,
	.set_tsc_offset = vmx_set_tsc_offset,
	.set_msr_intercept = vmx_set_msr_intercept,
	.set_io_intercept = vmx_set_io_intercept,
};
