/*
 * The per-cell communication region (Jailhouse hypervisor-interfaces seed):
 * one 4 KiB page of Tandem's, mapped into a cell where its configuration
 * has a TANDEM_MEM_COMM_REGION region. 32-bit fields, native endianness.
 */
#ifndef TANDEM_COMM_REGION_H
#define TANDEM_COMM_REGION_H

#include <stdint.h>

/* Messages from Tandem to the cell. */
#define TANDEM_MSG_NONE		    0
#define TANDEM_MSG_SHUTDOWN_REQUEST 1

/* Replies from the cell. */
#define TANDEM_MSG_UNKNOWN	    0
#define TANDEM_MSG_REQUEST_DENIED   1
#define TANDEM_MSG_REQUEST_APPROVED 2

/* Cell states (also Cell Get State results). */
#define TANDEM_COMM_CELL_RUNNING    0
#define TANDEM_COMM_CELL_SHUT_DOWN  1 /* terminal */
#define TANDEM_COMM_CELL_FAILED	    2 /* terminal */

struct tandem_comm_region {
	volatile uint32_t msg_to_cell;
	volatile uint32_t reply_from_cell;
	volatile uint32_t cell_state;
	uint32_t reserved;
	/* Tandem's additions, read-only for the cell. */
	char signature[8]; /* "TNDMCOMM" */
	uint32_t cell_id;
	uint32_t msg_reply_timeout_ms;
};

_Static_assert(sizeof(struct tandem_comm_region) == 32, "comm region layout");

#endif
