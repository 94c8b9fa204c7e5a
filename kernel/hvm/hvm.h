/* The Palacios HVM interface between the ROS (root cell) and the HRT
 * partition: 0xf00d downcalls, comm-page upcalls and the transaction state
 * machine (kernel/hvm/hvm.c). Booting the HRT is hvm/hrt.h. */
#ifndef TANDEM_HVM_HVM_H
#define TANDEM_HVM_HVM_H

#include <stdbool.h>
#include <stdint.h>
#include <tandem/hvm.h>
#include "virt/vcpu.h"

struct cell;

struct hrt {
	struct cell *cell;	       /* NULL: no HRT */
	volatile bool failed;	       /* crashed: downcalls to it give -1 */
	uint8_t vector;		       /* its upcall vector */
	struct tandem_comm_page *comm; /* Tandem's view of the comm page */
	unsigned int ncores;
	volatile uint32_t trans_state;	   /* TANDEM_HRT_* */
	volatile uint32_t trans_count;	   /* HRT cores yet to complete */
	struct tandem_ros_event ros_event; /* pending event for the ROS */
};

extern struct hrt hrt;

/** Handles RAX = 0xf00d (any CPL, either cell): the Palacios downcall. */
void hvm_downcall(struct vcpu *v);

/** The HRT failed (its kind's failed operation): abort any transaction,
 * let a waiting ROS see an HRT_EXCEPTION event. */
void hvm_hrt_failed(uint64_t rip, uint64_t vector);

#define HVM_DEBUG_PORT 0xc0c0

#endif
