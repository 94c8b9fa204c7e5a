/*
 * Cell configuration, the argument of Cell Create (code 1): a header, then
 * num_memory_regions memory regions, then num_pio_regions I/O port ranges,
 * all contiguous in the caller's RAM. Tandem's own format, in the spirit of
 * Jailhouse's; validated as a whole before anything changes.
 */
#ifndef TANDEM_CELL_CONFIG_H
#define TANDEM_CELL_CONFIG_H

#include <stdint.h>

#define TANDEM_CELL_CONFIG_SIGNATURE "TNDMCELL" /* 8 bytes, no NUL */
#define TANDEM_CELL_CONFIG_REVISION  1
#define TANDEM_CELL_NAME_LEN	     32 /* NUL-terminated inside */
/* Largest configuration Cell Create accepts (-E2BIG above). */
#define TANDEM_CELL_CONFIG_MAX	     8192
#define TANDEM_CELL_MAX_CPUS	     64 /* bits of cpu_set */

/* flags */
#define TANDEM_CELL_PASSIVE_COMMREG  (1u << 0) /* never asked before shutdown */

/* Memory region flags. */
#define TANDEM_MEM_READ		     (1u << 0)
#define TANDEM_MEM_WRITE	     (1u << 1)
#define TANDEM_MEM_EXECUTE	     (1u << 2)
#define TANDEM_MEM_IO		     (1u << 3) /* device MMIO, uncached */
#define TANDEM_MEM_COMM_REGION	     (1u << 4) /* Tandem's page: phys_start ignored */
#define TANDEM_MEM_LOADABLE	     (1u << 5) /* root may write it until start */
#define TANDEM_MEM_ROOTSHARED	     (1u << 6) /* stays mapped in the root cell */
#define TANDEM_MEM_VALID_FLAGS	     0x7fu

struct tandem_cell_desc {
	char signature[8]; /* TANDEM_CELL_CONFIG_SIGNATURE */
	uint16_t revision; /* TANDEM_CELL_CONFIG_REVISION */
	uint16_t reserved0;
	uint32_t flags; /* TANDEM_CELL_* */
	char name[TANDEM_CELL_NAME_LEN];
	uint64_t cpu_set; /* bit n: logical CPU n */
	uint32_t num_memory_regions;
	uint32_t num_pio_regions;
	uint64_t reset_entry; /* cell-physical start address, < 4 GiB */
	uint32_t msg_reply_timeout_ms; /* 0: TANDEM_CELL_DEFAULT_TIMEOUT_MS */
	uint32_t reserved1;
};

struct tandem_memory_region {
	uint64_t phys_start; /* host-physical, taken from the root cell */
	uint64_t virt_start; /* cell-physical (guest-physical) */
	uint64_t size;	     /* multiple of 4 KiB */
	uint64_t flags;	     /* TANDEM_MEM_* */
};

struct tandem_pio_region {
	uint16_t base;
	uint16_t length; /* ports base .. base + length - 1 */
	uint32_t reserved;
};

#define TANDEM_CELL_DEFAULT_TIMEOUT_MS 100

_Static_assert(sizeof(struct tandem_cell_desc) == 80, "cell descriptor layout");
_Static_assert(sizeof(struct tandem_memory_region) == 32, "memory region layout");
_Static_assert(sizeof(struct tandem_pio_region) == 8, "PIO region layout");

/* Total size of a configuration with @mem memory and @pio I/O regions. */
#define TANDEM_CELL_CONFIG_SIZE(mem, pio)              \
	(sizeof(struct tandem_cell_desc) +             \
	 (mem) * sizeof(struct tandem_memory_region) + \
	 (pio) * sizeof(struct tandem_pio_region))

#endif
