/* Choosing the vendor backend, once at boot: each one probes its own
 * extension, and the first that can run guests is taken. */
#include <stddef.h>
#include "virt/vcpu.h"
#include "virt/virt_caps.h"

static const struct vcpu_ops *const backends[] = { &svm_ops, &vmx_ops };

const struct vcpu_ops *vcpu_ops_select(struct virt_caps *caps)
{
	virt_caps_read(caps);
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (!backends[i]->probe(caps))
			return backends[i];
		if (caps->name)
			return NULL; /* its CPU, unusable: it said why */
	}
	virt_caps_log_none(caps, "CPU vendor has neither VMX nor SVM");
	return NULL;
}
