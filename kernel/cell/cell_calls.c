/* Non-root cells: the Jailhouse cell hypercalls (create, start, destroy,
 * get state), soft restart, the debug console and the communication
 * region's shutdown protocol (jailhouse-hypervisor-interfaces seed).
 * Reconfiguration is serialized by one lock and runs on root CPUs only;
 * a CPU of a non-root cell is never used to wait for anything. */
#include <tandem/cell_config.h>
#include <tandem/comm_region.h>
#include <tandem/errno.h>
#include <tandem/hypercall.h>
#include <tandem/jailhouse.h>
#include "virt/msr_wall.h"
#include "virt/partition.h"
#include "cell/config_check.h"
#include "cell/cell_calls.h"
#include "cell/jh_comm.h"
#include "fmt/jh_cell.h"
#include "hw/console.h"
#include "lib/cpu.h"
#include "virt/exits.h"
#include "boot_info.h"
#include "lib/klib.h"
#include "hw/percpu.h"
#include "mm/mtrr.h"
#include "mm/pools.h"
#include "lib/spinlock.h"
#include "virt/host_pm_timer.h"
#include "virt/start_state.h"
#include "hw/tsc.h"

static struct spinlock cells_lock;

/* Create and destroy are worth a line each, but not a thousand in a row. */
static bool log_lifecycle(void)
{
	static unsigned int lines;

	if (++lines == 24)
		pr_info("cells: further create/destroy lines suppressed");
	return lines < 24;
}

static struct cell *cell_by_id(uint64_t id)
{
	return id < TANDEM_MAX_CELLS ? cells[id] : NULL;
}

static const char *const *cell_names(unsigned int *n)
{
	static const char *names[TANDEM_MAX_CELLS];

	*n = 0;
	for (unsigned int i = 0; i < TANDEM_MAX_CELLS; i++)
		if (cells[i])
			names[(*n)++] = cells[i]->name;
	return names;
}

/* What Cell Create validates against: the system as it is now. */
static void fill_ctx(struct cell_config_ctx *ctx, struct cfg_range *root_ram,
		     struct cfg_range *cells_ram, struct cfg_range *machine_ram,
		     struct cfg_range *cells_pio)
{
	unsigned int n = 0;

	memset(ctx, 0, sizeof(*ctx));
	/* A cell's cpu_set names CPUs 0..63 only (TANDEM_CELL_MAX_CPUS). */
	for (unsigned int cpu = 0;
	     cpu < boot_info.possible_cpus && cpu < TANDEM_CELL_MAX_CPUS; cpu++) {
		struct per_cpu *pc = per_cpu(cpu);

		if (!pc->online || !pc->vcpu)
			continue;
		ctx->online_cpus |= 1ull << cpu;
		if (pc->vcpu->cell != &root_cell)
			ctx->other_cells_cpus |= 1ull << cpu;
		else if (pc->vcpu->state == VCPU_RUNNING)
			ctx->root_running_cpus |= 1ull << cpu;
	}
	ctx->caller_cpu = this_cpu()->cpu_id;
	for (unsigned int i = 0; i < root_cell.nram; i++)
		root_ram[i] = (struct cfg_range){ root_cell.ram[i].base,
						  root_cell.ram[i].size };
	ctx->root_ram = root_ram;
	ctx->n_root_ram = root_cell.nram;
	for (unsigned int c = 1; c < TANDEM_MAX_CELLS; c++) {
		if (!cells[c])
			continue;
		for (unsigned int i = 0;
		     i < cells[c]->nram &&
		     n < TANDEM_MAX_CELLS * CELL_MAX_RAM_RANGES;
		     i++)
			cells_ram[n++] = (struct cfg_range){
				cells[c]->ram[i].hpa, cells[c]->ram[i].size
			};
	}
	ctx->cells_ram = cells_ram;
	ctx->n_cells_ram = n;
	n = 0;
	for (unsigned int i = 0; i < boot_info.memmap_count; i++)
		if (boot_info.memmap[i].type == MEMMAP_AVAILABLE)
			machine_ram[n++] = (struct cfg_range){
				boot_info.memmap[i].base, boot_info.memmap[i].length
			};
	ctx->machine_ram = machine_ram;
	ctx->n_machine_ram = n;
	n = 0;
	for (unsigned int c = 1; c < TANDEM_MAX_CELLS; c++) {
		const struct tandem_pio_region *pio;

		if (!cells[c] || cells[c]->kind != &config_cell_kind)
			continue;
		pio = cell_config_pio(cells[c]->config);
		for (uint32_t i = 0; i < cells[c]->config->num_pio_regions &&
				     n < TANDEM_MAX_CELLS * CELL_CONFIG_MAX_PIO;
		     i++)
			cells_pio[n++] = (struct cfg_range){ pio[i].base,
							     pio[i].length };
	}
	ctx->cells_pio = cells_pio;
	ctx->n_cells_pio = n;
	ctx->names = cell_names(&ctx->n_names);
}

