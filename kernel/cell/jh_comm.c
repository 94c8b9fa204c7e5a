/* Jailhouse's communication region and message protocol (see jh_comm.h). */
#include <tandem/errno.h>
#include <tandem/jailhouse.h>
#include "cell/jh_comm.h"
#include "hw/apic.h"
#include "hw/console.h"
#include "hw/tsc.h"
#include "lib/cpu.h"
#include "lib/klib.h"
#include "virt/exits.h"
#include "virt/host_pm_timer.h"

_Static_assert(sizeof(struct jh_comm_region) <= PAGE_SIZE, "one page");

void jh_comm_reset(struct cell *c)
{
	struct jh_comm_region *comm = c->comm;

	/* Zero: cell_state Running, no message, no reply. */
	memset(c->comm, 0, PAGE_SIZE);
	memcpy(comm->signature, JH_COMM_SIGNATURE, sizeof(comm->signature));
	comm->revision = JH_COMM_REVISION;
	if (c->jh_info.flags &
	    (JH_CELL_VIRTUAL_CONSOLE_PERMITTED | JH_CELL_VIRTUAL_CONSOLE_ACTIVE))
		comm->flags |= JH_COMM_FLAG_DBG_PUTC_PERMITTED;
	if (c->jh_info.flags & JH_CELL_VIRTUAL_CONSOLE_ACTIVE)
		comm->flags |= JH_COMM_FLAG_DBG_PUTC_ACTIVE;
	comm->console = c->jh_info.console;
	/* No PCI device reaches a cell (Cell Create refuses them). */
	comm->pci_mmconfig_base = 0;
	comm->pm_timer_address = host_pm_timer.port;
	comm->num_cpus = (uint16_t)c->nvcpus;
	comm->tsc_khz = (uint32_t)tsc_khz;
	comm->apic_khz = apic_timer_khz;
}

static bool asked(const struct cell *c)
{
	return c->comm && c->started && c->state != CELL_STATE_FAILED &&
	       !(c->jh_info.flags & JH_CELL_PASSIVE_COMMREG);
}

/* A terminal state: nobody is left to answer. Jailhouse's loop knows
 * only Shut down and Failed; Failed (wrong revision) is as terminal. */
static bool terminal(uint32_t state)
{
	return state == JH_CELL_SHUT_DOWN || state == JH_CELL_FAILED ||
	       state == JH_CELL_FAILED_COMM_REV;
}

/* Jailhouse's exchange: true to go ahead. @request: a request wants
 * Approved, an information Received; any other reply says no. */
static bool exchange(struct cell *c, uint32_t msg, bool request)
{
	struct jh_comm_region *comm = c->comm;
	uint64_t polls = c->jh_info.msg_reply_timeout;

	if (!asked(c) || terminal(comm->cell_state))
		return true;
	comm->reply_from_cell = JH_MSG_NONE;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	comm->msg_to_cell = msg;
	for (;;) {
		uint32_t reply = comm->reply_from_cell;

		if (terminal(comm->cell_state))
			return true;
		if (reply == (request ? JH_MSG_REQUEST_APPROVED : JH_MSG_RECEIVED))
			return true;
		if (reply != JH_MSG_NONE)
			return false;
		if (c->jh_info.msg_reply_timeout && --polls == 0)
			break;
		cpu_relax();
	}
	pr_warn_limited("cell '%s' did not answer message %u within %lu polls: marked failed, its CPUs stopped",
			c->name, msg, c->jh_info.msg_reply_timeout);
	for (unsigned int i = 0; i < c->nvcpus; i++)
		vcpu_request(c->vcpus[i], VCPU_REQ_INIT);
	cell_set_failed(c);
	return true;
}

bool jh_comm_shutdown_ok(struct cell *c)
{
	struct jh_comm_region *comm = c->comm;
	bool ok = exchange(c, JH_MSG_SHUTDOWN_REQUEST, true);

	/* A denial leaves no message standing (the cell cleared it before
	 * answering, if it follows the protocol). */
	if (!ok)
		comm->msg_to_cell = JH_MSG_NONE;
	return ok;
}

void jh_comm_reconfig_completed(const struct cell *except)
{
	for (unsigned int id = 1; id < TANDEM_MAX_CELLS; id++)
		if (cells[id] && cells[id] != except && cells[id]->jh)
			exchange(cells[id], JH_MSG_RECONFIG_COMPLETED, false);
}

bool jh_comm_locked(const struct cell *except)
{
	for (unsigned int id = 1; id < TANDEM_MAX_CELLS; id++) {
		const struct cell *c = cells[id];

		if (c && c != except && c->jh && c->comm && c->started &&
		    c->state != CELL_STATE_FAILED &&
		    ((const struct jh_comm_region *)c->comm)->cell_state ==
			    JH_CELL_RUNNING_LOCKED)
			return true;
	}
	return false;
}

long jh_comm_state(const struct cell *c)
{
	uint32_t state;

	if (c->state == CELL_STATE_FAILED)
		return JH_CELL_FAILED;
	if (!c->started)
		return JH_CELL_SHUT_DOWN; /* as Jailhouse sets it at create */
	if (!c->comm)
		return JH_CELL_RUNNING; /* nothing the cell could say */
	state = ((const struct jh_comm_region *)c->comm)->cell_state;
	return state <= JH_CELL_FAILED_COMM_REV ? (long)state : -TANDEM_EINVAL;
}
