/* The HRT's I/O ports (see hrt_ports.h). */
#include "hvm/hrt_ports.h"
#include "hw/console.h"
#include "hw/tsc.h"
#include "lib/cpu.h"
#include "lib/spinlock.h"
#include "hvm/hvm.h"
#include "virt/exits.h"
#include "virt/partition.h"
#include "virt/pit_emul.h"
#include "virt/host_pm_timer.h"
#include "virt/pm_timer_emul.h"

/* The HRT's own PIT (the machine's is the ROS's), shared by its cores.
 * Fresh at every boot: it powers on at the HRT's first access, on an HRT
 * core's TSC (not on that of the ROS CPU that asked for the reboot). */
static struct pit pit;
static bool pit_fresh;
static struct spinlock pit_lock;
void hrt_ports_init(void)
{
	if (host_pm_timer.port)
		pr_info("hrt: the ACPI PM timer at port 0x%x (%u-bit) is emulated from the TSC",
			host_pm_timer.port, host_pm_timer.ext32 ? 32 : 24);
	else
		pr_info("hrt: no PM timer: %s", host_pm_timer.none);
}

void hrt_ports_reset(void)
{
	spin_lock(&pit_lock);
	pit_fresh = true;
	spin_unlock(&pit_lock);
}

/* A byte IN or OUT of a PIT port (0x40-0x43, 0x61); IN to AL keeps the
 * rest of RAX. No IRQ 0: the HRT has no interrupt controller of Tandem's. */
static void pit_io(struct vcpu *v)
{
	const struct vcpu_exit *e = &v->exit;
	uint64_t now = rdtsc();

	spin_lock(&pit_lock);
	if (pit_fresh)
		pit_reset(&pit, now, tsc_khz * 1000);
	pit_fresh = false;
	if (e->io.in)
		v->regs[GPR_RAX] = (v->regs[GPR_RAX] & ~0xfful) |
				   pit_read(&pit, e->io.port, now);
	else
		pit_write(&pit, e->io.port, (uint8_t)v->regs[GPR_RAX], now);
	spin_unlock(&pit_lock);
}

/* Ports runtimes touch only to wait an I/O cycle, as Linux's io_delay
 * does: a byte OUT to 0x80 (the POST port) and, in Nautilus's PIT
 * calibration, a byte IN from 0x60 (the keyboard controller's data).
 * Neither reaches a device: writes are dropped, reads give 0xff. */
static bool delay_port(const struct vcpu_exit *e)
{
	return e->io.size == 1 && !e->io.string &&
	       (e->io.port == 0x80 || (e->io.port == 0x60 && e->io.in));
}

/* The PM timer is read as a dword (ACPI 4.8.3.3), which zero-extends
 * into RAX in 64-bit mode as a 32-bit IN does in any mode that has RAX. */
static bool pm_timer_read(const struct vcpu_exit *e)
{
	return host_pm_timer.port && e->io.port == host_pm_timer.port &&
	       e->io.in && e->io.size == 4 && !e->io.string;
}

void hrt_ports_io(struct vcpu *v)
{
	const struct vcpu_exit *e = &v->exit;

	if (pit_owns_port(e->io.port) && e->io.size == 1 && !e->io.string)
		pit_io(v);
	else if (pm_timer_read(e))
		v->regs[GPR_RAX] = pm_timer_count(rdtsc(), tsc_khz * 1000,
						  host_pm_timer.ext32);
	else if (delay_port(e)) {
		if (e->io.in)
			v->regs[GPR_RAX] |= 0xff;
	} else if (e->io.port == HVM_DEBUG_PORT && !e->io.in && !e->io.string)
		cell_console_putc(v->cell, (char)v->regs[GPR_RAX]);
	else
		cell_io_refuse(v);
	vcpu_skip_insn(v);
}