/* One line for a refused configuration, naming the field. */
static void say_refused(long err, const char *why, int index, int other)
{
	if (index >= 0 && other >= 0)
		pr_warn_limited("cell create refused (%ld): %s (%d, %d)", err,
				why, index, other);
	else if (index >= 0)
		pr_warn_limited("cell create refused (%ld): %s (%d)", err, why,
				index);
	else
		pr_warn_limited("cell create refused (%ld): %s", err, why);
}

_Static_assert(JH_CELL_MAX_MEM == CELL_CONFIG_MAX_MEM &&
		       JH_CELL_MAX_PIO == CELL_CONFIG_MAX_PIO,
	       "fmt/jh_cell.h bounds the regions as config_check.h does");
_Static_assert(JH_CELL_TRANSLATION_MAX <= PAGE_SIZE,
	       "a translation fits the page free_config() frees");

/* The one copy of @total bytes of the caller's configuration at @gpa, in
 * pages of Tandem's (*@out; free_config() frees it). */
static long copy_once(struct vcpu *v, uint64_t gpa, size_t total, void **out)
{
	const void *src = cell_gpa_to_hva(v->cell, gpa, total);

	if (!src)
		return -TANDEM_EINVAL;
	*out = page_alloc(ALIGN_UP(total, PAGE_SIZE) / PAGE_SIZE);
	if (!*out)
		return -TANDEM_ENOMEM;
	memcpy(*out, src, total);
	return 0;
}

/* A Jailhouse description (fmt/jh_cell.h): its header, then the size it
 * claims copied once, then translated into Tandem's format in a page of
 * its own; the copy is freed at once. */
static long copy_jh_config(struct vcpu *v, uint64_t gpa,
			   struct tandem_cell_desc **out, size_t *out_size,
			   struct jh_cell_info *info)
{
	const struct jh_cell_desc *hdr;
	struct jh_cell_desc head;
	struct jh_cell_error e = { 0 };
	size_t total, len = 0;
	void *copy, *t;
	int err;

	hdr = cell_gpa_to_hva(v->cell, gpa, sizeof(head));
	if (!hdr)
		return -TANDEM_EINVAL;
	memcpy(&head, hdr, sizeof(head));
	err = jh_cell_size(&head, &total, &e);
	if (err) {
		say_refused(err, e.why, e.index, -1);
		return err;
	}
	err = copy_once(v, gpa, total, &copy);
	if (err)
		return err;
	t = page_alloc(1);
	if (!t) {
		page_free(copy, ALIGN_UP(total, PAGE_SIZE) / PAGE_SIZE);
		return -TANDEM_ENOMEM;
	}
	err = jh_cell_translate(copy, total, t, PAGE_SIZE, &len, info, &e);
	page_free(copy, ALIGN_UP(total, PAGE_SIZE) / PAGE_SIZE);
	if (err) {
		page_free(t, 1);
		say_refused(err, e.why, e.index, -1);
		return err;
	}
	*out = t;
	*out_size = len;
	return 0;
}

/* Copy the configuration once out of the caller's memory: Tandem's own
 * format, or (first 5 bytes "JHCLL") Jailhouse's, translated into it. */
