/* Starting the guests once the hypervisor runs on every CPU. */
#include "boot_info.h"
#include "cell/root_cell.h"
#include "cell/ros_boot.h"
#include "guests.h"
#include "hvm/hrt.h"
#include "hvm/hvm.h"
#include "lib/cpu.h"
#include "hw/percpu.h"
#include "hw/console.h"
#include "lib/klib.h"
#include "mm/direct_map.h"
#include "mm/mtrr.h"
#include "virt/exits.h"
#include "virt/host_pm_timer.h"
#include "virt/partition.h"

/* PHASE_HRT: only the HRT's CPUs go on, to make their vCPUs. */
enum { PHASE_WAIT, PHASE_HRT, PHASE_RUN, PHASE_NONE };

#define HRT_CREATE_US 10000000 /* each HRT core's vCPU, at most */
static volatile int guest_phase = PHASE_WAIT;

/* For reboot ROS / reboot both (hvm/ros_reboot.c). */
static const struct hvm_ros_loader ros_loader = {
	.prepare = ros_reload_prepare,
	.commit = ros_reload_commit,
	.cancel = ros_reload_cancel,
};

void guests_start_bsp(void)
{
	struct root_reserve res = { 0 };
	struct vcpu *v;
	int err;

	mtrr_read();
	host_pm_timer_init();
	if (direct_map_high_ram(boot_info.memmap, boot_info.memmap_count))
		goto none;
	hrt_plan_resources(boot_info.online_cpus);
	if (hrt_plan.active)
		res = (struct root_reserve){ hrt_plan.cpu_mask, hrt_plan.mem_base,
					     hrt_plan.mem_size };
	err = root_cell_init(&res);
	if (err) {
		pr_err("root cell: cannot build its memory map (%d): out of hypervisor memory",
		       err);
		goto none;
	}
	/* The HRT first, its cores making their control structures: should
	 * it not start, its CPUs and memory are the ROS's after all, before
	 * the ROS's boot information is written. */
	if (hrt_plan.active && !hrt_start()) {
		__atomic_store_n(&guest_phase, PHASE_HRT, __ATOMIC_RELEASE);
		if (!hrt_cores_created(HRT_CREATE_US)) {
			pr_err("hrt: a core has no vCPU; the HRT is not started");
			hrt_abandon();
		}
	}
	if (hrt_plan.active && !hrt_running()) {
		if (root_cell_take_back(&res))
			pr_err("hrt: its CPUs and memory stay unused (out of hypervisor memory)");
		else
			pr_info("hrt: its CPUs and memory go to the ROS");
		res = (struct root_reserve){ 0 };
		hrt_plan.active = false;
	}
	v = this_cpu()->vcpu;
	if (ros_prepare(v, &v->start_state, &res)) {
		hrt_abandon(); /* no HRT without its ROS */
		goto none;
	}
	memcpy(v->start_regs, v->regs, sizeof(v->regs));
	v->start_running = true;
	hvm_ros_loader = &ros_loader;
	v->requests = VCPU_REQ_RESET; /* taken once the loop created it */
	__atomic_store_n(&guest_phase, PHASE_RUN, __ATOMIC_RELEASE);
	pr_info("ros: starting on %u CPUs with %s", root_cell.nvcpus,
		vcpu_ops->name);
	console_screen_release(); /* the ROS has it in its boot information */
	cpu_loop();
none:
	__atomic_store_n(&guest_phase, PHASE_NONE, __ATOMIC_RELEASE);
}

void guests_start_ap(void)
{
	struct vcpu *v;
	int phase;

	while ((phase = __atomic_load_n(&guest_phase, __ATOMIC_ACQUIRE)) ==
		       PHASE_WAIT ||
	       (phase == PHASE_HRT &&
		(!this_cpu()->vcpu || this_cpu()->vcpu->cell == &root_cell)))
		cpu_relax();
	if (phase == PHASE_HRT) {
		cpu_loop(); /* an HRT core; its CPU may go to the root later */
		return;
	}
	v = this_cpu()->vcpu; /* set by the boot CPU's root_cell_init() */
	if (phase != PHASE_RUN || !v)
		return;
	cpu_loop();
}
