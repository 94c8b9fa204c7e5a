// SPDX-License-Identifier: GPL-2.0
/*
 * Cell life cycle from Linux (guest-abi/ABI.md sections 4.2-4.9, 7).
 *
 * Cell Create, as Jailhouse's driver does it:
 *  1. the configuration and images are checked here where Linux knows
 *     more than Tandem: every RAM region must be memory Linux does not use
 *     (not "System RAM" in Linux's resource tree: reserve it with
 *     memmap=SIZE$ADDR on the command line), not Tandem's or the HRT's
 *     (Get Info 5-10: a root access to the HRT's memory would fail the
 *     root CPU), and no other cell's (writing a cell's memory fails the
 *     root CPU too, ABI 7.4);
 *  2. the images are copied into the cell's memory through memremap();
 *  3. each CPU of cpu_set Linux has online is taken offline (remove_cpu())
 *     and then sent an INIT IPI: Tandem gives a cell only CPUs that are
 *     not running root code (ABI 7.2 rule 23), and an offline Linux CPU
 *     still runs its idle loop; after INIT it waits for a start-up IPI;
 *  4. Cell Create with the configuration in kmalloc'ed (physically
 *     contiguous) memory; on any error the CPUs go back to Linux.
 * (A CPU Linux already has offline gets the INIT only, and stays offline.)
 * Cell Destroy gives the CPUs back to Linux with add_cpu(), which starts
 * them with INIT-SIPI-SIPI as at boot (Tandem returns them waiting for a
 * start-up IPI, ABI 4.4).
 *
 * Linux's CPU numbers are taken to be Tandem's logical CPU ids: both
 * number the boot CPU 0 and then the enabled MADT entries in table order
 * (the same assumption ros/checks_cells.c makes), and Tandem's filtered
 * MADT leaves the HRT's CPUs, the highest ones, out.
 *
 * A configuration whose header the driver cannot use (signature,
 * revision, region counts) is handed to Tandem as it is, without taking
 * CPUs or loading images, so that the error is Tandem's own.
 *
 * A Jailhouse cell description (first 5 bytes "JHCLL", ABI section 12) is
 * read through Tandem's own translator, kernel/fmt/jh_cell.c, built into
 * this module: its translation into Tandem's format gives the CPUs and
 * memory regions the steps above use; the description itself, byte for
 * byte, is what Cell Create gets. One the translator refuses goes to
 * Tandem as it is too, and the line says the translator's reason. Its
 * images load as `jailhouse cell load` loads them (Jailhouse's
 * driver/cell.c): each inside one region with LOADABLE and WRITE.
 */
#define pr_fmt(fmt) "tandem: " fmt

#include <linux/cpu.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/ioport.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apic.h>
#include <asm/smp.h>

#include "tandem/errno.h"
#include "tandem/hypercall.h"
#include "tandem/jailhouse.h"
#include "fmt/jh_cell.h"
#include "tandem.h"
#include "tandem_hc.h"

#define MEM_RAM_EXCLUDE (TANDEM_MEM_IO | TANDEM_MEM_COMM_REGION)
/* Where `jailhouse cell load` puts an image (its driver's MEM_REQ_FLAGS). */
#define MEM_JH_LOAD	(TANDEM_MEM_LOADABLE | TANDEM_MEM_WRITE)

static struct tandem_cell *cell_by_id(long id)
{
	if (id < 0 || id >= TANDEM_IOC_MAX_CELLS)
		return NULL;
	return tandem_cells[id];
}

static bool is_ram_region(const struct tandem_memory_region *m)
{
	return !(m->flags & MEM_RAM_EXCLUDE);
}

static bool overlaps(u64 a, u64 asz, u64 b, u64 bsz)
{
	return asz && bsz && a < b + bsz && b < a + asz;
}

/* The tracked cell that owns logical CPU @cpu, or NULL. */
struct tandem_cell *tandem_cpu_owner(unsigned int cpu)
{
	int i;

	if (cpu >= TANDEM_CELL_MAX_CPUS)
		return NULL;
	for (i = 0; i < TANDEM_IOC_MAX_CELLS; i++)
		if (tandem_cells[i] && (tandem_cells[i]->cpu_set >> cpu & 1))
			return tandem_cells[i];
	return NULL;
}

