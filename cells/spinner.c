/*
 * spinner: loops forever and approves every shutdown request. Prints
 * nothing (the ROS creates and destroys it a thousand times).
 */
#include "cell_lib.h"

const char cell_name[] = "spinner";
const int cell_quiet = 1;

void cell_main(void)
{
	for (;;) {
		uint32_t msg = cell_comm->msg_to_cell;

		if (msg == TANDEM_MSG_SHUTDOWN_REQUEST)
			cell_reply(TANDEM_MSG_REQUEST_APPROVED);
		else if (msg != TANDEM_MSG_NONE)
			cell_comm->msg_to_cell = TANDEM_MSG_NONE;
		__asm__ volatile("pause" ::: "memory");
	}
}
