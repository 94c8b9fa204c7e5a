/*
 * Jailhouse's own formats, as Tandem accepts them (ABI.md section 12):
 * the binary cell description Cell Create takes besides Tandem's own
 * (configuration revision 14, signature "JHCLL"), and the communication
 * region revision 2 ("JHCOMM") a cell created from one finds. Layouts and
 * numbers are Jailhouse's (include/jailhouse/cell-config.h, console.h and
 * hypercall.h of siemens/jailhouse); everything is packed, little endian.
 */
#ifndef TANDEM_JAILHOUSE_H
#define TANDEM_JAILHOUSE_H

#include <stdint.h>

/* ---- The cell description ---------------------------------------------- */

#define JH_CELL_SIGNATURE		  "JHCLL" /* 5 bytes, no NUL */
#define JH_CONFIG_REVISION		  14
#define JH_ARCH_X86			  0
#define JH_CELL_NAME_LEN		  32 /* NUL-terminated inside */

/* Cell flags. */
#define JH_CELL_PASSIVE_COMMREG		  0x00000001u
#define JH_CELL_TEST_DEVICE		  0x00000002u
#define JH_CELL_AARCH32			  0x00000004u
#define JH_CELL_VIRTUAL_CONSOLE_PERMITTED 0x40000000u
#define JH_CELL_VIRTUAL_CONSOLE_ACTIVE	  0x80000000u

/* The console descriptor (console.h): where an inmate's UART is. */
#define JH_CON_TYPE_NONE		  0x0000
#define JH_CON_TYPE_8250		  0x0002
#define JH_CON_ACCESS_MMIO		  0x0001 /* else port I/O */
#define JH_CON_REGDIST_4		  0x0002 /* else registers 1 byte apart */

struct jh_console {
	uint64_t address;
	uint32_t size;
	uint16_t type;
	uint16_t flags;
	uint32_t divider;
	uint32_t gate_nr;
	uint64_t clock_reg;
} __attribute__((packed));

struct jh_cell_desc {
	char signature[5];    /* JH_CELL_SIGNATURE */
	uint8_t architecture; /* JH_ARCH_X86 */
	uint16_t revision;    /* JH_CONFIG_REVISION */
	char name[JH_CELL_NAME_LEN];
	uint32_t id;	       /* set by Jailhouse's driver; not read */
	uint32_t flags;	       /* JH_CELL_* */
	uint32_t cpu_set_size; /* bytes of CPU bitmap after the header */
	uint32_t num_memory_regions;
	uint32_t num_cache_regions;
	uint32_t num_irqchips;
	uint32_t num_pio_regions;
	uint32_t num_pci_devices;
	uint32_t num_pci_caps;
	uint32_t num_stream_ids;
	uint32_t vpci_irq_base;
	uint64_t cpu_reset_address; /* every CPU starts here, real mode */
	uint64_t msg_reply_timeout; /* in polls of the reply; 0: for ever */
	struct jh_console console;
} __attribute__((packed));

/* Memory region flags. */
#define JH_MEM_READ	    0x0001u
#define JH_MEM_WRITE	    0x0002u
#define JH_MEM_EXECUTE	    0x0004u
#define JH_MEM_DMA	    0x0008u
#define JH_MEM_IO	    0x0010u
#define JH_MEM_COMM_REGION  0x0020u
#define JH_MEM_LOADABLE	    0x0040u
#define JH_MEM_ROOTSHARED   0x0080u
#define JH_MEM_NO_HUGEPAGES 0x0100u
#define JH_MEM_IO_UNALIGNED 0x8000u
#define JH_MEM_IO_WIDTH	    0xf0000u /* bits 16-19: 1, 2, 4, 8 bytes */

struct jh_memory {
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t size;
	uint64_t flags; /* JH_MEM_* */
} __attribute__((packed));

struct jh_cache {
	uint32_t start;
	uint32_t size;
	uint8_t type;
	uint8_t padding;
	uint16_t flags;
} __attribute__((packed));

struct jh_irqchip {
	uint64_t address;
	uint32_t id;
	uint32_t pin_base;
	uint32_t pin_bitmap[4];
} __attribute__((packed));

struct jh_pio {
	uint16_t base;
	uint16_t length;
} __attribute__((packed));

/* Only the size matters to Tandem, which refuses PCI devices. */
#define JH_PCI_DEVICE_SIZE     56
#define JH_PCI_CAPABILITY_SIZE 8
#define JH_STREAM_ID_SIZE      4

_Static_assert(sizeof(struct jh_console) == 32, "Jailhouse console layout");
_Static_assert(sizeof(struct jh_cell_desc) == 132, "Jailhouse cell layout");
_Static_assert(sizeof(struct jh_memory) == 32, "Jailhouse memory layout");
_Static_assert(sizeof(struct jh_cache) == 12, "Jailhouse cache layout");
_Static_assert(sizeof(struct jh_irqchip) == 32, "Jailhouse irqchip layout");
_Static_assert(sizeof(struct jh_pio) == 4, "Jailhouse PIO layout");

/* ---- The communication region, revision 2 ------------------------------ */

#define JH_COMM_SIGNATURE		"JHCOMM" /* 6 bytes, no NUL */
#define JH_COMM_REVISION		2

/* Messages to the cell. */
#define JH_MSG_NONE			0
#define JH_MSG_SHUTDOWN_REQUEST		1
#define JH_MSG_RECONFIG_COMPLETED	2

/* Replies from the cell. */
#define JH_MSG_UNKNOWN			1
#define JH_MSG_REQUEST_DENIED		2
#define JH_MSG_REQUEST_APPROVED		3
#define JH_MSG_RECEIVED			4

/* Cell states (also Cell Get State of such a cell). */
#define JH_CELL_RUNNING			0
#define JH_CELL_RUNNING_LOCKED		1
#define JH_CELL_SHUT_DOWN		2 /* terminal */
#define JH_CELL_FAILED			3 /* terminal */
#define JH_CELL_FAILED_COMM_REV		4 /* terminal */

/* flags */
#define JH_COMM_FLAG_DBG_PUTC_PERMITTED 0x0001u
#define JH_COMM_FLAG_DBG_PUTC_ACTIVE	0x0002u

struct jh_comm_region {
	char signature[6]; /* JH_COMM_SIGNATURE */
	uint16_t revision; /* JH_COMM_REVISION */
	volatile uint32_t cell_state;
	volatile uint32_t msg_to_cell;
	volatile uint32_t reply_from_cell;
	uint32_t flags;		    /* JH_COMM_FLAG_* */
	struct jh_console console;  /* the configuration's */
	uint64_t pci_mmconfig_base; /* 0: none */
	/* x86 */
	uint16_t pm_timer_address; /* ACPI PM timer port, 0: none */
	uint16_t num_cpus;
	uint32_t tsc_khz;
	uint32_t apic_khz; /* the local APIC timer's input clock */
} __attribute__((packed));

_Static_assert(sizeof(struct jh_comm_region) == 76, "JHCOMM layout");

#endif
