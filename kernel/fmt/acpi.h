/*
 * ACPI table discovery and MADT parsing: RSDP -> RSDT/XSDT -> "APIC".
 *
 * Pure C: physical memory is reached only through a caller's map callback,
 * so the same code runs in the hypervisor and in host tests. Structures are
 * those of the ACPI specification 6.5, section 5.2.
 */
#ifndef TANDEM_FMT_ACPI_H
#define TANDEM_FMT_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MADT_MAX_CPUS		      512 /* more than Tandem runs on */
#define MADT_MAX_IOAPICS	      8
#define MADT_MAX_OVERRIDES	      16

/* Largest system description table accepted; real MADTs are a few KiB. */
#define ACPI_MAX_TABLE_LEN	      (1u << 20)

/*
 * Bits in madt_info.warnings, entries dropped without failing the parse:
 * more usable CPUs than MADT_MAX_CPUS, more I/O APICs than
 * MADT_MAX_IOAPICS, more overrides than MADT_MAX_OVERRIDES, a CPU listed
 * twice (the second ignored).
 */
#define MADT_WARN_CPUS_TRUNCATED      (1u << 0)
#define MADT_WARN_IOAPICS_TRUNCATED   (1u << 1)
#define MADT_WARN_OVERRIDES_TRUNCATED (1u << 2)
#define MADT_WARN_DUPLICATE_APIC_ID   (1u << 3)

/*
 * Makes @len bytes at physical address @phys readable and returns a pointer
 * to them, or NULL when that memory cannot be read. The pointer need not be
 * aligned and must stay valid until acpi_* returns.
 */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t phys, size_t len);

/* A table found through the RSDT/XSDT. */
struct acpi_table {
	const void *ptr; /* mapped table, header included */
	uint32_t len;	 /* its length field, checked against the bounds */
	uint64_t phys;	 /* physical address */
};

/* A processor from a local APIC (type 0) or local x2APIC (type 9) entry. */
struct madt_cpu {
	uint32_t apic_id;
	uint32_t acpi_uid;   /* ACPI processor UID */
	bool enabled;	     /* usable now (flags bit 0) */
	bool online_capable; /* may be brought online later (flags bit 1) */
};

struct madt_ioapic {
	uint8_t id;
	uint32_t addr;	   /* MMIO base */
	uint32_t gsi_base; /* first global system interrupt it serves */
};

/* Interrupt source override (type 2), e.g. ISA IRQ 0 -> GSI 2. */
struct madt_override {
	uint8_t bus;	/* 0 = ISA */
	uint8_t source; /* bus-relative IRQ */
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags: polarity 0-1, trigger 2-3 */
};

struct madt_info {
	const char *why;     /* reason when parsing failed, else NULL */
	uint32_t warnings;   /* MADT_WARN_* bits */
	const char *warning; /* text of the first warning, or NULL */

	uint8_t rsdp_revision; /* filled by acpi_parse_madt() */
	bool used_xsdt;	       /* the MADT was found through the XSDT */
	uint64_t madt_phys;

	uint64_t lapic_addr; /* MADT field, or the type 5 override */
	bool pcat_compat;    /* dual 8259 PICs present (MADT flags bit 0) */

	/*
	 * cpus[] holds the processors that are enabled or online-capable, in
	 * table order; entries with neither flag are unusable (ACPI 5.2.12.2)
	 * and only counted in ncpus_listed.
	 */
	size_t ncpus;	      /* entries stored in cpus[] */
	size_t ncpus_enabled; /* enabled processors, even past the clamp */
	size_t ncpus_listed;  /* local APIC + x2APIC entries in the table */
	struct madt_cpu cpus[MADT_MAX_CPUS];

	size_t nioapics;
	struct madt_ioapic ioapics[MADT_MAX_IOAPICS];

	size_t noverrides; /* stored in overrides[] */
	size_t noverrides_listed;
	struct madt_override overrides[MADT_MAX_OVERRIDES];
};

/*
 * Validate the RSDP (signature, 20-byte checksum, and for revision >= 2 its
 * length and extended checksum), then walk the XSDT (revision >= 2 and a
 * nonzero address) or else the RSDT, validating its signature, length and
 * checksum, and return the first table whose signature is @sig (4 chars).
 * The found table's length is bounds-checked and its checksum verified.
 * Returns 0, -TANDEM_EINVAL for a malformed table, -TANDEM_ENOENT when no
 * such table exists. *@why (if @why is not NULL) receives the reason, or
 * NULL on success.
 */
int acpi_find_table(const void *rsdp, size_t rsdp_len, const char *sig,
		    acpi_map_fn map, void *ctx, struct acpi_table *table,
		    const char **why);

/*
 * Parse an already-mapped MADT of @len readable bytes: checks signature,
 * length and checksum, then every entry.
 * Returns 0 or -TANDEM_EINVAL with out->why set.
 */
int madt_parse(const void *madt, size_t len, struct madt_info *out);

/*
 * Find and parse the MADT starting from the RSDP copy at @rsdp (@rsdp_len
 * readable bytes). Returns 0, or a negative errno with out->why set
 * (-TANDEM_ENOENT: "no MADT").
 */
int acpi_parse_madt(const void *rsdp, size_t rsdp_len, acpi_map_fn map,
		    void *ctx, struct madt_info *out);

/*
 * The CPUs Tandem runs on, from a parsed MADT: logical CPU 0 is the boot
 * CPU (APIC ID @bsp), the others follow in table order, at most @max in
 * all. In xAPIC mode (@x2apic false) a CPU is addressed by an 8-bit APIC
 * ID and 0xff is the broadcast (SDM Vol. 3A 11.6.1), so IDs above 254 are
 * left out; in x2APIC mode any 32-bit ID is kept. Fills @ids[0..n) and
 * @enabled[0..n) (the boot CPU enabled), returns n, and stores in
 * *@left_out how many listed CPUs were not taken.
 */
unsigned int madt_pick_cpus(const struct madt_info *m, uint32_t bsp,
			    bool x2apic, unsigned int max, uint32_t *ids,
			    bool *enabled, unsigned int *left_out);

/*
 * The ACPI power management timer (ACPI 6.5 section 4.8.3.3): a free
 * running counter of ACPI_PM_TIMER_HZ, 24 bits wide or, with the FADT's
 * TMR_VAL_EXT flag, 32, read as a dword from one I/O port.
 */
#define ACPI_PM_TIMER_HZ 3579545u

struct acpi_pm_timer {
	uint16_t port;	  /* 0: the FADT names no PM timer Tandem can offer */
	bool ext32;	  /* 32-bit counter (FADT flags bit 8, TMR_VAL_EXT) */
	const char *none; /* with port 0: why there is none */
};

/*
 * The PM timer of an already-mapped FADT ("FACP") of @len readable bytes
 * (FADT fields of ACPI 6.5 section 5.2.9): X_PM_TMR_BLK when the table
 * has it and its address is nonzero (it must then be in system I/O
 * space), else PM_TMR_BLK with PM_TMR_LEN 4, as ACPI says OSPM chooses.
 * None on a hardware-reduced platform (flags bit 20). Checks signature,
 * length and checksum. Returns 0 (port 0 and out->none when there is no
 * timer) or -TANDEM_EINVAL with *@why set for a malformed table.
 */
int acpi_fadt_pm_timer(const void *fadt, size_t len, struct acpi_pm_timer *out,
		       const char **why);

/* True when the @len bytes at @p sum to 0 mod 256 (ACPI 5.2.6). */
bool acpi_checksum_ok(const void *p, size_t len);

#endif
