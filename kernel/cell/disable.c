/* Hypercall Disable (code 0, Jailhouse hypervisor-interfaces seed): ask
 * every non-root cell for permission, destroy them, stop every other
 * partition, and let every root CPU continue natively (virt/leave.c). */
#include <tandem/errno.h>
#include "cell/cell_calls.h"
#include "cell/disable.h"
#include "hw/apic.h"
#include "hw/console.h"
#include "virt/exits.h"
#include "virt/leave.h"
#include "virt/partition.h"

long hc_disable(struct vcpu *v, const uint64_t *args)
{
	struct vcpu_state st;

	(void)args;
	vcpu_ops->get_state(v, &st);
	if (!vcpu_can_leave(&st))
		return -TANDEM_EINVAL;
	if (!cells_shutdown_all())
		return -TANDEM_EPERM;

	pr_info("disabled: the root cell continues natively; Tandem leaves every CPU");
	for (unsigned int i = 0; i < root_cell.nvcpus; i++) {
		struct vcpu *other = root_cell.vcpus[i];

		if (other != v)
			vcpu_request(other, VCPU_REQ_DISABLE);
	}
	/* Partitions that are not cells (the HRT) stop: their CPUs, unknown
	 * to the ROS, end in wait-for-SIPI. */
	for (unsigned int id = 1; id < TANDEM_MAX_CELLS; id++) {
		struct cell *c = cells[id];

		if (!c)
			continue;
		for (unsigned int i = 0; i < c->nvcpus; i++)
			vcpu_request(c->vcpus[i], VCPU_REQ_DISABLE);
		for (unsigned int i = 0; i < c->nvcpus; i++)
			apic_send_ipi(c->vcpus[i]->apic_id, APIC_ICR_INIT);
	}
	/* CPUs the guest had not started wait for its SIPI, as natively. */
	for (unsigned int i = 0; i < root_cell.nvcpus; i++) {
		struct vcpu *other = root_cell.vcpus[i];

		if (other != v && other->state != VCPU_RUNNING)
			apic_send_ipi(other->apic_id, APIC_ICR_INIT);
	}
	v->regs[GPR_RAX] = 0;
	vcpu_skip_insn(v);
	disable_this_cpu(v);
}
