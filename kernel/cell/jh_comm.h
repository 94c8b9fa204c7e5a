/* The communication region of a cell created from a Jailhouse description
 * (tandem/jailhouse.h, revision 2) and Jailhouse's way of talking to the
 * cell through it (hypervisor/control.c of Jailhouse): messages answered
 * with Jailhouse's reply codes and waited for in polls, "running-locked"
 * holding back every other reconfiguration, "reconfiguration completed"
 * told to every such cell after one. Runs on root CPUs under the cells
 * lock (cell/cell_calls.c). */
#ifndef TANDEM_CELL_JH_COMM_H
#define TANDEM_CELL_JH_COMM_H

#include <stdbool.h>
#include "virt/partition.h"

/** Zeroes @c's region and fills it, as at every Cell Start. */
void jh_comm_reset(struct cell *c);

/** Sends @c a shutdown request (a request: true if approved, or if the
 * cell is not asked at all) as Cell Start, Destroy and Disable do. On a
 * timeout the cell is marked Failed, its CPUs are stopped, and the call
 * goes ahead, as in Jailhouse. */
bool jh_comm_shutdown_ok(struct cell *c);

/** Tells every Jailhouse-format cell, but @except, that a cell was
 * created or destroyed (an information: the answer does not matter). */
void jh_comm_reconfig_completed(const struct cell *except);

/** True if some Jailhouse-format cell other than @except says it is
 * running-locked: no cell may be created or destroyed now. */
bool jh_comm_locked(const struct cell *except);

/** Cell Get State of a started Jailhouse-format cell: its region's state
 * in Jailhouse's numbers, or -EINVAL for a value that is none. */
long jh_comm_state(const struct cell *c);

#endif
