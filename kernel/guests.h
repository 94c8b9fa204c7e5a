/* From "every CPU entered" to guests running: the root cell and the ROS. */
#ifndef TANDEM_GUESTS_H
#define TANDEM_GUESTS_H

/** On the boot CPU: builds the root cell, loads the ROS and runs its boot
 * vCPU. Returns only when there is no guest to run (after saying why). */
void guests_start_bsp(void);

/** On every other online CPU: runs its root-cell vCPU (waiting for the
 * ROS's start-up IPI). Returns only when there is no guest to run. */
void guests_start_ap(void);

#endif
