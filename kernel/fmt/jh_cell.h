/*
 * Jailhouse's binary cell description (guest-abi/include/tandem/jailhouse.h,
 * configuration revision 14) as Cell Create takes it besides Tandem's own:
 * checked for what only that format has, and translated into Tandem's
 * format, which cell/config_check.h then checks like any other (rules 5-24,
 * against the system). Pure C over caller memory, host-tested and fuzzed.
 *
 * Cell Create, on a configuration that begins with "JHCLL":
 *   1. copies struct jh_cell_desc and asks jh_cell_size() how large the
 *      whole description claims to be;
 *   2. copies that many bytes once into a private buffer;
 *   3. jh_cell_translate() checks the private copy and writes the Tandem
 *      configuration (header, memory regions, PIO regions) into a second
 *      buffer, with what Tandem's format has no field for in *info;
 *   4. cell_config_validate() runs on the translation.
 *
 * The description is laid out as Jailhouse's jailhouse_cell_config_size()
 * says: the header, the CPU bitmap (cpu_set_size bytes), then
 * num_memory_regions struct jh_memory, num_cache_regions struct jh_cache,
 * num_irqchips struct jh_irqchip, num_pio_regions struct jh_pio,
 * num_pci_devices PCI devices (JH_PCI_DEVICE_SIZE), num_pci_caps
 * capabilities (JH_PCI_CAPABILITY_SIZE) and num_stream_ids stream ids
 * (JH_STREAM_ID_SIZE), packed, without padding.
 *
 * The rules, in the order they are checked; the first broken one decides.
 * Size and format (jh_cell_size() does J1 - J3 on the header alone):
 *   J1. signature "JHCLL", architecture JH_ARCH_X86 and revision
 *       JH_CONFIG_REVISION exactly, else -EINVAL;
 *   J2. at most JH_CELL_MAX_MEM memory and JH_CELL_MAX_PIO PIO regions
 *       (what Tandem's format holds), else -E2BIG;
 *   J3. total size at most JH_CELL_CONFIG_MAX, else -E2BIG. It is summed
 *       in 64 bits: nine 32-bit counts times at most 56 bytes cannot wrap;
 *   J4. the copy: not shorter than the header (-EINVAL), not longer than
 *       JH_CELL_CONFIG_MAX (-E2BIG), J1 - J3 again on the copy's header,
 *       exactly the size that header claims (-EINVAL); the output buffer
 *       large enough and 8-byte aligned (-EINVAL, a bug of the caller).
 * The header (all -EINVAL):
 *   J5. name: a NUL within its JH_CELL_NAME_LEN bytes, not empty, only
 *       printable ASCII before it (Jailhouse's driver cuts the 32nd byte
 *       off instead; the hypercall here has no driver in front of it);
 *   J6. flags: only the JH_CELL_* ones Jailhouse defines, and not
 *       JH_CELL_AARCH32 (an ARM flag);
 *   J7. CPU bitmap: cpu_set_size a non-zero multiple of 8 (Jailhouse's
 *       driver copies it with bitmap_copy(), in whole 64-bit longs, and its
 *       configurations use __u64 cpus[]); no bit for a CPU >= 64
 *       (TANDEM_CELL_MAX_CPUS; the error's index is that CPU); not empty;
 *   J8. num_irqchips, num_pci_devices, num_pci_caps and num_stream_ids 0:
 *       Tandem emulates no interrupt controller for a cell, passes no PCI
 *       device through and has no IOMMU;
 *   J9. cpu_reset_address below 4 GiB (a real-mode start).
 * Memory regions, each in index order (all -EINVAL, index = the region):
 *  J10. flags: only JH_MEM_* bits Jailhouse defines;
 *  J11. not JH_MEM_DMA (no IOMMU to give a device the region);
 *  J12. neither JH_MEM_IO_UNALIGNED nor an I/O width (JH_MEM_IO_WIDTH), and
 *       virt_start and size multiples of 4 KiB: Jailhouse's sub-page MMIO
 *       dispatch, which Tandem does not have.
 * Hints, accepted and reported in info->hints: cache regions (CAT
 * partitioning; not looked at), JH_CELL_TEST_DEVICE, JH_MEM_NO_HUGEPAGES.
 * Not looked at: id (Tandem numbers cells itself), vpci_irq_base (no PCI),
 * the console (copied to info->console, for the communication region).
 *
 * The translation (struct tandem_cell_desc, one memory region per Jailhouse
 * memory region and one PIO region per port range, in the same order so
 * that error indices agree): the name; cpu_set = the bitmap's first 64
 * bits; flags TANDEM_CELL_PASSIVE_COMMREG from JH_CELL_PASSIVE_COMMREG;
 * reset_entry = cpu_reset_address; msg_reply_timeout_ms 0 (Jailhouse's
 * msg_reply_timeout counts polls: info->msg_reply_timeout); memory flags
 * READ, WRITE, EXECUTE, IO, COMM_REGION, LOADABLE and ROOTSHARED mapped to
 * TANDEM_MEM_*; the communication region's phys_start 0 whatever the
 * description says (Jailhouse maps its own page there and never reads it).
 * Everything else (overlaps, READ, the entry inside RX RAM, ports, the
 * system) is cell_config_validate()'s, on the translation.
 */