void tandem_cpus_online(u64 cpus)
{
	unsigned int cpu;
	int ret;

	for (cpu = 0; cpu < 64; cpu++) {
		if (!(cpus >> cpu & 1))
			continue;
		ret = add_cpu(cpu);
		if (ret)
			pr_err("CPU %u did not come back online (%d)\n", cpu,
			       ret);
	}
}

/* INIT (level assert) to @cpu's APIC: Tandem emulates it for the root's
 * own CPUs (ABI 7.7, 11.3): the CPU then waits for a start-up IPI. */
void tandem_send_init(unsigned int cpu)
{
	u32 apicid = per_cpu(x86_cpu_to_apicid, cpu);
	unsigned long flags;

	local_irq_save(flags);
	apic->icr_write(APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT,
			apicid);
	apic->wait_icr_idle();
	local_irq_restore(flags);
}

/* Takes every CPU of @cpu_set that Linux has online; *taken says which.
 * CPUs Linux does not have (another cell's, absent ones) are left for
 * Tandem to judge. */
static int cpus_offline(u64 cpu_set, u64 *taken, char *msg)
{
	unsigned int cpu;
	int ret;

	*taken = 0;
	for (cpu = 0; cpu < 64; cpu++) {
		if (!(cpu_set >> cpu & 1) || cpu >= nr_cpu_ids)
			continue;
		if (!cpu_online(cpu)) {
			/* Offline in Linux but idling in root code: INIT
			 * alone (it stays offline in Linux afterwards). */
			if (cpu_present(cpu) && !tandem_cpu_owner(cpu))
				tandem_send_init(cpu);
			continue;
		}
		ret = remove_cpu(cpu);
		if (ret) {
			tandem_cpus_online(*taken);
			*taken = 0;
			tandem_msg(msg,
				   "Linux cannot take CPU %u offline (error %d)%s",
				   cpu, ret,
				   cpu == 0 ? ": the boot CPU stays with Linux" :
					      "");
			return ret;
		}
		*taken |= 1ull << cpu;
		tandem_send_init(cpu);
	}
	return 0;
}

