/*
 * deny: stays running and answers the shutdown requests Tandem sends
 * (comm region message channel) before Cell Destroy, Start, Soft Restart
 * and before another cell's Create: the first n with Denied (n = arg[0]
 * of its image info, 0 meaning 1), the next with Approved, then halts.
 * Prints "deny: running" once at start.
 */
#include "cell_lib.h"

const char cell_name[] = "deny";

void cell_main(void)
{
	unsigned requests = 0;
	unsigned denials = cell_image_info.arg[0] ? cell_image_info.arg[0] : 1;

	cell_puts("deny: running\n");
	for (;;) {
		uint32_t msg = cell_comm->msg_to_cell;

		if (msg == TANDEM_MSG_SHUTDOWN_REQUEST) {
			requests++;
			if (requests <= denials) {
				cell_reply(TANDEM_MSG_REQUEST_DENIED);
			} else {
				cell_reply(TANDEM_MSG_REQUEST_APPROVED);
				cell_halt();
			}
		} else if (msg != TANDEM_MSG_NONE) {
			/* No other message is defined: take it off the channel. */
			cell_comm->msg_to_cell = TANDEM_MSG_NONE;
		}
		__asm__ volatile("pause" ::: "memory");
	}
}
