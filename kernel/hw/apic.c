/* Local APIC access (SDM Vol. 3A 11.4 xAPIC, 11.12 x2APIC). */
#include "hw/apic.h"
#include "hw/percpu.h"
#include "hw/tsc.h"
#include "lib/cpu.h"
#include "layout.h"

#define APIC_BASE_X2APIC     (1u << 10)
#define APIC_BASE_ENABLE     (1u << 11)
#define XAPIC_ID	     0x20
#define XAPIC_ICR_LO	     0x300
#define XAPIC_ICR_HI	     0x310
#define ICR_DELIVERY_PENDING (1u << 12)
#define X2APIC_MSR_ID	     0x802
#define X2APIC_MSR_ICR	     0x830

static bool x2apic;
static volatile uint32_t *xapic_mmio;

void apic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	x2apic = base & APIC_BASE_X2APIC;
	/* The APIC page lies below 4 GiB, inside the boot direct map; the
	 * firmware's MTRRs make it uncached. */
	xapic_mmio = (volatile uint32_t *)(DIRECT_BASE + (base & ~0xfffull));
}

bool apic_is_x2apic(void)
{
	return x2apic;
}

bool apic_switch_x2apic(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!(cpuid(1, 0).ecx & (1u << 21)) || !(base & APIC_BASE_ENABLE))
		return false;
	if (!(base & APIC_BASE_X2APIC))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_X2APIC);
	x2apic = true;
	return true;
}

void apic_ap_mode(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (x2apic && !(base & APIC_BASE_X2APIC))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
}

uint32_t apic_id(void)
{
	if (x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR_ID);
	return xapic_mmio[XAPIC_ID / 4] >> 24;
}

bool apic_send_ipi(uint32_t dest, uint32_t icr_low)
{
	if (x2apic) {
		wrmsr(X2APIC_MSR_ICR, ((uint64_t)dest << 32) | icr_low);
		return true;
	}
	xapic_mmio[XAPIC_ICR_HI / 4] = dest << 24;
	xapic_mmio[XAPIC_ICR_LO / 4] = icr_low;
	for (int i = 0; i < 1000000; i++) {
		if (!(xapic_mmio[XAPIC_ICR_LO / 4] & ICR_DELIVERY_PENDING))
			return true;
		cpu_relax();
	}
	return false;
}

/* In x2APIC mode register 0xnn0 is MSR 0x80n (SDM Vol. 3A 11.12.1.2). */
uint32_t apic_reg_read(uint32_t offset)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800 + (offset >> 4));
	return xapic_mmio[offset / 4];
}

void apic_reg_write(uint32_t offset, uint32_t value)
{
	if (x2apic)
		wrmsr(0x800 + (offset >> 4), value);
	else
		xapic_mmio[offset / 4] = value;
}

void apic_eoi(void)
{
	if (x2apic)
		wrmsr(0x80b, 0);
	else
		xapic_mmio[0xb0 / 4] = 0;
}

/* Interrupts a guest may have left, in-service or pending, end here. */
static void end_in_service(void)
{
	for (unsigned int n = 0; n < 256; n++) {
		bool any = false;

		for (uint32_t isr = 0x100; isr <= 0x170; isr += 0x10)
			any |= apic_reg_read(isr) != 0;
		if (!any)
			return;
		apic_eoi();
	}
}

void apic_quiesce(void)
{
	/* The LVT entries this APIC has (SDM Vol. 3A 11.5.1: version
	 * register bits 16-23 give the highest entry: 4 performance
	 * counters, 5 thermal, 6 CMCI). */
	uint32_t max_lvt = (apic_reg_read(0x30) >> 16) & 0xff;
	const uint32_t mask = 1u << 16;

	apic_reg_write(0x380, 0); /* timer initial count: stopped */
	apic_reg_write(0x320, mask);
	apic_reg_write(0x350, mask);
	apic_reg_write(0x360, mask);
	apic_reg_write(0x370, mask);
	if (max_lvt >= 4)
		apic_reg_write(0x340, mask);
	if (max_lvt >= 5)
		apic_reg_write(0x330, mask);
	if (max_lvt >= 6)
		apic_reg_write(0x2f0, mask);
	apic_reg_write(0x80, 0); /* TPR */
	end_in_service();
	/* Requested ones (IRR) are taken by trap_handler(), which ends them:
	 * STI's shadow covers the first NOP, they come in after it. */
	this_cpu()->quiescing = true;
	asm volatile("sti; nop; nop; cli" ::: "memory");
	this_cpu()->quiescing = false;
	end_in_service();
}

void apic_cpu_init(void)
{
	/* Software-enable the APIC (SDM Vol. 3A 11.9): the guests on this
	 * CPU take their fixed interrupts through it. Spurious vector 0xff. */
	if (x2apic) {
		wrmsr(0x80f, rdmsr(0x80f) | 0x1ff);
		wrmsr(0x808, 0); /* TPR */
	} else {
		xapic_mmio[0xf0 / 4] |= 0x1ff;
		xapic_mmio[0x80 / 4] = 0;
	}
}

uint32_t apic_timer_khz;

/* The timer's input clock (divide by 1, SDM Vol. 3A 11.5.4): count down
 * from the top for 10 ms of TSC with the timer masked, then stop it. An
 * emulator thread preempted between the two reads counts too many ticks,
 * never too few: the lowest of three samples. */
void apic_timer_calibrate(void)
{
	uint32_t lvt = apic_reg_read(0x320), best = 0;

	apic_reg_write(0x320, 1u << 16); /* masked, one-shot */
	apic_reg_write(0x3e0, 0xb);	 /* divide by 1 */
	for (int i = 0; i < 3; i++) {
		uint64_t end;
		uint32_t ticks;

		apic_reg_write(0x380, 0xffffffffu);
		end = rdtsc() + tsc_khz * 10;
		while (rdtsc() < end)
			cpu_relax();
		ticks = 0xffffffffu - apic_reg_read(0x390);
		if (!best || ticks < best)
			best = ticks;
	}
	apic_reg_write(0x380, 0);
	apic_reg_write(0x320, lvt);
	apic_timer_khz = best / 10;
}
