/* AMD SVM backend: enabling SVM, the VMCB of a vCPU, guest state in and
 * out of the canonical form (APM Vol. 2 chapter 15). Exits: svm_exit.c. */
#include <tandem/errno.h>
#include "hw/console.h"
#include "lib/cpu.h"
#include "lib/klib.h"
#include "layout.h"
#include "mm/paging.h"
#include "hw/percpu.h"
#include "mm/pools.h"
#include "svm.h"
#include "virt/vcpu.h"
#include "virt/io_bitmap.h"

#define IOPM_PAGES 3

/* Per physical CPU: the host save area VMRUN uses, and the area VMSAVE
 * keeps Tandem's own FS/GS/TR/LDTR state in while a guest runs. */
static uint64_t hsave_pa[TANDEM_MAX_CPUS];
uint64_t svm_host_area_pa[TANDEM_MAX_CPUS];

static int svm_cpu_enable(struct per_cpu *pc)
{
	void *hsave = page_alloc(1), *host = page_alloc(1);
	int err = 0;

	if (!hsave || !host)
		err = -TANDEM_ENOMEM;
	else if (rdmsr(MSR_EFER) & EFER_SVME)
		err = -TANDEM_EBUSY; /* someone else's SVM is on */
	if (err) {
		if (hsave)
			page_free(hsave, 1);
		if (host)
			page_free(host, 1);
		return err;
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	hsave_pa[pc->cpu_id] = virt_to_phys(hsave);
	svm_host_area_pa[pc->cpu_id] = virt_to_phys(host);
	wrmsr(MSR_VM_HSAVE_PA, hsave_pa[pc->cpu_id]);
	asm volatile("vmsave %0"
		     :
		     : "a"(svm_host_area_pa[pc->cpu_id])
		     : "memory");
	return 0;
}

static void svm_cpu_disable(struct per_cpu *pc)
{
	(void)pc;
	wrmsr(MSR_VM_HSAVE_PA, 0);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_SVME);
}

static void free_vcpu_pages(struct svm_vcpu *s)
{
	if (s->vmcb)
		page_free(s->vmcb, 1);
	if (s->msrpm)
		page_free(s->msrpm, MSRPM_PAGES);
	if (s->iopm)
		page_free(s->iopm, IOPM_PAGES);
	page_free(s, 1);
}

static int svm_vcpu_create(struct vcpu *v)
{
	struct svm_vcpu *s = page_alloc(1);
	struct vmcb_control *c;

	if (!s)
		return -TANDEM_ENOMEM;
	s->vmcb = page_alloc(1);
	s->msrpm = page_alloc(MSRPM_PAGES);
	s->iopm = page_alloc(IOPM_PAGES);
	if (!s->vmcb || !s->msrpm || !s->iopm) {
		free_vcpu_pages(s);
		return -TANDEM_ENOMEM;
	}
	s->vmcb_pa = virt_to_phys(s->vmcb);
	v->backend = s;

	c = &s->vmcb->control;
	c->intercept_exceptions = 1u << 6; /* #UD: the other vendor's hypercall */
	c->intercept_misc1 = INTERCEPT_NMI | INTERCEPT_INIT | INTERCEPT_CPUID |
			     INTERCEPT_IOIO | INTERCEPT_MSR | INTERCEPT_SHUTDOWN;
	/* NMIs exit (they are Tandem's kick; others are handed back), and
	 * the pending NMI then reaches Tandem's handler once GIF is set. */
	c->intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL |
			     INTERCEPT_VMLOAD | INTERCEPT_VMSAVE |
			     INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT;
	c->iopm_base_pa = virt_to_phys(s->iopm);
	c->msrpm_base_pa = virt_to_phys(s->msrpm);
	c->asid = 1;	    /* one vCPU per physical CPU */
	c->tlb_control = 1; /* flush everything on the first entry */
	c->np_enable = 1;
	svm_msrpm_init(s->msrpm);
	return 0;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
	struct svm_vcpu *s = v->backend;

	if (!s)
		return;
	free_vcpu_pages(s);
	v->backend = NULL;
}

static void svm_vcpu_load(struct vcpu *v)
{
	(void)v; /* the VMCB is named at every VMRUN */
}

static void seg_to_vmcb(struct vmcb_seg *d, const struct segment *s)
{
	d->sel = s->sel;
	d->attr = (s->attr & SEG_UNUSABLE) ? 0 : (s->attr & 0xfff);
	d->limit = s->limit;
	d->base = s->base;
}

static void seg_from_vmcb(struct segment *d, const struct vmcb_seg *s)
{
	d->sel = s->sel;
	d->attr = s->attr & 0xfff;
	if (!(d->attr & 0x80))
		d->attr |= SEG_UNUSABLE;
	d->limit = s->limit;
	d->base = s->base;
}