static long copy_config(struct vcpu *v, uint64_t gpa,
			struct tandem_cell_desc **out, size_t *out_size,
			bool *jh, struct jh_cell_info *info)
{
	const struct tandem_cell_desc *hdr;
	struct tandem_cell_desc head;
	struct cell_config_error e = { 0 };
	const char *sig;
	size_t total;
	void *copy;
	int err;

	sig = cell_gpa_to_hva(v->cell, gpa, sizeof(JH_CELL_SIGNATURE) - 1);
	if (!sig)
		return -TANDEM_EINVAL;
	*jh = !memcmp(sig, JH_CELL_SIGNATURE, sizeof(JH_CELL_SIGNATURE) - 1);
	if (*jh)
		return copy_jh_config(v, gpa, out, out_size, info);
	hdr = cell_gpa_to_hva(v->cell, gpa, sizeof(head));
	if (!hdr)
		return -TANDEM_EINVAL;
	memcpy(&head, hdr, sizeof(head));
	err = cell_config_size(&head, &total, &e);
	if (err) {
		pr_warn_limited("cell create: %s", e.why);
		return err;
	}
	err = copy_once(v, gpa, total, &copy);
	if (err)
		return err;
	*out = copy;
	*out_size = total;
	return 0;
}

static void free_config(struct tandem_cell_desc *d, size_t size)
{
	page_free(d, ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE);
}

static unsigned int region_flags(const struct tandem_memory_region *r)
{
	unsigned int f = PT_READ | PT_USER;

	if (r->flags & TANDEM_MEM_WRITE)
		f |= PT_WRITE;
	if (r->flags & TANDEM_MEM_EXECUTE)
		f |= PT_EXEC;
	if (r->flags & TANDEM_MEM_IO)
		f |= PT_UNCACHED;
	return f;
}

/* Root memory a region takes away (now, or at start for loadable ones). */
static bool leaves_root(const struct tandem_memory_region *r)
{
	return cell_config_is_ram(r) && !(r->flags & TANDEM_MEM_ROOTSHARED);
}

static void set_root_ports(const struct tandem_cell_desc *d, bool intercept)
{
	const struct tandem_pio_region *pio = cell_config_pio(d);

	for (unsigned int i = 0; i < root_cell.nvcpus; i++) {
		struct vcpu *rv = root_cell.vcpus[i];

		if (!rv->backend)
			continue;
		for (uint32_t p = 0; p < d->num_pio_regions; p++)
			vcpu_ops->set_io_intercept(rv, pio[p].base,
						   pio[p].length, intercept);
	}
}

/* Every other map that shows the root's RAM (the HRT's) loses or gets
 * back [@base, @base + @size); 0, or the first error (best effort). */
static int others_move(uint64_t base, uint64_t size, bool away)
{
	int err = 0;

	for (unsigned int i = 1; i < TANDEM_MAX_CELLS; i++) {
		struct cell *o = cells[i];
		int e;

		if (!o || !o->kind->root_ram_moved)
			continue;
		e = o->kind->root_ram_moved(o, base, size, away);
		if (!err)
			err = e;
	}
	return err;
}

/* Flushes every map a give or take back changed, then frees the tables
 * they dropped (no CPU can hold them any more). */
static void flush_maps(void)
{
	cell_flush_gpa(&root_cell);
	for (unsigned int i = 1; i < TANDEM_MAX_CELLS; i++)
		if (cells[i] && cells[i]->kind->root_ram_moved)
			cell_flush_gpa(cells[i]);
	gpa_tables_release();
}

/* A region's host range leaves the root cell, and every other map that
 * showed it. Nothing changes on failure. */
static int root_give(const struct tandem_memory_region *r)
{
	int err = others_move(r->phys_start, r->size, true);

	if (!err)
		err = pt_unmap(&root_cell.gpa_map, r->phys_start, r->size);
	if (!err)
		err = cell_ram_remove(&root_cell, r->phys_start, r->size);
	if (err) {
		pt_map_mtrr(&root_cell.gpa_map, &host_mtrrs, r->phys_start,
			    r->phys_start, r->size,
			    PT_READ | PT_WRITE | PT_EXEC | PT_USER);
		others_move(r->phys_start, r->size, false);
	}
	return err;
}

static int root_take_back(const struct tandem_memory_region *r)
{
	int err = pt_map_mtrr(&root_cell.gpa_map, &host_mtrrs, r->phys_start,
			      r->phys_start, r->size,
			      PT_READ | PT_WRITE | PT_EXEC | PT_USER);

	if (!err)
		err = cell_ram_add(&root_cell, r->phys_start, r->size);
	if (!err)
		err = others_move(r->phys_start, r->size, false);
	return err;
}

