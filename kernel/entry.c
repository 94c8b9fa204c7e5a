/* The hypervisor entry, `int entry(unsigned int cpu_id)` of the Jailhouse
 * bootstrap seed, called by boot/ on every online CPU. It waits until all
 * online CPUs have entered, and every CPU returns the same code. */
#include <stdbool.h>
#include <tandem/errno.h>
#include "hw/apic.h"
#include "hw/console.h"
#include "lib/cpu.h"
#include "entry.h"
#include "boot_info.h"
#include "hw/percpu.h"
#include "virt/vcpu.h"

static volatile unsigned int cpus_entered;
static volatile unsigned int cpus_checked;
static volatile int first_error;

static void record_error(int err)
{
	int none = 0;

	if (err)
		__atomic_compare_exchange_n(&first_error, &none, err, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static void wait_for_all(volatile unsigned int *counter, unsigned int n)
{
	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < n)
		cpu_relax();
}

/* Per-CPU checks that must hold before this CPU can host guests. */
static int cpu_check(unsigned int cpu_id)
{
	struct per_cpu *pc = this_cpu();

	if (cpu_id >= boot_info.possible_cpus)
		return -TANDEM_ERANGE;
	if (pc->cpu_id != cpu_id)
		return -TANDEM_EINVAL;
	if (!vcpu_ops)
		return -TANDEM_ENODEV;
	apic_cpu_init();
	return vcpu_ops->cpu_enable(pc);
}

int tandem_entry(unsigned int cpu_id)
{
	unsigned int online = boot_info.online_cpus;

	record_error(cpu_check(cpu_id));
	__atomic_add_fetch(&cpus_entered, 1, __ATOMIC_SEQ_CST);
	wait_for_all(&cpus_entered, online);

	/* Every CPU has recorded its result: all now read the same one. */
	__atomic_add_fetch(&cpus_checked, 1, __ATOMIC_SEQ_CST);
	wait_for_all(&cpus_checked, online);
	return first_error;
}
