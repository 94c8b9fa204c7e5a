/* Starting the guests once the hypervisor runs on every CPU. */
#include "cell.h"
#include "console.h"
#include "cpu.h"
#include "exits.h"
#include "guests.h"
#include "percpu.h"
#include "ros_boot.h"

enum { PHASE_WAIT, PHASE_RUN, PHASE_NONE };
static volatile int guest_phase = PHASE_WAIT;

static int vcpu_setup(struct vcpu *v)
{
	int err = vcpu_ops->vcpu_create(v);

	if (err)
		return err;
	vcpu_ops->set_gpa_root(v, v->cell->gpa_map.root_phys);
	return 0;
}

void guests_start_bsp(unsigned int possible_cpus)
{
	struct vcpu_state st;
	struct vcpu *v;
	int err;

	err = root_cell_init(possible_cpus);
	if (err) {
		pr_err("root cell: cannot build its memory map (%d): out of hypervisor memory", err);
		goto none;
	}
	v = this_cpu()->vcpu;
	if (ros_prepare(v, &st))
		goto none;
	err = vcpu_setup(v);
	if (err) {
		pr_err("root cell: cannot create vCPU 0 (%d)", err);
		goto none;
	}
	vcpu_ops->set_state(v, &st);
	v->state = VCPU_RUNNING;
	__atomic_store_n(&guest_phase, PHASE_RUN, __ATOMIC_RELEASE);
	pr_info("ros: starting on %u CPUs with %s", root_cell.nvcpus, vcpu_ops->name);
	vcpu_loop(v);
none:
	__atomic_store_n(&guest_phase, PHASE_NONE, __ATOMIC_RELEASE);
}

void guests_start_ap(void)
{
	struct vcpu *v;
	int phase;

	while ((phase = __atomic_load_n(&guest_phase, __ATOMIC_ACQUIRE)) == PHASE_WAIT)
		cpu_relax();
	v = this_cpu()->vcpu;		/* set by the boot CPU's root_cell_init() */
	if (phase != PHASE_RUN || !v)
		return;
	if (vcpu_setup(v)) {
		pr_err("root cell: cannot create vCPU %u; that CPU stays idle", v->index);
		return;
	}
	vcpu_loop(v);
}