static void free_cell(struct cell *c)
{
	for (unsigned int i = 0; i < c->nvcpus; i++)
		page_free(c->vcpus[i], 1);
	pt_destroy(&c->gpa_map);
	gpa_tables_release(); /* no CPU runs that map any more */
	if (c->comm)
		page_free(c->comm, 1);
	if (c->config)
		free_config(c->config, c->config_size);
	page_free(c, 1);
}

/* Everything a new cell needs from the pool, before the system changes. */
static int build_cell(struct cell *c, struct tandem_cell_desc *d, size_t size,
		      unsigned int id)
{
	const struct tandem_memory_region *mem = cell_config_mem(d);
	int err;

	_Static_assert(sizeof(struct cell) <= PAGE_SIZE, "struct cell in a page");
	_Static_assert(sizeof(struct vcpu) <= PAGE_SIZE, "struct vcpu in a page");
	c->id = id;
	c->kind = &config_cell_kind;
	memcpy(c->name, d->name, TANDEM_CELL_NAME_LEN);
	c->name[CELL_NAME_LEN - 1] = '\0';
	c->config = d;
	c->config_size = size;
	c->cpu_set = d->cpu_set;
	c->state = CELL_STATE_SHUT_DOWN; /* until started */
	err = pt_init(&c->gpa_map, vcpu_ops->gpa_format, &gpa_table_ops,
		      vcpu_ops->gpa_1g_pages() ? PT_SIZE_1G : PT_SIZE_2M, false);
	for (uint32_t i = 0; !err && i < d->num_memory_regions; i++) {
		const struct tandem_memory_region *r = &mem[i];
		uint64_t phys = r->phys_start;

		if (r->flags & TANDEM_MEM_COMM_REGION) {
			c->comm = page_alloc(1);
			if (!c->comm)
				return -TANDEM_ENOMEM;
			c->comm_gpa = r->virt_start;
			/* Zero until the first start (ABI.md 8.1): Cell Get
			 * State says Shut down until then, not the page. */
			phys = virt_to_phys(c->comm);
		} else if (cell_config_is_ram(r)) {
			if (c->nram == CELL_MAX_RAM_RANGES)
				return -TANDEM_E2BIG;
			c->ram[c->nram++] = (struct mem_range){ r->virt_start,
								r->size, phys };
		}
		err = pt_map_mtrr(&c->gpa_map, &host_mtrrs, r->virt_start, phys,
				  r->size, region_flags(r));
	}
	if (err)
		return err;
	for (unsigned int cpu = 0; cpu < TANDEM_CELL_MAX_CPUS; cpu++) {
		struct vcpu *v;

		if (!(d->cpu_set & (1ull << cpu)))
			continue;
		v = page_alloc(1);
		if (!v)
			return -TANDEM_ENOMEM;
		v->cell = c;
		v->cpu = per_cpu(cpu);
		v->index = c->nvcpus;
		v->apic_id = per_cpu(cpu)->apic_id;
		v->sipi_vector = -1;
		v->pending_irq = -1;
		v->state = VCPU_STOPPED;
		c->vcpus[c->nvcpus++] = v;
	}
	return 0;
}

/* The shutdown request of the seed's message channel, waited for on this
 * (root) CPU for at most the configured timeout. */
static bool cell_agrees_to_shutdown(struct cell *c)
{
	struct tandem_comm_region *comm = c->comm;
	uint32_t timeout_ms, reply;
	uint64_t deadline;

	if (c->jh)
		return jh_comm_shutdown_ok(c);
	if (!comm || (c->config->flags & TANDEM_CELL_PASSIVE_COMMREG) ||
	    c->state == CELL_STATE_FAILED || !c->started ||
	    comm->cell_state == TANDEM_COMM_CELL_SHUT_DOWN ||
	    comm->cell_state == TANDEM_COMM_CELL_FAILED)
		return true;
	timeout_ms = c->config->msg_reply_timeout_ms ?
			     c->config->msg_reply_timeout_ms :
			     TANDEM_CELL_DEFAULT_TIMEOUT_MS;
	comm->reply_from_cell = TANDEM_MSG_UNKNOWN;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	comm->msg_to_cell = TANDEM_MSG_SHUTDOWN_REQUEST;
	deadline = tsc_us() + (uint64_t)timeout_ms * 1000;
	while (!(reply = comm->reply_from_cell) && tsc_us() < deadline)
		cpu_relax();
	if (reply == TANDEM_MSG_REQUEST_APPROVED)
		return true;
	comm->msg_to_cell = TANDEM_MSG_NONE;
	if (!reply)
		pr_warn_limited("cell '%s' did not answer the shutdown request within %u ms: treated as denied",
				c->name, timeout_ms);
	return false;
}

