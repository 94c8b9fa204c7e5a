/*
 * /dev/tandem: the ioctls of tandem.ko (linux/driver/), shared by the
 * driver and tandemctl (linux/tool/). The hypercalls behind them, their
 * numbers and errors are guest-abi/ABI.md; this header adds only the
 * transport between a Linux process and the driver.
 *
 * Every request carries `err` and `msg`: the ioctl itself returns 0 when
 * the request reached the driver and its struct was copied back (-1 with
 * errno only for a bad pointer or an unknown ioctl); `err` is then 0 on
 * success or a positive errno (Tandem's own numbers, tandem/errno.h, for
 * a hypercall's error; the same Linux numbers for the driver's checks),
 * and `msg` one line saying why, without the errno name (the tool prints
 * "tandemctl: cell create: EBUSY: <msg>").
 */
#ifndef TANDEM_LINUX_INCLUDE_TANDEM_IOCTL_H
#define TANDEM_LINUX_INCLUDE_TANDEM_IOCTL_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/ioctl.h>
#else
#include <stdint.h>
#include <sys/ioctl.h>
#endif

#define TANDEM_DEVICE	      "/dev/tandem"
#define TANDEM_IOC_MSG_LEN    160
#define TANDEM_IOC_MAX_CELLS  16 /* ids 0..15: the root, the HRT, cells */
#define TANDEM_IOC_MAX_IMAGES 8

/* One image blob copied into a cell's memory before Cell Create. */
struct tandem_ioc_image {
	uint64_t data; /* user address of the bytes */
	uint64_t size;
	uint64_t addr; /* cell-physical load address, inside one RAM region */
};

/* TANDEM_IOC_CELL_CREATE: in config/config_size/images; out id. */
struct tandem_ioc_create {
	uint64_t config; /* user address of the configuration: Tandem's
			  * (tandem/cell_config.h) or a Jailhouse description
			  * (tandem/jailhouse.h), as Cell Create takes it */
	uint32_t config_size;
	uint32_t num_images;
	uint64_t images; /* user address of num_images struct tandem_ioc_image */
	int32_t id;	 /* out: the new cell's id */
	int32_t err;
	char msg[TANDEM_IOC_MSG_LEN];
};

/* TANDEM_IOC_CELL_START, _DESTROY (id), _RESTART (id, entry, args). */
struct tandem_ioc_cell {
	uint32_t id;
	uint32_t reserved;
	uint64_t entry; /* Soft Restart: cell-physical entry, 0: reset_entry */
	uint64_t args[3]; /* Soft Restart: EDI, ESI, EDX */
	int32_t err;
	char msg[TANDEM_IOC_MSG_LEN];
};

/* The format a cell was created from (tandem_ioc_cell_entry.format). */
#define TANDEM_IOC_FMT_TANDEM	 0
#define TANDEM_IOC_FMT_JAILHOUSE 1

/* TANDEM_IOC_CELL_LIST: every id Cell Get State answers for. */
struct tandem_ioc_cell_entry {
	int32_t id;
	int32_t state; /* Cell Get State: TANDEM_CELL_RUNNING/SHUT_DOWN/FAILED,
			* for a Jailhouse-format cell JH_CELL_* (ABI 12.4) */
	uint64_t cpu_set; /* Tandem's logical CPU ids (the root: Linux's online CPUs) */
	char name[32]; /* "ROS", "HRT", a cell's name, "?" for one the driver did not create */
	uint32_t format; /* TANDEM_IOC_FMT_*: which numbering state is in */
	uint32_t reserved;
};

struct tandem_ioc_list {
	uint32_t count;
	int32_t err;
	char msg[TANDEM_IOC_MSG_LEN];
	struct tandem_ioc_cell_entry cells[TANDEM_IOC_MAX_CELLS];
};

/* TANDEM_IOC_GET_INFO (Hypervisor Get Info, code 5) and TANDEM_IOC_CPU_STATE
 * (CPU Get State, code 7): in a1 (type, CPU id), a2 (type 11's address,
 * the CPU's information type); out value. */
struct tandem_ioc_query {
	uint64_t a1;
	uint64_t a2;
	int64_t value;
	int32_t err;
	char msg[TANDEM_IOC_MSG_LEN];
};

/* TANDEM_IOC_DISABLE: no input. */
struct tandem_ioc_disable {
	int32_t err;
	char msg[TANDEM_IOC_MSG_LEN];
};

#define TANDEM_IOC_MAGIC 0xf0
#define TANDEM_IOC_CELL_CREATE \
	_IOWR(TANDEM_IOC_MAGIC, 1, struct tandem_ioc_create)
#define TANDEM_IOC_CELL_START _IOWR(TANDEM_IOC_MAGIC, 2, struct tandem_ioc_cell)
#define TANDEM_IOC_CELL_RESTART \
	_IOWR(TANDEM_IOC_MAGIC, 3, struct tandem_ioc_cell)
#define TANDEM_IOC_CELL_DESTROY \
	_IOWR(TANDEM_IOC_MAGIC, 4, struct tandem_ioc_cell)
#define TANDEM_IOC_CELL_LIST _IOWR(TANDEM_IOC_MAGIC, 5, struct tandem_ioc_list)
#define TANDEM_IOC_GET_INFO  _IOWR(TANDEM_IOC_MAGIC, 6, struct tandem_ioc_query)
#define TANDEM_IOC_CPU_STATE _IOWR(TANDEM_IOC_MAGIC, 7, struct tandem_ioc_query)
#define TANDEM_IOC_DISABLE   _IOWR(TANDEM_IOC_MAGIC, 8, struct tandem_ioc_disable)

#endif
