/* AP start-up through the real-mode trampoline (SDM Vol. 3A 9.4.4.1,
 * "Typical AP initialization sequence": INIT, 10 ms, SIPI, 200 us, SIPI). */
#include "hw/apic.h"
#include "hw/console.h"
#include "lib/cpu.h"
#include "hw/delay.h"
#include "header.h"
#include "lib/klib.h"
#include "layout.h"
#include "hw/percpu.h"
#include "smp.h"
#include "trampoline.h"
#include "guests.h"

extern const uint8_t trampoline_code[], trampoline_pm[], trampoline_lm[];
extern const uint8_t trampoline_code_end[];
extern const uint64_t boot_gdt[4];
extern uint8_t boot_pml4[];
extern void ap_entry64(void);
#define AP_ANSWER_TIMEOUT_MS 1000

static volatile int aps_released;

static void fill_trampoline(uint8_t *page, uint64_t phys)
{
	struct trampoline_data *d = (void *)(page + TRAMPOLINE_DATA_OFFSET);

	memcpy(page, trampoline_code, trampoline_code_end - trampoline_code);
	memcpy(d->gdt, boot_gdt, sizeof(d->gdt));
	d->gdtr_limit = sizeof(d->gdt) - 1;
	d->gdtr_base = phys + TRAMPOLINE_DATA_OFFSET +
		       __builtin_offsetof(struct trampoline_data, gdt);
	d->jmp32_offset = phys + (trampoline_pm - trampoline_code);
	d->jmp32_sel = GDT_CODE32;
	d->jmp64_offset = phys + (trampoline_lm - trampoline_code);
	d->jmp64_sel = GDT_CODE64;
	d->cr3 = (uint32_t)read_cr3(); /* boot tables: identity-map the page */
	d->efer = (uint32_t)rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE);
	d->entry = (uint64_t)ap_entry64;
}

static bool start_one(uint8_t *page, uint64_t phys, struct per_cpu *pc)
{
	struct trampoline_data *d = (void *)(page + TRAMPOLINE_DATA_OFFSET);

	d->stack = (uint64_t)pc->stack + sizeof(pc->stack);
	barrier();
	apic_send_ipi(pc->apic_id, APIC_ICR_INIT);
	mdelay(10);
	for (int sipi = 0; sipi < 2 && !pc->started; sipi++) {
		apic_send_ipi(pc->apic_id, APIC_ICR_STARTUP | (phys >> 12));
		udelay(200);
	}
	for (int ms = 0; ms < AP_ANSWER_TIMEOUT_MS; ms++) {
		if (__atomic_load_n(&pc->started, __ATOMIC_ACQUIRE))
			return true;
		mdelay(1);
	}
	return false;
}

unsigned int smp_start_aps(uint64_t tramp_phys, unsigned int ncpus,
			   const bool *enabled)
{
	uint8_t *page = (uint8_t *)(DIRECT_BASE + tramp_phys);
	unsigned int answered = 0;

	_Static_assert(TRAMPOLINE_DATA_OFFSET + sizeof(struct trampoline_data) <=
			       PAGE_SIZE,
		       "trampoline data fits the page");
	if ((uint64_t)(trampoline_code_end - trampoline_code) >
	    TRAMPOLINE_DATA_OFFSET)
		panic("smp: trampoline code (%lu bytes) overlaps its data",
		      (uint64_t)(trampoline_code_end - trampoline_code));
	fill_trampoline(page, tramp_phys);
	for (unsigned int cpu = 1; cpu < ncpus; cpu++) {
		struct per_cpu *pc = per_cpu(cpu);

		if (!enabled[cpu])
			continue;
		if (start_one(page, tramp_phys, pc)) {
			pc->online = 1;
			answered++;
		} else {
			/* Back to wait-for-SIPI, so it cannot run the
			 * trampoline page after we give it back. */
			apic_send_ipi(pc->apic_id, APIC_ICR_INIT);
			pr_err("smp: CPU %u (APIC id %u) did not start; continuing without it",
			       cpu, pc->apic_id);
		}
	}
	/* The page goes back to the guests' memory: scrub our code from it. */
	memset(page, 0, PAGE_SIZE);
	return answered;
}

void smp_release(void)
{
	__atomic_store_n(&aps_released, 1, __ATOMIC_RELEASE);
}

void smp_wait_entry_done(unsigned int ncpus)
{
	for (unsigned int cpu = 1; cpu < ncpus; cpu++) {
		struct per_cpu *pc = per_cpu(cpu);

		if (!pc->online)
			continue;
		while (!__atomic_load_n(&pc->entry_done, __ATOMIC_ACQUIRE))
			cpu_relax();
	}
}

/* C entry of every AP, on its own per-CPU stack (boot/entry.asm). */
void ap_main(void);
void ap_main(void)
{
	struct per_cpu *pc = this_cpu();
	tandem_entry_fn entry = (tandem_entry_fn)tandem_header.entry;

	per_cpu_load_tables(pc);
	apic_ap_mode();
	__atomic_store_n(&pc->started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&aps_released, __ATOMIC_ACQUIRE))
		cpu_relax();
	if (!pc->online) /* answered too late: not counted */
		cpu_halt_forever();
	pc->entry_result = entry(pc->cpu_id);
	__atomic_store_n(&pc->entry_done, 1, __ATOMIC_RELEASE);
	if (!pc->entry_result)
		guests_start_ap();
	cpu_halt_forever();
}
