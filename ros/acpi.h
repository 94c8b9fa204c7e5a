/* Finding the CPUs: RSDP -> RSDT/XSDT -> MADT ("APIC"), ACPI 6.5 section
 * 5.2. Tables are read through the ROS's identity map (ROS_MAP_END). */
#ifndef TANDEM_ROS_ACPI_H
#define TANDEM_ROS_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ros_madt {
	uint64_t lapic_addr; /* MADT field or type 5 override */
	size_t ncpus;	     /* enabled processors, table order */
	uint32_t apic_ids[64];
	bool used_xsdt;
};

/**
 * Find and parse the MADT from the RSDP copy @rsdp of @len bytes (0: scan
 * the BIOS area 0xe0000-0xfffff instead). Returns NULL, or the reason no
 * usable MADT was found.
 */
const char *ros_acpi_madt(const void *rsdp, size_t len, struct ros_madt *out);

#endif