static void svm_set_state(struct vcpu *v, const struct vcpu_state *st)
{
	struct vmcb_save *s = &svm_of(v)->vmcb->save;

	seg_to_vmcb(&s->es, &st->es);
	seg_to_vmcb(&s->cs, &st->cs);
	seg_to_vmcb(&s->ss, &st->ss);
	seg_to_vmcb(&s->ds, &st->ds);
	seg_to_vmcb(&s->fs, &st->fs);
	seg_to_vmcb(&s->gs, &st->gs);
	seg_to_vmcb(&s->ldtr, &st->ldtr);
	seg_to_vmcb(&s->tr, &st->tr);
	s->gdtr.base = st->gdtr.base;
	s->gdtr.limit = st->gdtr.limit;
	s->idtr.base = st->idtr.base;
	s->idtr.limit = st->idtr.limit;
	s->cpl = (st->cs.attr >> 5) & 3;
	if (!(st->cr0 & 1))
		s->cpl = 0;		/* real mode */
	s->efer = st->efer | EFER_SVME; /* VMRUN requires it (APM 15.5.1) */
	s->cr0 = st->cr0;
	s->cr2 = st->cr2;
	s->cr3 = st->cr3;
	s->cr4 = st->cr4;
	s->dr7 = st->dr7;
	s->dr6 = 0xffff0ff0;
	s->g_pat = st->pat;
	s->star = st->star;
	s->lstar = st->lstar;
	s->cstar = st->cstar;
	s->sfmask = st->sfmask;
	s->kernel_gs_base = st->kernel_gs_base;
	s->sysenter_cs = st->sysenter_cs;
	s->sysenter_esp = st->sysenter_esp;
	s->sysenter_eip = st->sysenter_eip;
	v->rip = st->rip;
	v->rflags = st->rflags;
	svm_of(v)->vmcb->control.event_inj = 0;
	svm_of(v)->vmcb->control.int_shadow = 0;
	svm_of(v)->vmcb->control.tlb_control = 1;
	/* Also the CPU's own CR2 (this runs on the vCPU's CPU, and nothing
	 * changes CR2 before VMRUN): Bochs's VMRUN (2.7, and its source
	 * still) reads the VMCB's CR2 but never loads it, so its guest keeps
	 * the CR2 the CPU holds; hardware and QEMU load the VMCB's. The
	 * magic page-fault upcall's CR2 (virt/exc_deliver.c) needs it. */
	asm volatile("mov %0, %%cr2" : : "r"(st->cr2));
}

static void svm_get_state(struct vcpu *v, struct vcpu_state *st)
{
	const struct vmcb_save *s = &svm_of(v)->vmcb->save;

	seg_from_vmcb(&st->es, &s->es);
	seg_from_vmcb(&st->cs, &s->cs);
	seg_from_vmcb(&st->ss, &s->ss);
	seg_from_vmcb(&st->ds, &s->ds);
	seg_from_vmcb(&st->fs, &s->fs);
	seg_from_vmcb(&st->gs, &s->gs);
	seg_from_vmcb(&st->ldtr, &s->ldtr);
	seg_from_vmcb(&st->tr, &s->tr);
	st->gdtr.base = s->gdtr.base;
	st->gdtr.limit = s->gdtr.limit;
	st->idtr.base = s->idtr.base;
	st->idtr.limit = s->idtr.limit;
	st->efer = s->efer & ~(uint64_t)EFER_SVME;
	st->cr0 = s->cr0;
	st->cr2 = s->cr2;
	st->cr3 = s->cr3;
	st->cr4 = s->cr4;
	st->dr7 = s->dr7;
	st->pat = s->g_pat;
	st->star = s->star;
	st->lstar = s->lstar;
	st->cstar = s->cstar;
	st->sfmask = s->sfmask;
	st->kernel_gs_base = s->kernel_gs_base;
	st->sysenter_cs = s->sysenter_cs;
	st->sysenter_esp = s->sysenter_esp;
	st->sysenter_eip = s->sysenter_eip;
	st->rip = v->rip;
	st->rflags = v->rflags;
}

static unsigned int svm_get_cpl(struct vcpu *v)
{
	return svm_of(v)->vmcb->save.cpl;
}

static enum cpu_mode svm_get_mode(struct vcpu *v)
{
	const struct vmcb_save *s = &svm_of(v)->vmcb->save;

	if (!(s->cr0 & 1))
		return CPU_MODE_REAL;
	if ((s->efer & (1u << 10)) && (s->cs.attr & (1u << 9)))
		return CPU_MODE_64; /* LMA and CS.L */
	return (s->cs.attr & (1u << 10)) ? CPU_MODE_32 : CPU_MODE_16;
}

static void svm_get_paging(struct vcpu *v, uint64_t *cr0, uint64_t *cr3,
			   uint64_t *cr4, uint64_t *efer)
{
	const struct vmcb_save *s = &svm_of(v)->vmcb->save;

	*cr0 = s->cr0;
	*cr3 = s->cr3;
	*cr4 = s->cr4;
	*efer = s->efer & ~(uint64_t)EFER_SVME;
}

