/* What the CPU offers for hardware virtualization, in neutral words. The
 * core reads who the CPU is (CPUID leaves 0 and 1); each backend's probe
 * (struct vcpu_ops) checks its own extension and fills in the rest. No
 * vendor MSR is read here. */
#ifndef TANDEM_VIRT_VIRT_CAPS_H
#define TANDEM_VIRT_VIRT_CAPS_H

#include <stdbool.h>
#include <stdint.h>

struct virt_caps {
	/* Filled by the core. */
	char vendor_id[13]; /* "GenuineIntel", "AuthenticAMD", ... */
	uint32_t family, model, stepping;

	/* Filled by the backend that knows this CPU. */
	const char *name;  /* its extension ("SVM", "VMX"); NULL:
					 * no backend knows this CPU */
	bool gpa_paging;   /* nested paging (NPT, EPT) */
	bool gpa_1g_pages; /* 1 GiB pages in it */
	bool unrestricted; /* real mode and unpaged protected mode
					 * run as guests */
	bool next_rip;	   /* exits give the instruction length */
	uint32_t tlb_tags; /* address-space tags (ASIDs, VPIDs);
					 * 0: none */
};

/*
 * The hardware report: at boot, one "hw: <finding>: <what it means>" line
 * per missing or disabled feature that matters, so a person at a real PC
 * sees at once why Tandem cannot run, or what it runs without. Backends
 * report what only they can name (VT-x off in the firmware, no EPT); the
 * core what is common (invariant TSC, an IOMMU in the ACPI tables).
 */
void virt_caps_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Common findings of the calling CPU (CPUID leaves every vendor shares). */
void virt_caps_report_common(void);
/** The report's last line: how many findings, or that nothing is missing. */
void virt_caps_report_end(void);

/** Reads who the calling CPU is into @caps; clears the rest. */
void virt_caps_read(struct virt_caps *caps);
/** The boot-log line of a usable extension: "cpu: <who>: <features>". */
void virt_caps_log(const struct virt_caps *caps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** The boot-log line saying there is none: "cpu: <who>: no hardware
 * virtualization: <why>". */
void virt_caps_log_none(const struct virt_caps *caps, const char *why);

#endif