/* Before a reconfiguration (Cell Create) every other cell of Tandem's
 * format that is asked at all is asked, with the same message: the seed
 * defines no other. An approval lets the reconfiguration go ahead and
 * shuts nobody down. A Jailhouse-format cell is not asked: as in
 * Jailhouse, it holds every reconfiguration back while it says
 * running-locked. */
static bool others_agree(void)
{
	if (jh_comm_locked(NULL))
		return false;
	for (unsigned int id = 1; id < TANDEM_MAX_CELLS; id++)
		if (cells[id] && cells[id]->kind == &config_cell_kind &&
		    !cells[id]->jh && !cell_agrees_to_shutdown(cells[id]))
			return false;
	return true;
}

static long hc_cell_create_locked(struct vcpu *caller, uint64_t gpa)
{
	static struct cfg_range root_ram[CELL_MAX_RAM_RANGES];
	static struct cfg_range cells_ram[TANDEM_MAX_CELLS * CELL_MAX_RAM_RANGES];
	static struct cfg_range machine_ram[BOOT_MEMMAP_MAX];
	static struct cfg_range cells_pio[TANDEM_MAX_CELLS * CELL_CONFIG_MAX_PIO];
	const struct tandem_memory_region *mem;
	struct cell_config_error e = { 0 };
	struct cell_config_ctx ctx;
	struct tandem_cell_desc *d;
	struct jh_cell_info info = { 0 };
	struct cell *c;
	unsigned int id;
	uint32_t done = 0;
	size_t size;
	bool jh = false;
	long err;

	/* First, as Jailhouse does: before the configuration is read. */
	if (!others_agree())
		return -TANDEM_EPERM;
	err = copy_config(caller, gpa, &d, &size, &jh, &info);
	if (err)
		return err;
	fill_ctx(&ctx, root_ram, cells_ram, machine_ram, cells_pio);
	err = cell_config_validate(d, size, &ctx, &e);
	if (err) {
		say_refused(err, e.why, e.index, e.other);
		free_config(d, size);
		return err;
	}
	for (id = 1; id < TANDEM_MAX_CELLS && cells[id]; id++)
		;
	c = id < TANDEM_MAX_CELLS ? page_alloc(1) : NULL;
	if (!c) {
		free_config(d, size);
		return -TANDEM_ENOMEM;
	}
	err = build_cell(c, d, size, id);
	if (err)
		goto fail;
	c->jh = jh;
	if (jh)
		c->jh_info = info;

	/* From here on the system changes: memory, ports, CPUs. */
	mem = cell_config_mem(d);
	for (done = 0; done < d->num_memory_regions; done++) {
		if (!leaves_root(&mem[done]) ||
		    (mem[done].flags & TANDEM_MEM_LOADABLE))
			continue;
		err = root_give(&mem[done]);
		if (err)
			goto undo;
	}
	flush_maps();
	set_root_ports(d, true);
	for (unsigned int i = 0; i < c->nvcpus; i++)
		__atomic_store_n(&c->vcpus[i]->cpu->vcpu, c->vcpus[i],
				 __ATOMIC_RELEASE);
	cells[id] = c;
	num_cells++;
	if (log_lifecycle())
		pr_info("cell '%s' created: id %u, %u CPUs, %u memory regions%s",
			c->name, id, c->nvcpus, d->num_memory_regions,
			jh ? " (Jailhouse description)" : "");
	if (jh && info.hints) {
		char hints[64];

		jh_cell_hints_text(info.hints, hints, sizeof(hints));
		pr_warn_limited("cell create: '%s': Jailhouse hints ignored: %s",
				c->name, hints);
	}
	jh_comm_reconfig_completed(c);
	return id;

undo:
	while (done--)
		if (leaves_root(&mem[done]) &&
		    !(mem[done].flags & TANDEM_MEM_LOADABLE))
			root_take_back(&mem[done]);
	flush_maps();
fail:
	c->config = NULL;
	free_cell(c);
	free_config(d, size);
	return err == -TANDEM_E2BIG ? -TANDEM_EINVAL : -TANDEM_ENOMEM;
}

