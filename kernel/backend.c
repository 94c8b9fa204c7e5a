/* Choosing the vendor backend, once, from what the CPU offers. */
#include <stddef.h>
#include "console.h"
#include "vcpu.h"
#include "virt_caps.h"

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
		pr_err("vmx: the Intel VT-x backend is not built yet; cannot run guests");
		return NULL;
	}
	return NULL;
}