/* Step 1 of the file comment for region @i of @c. */
static int check_region(const struct tandem_cell *c, u32 i, char *msg)
{
	static const struct {
		unsigned int base, size;
		const char *what;
	} tandem_ranges[] = {
		{ TANDEM_INFO_IMAGE_BASE, TANDEM_INFO_IMAGE_SIZE,
		  "Tandem's image" },
		{ TANDEM_INFO_HV_MEM_BASE, TANDEM_INFO_HV_MEM_SIZE,
		  "Tandem's memory" },
		{ TANDEM_INFO_HRT_MEM_BASE, TANDEM_INFO_HRT_MEM_SIZE,
		  "the HRT's memory" },
	};
	const struct tandem_memory_region *m = &c->mem[i];
	u64 end = m->phys_start + m->size - 1;
	unsigned int k;
	u32 j;

	if (m->size == 0 || end < m->phys_start)
		return 0; /* Tandem refuses it (rules 10, 11) */
	if (region_intersects(m->phys_start, m->size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		tandem_msg(msg,
			   "memory 0x%llx-0x%llx (region %u) is Linux's RAM: reserve it with memmap=0x%llx$0x%llx on Linux's command line",
			   m->phys_start, end, i, m->size, m->phys_start);
		return -EINVAL;
	}
	for (k = 0; k < ARRAY_SIZE(tandem_ranges); k++) {
		long base = tandem_hc1(TANDEM_HC_HYPERVISOR_GET_INFO,
				       tandem_ranges[k].base);
		long size = tandem_hc1(TANDEM_HC_HYPERVISOR_GET_INFO,
				       tandem_ranges[k].size);

		if (base >= 0 && size > 0 &&
		    overlaps(m->phys_start, m->size, base, size)) {
			tandem_msg(msg,
				   "memory 0x%llx-0x%llx (region %u) overlaps %s (0x%lx-0x%lx)",
				   m->phys_start, end, i, tandem_ranges[k].what,
				   base, base + size - 1);
			return -EINVAL;
		}
	}
	for (k = 0; k < TANDEM_IOC_MAX_CELLS; k++) {
		const struct tandem_cell *o = tandem_cells[k];

		if (!o)
			continue;
		for (j = 0; j < o->num_mem; j++) {
			if (is_ram_region(&o->mem[j]) &&
			    overlaps(m->phys_start, m->size,
				     o->mem[j].phys_start, o->mem[j].size)) {
				tandem_msg(msg,
					   "memory 0x%llx-0x%llx (region %u) is in use by cell '%s'",
					   m->phys_start, end, i, o->name);
				return -EBUSY;
			}
		}
	}
	return 0;
}

/* The host-physical address of cell-physical [@addr, +@size) when it lies
 * in one RAM region of @c (of a Jailhouse cell: one with LOADABLE and
 * WRITE), else ~0. */
static u64 image_phys(const struct tandem_cell *c, u64 addr, u64 size)
{
	u32 i;

	for (i = 0; i < c->num_mem; i++) {
		const struct tandem_memory_region *m = &c->mem[i];

		if (!is_ram_region(m) ||
		    (c->jh && (m->flags & MEM_JH_LOAD) != MEM_JH_LOAD))
			continue;
		if (addr >= m->virt_start && size <= m->size &&
		    addr - m->virt_start <= m->size - size)
			return m->phys_start + (addr - m->virt_start);
	}
	return ~0ull;
}

static int load_images(const struct tandem_cell *c,
		       const struct tandem_ioc_create *req, char *msg)
{
	struct tandem_ioc_image img;
	u32 i;

	if (req->num_images > TANDEM_IOC_MAX_IMAGES) {
		tandem_msg(msg, "%u images, at most %u", req->num_images,
			   TANDEM_IOC_MAX_IMAGES);
		return -E2BIG;
	}
	for (i = 0; i < req->num_images; i++) {
		u64 phys;
		void *dst;
		unsigned long left;

		if (copy_from_user(&img,
				   (void __user *)(unsigned long)(req->images +
								  i * sizeof(img)),
				   sizeof(img)))
			return -EFAULT;
		if (img.size == 0 && c->jh)
			continue; /* as jailhouse cell load does */
		phys = image_phys(c, img.addr, img.size);
		if (phys == ~0ull || img.size == 0) {
			tandem_msg(msg,
				   c->jh ? "image %u (%llu bytes at cell-physical 0x%llx) is not inside one loadable, writable region of the Jailhouse description" :
					   "image %u (%llu bytes at cell-physical 0x%llx) is not inside one RAM region of the configuration",
				   i + 1, img.size, img.addr);
			return -EINVAL;
		}
		dst = memremap(phys, img.size, MEMREMAP_WB);
		if (!dst) {
			tandem_msg(msg, "cannot map memory 0x%llx for image %u",
				   phys, i + 1);
			return -ENOMEM;
		}
		left = copy_from_user(dst, (void __user *)(unsigned long)img.data,
				      img.size);
		memunmap(dst);
		if (left)
			return -EFAULT;
	}
	return 0;
}

/* A line for Cell Create's error @err (positive) from Tandem. */
static void create_error(const struct tandem_cell *c, int err, char *msg)
{
	unsigned int cpu;

	switch (err) {
	case TANDEM_EBUSY:
		for (cpu = 0; cpu < 64; cpu++) {
			const struct tandem_cell *o;

			if (!(c->cpu_set >> cpu & 1))
				continue;
			o = tandem_cpu_owner(cpu);
			if (o) {
				tandem_msg(msg, "CPU %u is in use by cell '%s'",
					   cpu, o->name);
				return;
			}
		}
		tandem_msg(msg,
			   "a CPU, I/O port or memory region of cell '%s' is in use (Tandem's log names it)",
			   c->name);
		return;
	case TANDEM_EEXIST:
		tandem_msg(msg, "a cell named '%s' exists", c->name);
		return;
	case TANDEM_EPERM:
		tandem_msg(msg,
			   "a running cell denied the reconfiguration (or a Jailhouse-format cell is running-locked)");
		return;
	case TANDEM_ENOMEM:
		tandem_msg(msg,
			   "Tandem has no memory or no cell id left for cell '%s'",
			   c->name);
		return;
	default:
		tandem_msg(msg,
			   "Tandem refused the configuration of cell '%s' (its log line 'cell create refused' names the rule)",
			   c->name);
	}
}

/* Cell Create with a configuration the driver prepared nothing for (no
 * CPU taken, no image loaded), so that the error is Tandem's. Returns true
 * when Tandem refused it for the configuration itself: req->err is set and
 * the caller says why; false with req->err and msg set otherwise. */
static bool tandem_refuses(struct tandem_ioc_create *req, void *cfg)
{
	long rc = tandem_hc1(TANDEM_HC_CELL_CREATE, virt_to_phys(cfg));

	if (rc >= 0) {
		tandem_hc1(TANDEM_HC_CELL_DESTROY, rc);
		req->err = EIO;
		tandem_msg(req->msg,
			   "Tandem accepted a configuration the driver cannot read (cell %ld destroyed again)",
			   rc);
		return false;
	}
	req->err = tandem_err(rc);
	if (rc == -TANDEM_EPERM) {
		/* Asked before the configuration is read (ABI 4.2). */
		tandem_msg(req->msg,
			   "a running cell denied the reconfiguration (or a Jailhouse-format cell is running-locked)");
		return false;
	}
	return true;
}

/* A Jailhouse description @cfg (req->config_size bytes): its translation
 * into Tandem's format by kernel/fmt/jh_cell.c, kmalloc'ed, for the
 * driver's steps; NULL when there is none (req->err and msg set: the
 * driver's own refusal, or Tandem's when the translator refuses it). */
static struct tandem_cell_desc *jh_translation(struct tandem_ioc_create *req,
					       void *cfg)
{
	struct jh_cell_error e = { NULL, -1 };
	struct jh_cell_info info;
	size_t total, len;
	void *t;
	int rc;

	if (req->config_size < sizeof(struct jh_cell_desc)) {
		req->err = EINVAL;
		tandem_msg(req->msg,
			   "the Jailhouse description is %u bytes, shorter than its %zu-byte header",
			   req->config_size, sizeof(struct jh_cell_desc));
		return NULL;
	}
	rc = jh_cell_size(cfg, &total, &e);
	if (!rc && total != req->config_size) {
		req->err = EINVAL;
		tandem_msg(req->msg,
			   "the configuration is %u bytes, its header says %zu",
			   req->config_size, total);
		return NULL;
	}
	t = kmalloc(JH_CELL_TRANSLATION_MAX, GFP_KERNEL);
	if (!t) {
		req->err = ENOMEM;
		tandem_msg(req->msg,
			   "no memory to read the Jailhouse description");
		return NULL;
	}
	if (!rc)
		rc = jh_cell_translate(cfg, total, t, JH_CELL_TRANSLATION_MAX,
				       &len, &info, &e);
	if (!rc)
		return t;
	kfree(t);
	if (tandem_refuses(req, cfg)) {
		if (e.index >= 0)
			tandem_msg(req->msg,
				   "Tandem refused the Jailhouse description: %s (%d)",
				   e.why, e.index);
		else
			tandem_msg(req->msg,
				   "Tandem refused the Jailhouse description: %s",
				   e.why);
	}
	return NULL;
}

int tandem_cell_create(struct tandem_ioc_create *req)
{
	const struct tandem_cell_desc *d;
	struct tandem_cell_desc *xlat = NULL;
	struct tandem_cell *c = NULL;
	void *cfg;
	u64 taken = 0;
	size_t want;
	bool jh;
	long rc;
	u32 i;
	int ret;

	if (req->config_size < sizeof(JH_CELL_SIGNATURE) - 1 ||
	    req->config_size > TANDEM_CELL_CONFIG_MAX) {
		req->err = EINVAL;
		tandem_msg(req->msg,
			   "a configuration is %zu (Jailhouse: %zu) to %u bytes, not %u",
			   sizeof(*d), sizeof(struct jh_cell_desc),
			   TANDEM_CELL_CONFIG_MAX, req->config_size);
		return 0;
	}
	cfg = kmalloc(req->config_size, GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	if (copy_from_user(cfg, (void __user *)(unsigned long)req->config,
			   req->config_size)) {
		kfree(cfg);
		return -EFAULT;
	}
	jh = !memcmp(cfg, JH_CELL_SIGNATURE, sizeof(JH_CELL_SIGNATURE) - 1);

	if (jh) {
		xlat = jh_translation(req, cfg);
		if (!xlat)
			goto out;
		d = xlat;
	} else if (req->config_size < sizeof(*d)) {
		req->err = EINVAL;
		tandem_msg(req->msg, "a configuration is %zu to %u bytes, not %u",
			   sizeof(*d), TANDEM_CELL_CONFIG_MAX, req->config_size);
		goto out;
	} else {
		d = cfg;
		if (memcmp(d->signature, TANDEM_CELL_CONFIG_SIGNATURE, 8) ||
		    d->revision != TANDEM_CELL_CONFIG_REVISION ||
		    d->num_memory_regions > TANDEM_MAX_REGIONS ||
		    d->num_pio_regions > 64) {
			/* Tandem's error, nothing prepared (file comment). */
			if (tandem_refuses(req, cfg))
				tandem_msg(req->msg,
					   req->err == TANDEM_E2BIG ?
						   "more than 64 memory or I/O port regions" :
						   "not a cell configuration (signature is not TNDMCELL or JHCLL, or revision is not 1)");
			goto out;
		}
		want = TANDEM_CELL_CONFIG_SIZE(d->num_memory_regions,
					       d->num_pio_regions);
		if (want != req->config_size) {
			req->err = EINVAL;
			tandem_msg(req->msg,
				   "the configuration is %u bytes, its header says %zu",
				   req->config_size, want);
			goto out;
		}
	}

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		ret = -ENOMEM;
		goto fail;
	}
	c->jh = jh;
	memcpy(c->name, d->name, sizeof(c->name));
	c->name[sizeof(c->name) - 1] = 0;
	c->cpu_set = d->cpu_set;
	c->reset_entry = d->reset_entry;
	c->num_mem = d->num_memory_regions;
	memcpy(c->mem, d + 1, c->num_mem * sizeof(c->mem[0]));

	for (i = 0; i < c->num_mem; i++) {
		if (!is_ram_region(&c->mem[i]))
			continue;
		ret = check_region(c, i, req->msg);
		if (ret)
			goto fail;
	}
	ret = load_images(c, req, req->msg);
	if (ret)
		goto fail;
	ret = cpus_offline(c->cpu_set, &taken, req->msg);
	if (ret)
		goto fail;

	/* The caller's bytes, either format: Tandem reads them itself. */
	rc = tandem_hc1(TANDEM_HC_CELL_CREATE, virt_to_phys(cfg));
	if (rc < 0) {
		tandem_cpus_online(taken);
		req->err = tandem_err(rc);
		create_error(c, req->err, req->msg);
		goto out;
	}
	if (rc >= TANDEM_IOC_MAX_CELLS || tandem_cells[rc]) {
		/* Cannot happen (ABI 4.2: ids 1..15, the lowest free one). */
		pr_err("Cell Create returned id %ld, which the driver cannot keep\n",
		       rc);
		req->err = EIO;
		tandem_msg(req->msg, "Tandem returned cell id %ld", rc);
		goto out;
	}
	c->id = rc;
	c->cpus_offlined = taken;
	tandem_cells[rc] = c;
	req->id = rc;
	pr_info("cell %ld '%s' created from a %s (CPUs 0x%llx)\n", rc, c->name,
		jh ? "Jailhouse description" : "Tandem configuration",
		c->cpu_set);
	c = NULL;
	goto out;

fail:
	req->err = -ret;
	if (!req->msg[0])
		tandem_msg(req->msg, "cell create failed (%d)", ret);
	if (ret == -EFAULT) {
		kfree(c);
		kfree(xlat);
		kfree(cfg);
		return -EFAULT;
	}
out:
	kfree(c);
	kfree(xlat);
	kfree(cfg);
	return 0;
}

/* The message for a Start/Restart/Destroy error @rc of cell @id. */
static void cell_call_error(const char *what, long id, long rc, char *msg)
{
	const struct tandem_cell *c = cell_by_id(id);

	switch (rc) {
	case -TANDEM_ENOENT:
		tandem_msg(msg, "no cell with id %ld", id);
		break;
	case -TANDEM_EPERM:
		tandem_msg(msg,
			   "cell '%s' denied the request (or did not answer in time)",
			   c ? c->name : "?");
		break;
	case -TANDEM_EINVAL:
		if (id == 0)
			tandem_msg(msg, "the root cell cannot be %s", what);
		else if (!c)
			tandem_msg(msg,
				   "cell %ld cannot be %s (the HRT is managed with 0xf00d requests)",
				   id, what);
		else
			tandem_msg(msg,
				   "Tandem refused to %s cell '%s' (never started, or a bad entry)",
				   what, c->name);
		break;
	case -TANDEM_ENOMEM:
		tandem_msg(msg, "Tandem has no memory left to start cell %ld",
			   id);
		break;
	default:
		tandem_msg(msg, "cell %ld: error %ld", id, rc);
	}
}

int tandem_cell_start(struct tandem_ioc_cell *req)
{
	long rc = tandem_hc1(TANDEM_HC_CELL_START, req->id);

	req->err = tandem_err(rc);
	if (rc < 0)
		cell_call_error("started", req->id, rc, req->msg);
	return 0;
}

int tandem_cell_restart(struct tandem_ioc_cell *req)
{
	const struct tandem_cell *c = cell_by_id(req->id);
	u64 entry = req->entry;
	long rc;

	if (!entry && c)
		entry = c->reset_entry;
	rc = tandem_hc(TANDEM_HC_CELL_SOFT_RESTART, req->id, entry,
		       req->args[0], req->args[1], req->args[2]);
	req->err = tandem_err(rc);
	if (rc < 0)
		cell_call_error("restarted", req->id, rc, req->msg);
	return 0;
}

int tandem_cell_destroy(struct tandem_ioc_cell *req)
{
	struct tandem_cell *c = cell_by_id(req->id);
	long rc = tandem_hc1(TANDEM_HC_CELL_DESTROY, req->id);

	req->err = tandem_err(rc);
	if (rc < 0) {
		cell_call_error("destroyed", req->id, rc, req->msg);
		return 0;
	}
	if (c) {
		tandem_cells[req->id] = NULL;
		tandem_cpus_online(c->cpus_offlined);
		pr_info("cell %d '%s' destroyed\n", c->id, c->name);
		kfree(c);
	}
	return 0;
}

/* The CPUs that answer CPU Get State but are neither Linux's nor a
 * tracked cell's: the HRT's (ABI 4.10, "The HRT as cell 1"). */
static u64 hrt_cpus(void)
{
	u64 set = 0;
	unsigned int cpu;

	for (cpu = 0; cpu < 64; cpu++) {
		if ((cpu < nr_cpu_ids && cpu_possible(cpu)) ||
		    tandem_cpu_owner(cpu))
			continue;
		if (tandem_hc2(TANDEM_HC_CPU_GET_STATE, cpu, 0) >= 0)
			set |= 1ull << cpu;
	}
	return set;
}

int tandem_cell_list(struct tandem_ioc_list *req)
{
	bool hrt = tandem_hc1(TANDEM_HC_HYPERVISOR_GET_INFO,
			      TANDEM_INFO_HRT_MEM_SIZE) > 0;
	unsigned int cpu;
	long id, st;

	req->count = 0;
	for (id = 0; id < TANDEM_IOC_MAX_CELLS; id++) {
		struct tandem_ioc_cell_entry *e = &req->cells[req->count];
		const struct tandem_cell *c = tandem_cells[id];

		st = tandem_hc1(TANDEM_HC_CELL_GET_STATE, id);
		if (st == -TANDEM_ENOENT)
			continue;
		e->id = id;
		e->state = st;
		e->format = TANDEM_IOC_FMT_TANDEM;
		e->reserved = 0;
		if (id == 0) {
			strscpy(e->name, "ROS", sizeof(e->name));
			for_each_online_cpu(cpu) if (cpu < 64)
				e->cpu_set |= 1ull << cpu;
		} else if (c) {
			strscpy(e->name, c->name, sizeof(e->name));
			e->cpu_set = c->cpu_set;
			if (c->jh)
				e->format = TANDEM_IOC_FMT_JAILHOUSE;
		} else if (id == 1 && hrt) {
			strscpy(e->name, "HRT", sizeof(e->name));
			e->cpu_set = hrt_cpus();
		} else {
			strscpy(e->name, "?", sizeof(e->name));
		}
		req->count++;
	}
	return 0;
}
