/*
 * The root guest's view of the firmware ACPI tables: a new RSDP and root
 * table (XSDT, or RSDT for firmware that only has one) that list every
 * firmware table where it is, except the MADT, which is replaced by a copy
 * without the processors the hypervisor keeps for itself (HRT cores, other
 * cells). Everything else in the MADT (I/O APICs, overrides, NMI entries)
 * is kept byte for byte. Structures: ACPI 6.5, sections 5.2.5 - 5.2.12.
 *
 * Pure C: firmware memory is read through the caller's acpi_map_fn (as in
 * acpi.h) and the view is written into a caller buffer whose
 * guest-physical address is known. No allocation, no hardware, no globals.
 */
#ifndef TANDEM_FMT_ACPI_VIEW_H
#define TANDEM_FMT_ACPI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt/acpi.h"

/* The buffer layout: RSDP at offset 0, the MADT at 64, then the root
 * table (16-byte aligned). */
#define ACPI_VIEW_MADT_OFFSET 64

/* What acpi_view_build() wrote. */
struct acpi_view {
	const char *why;    /* static reason when it failed, else NULL */
	size_t rsdp_offset; /* of the new RSDP in the buffer (0) */
	size_t rsdp_len;    /* 20 (revision 0) or 36 */
	size_t root_offset; /* new XSDT or RSDT */
	size_t madt_offset; /* new MADT */
	size_t used;	    /* bytes of the buffer used */
	bool xsdt;	    /* the root table is an XSDT */
	size_t ntables;	    /* root entries written (the MADT included) */
	size_t nhidden;	    /* local APIC / x2APIC entries removed */
};

/**
 * Build the view from the firmware RSDP copy @rsdp (@rsdp_len readable
 * bytes) into @out[0..cap), which the guest sees at guest-physical
 * @out_gpa (16-byte aligned, as an RSDP must be).
 *
 * The firmware's tables are validated as acpi_find_table() does. The new
 * RSDP keeps the firmware's revision and OEM ID: revision 2 or above with
 * an XSDT gives an XSDT (RSDT address 0), otherwise an RSDT (which needs
 * the buffer below 4 GiB). Root entries keep their order; the first MADT
 * is replaced by the filtered copy, any further "APIC" table dropped.
 * Entries whose header cannot be read are kept as they are. Local APIC
 * (type 0) and local x2APIC (type 9) entries whose APIC ID is one of
 * @hide[0..nhide) are removed. All checksums are recomputed.
 *
 * As with acpi.h, every pointer @map returns must stay valid until this
 * function returns. The buffer needs at most 64 + the firmware MADT's
 * length + 16 + the firmware root table's length bytes.
 *
 * Returns 0, or a negative errno with view->why set: -TANDEM_EINVAL
 * malformed firmware tables or arguments, -TANDEM_ENOENT no MADT,
 * -TANDEM_E2BIG @cap too small, -TANDEM_ERANGE an RSDT view above 4 GiB.
 */
int acpi_view_build(const void *rsdp, size_t rsdp_len, acpi_map_fn map,
		    void *ctx, const uint32_t *hide, size_t nhide, void *out,
		    size_t cap, uint64_t out_gpa, struct acpi_view *view);

#endif
