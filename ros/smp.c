/* AP start-up (SDM Vol. 3A 9.4.4.1, "Typical AP initialization sequence":
 * INIT, 10 ms, SIPI, 200 us, SIPI), one AP at a time: the trampoline and the
 * stack pointer handed over in ap_boot_rsp are shared. */
#include "cpu.h"
#include "smp.h"
#include "trap.h"

#define APIC_BASE_X2APIC (1u << 10)
#define APIC_BASE_ENABLE (1u << 11)
#define APIC_ID		 0x20
#define APIC_SVR	 0xf0
#define APIC_ICR_LO	 0x300
#define APIC_ICR_HI	 0x310
#define APIC_ICR_BUSY	 (1u << 12)
#define X2APIC_MSR(reg)	 (0x800 + ((reg) >> 4))
#define ICR_INIT	 0x00004500 /* INIT, level assert */
#define ICR_STARTUP	 0x00004600 /* start-up, vector in bits 0-7 */

extern const uint8_t ros_trampoline[], ros_trampoline_end[];
extern uint64_t ap_boot_rsp;
extern uint32_t ap_boot_index;

struct ros_smp ros_smp;
static volatile uint32_t *lapic;
static void (*ap_probe)(unsigned cpu);

static uint32_t apic_read(uint32_t reg)
{
	if (ros_smp.x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR(reg));
	return lapic[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (ros_smp.x2apic)
		wrmsr(X2APIC_MSR(reg), v);
	else
		lapic[reg / 4] = v;
}

static uint32_t apic_id(void)
{
	return ros_smp.x2apic ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
}

static void send_ipi(uint32_t dest, uint32_t cmd)
{
	if (ros_smp.x2apic) {
		wrmsr(X2APIC_MSR(APIC_ICR_LO), (uint64_t)dest << 32 | cmd);
		return;
	}
	for (int i = 0; i < 100000 && (apic_read(APIC_ICR_LO) & APIC_ICR_BUSY);
	     i++)
		cpu_relax();
	apic_write(APIC_ICR_HI, dest << 24);
	apic_write(APIC_ICR_LO, cmd);
	for (int i = 0; i < 100000 && (apic_read(APIC_ICR_LO) & APIC_ICR_BUSY);
	     i++)
		cpu_relax();
}

const char *ros_smp_init(const struct ros_madt *madt)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t self;
	bool listed = false;

	ros_smp.x2apic = (base & APIC_BASE_X2APIC) != 0;
	lapic = (volatile uint32_t *)(base & ~0xfffull & ((1ull << 32) - 1));
	self = apic_id();
	ros_smp.apic_ids[0] = self;
	ros_smp.ncpus = 1;
	for (size_t i = 0; i < madt->ncpus && ros_smp.ncpus < ROS_MAX_CPUS; i++) {
		if (madt->apic_ids[i] == self) {
			listed = true;
			continue;
		}
		if (!ros_smp.x2apic && madt->apic_ids[i] > 0xfe)
			continue; /* not addressable in xAPIC mode */
		ros_smp.apic_ids[ros_smp.ncpus++] = madt->apic_ids[i];
	}
	if (!(base & APIC_BASE_ENABLE))
		return "local APIC globally disabled";
	if (!listed)
		return "this CPU's APIC ID is not in the MADT";
	return NULL;
}

static bool wait_for(volatile int *flag, unsigned ms)
{
	for (unsigned i = 0; i < ms; i++) {
		if (__atomic_load_n(flag, __ATOMIC_ACQUIRE))
			return true;
		ros_udelay(1000);
	}
	return __atomic_load_n(flag, __ATOMIC_ACQUIRE) != 0;
}

static void start_one(unsigned k)
{
	struct ros_probe *p = &ros_smp.probes[k];
	uint32_t dest = ros_smp.apic_ids[k];
	uint32_t vector = (uint32_t)(ros_smp.trampoline >> 12);

	ap_boot_rsp = (uint64_t)ros_ap_stacks[k] + ROS_AP_STACK_SIZE;
	ap_boot_index = k;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	send_ipi(dest, ICR_INIT);
	ros_udelay(10000);
	send_ipi(dest, ICR_STARTUP | vector);
	ros_udelay(200);
	if (!p->started) {
		send_ipi(dest, ICR_STARTUP | vector);
		ros_udelay(200);
	}
	if (!wait_for(&p->answered, ROS_AP_ANSWER_MS)) {
		/* Park it, so a late start cannot take the next AP's stack. */
		send_ipi(dest, ICR_INIT);
		ros_udelay(10000);
	}
}

const char *ros_smp_start(const struct ros_boot *b, void (*probe)(unsigned cpu))
{
	size_t len = (size_t)(ros_trampoline_end - ros_trampoline);

	ap_probe = probe;
	if (ros_smp.ncpus < 2)
		return NULL;
	for (uint64_t p = 0x1000; p < 0x100000; p += PAGE_SIZE) {
		/* Not the page that carries the suite over a reboot. */
		if (p != ROS_REBOOT_MARKER && ros_ram_is_free(b, p, PAGE_SIZE)) {
			ros_smp.trampoline = p;
			break;
		}
	}
	if (!ros_smp.trampoline)
		return "no free page below 1 MiB for the AP trampoline";
	memcpy((void *)ros_smp.trampoline, ros_trampoline, len);
	/* Software-enable the local APIC, spurious vector 0xff. */
	apic_write(APIC_SVR, apic_read(APIC_SVR) | 0x1ff);
	for (unsigned k = 1; k < ros_smp.ncpus; k++)
		start_one(k);
	return NULL;
}

void ros_smp_park(unsigned k)
{
	if (k == 0 || k >= ros_smp.ncpus)
		return;
	send_ipi(ros_smp.apic_ids[k], ICR_INIT);
	ros_udelay(10000);
}

bool ros_smp_restart(unsigned k, void (*probe)(unsigned cpu))
{
	struct ros_probe *p;

	if (k == 0 || k >= ros_smp.ncpus || !ros_smp.trampoline)
		return false;
	p = &ros_smp.probes[k];
	p->started = 0;
	p->answered = 0;
	ap_probe = probe;
	start_one(k);
	return __atomic_load_n(&p->answered, __ATOMIC_ACQUIRE) != 0;
}

void ros_apic_eoi(void)
{
	apic_write(0xb0, 0);
}

void ros_ap_main(unsigned cpu)
{
	ros_trap_init_ap();
	__atomic_store_n(&ros_smp.probes[cpu].started, 1, __ATOMIC_RELEASE);
	if (ap_probe)
		ap_probe(cpu);
	ros_halt();
}