/* A Jailhouse-format cell: every CPU in real mode at @entry, all its
 * registers 0 (Jailhouse's vcpu_vendor_reset); its region rewritten. */
static void reset_jh_cell(struct cell *c, uint64_t entry)
{
	if (c->comm)
		jh_comm_reset(c);
	c->state = CELL_STATE_RUNNING;
	for (unsigned int i = 0; i < c->nvcpus; i++) {
		struct vcpu *v = c->vcpus[i];

		start_state_real(&v->start_state, (uint32_t)entry);
		memset(v->start_regs, 0, sizeof(v->start_regs));
		v->start_running = true;
		vcpu_request(v, VCPU_REQ_RESET);
	}
}

/* Resets the cell's CPUs: the boot CPU at @entry with the given registers,
 * the others waiting for a start-up IPI. */
static void reset_cell(struct cell *c, uint64_t entry, const uint64_t regs[3])
{
	if (c->jh) {
		reset_jh_cell(c, entry);
		return;
	}
	if (c->comm) {
		struct tandem_comm_region *comm = c->comm;

		comm->msg_to_cell = TANDEM_MSG_NONE;
		comm->reply_from_cell = TANDEM_MSG_UNKNOWN;
		comm->cell_state = TANDEM_COMM_CELL_RUNNING;
		memcpy(comm->signature, "TNDMCOMM", 8);
		comm->cell_id = c->id;
		comm->msg_reply_timeout_ms =
			c->config->msg_reply_timeout_ms ?
				c->config->msg_reply_timeout_ms :
				TANDEM_CELL_DEFAULT_TIMEOUT_MS;
	}
	c->state = CELL_STATE_RUNNING;
	for (unsigned int i = 0; i < c->nvcpus; i++) {
		struct vcpu *v = c->vcpus[i];

		start_state_multiboot(&v->start_state, (uint32_t)entry);
		memset(v->start_regs, 0, sizeof(v->start_regs));
		v->start_running = i == 0;
		if (i == 0) {
			v->start_regs[GPR_RAX] = TANDEM_CELL_BOOT_MAGIC;
			v->start_regs[GPR_RBX] = c->comm_gpa;
			v->start_regs[GPR_RCX] = c->id;
			v->start_regs[GPR_RDI] = (uint32_t)regs[0];
			v->start_regs[GPR_RSI] = (uint32_t)regs[1];
			v->start_regs[GPR_RDX] = (uint32_t)regs[2];
		}
		vcpu_request(v, VCPU_REQ_RESET);
	}
}

static long check_target(struct vcpu *caller, uint64_t id, struct cell **out)
{
	if (caller->cell != &root_cell)
		return -TANDEM_EPERM;
	if (id == 0)
		return -TANDEM_EINVAL;
	*out = cell_by_id(id);
	if (*out && (*out)->kind != &config_cell_kind)
		return -TANDEM_EINVAL; /* the HRT: managed with 0xf00d calls */
	return *out ? 0 : -TANDEM_ENOENT;
}

static long hc_cell_start_locked(struct vcpu *caller, uint64_t id)
{
	static const uint64_t none[3];
	const struct tandem_memory_region *mem;
	struct cell *c;
	long err = check_target(caller, id, &c);

	if (err)
		return err;
	/* A running cell is asked before it is reset (seed: -EPERM, the
	 * target cell rejected the reset request). */
	if (!cell_agrees_to_shutdown(c))
		return -TANDEM_EPERM;
	if (!c->started) {
		/* Loadable memory leaves the root cell now (it loaded it);
		 * all of it, or none. */
		mem = cell_config_mem(c->config);
		for (uint32_t i = 0; i < c->config->num_memory_regions; i++) {
			if (!leaves_root(&mem[i]) ||
			    !(mem[i].flags & TANDEM_MEM_LOADABLE) ||
			    !root_give(&mem[i]))
				continue;
			while (i--)
				if (leaves_root(&mem[i]) &&
				    (mem[i].flags & TANDEM_MEM_LOADABLE))
					root_take_back(&mem[i]);
			flush_maps();
			return -TANDEM_ENOMEM;
		}
		flush_maps();
		c->started = true;
	}
	reset_cell(c, c->config->reset_entry, none);
	return 0;
}

