/* Reboot ROS (Palacios HVM request 0x1) and reboot both (0x3): the ROS
 * starts again from its boot state, its image reloaded from the module
 * Tandem kept (cell/ros_boot.c), as at first boot; the HRT's transaction
 * is aborted, and for 0x3 the HRT is rebooted too (hvm/hrt.c). What is
 * reset and what is kept: guest-abi/ABI.md section 4.10, "Reboot ROS". */
#include "hvm/hrt.h"
#include "hvm/hvm.h"
#include "hw/console.h"
#include "hw/percpu.h"
#include "virt/exits.h"
#include "virt/partition.h"

/* Set at start-up (kernel/guests.c): the ROS loader lives in cell/, which
 * this layer does not include. */
const struct hvm_ros_loader *hvm_ros_loader;

/* Every ROS vCPU but @caller to wait-for-SIPI (SDM Vol. 3A 9.4.4: what an
 * INIT leaves an AP in), so that none runs while the image is reloaded.
 * One whose CPU now runs a cell's vCPU takes it when the CPU comes back
 * to it. False when one did not take it within vcpu_request()'s time. */
static bool stop_others(struct vcpu *caller)
{
	bool all = true;

	for (unsigned int i = 0; i < root_cell.nvcpus; i++) {
		struct vcpu *v = root_cell.vcpus[i];

		if (v == caller)
			continue;
		if (__atomic_load_n(&v->cpu->vcpu, __ATOMIC_ACQUIRE) != v) {
			__atomic_or_fetch(&v->requests, VCPU_REQ_INIT,
					  __ATOMIC_RELEASE);
			continue;
		}
		all &= vcpu_request(v, VCPU_REQ_INIT);
	}
	return all;
}

int hvm_ros_reboot(struct vcpu *caller, bool hrt_too)
{
	struct vcpu *bsp = root_cell.vcpus[0];
	int err = hvm_ros_loader ? hvm_ros_loader->prepare() : -1;

	if (err)
		return err;
	/* An invoke's completion interrupt is held back until the ROS has
	 * restarted or goes on after all (the HRT's reboot ends the invoke;
	 * a core may end it meanwhile). */
	hvm_hold_done_irq();
	/* The HRT first: should it fail to reload, it is Failed (as after a
	 * failed 0x2) and the ROS goes on untouched. */
	if (hrt_too) {
		err = hrt_reboot();
		if (err)
			goto ros_goes_on;
	}
	if (!stop_others(caller)) {
		/* Some vCPUs wait for a start-up IPI now; the caller goes on
		 * with -1 and may start them again. */
		pr_warn_limited("ros: reboot refused: a vCPU did not stop");
		err = -1;
		goto ros_goes_on;
	}
	hvm_ros_loader->commit(bsp);
	bsp->start_running = true;
	user_signal_reset(&root_cell.signal);
	root_cell.hypercall_page = 0;
	hvm_abort_transaction();
	hvm_release_done_irq(false);
	/* Before the BSP runs: the ROS writes the serial port itself, and
	 * a line from here while it boots would cut one of its lines. */
	pr_info("ros: rebooted%s", hrt_too ? " with the HRT" : "");
	/* Taken before each one next enters the ROS: after the downcall has
	 * written its result, which the reset then overwrites. */
	if (caller != bsp)
		vcpu_post(caller, VCPU_REQ_INIT);
	vcpu_post(bsp, VCPU_REQ_RESET);
	return 0;

ros_goes_on:
	hvm_ros_loader->cancel();
	hvm_release_done_irq(true);
	return err;
}
