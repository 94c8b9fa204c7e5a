/*
 * tandem.ko's shared state: the cells this driver created (Tandem has no
 * call that lists names, CPUs or memory, so the driver remembers them),
 * under one mutex that every ioctl takes.
 */
#ifndef TANDEM_LINUX_DRIVER_TANDEM_H
#define TANDEM_LINUX_DRIVER_TANDEM_H

#include <linux/mutex.h>
#include <linux/types.h>

#include "tandem/cell_config.h"
#include "tandem_ioctl.h"

#define TANDEM_MAX_REGIONS 64 /* ABI 7.2 rule 2 */

struct tandem_cell {
	int id;
	bool jh; /* created from a Jailhouse description (ABI section 12) */
	char name[TANDEM_CELL_NAME_LEN];
	u64 cpu_set;
	u64 cpus_offlined; /* the CPUs this driver took from Linux for it */
	u64 reset_entry;   /* a Jailhouse cell's cpu_reset_address */
	u32 num_mem; /* mem: Tandem's regions (a Jailhouse cell's translated) */
	struct tandem_memory_region mem[TANDEM_MAX_REGIONS];
};

extern struct mutex tandem_lock;
extern struct tandem_cell *tandem_cells[TANDEM_IOC_MAX_CELLS];
extern bool tandem_disabled; /* Disable succeeded: no hypervisor any more */

/* printf into a request's msg field. */
__printf(2, 3) void tandem_msg(char *msg, const char *fmt, ...);

/* tandem_cells.c, called with tandem_lock held. */
int tandem_cell_create(struct tandem_ioc_create *req);
int tandem_cell_start(struct tandem_ioc_cell *req);
int tandem_cell_restart(struct tandem_ioc_cell *req);
int tandem_cell_destroy(struct tandem_ioc_cell *req);
int tandem_cell_list(struct tandem_ioc_list *req);
/* Brings every CPU of @cpus (Linux's numbers) online again. */
void tandem_cpus_online(u64 cpus);
/* INIT IPI to @cpu: it waits for a start-up IPI (Tandem: not running
 * root code any more). */
void tandem_send_init(unsigned int cpu);
/* The tracked cell that holds @cpu, or NULL. */
struct tandem_cell *tandem_cpu_owner(unsigned int cpu);

/* tandem_disable.c, called with tandem_lock held. */
int tandem_disable(struct tandem_ioc_disable *req);

/* Tandem's negative error as a positive errno for a request's err. */
static inline int tandem_err(long rc)
{
	return rc < 0 ? (int)-rc : 0;
}

#endif