static void destroy_cell(struct cell *c)
{
	const struct tandem_memory_region *mem;

	for (unsigned int i = 0; i < c->nvcpus; i++)
		vcpu_request(c->vcpus[i], VCPU_REQ_STOP);
	for (unsigned int i = 0; i < c->nvcpus; i++) {
		struct vcpu *v = c->vcpus[i];

		/* Its CPU switched back to its root vCPU before it said so. */
		while (!__atomic_load_n(&v->stopped, __ATOMIC_ACQUIRE))
			cpu_relax();
	}
	mem = cell_config_mem(c->config);
	for (uint32_t i = 0; i < c->config->num_memory_regions; i++) {
		if (!leaves_root(&mem[i]))
			continue;
		if ((mem[i].flags & TANDEM_MEM_LOADABLE) && !c->started)
			continue; /* never left the root */
		if (root_take_back(&mem[i]))
			pr_err("cell '%s': memory 0x%lx not returned to the root cell (out of hypervisor memory)",
			       c->name, mem[i].phys_start);
	}
	flush_maps(); /* before free_cell() releases retired tables */
	set_root_ports(c->config, false);
	cells[c->id] = NULL;
	num_cells--;
	cell_console_flush(c);
	if (log_lifecycle())
		pr_info("cell '%s' destroyed", c->name);
	free_cell(c);
}

static long hc_cell_destroy_locked(struct vcpu *caller, uint64_t id)
{
	struct cell *c;
	long err = check_target(caller, id, &c);

	if (err)
		return err;
	if (jh_comm_locked(c) || !cell_agrees_to_shutdown(c))
		return -TANDEM_EPERM;
	destroy_cell(c);
	jh_comm_reconfig_completed(NULL);
	return 0;
}

bool cells_shutdown_all(void)
{
	spin_lock(&cells_lock);
	for (unsigned int id = 1; id < TANDEM_MAX_CELLS; id++) {
		if (cells[id] && cells[id]->kind == &config_cell_kind &&
		    !cell_agrees_to_shutdown(cells[id])) {
			spin_unlock(&cells_lock);
			return false;
		}
	}
	for (unsigned int id = 1; id < TANDEM_MAX_CELLS; id++)
		if (cells[id] && cells[id]->kind == &config_cell_kind)
			destroy_cell(cells[id]);
	/* The lock stays taken: nothing may change cells from now on. */
	return true;
}

static long hc_cell_get_state(struct vcpu *caller, uint64_t id)
{
	struct cell *c;
	uint32_t state;

	if (caller->cell != &root_cell)
		return -TANDEM_EPERM;
	c = cell_by_id(id);
	if (!c)
		return -TANDEM_ENOENT;
	if (c->jh)
		return jh_comm_state(c);
	/* Never started: Shut down (its comm region is still all zero). */
	if (c == &root_cell || c->state == CELL_STATE_FAILED || !c->comm ||
	    !c->started)
		return c->state;
	state = ((const struct tandem_comm_region *)c->comm)->cell_state;
	if (state > TANDEM_COMM_CELL_FAILED)
		return -TANDEM_EINVAL; /* seed: cell state is invalid */
	return state;
}

static bool entry_ok(const struct cell *c, uint64_t entry)
{
	const struct tandem_memory_region *mem = cell_config_mem(c->config);

	for (uint32_t i = 0; i < c->config->num_memory_regions; i++)
		if (cell_config_is_ram(&mem[i]) &&
		    (mem[i].flags & TANDEM_MEM_EXECUTE) &&
		    entry >= mem[i].virt_start &&
		    entry < mem[i].virt_start + mem[i].size)
			return entry < 0x100000000ull;
	return false;
}

