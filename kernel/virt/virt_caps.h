/* What the CPU offers for hardware virtualization, read once at boot from
 * CPUID and the capability MSRs. The backend (vmx/ or svm/) is later chosen
 * from this, never from an #ifdef. */
#ifndef TANDEM_VIRT_CAPS_H
#define TANDEM_VIRT_CAPS_H

#include <stdbool.h>
#include <stdint.h>

enum cpu_vendor { VENDOR_OTHER, VENDOR_INTEL, VENDOR_AMD };

struct virt_caps {
	enum cpu_vendor vendor;
	char vendor_id[13];
	uint32_t family, model, stepping;
	bool vmx, svm;			/* extension present and usable */
	bool ept, unrestricted, vpid;	/* Intel */
	bool npt, nrips;		/* AMD */
	uint32_t asids;
	const char *problem;		/* why virtualization is unusable */
};

/** Reads the capabilities of the calling CPU. */
void virt_caps_read(struct virt_caps *caps);
/** One boot-log line describing @caps. */
void virt_caps_log(const struct virt_caps *caps);

#endif