static void svm_set_gpa_root(struct vcpu *v, uint64_t root_phys)
{
	svm_of(v)->vmcb->control.n_cr3 = root_phys;
	svm_of(v)->vmcb->control.tlb_control = 1;
}

static void svm_flush_gpa(struct vcpu *v)
{
	/* No flush-by-ASID under QEMU TCG: flush everything. */
	svm_of(v)->vmcb->control.tlb_control = 1;
}

static void svm_inject(struct vcpu *v, const struct vcpu_event *e)
{
	uint64_t inj = e->vector | EVENTINJ_VALID;

	switch (e->type) {
	case EVENT_EXCEPTION:
		inj |= EVENTINJ_TYPE_EXCEPTION;
		if (e->has_error)
			inj |= EVENTINJ_ERROR_VALID | ((uint64_t)e->error << 32);
		break;
	case EVENT_NMI:
		inj = 2 | EVENTINJ_VALID | EVENTINJ_TYPE_NMI;
		break;
	case EVENT_INTERRUPT:
		inj |= EVENTINJ_TYPE_INTR;
		svm_of(v)->vmcb->control.int_shadow = 0; /* see svm_irq_ready */
		break;
	}
	svm_of(v)->vmcb->control.event_inj = inj;
}

static bool svm_irq_ready(struct vcpu *v)
{
	return (v->rflags & (1u << 9)) &&
	       !(svm_of(v)->vmcb->control.int_shadow & 1) &&
	       !(svm_of(v)->vmcb->control.event_inj & EVENTINJ_VALID);
}

static bool svm_event_pending(struct vcpu *v)
{
	return svm_of(v)->vmcb->control.event_inj & EVENTINJ_VALID;
}

static void svm_set_irq_window(struct vcpu *v, bool on)
{
	struct vmcb_control *c = &svm_of(v)->vmcb->control;

	/* A virtual interrupt request with VINTR intercepted exits as soon
	 * as the guest could take it (APM 15.21.4).
	 *
	 * While V_IRQ is set, the guest's CR8 writes exit too and Tandem
	 * makes them (cr8_emul.c): QEMU's TCG (7.2, and upstream still when
	 * this was written) re-evaluates V_IRQ in helper_write_crN, case 8, and calls
	 * cpu_interrupt() from the vCPU thread without the BQL, which
	 * aborts QEMU (tcg_handle_interrupt: assertion failed:
	 * qemu_mutex_iothread_locked()) when a guest such as Nautilus's
	 * scheduler writes CR8 with IF = 0 while an upcall waits. On
	 * hardware the exit costs one round trip per CR8 write, and only
	 * while a window is requested. */
	if (on) {
		c->int_ctl |= V_IRQ | V_IGN_TPR;
		c->intercept_misc1 |= 1u << 4;
		c->intercept_cr |= INTERCEPT_CR8_WRITE;
	} else {
		c->int_ctl &= ~(V_IRQ | V_IGN_TPR);
		c->intercept_misc1 &= ~(1u << 4);
		c->intercept_cr &= ~INTERCEPT_CR8_WRITE;
	}
}

/* APM Vol. 2 15.30.5: the guest's RDTSC, RDTSCP and RDMSR of TSC add
 * TSC_OFFSET (no clean bits: the VMCB is read whole at every VMRUN). */
static void svm_set_tsc_offset(struct vcpu *v, uint64_t offset)
{
	svm_of(v)->vmcb->control.tsc_offset = offset;
}

static void svm_set_msr_intercept(struct vcpu *v, uint32_t msr, bool rd, bool wr)
{
	svm_msr_intercept(svm_of(v)->msrpm, msr, rd, wr);
}

static void svm_set_io_intercept(struct vcpu *v, uint32_t port, uint32_t count,
				 bool on)
{
	io_bitmap_set(svm_of(v)->iopm, port, count, on);
}

const struct vcpu_ops svm_ops = {
	.name = "SVM",
	.probe = svm_probe,
	.hypercall_insn = { 0x0f, 0x01, 0xd9 }, /* vmmcall */
	.gpa_format = &pt_format_npt,
	.gpa_1g_pages = svm_gpa_1g_pages,
	.cpu_enable = svm_cpu_enable,
	.cpu_disable = svm_cpu_disable,
	.vcpu_create = svm_vcpu_create,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_load = svm_vcpu_load,
	.set_state = svm_set_state,
	.get_state = svm_get_state,
	.get_cpl = svm_get_cpl,
	.get_mode = svm_get_mode,
	.get_paging = svm_get_paging,
	.set_gpa_root = svm_set_gpa_root,
	.flush_gpa = svm_flush_gpa,
	.run = svm_run,
	.inject = svm_inject,
	.irq_ready = svm_irq_ready,
	.event_pending = svm_event_pending,
	.set_irq_window = svm_set_irq_window,
	.vendor_msr = svm_vendor_msr,
	.set_tsc_offset = svm_set_tsc_offset,
	.set_msr_intercept = svm_set_msr_intercept,
	.set_io_intercept = svm_set_io_intercept,
};