static long hc_soft_restart_locked(struct vcpu *caller, const uint64_t *a)
{
	struct cell *c;
	long err = check_target(caller, a[0], &c);

	if (err)
		return err;
	if (!c->started || !entry_ok(c, a[1]))
		return -TANDEM_EINVAL;
	if (!cell_agrees_to_shutdown(c))
		return -TANDEM_EPERM; /* as Cell Start */
	reset_cell(c, a[1], &a[2]);
	return 0;
}

#define LOCKED(call)                      \
	({                                \
		long __r;                 \
		spin_lock(&cells_lock);   \
		__r = (call);             \
		spin_unlock(&cells_lock); \
		__r;                      \
	})

long hc_cell_create(struct vcpu *v, const uint64_t *a)
{
	if (v->cell != &root_cell)
		return -TANDEM_EPERM;
	return LOCKED(hc_cell_create_locked(v, a[0]));
}

long hc_cell_start(struct vcpu *v, const uint64_t *a)
{
	return LOCKED(hc_cell_start_locked(v, a[0]));
}

long hc_cell_destroy(struct vcpu *v, const uint64_t *a)
{
	return LOCKED(hc_cell_destroy_locked(v, a[0]));
}

long hc_cell_state(struct vcpu *v, const uint64_t *a)
{
	return LOCKED(hc_cell_get_state(v, a[0]));
}

long hc_cell_soft_restart(struct vcpu *v, const uint64_t *a)
{
	return LOCKED(hc_soft_restart_locked(v, a));
}

long hc_debug_putc(struct vcpu *v, const uint64_t *a)
{
	/* Jailhouse lets a cell of its format print only when its
	 * configuration permits (ACTIVE implies PERMITTED). */
	if (v->cell->jh &&
	    !(v->cell->jh_info.flags & (JH_CELL_VIRTUAL_CONSOLE_PERMITTED |
					JH_CELL_VIRTUAL_CONSOLE_ACTIVE)))
		return -TANDEM_EPERM;
	cell_console_putc(v->cell, (char)a[0]);
	return 0;
}

/* A cell reaches only the ports of its configuration. */
static void config_cell_confine(struct vcpu *v)
{
	const struct tandem_pio_region *pio;
	struct cell *c = v->cell;

	vcpu_ops->set_io_intercept(v, 0, 0x10000, true);
	pio = cell_config_pio(c->config);
	for (uint32_t p = 0; p < c->config->num_pio_regions; p++)
		vcpu_ops->set_io_intercept(v, pio[p].base, pio[p].length, false);
	/* The ACPI PM timer: every cell reads it, as in Jailhouse (a
	 * read-only counter: writes do nothing). */
	if (host_pm_timer.port)
		vcpu_ops->set_io_intercept(v, host_pm_timer.port, 4, false);
}

const struct cell_kind config_cell_kind = {
	.name = "cell",
	.msrs = &msr_list_cell,
	.x2apic_view = true,
	.confine = config_cell_confine,
	.io = cell_io_refuse,
	.console_line = cell_console_line,
};

/*
 * Get Info TANDEM_INFO_MEM_TYPE: the memory type a guest access to @gpa
 * gets when the guest's PAT says WB. With typed leaves (EPT) that is the
 * leaf's type, which replaces the MTRRs; otherwise (NPT) the leaf is WB or
 * UC and the host MTRRs combine with it (APM Vol. 2 15.25.8). Under
 * cells_lock: no map changes, no table is retired meanwhile.
 */
long cell_gpa_mem_type(struct cell *c, uint64_t gpa)
{
	uint64_t hpa;
	unsigned int flags;
	long type;

	spin_lock(&cells_lock);
	if (!pt_lookup(&c->gpa_map, gpa, &hpa, &flags, NULL))
		type = -TANDEM_ENOENT;
	else if (flags & PT_UNCACHED)
		type = MT_UC;
	else if (pt_format_typed(c->gpa_map.fmt))
		type = PT_MT_OF(flags) >= 0 ? PT_MT_OF(flags) : (long)MT_WB;
	else
		type = mtrr_type(&host_mtrrs, hpa);
	spin_unlock(&cells_lock);
	return type;
}
