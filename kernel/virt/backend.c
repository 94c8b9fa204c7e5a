/* Choosing the vendor backend, once, from what the CPU offers. */
#include <stddef.h>
#include "hw/console.h"
#include "virt/vcpu.h"
#include "virt/virt_caps.h"

const struct vcpu_ops *vcpu_ops_select(const struct virt_caps *caps)
{
	if (caps->svm) {
		if (!caps->npt) {
			pr_err("svm: no nested paging (NPT); cannot run guests");
			return NULL;
		}
		return &svm_ops;
	}
	if (caps->vmx) {
		if (!caps->ept || !caps->unrestricted) {
			pr_err("vmx: %s missing; cannot run guests",
			       !caps->ept ? "EPT" : "unrestricted guest");
			return NULL;
		}
		return &vmx_ops;
	}
	return NULL;
}