#ifndef TANDEM_FMT_JH_CELL_H
#define TANDEM_FMT_JH_CELL_H

#include <stddef.h>
#include <stdint.h>

#include <tandem/cell_config.h>
#include <tandem/jailhouse.h>

/* Largest description accepted (-E2BIG above): Tandem's own bound. */
#define JH_CELL_CONFIG_MAX TANDEM_CELL_CONFIG_MAX
/* J2: what Tandem's format holds (cell/config_check.h's CELL_CONFIG_MAX_MEM
 * and CELL_CONFIG_MAX_PIO, which fmt/ cannot include; Cell Create asserts
 * that they agree). */
#define JH_CELL_MAX_MEM	   64
#define JH_CELL_MAX_PIO	   64
/* Largest translation: Tandem's format with J2's region counts. */
#define JH_CELL_TRANSLATION_MAX \
	TANDEM_CELL_CONFIG_SIZE(JH_CELL_MAX_MEM, JH_CELL_MAX_PIO)

/* Hints Tandem does not act on, said once per Cell Create (info.hints). */
#define JH_HINT_CACHE_REGIONS (1u << 0) /* cache partitioning */
#define JH_HINT_TEST_DEVICE   (1u << 1) /* JH_CELL_TEST_DEVICE */
#define JH_HINT_NO_HUGEPAGES  (1u << 2) /* JH_MEM_NO_HUGEPAGES */

/* What a Jailhouse-format cell has beyond Tandem's configuration. */
struct jh_cell_info {
	uint32_t flags;		    /* the description's JH_CELL_* flags, with
			 * VIRTUAL_CONSOLE_PERMITTED added when ACTIVE is
			 * set (Jailhouse's driver does the same) */
	uint64_t cpu_reset_address; /* every CPU starts here (real mode) */
	uint64_t msg_reply_timeout; /* polls of the reply; 0: for ever */
	struct jh_console console;  /* copied into the comm region */
	uint32_t hints;		    /* JH_HINT_* present in the description */
};

/* Why a description was refused: the same shape as cell_config_error
 * (cell/config_check.h), for one console line naming the field. */
struct jh_cell_error {
	const char *why; /* static text naming the field; NULL: no error */
	int index;	 /* memory or PIO region (J10 - J12), CPU (J7),
			  * byte of the name (J5) concerned, or -1 */
};

/**
 * Step 1, on the header alone: signature "JHCLL", architecture x86,
 * revision 14 (-EINVAL), counts and total size within bounds (-E2BIG).
 * Stores the whole description's size in *@total.
 */
int jh_cell_size(const struct jh_cell_desc *hdr, size_t *total,
		 struct jh_cell_error *err);

/**
 * Step 3: checks the private copy @jh of @len bytes and writes the
 * equivalent Tandem configuration into @out (@cap bytes, 8-byte aligned),
 * its size into *@out_len and the rest into *@info. Reads nothing outside
 * [jh, jh + len); writes only @out, *@out_len, *@info and *@err.
 * Returns 0, or -EINVAL / -E2BIG with *@err naming the field.
 */
int jh_cell_translate(const void *jh, size_t len, void *out, size_t cap,
		      size_t *out_len, struct jh_cell_info *info,
		      struct jh_cell_error *err);

/**
 * The names of the hints in @hints, separated by ", " ("cache regions,
 * test device, no huge pages"), NUL-terminated in @buf of @size bytes
 * (cut short if it does not fit). Returns the length written.
 */
size_t jh_cell_hints_text(uint32_t hints, char *buf, size_t size);

#endif
