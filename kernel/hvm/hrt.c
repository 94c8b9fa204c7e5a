/* The HRT partition: the module tagged "hrt" (a Multiboot2 kernel with the
 * Palacios HRT tag) boots on its own CPUs and its own exclusive memory,
 * while seeing the ROS's memory at the same addresses.
 *
 * Layout: the exclusive range starts at the image's lowest load address
 * rounded down to 2 MiB and is hrt_mem bytes long; it is identity mapped
 * and taken from the root cell (hidden from the ROS's memory map). The
 * image occupies its bottom, the boot state (page tables, GDT/IDT/TSS,
 * boot information, one stack per core) its top. The comm page is a page
 * of Tandem's, mapped wherever the tag asks. The CPUs are the highest
 * hrt_cpus logical CPUs, hidden from the ROS's MADT. */
#include <tandem/errno.h>
#include "fmt/acpi_view.h"
#include "virt/msr_wall.h"
#include "virt/partition.h"
#include "config.h"
#include "hw/console.h"
#include "virt/exits.h"
#include "hvm/hrt_boot.h"
#include "hvm/hrt_image.h"
#include "hvm/hrt_ports.h"
#include "hvm/hrt.h"
#include "hvm/hvm.h"
#include "boot_info.h"
#include "lib/cpu.h"
#include "lib/klib.h"
#include "fmt/mb2.h"
#include "hw/percpu.h"
#include "mm/mtrr.h"
#include "mm/pools.h"
#include "mm/tandem_mem.h"

#define CPUID_EXT_NX (1u << 20) /* CPUID 0x80000001 EDX */
#include "hw/tsc.h"
#include "lib/cpu.h"
#include "virt/start_state.h"

#define MiB		(1024ul * 1024)
#define BOOT_STATE_SIZE (4 * MiB) /* page tables for 8 GiB in 4K pages fit */
#define STACK_SIZE	(64 * 1024)

struct hrt_plan hrt_plan;
static struct hrt_image image;
static const struct cell_kind hrt_kind;
static struct cell hrt_cell_storage = { .name = "HRT", .kind = &hrt_kind };
static struct vcpu hrt_vcpus[TANDEM_MAX_CPUS];
static const void *image_bytes;
static uint64_t image_size;
static bool image_is_copy; /* a replacement in the pool, not the module */
/* Its Multiboot2 command line: the module string after "hrt", as the
 * ROS's own (ros_view_cmdline); a replacement image keeps it. */
static const char *cmdline = "";

static void *hva(uint64_t gpa)
{
	return (void *)(DIRECT_BASE + gpa); /* the range is identity mapped */
}

/* Is [base, base + size) RAM that is not Tandem's (so the root cell,
 * built next, can do without it)? */
static bool root_owns(uint64_t base, uint64_t size)
{
	bool ram = false;

	for (unsigned int i = 0; i < boot_info.memmap_count; i++)
		if (boot_info.memmap[i].type == MEMMAP_AVAILABLE &&
		    base >= boot_info.memmap[i].base &&
		    base + size <= boot_info.memmap[i].base +
					   boot_info.memmap[i].length)
			ram = true;
	return ram &&
	       (base + size <= boot_info.image_base ||
		base >= boot_info.image_base + boot_info.image_size) &&
	       (base + size <= boot_info.hv_base ||
		base >= boot_info.hv_base + boot_info.hv_size);
}

int hrt_plan_resources(unsigned int online_cpus)
{
	const struct boot_module *m = boot_info_module("hrt");
	unsigned int want;
	int err;

	if (!m)
		return 0;
	hrt.failed = true; /* until it runs */
	err = hrt_image_parse((const void *)(DIRECT_BASE + m->phys), m->size,
			      &image);
	if (err) {
		pr_err("hrt: module '%s' is not a bootable HRT: %s; the ROS boots without it",
		       m->name, image.why);
		return err;
	}
	want = config.hrt_cpus	? (unsigned int)config.hrt_cpus :
	       online_cpus >= 3 ? 2 :
	       online_cpus == 2 ? 1 :
				  0;
	if (!want || want >= online_cpus) {
		pr_err("hrt: hrt_cpus=%u leaves no CPU for the ROS (%u online); the ROS boots without an HRT",
		       want, online_cpus);
		return -TANDEM_EINVAL;
	}
	hrt_plan.ncpus = want;
	for (int cpu = TANDEM_MAX_CPUS - 1, left = want; cpu >= 0 && left; cpu--) {
		if (cpu < (int)boot_info.possible_cpus && per_cpu(cpu)->online) {
			cpumask_set(&hrt_plan.cpu_mask, (unsigned int)cpu);
			left--;
		}
	}
	hrt_plan.mem_base = ALIGN_DOWN(image.lowest, 2 * MiB);
	hrt_plan.mem_size = ALIGN_UP(config.hrt_mem, 2 * MiB);
	if (image.highest + BOOT_STATE_SIZE + want * STACK_SIZE >
	    hrt_plan.mem_base + hrt_plan.mem_size) {
		pr_err("hrt: image and boot state need 0x%lx-0x%lx, more than hrt_mem=%lu MiB; the ROS boots without an HRT",
		       hrt_plan.mem_base, image.highest + BOOT_STATE_SIZE,
		       hrt_plan.mem_size / MiB);
		return -TANDEM_E2BIG;
	}
	if (!root_owns(hrt_plan.mem_base, hrt_plan.mem_size)) {
		pr_err("hrt: its memory 0x%lx-0x%lx is not RAM the ROS could give (Tandem's or not RAM); the ROS boots without an HRT",
		       hrt_plan.mem_base, hrt_plan.mem_base + hrt_plan.mem_size);
		return -TANDEM_EINVAL;
	}
	image_bytes = (const void *)(DIRECT_BASE + m->phys);
	image_size = m->size;
	for (cmdline = m->name + 3; *cmdline == ' ';)
		cmdline++;
	hrt_plan.active = true;
	return 0;
}

/* The HRT's guest-physical map: everything the root sees (the ROS's memory
 * and devices) plus its own range and the comm page. */
static int build_gpa_map(struct cell *c)
{
	int err = gpa_map_machine(&c->gpa_map);

	if (!err)
		err = pt_map(&c->gpa_map, image.comm_page_gpa,
			     (uint64_t)hrt.comm - DIRECT_BASE, PAGE_SIZE,
			     PT_READ | PT_WRITE | PT_EXEC | PT_USER);
	gpa_tables_release(); /* no HRT core ran yet */
	return err;
}

static int move_one(struct cell *c, uint64_t base, uint64_t size, bool away)
{
	if (!size)
		return 0;
	if (away)
		return pt_unmap(&c->gpa_map, base, size);
	return pt_map_mtrr(&c->gpa_map, &host_mtrrs, base, base, size,
			   PT_READ | PT_WRITE | PT_EXEC | PT_USER);
}

/* Root RAM a cell takes leaves the HRT's map too, and comes back when the
 * cell is destroyed: the identity, as build_gpa_map() made it, except the
 * comm page, which stays where the tag put it. */
static int hrt_root_ram_moved(struct cell *c, uint64_t base, uint64_t size,
			      bool away)
{
	uint64_t comm = image.comm_page_gpa, end = base + size;
	int err;

	if (comm + PAGE_SIZE <= base || comm >= end)
		return move_one(c, base, size, away);
	err = move_one(c, base, comm - base, away);
	if (!err)
		err = move_one(c, comm + PAGE_SIZE, end - comm - PAGE_SIZE, away);
	return err;
}

/* Copy the image and build the boot state; fills every core's start. */
static int load(void)
{
	const struct mb2_plan *plan = &image.plan;
	uint64_t top = hrt_plan.mem_base + hrt_plan.mem_size;
	struct hrt_region region = {
		.hva = hva(top - BOOT_STATE_SIZE - hrt_plan.ncpus * STACK_SIZE),
		.gpa = top - BOOT_STATE_SIZE - hrt_plan.ncpus * STACK_SIZE,
		.size = BOOT_STATE_SIZE,
	};
	struct hrt_map_params map = {
		.max_mem = image.max_mem_mapped,
		.page_size = image.page_size,
		.gva_offset = image.gva_offset,
		.comm_page_gpa = image.comm_page_gpa,
	};
	struct mb2_mmap_entry mmap[3];
	struct hrt_page_tables pt;
	struct hrt_boot_info info;
	struct hrt_gdt gdt;
	const char *why = NULL;
	struct cell *c = hrt.cell;
	int err;

	if (image.highest > region.gpa)
		return -TANDEM_E2BIG;
	memset(hva(hrt_plan.mem_base), 0, hrt_plan.mem_size);
	for (size_t i = 0; i < plan->nsegments; i++) {
		const struct mb2_segment *s = &plan->segments[i];

		memcpy(hva(s->dest), (const uint8_t *)image_bytes + s->offset,
		       s->file_size);
	}
	err = hrt_build_page_tables(&region, &map, &pt, &why);
	if (!err)
		err = hrt_build_gdt(&region, &gdt, &why);
	if (!err) {
		struct hrt_boot_params bp = {
			.cmdline = cmdline,
			.mmap = mmap,
			.mmap_count = 3,
			/* Palacios's meaning, which runtimes count their
			 * cores by: the HRT's APIC ids run from the first
			 * to total - 1. */
			.total_num_apics = c->vcpus[0]->apic_id + c->nvcpus,
			.first_hrt_apic_id = c->vcpus[0]->apic_id,
			.cpu_freq_khz = tsc_khz,
			.hrt_flags = image.hrt_flags,
			.max_mem_mapped = image.max_mem_mapped,
			.first_hrt_gpa = hrt_plan.mem_base,
			.boot_state_gpa = region.gpa,
			.gva_offset = image.gva_offset,
			.comm_page_gpa = image.comm_page_gpa,
			.hrt_int_vector = image.int_vector,
		};

		/* The ROS's memory it shares, what the HRT owns, and its
		 * boot state (live page tables, GDT, this information,
		 * stacks) reserved so that a runtime's allocator keeps
		 * off it. */
		mmap[0] = (struct mb2_mmap_entry){ 0, hrt_plan.mem_base, 1, 0 };
		mmap[1] = (struct mb2_mmap_entry){
			hrt_plan.mem_base, region.gpa - hrt_plan.mem_base, 1, 0
		};
		mmap[2] = (struct mb2_mmap_entry){ region.gpa, top - region.gpa,
						   2, 0 };
		if (boot_info.rsdp) {
			bp.rsdp = boot_info.rsdp;
			bp.rsdp_len = boot_info.rsdp_len;
		}
		err = hrt_build_boot_info(&region, &bp, &info, &why);
	}
	if (err) {
		pr_err("hrt: cannot build its boot state: %s",
		       why ? why : "no room");
		return err;
	}

	const struct start_tables64 tables = {
		.cr3 = pt.cr3,
		.code_sel = HRT_SEL_CODE64,
		.data_sel = HRT_SEL_DATA,
		.tss_sel = HRT_SEL_TSS,
		.tss_base = gdt.tss_base,
		.tss_limit = gdt.tss_limit,
		.gdtr = { gdt.gdtr_base, gdt.gdtr_limit },
		.idtr = { gdt.idtr_base, gdt.idtr_limit },
	};

	/* EFER.NXE too, where the CPU has NX (CPUID 0x80000001 EDX bit 20;
	 * without it the bit is reserved and the entry would fail): Palacios
	 * boots its HRT so, and the HRT needs it to follow a merged Linux
	 * process's page tables, whose data pages carry the NX bit (bit 63,
	 * reserved without NXE: every access a #PF, SDM Vol. 3A 4.5). */
	bool nx = cpuid(0x80000001, 0).edx & CPUID_EXT_NX;

	for (unsigned int i = 0; i < c->nvcpus; i++) {
		struct vcpu *v = c->vcpus[i];
		uint64_t stack = top - i * STACK_SIZE - 16;

		start_state_long(&v->start_state, image.entry, &tables);
		if (nx)
			v->start_state.efer |= EFER_NXE;
		memset(v->start_regs, 0, sizeof(v->start_regs));
		v->start_regs[GPR_RAX] = MB2_BOOTLOADER_MAGIC;
		v->start_regs[GPR_RBX] = info.gpa + image.gva_offset;
		v->start_regs[GPR_RCX] = v->apic_id;
		v->start_regs[GPR_RDX] = i;
		v->start_regs[GPR_RSP] = stack + image.gva_offset;
		v->start_running = true;
	}
	return 0;
}

/* @boot: the CPUs are not in their loops yet; they take the reset when
 * they get there. Later we wait for each. */
static void start_cores(bool boot)
{
	hrt.trans_state = TANDEM_HRT_IDLE;
	hrt.trans_cores = 0;
	hrt.stale_cores = 0; /* a new boot owes nothing */
	hvm_complete(TANDEM_HRT_ABORTED);
	hrt.ros_event.event_type = TANDEM_ROS_NONE;
	hrt.comm->upcall_type = TANDEM_UPCALL_NULL;
	hrt.comm->upcall_arg = 0;
	memset(&hrt.comm->call, 0, sizeof(hrt.comm->call));
	hrt.cell->state = CELL_STATE_RUNNING;
	hrt.failed = false;
	hrt.gdt_area = 0; /* the image registers its own again */
	hrt_ports_reset();
	for (unsigned int i = 0; i < hrt.cell->nvcpus; i++) {
		if (boot)
			__atomic_or_fetch(&hrt.cell->vcpus[i]->requests,
					  VCPU_REQ_RESET, __ATOMIC_RELEASE);
		else
			vcpu_request(hrt.cell->vcpus[i], VCPU_REQ_RESET);
	}
}

int hrt_start(void)
{
	struct cell *c = &hrt_cell_storage;
	unsigned int cpu, n = 0;
	int err;

	if (!hrt_plan.active)
		return 0;
	hrt.comm = page_alloc(1);
	if (!hrt.comm)
		return -TANDEM_ENOMEM;
	hrt.comm_gpa = image.comm_page_gpa;
	hrt.cell = c;
	hrt.vector = image.int_vector;
	hrt.magic_pf = image.hrt_flags & TANDEM_HRT_UPCALL_MAGIC_PF;
	c->ram[0] = (struct mem_range){ hrt_plan.mem_base, hrt_plan.mem_size,
					hrt_plan.mem_base };
	c->nram = 1;
	err = build_gpa_map(c);
	for (cpu = 0; !err && cpu < TANDEM_MAX_CPUS; cpu++) {
		struct vcpu *v = &hrt_vcpus[n];

		if (!cpumask_test(&hrt_plan.cpu_mask, (unsigned int)cpu))
			continue;
		v->cell = c;
		v->cpu = per_cpu(cpu);
		v->index = n;
		v->apic_id = per_cpu(cpu)->apic_id;
		v->sipi_vector = -1;
		v->pending_irq = -1;
		v->state = VCPU_STOPPED;
		c->vcpus[n++] = v;
	}
	c->nvcpus = n;
	hrt.ncores = n;
	for (unsigned int i = 1; !err && i < n; i++)
		if (c->vcpus[i]->apic_id != c->vcpus[0]->apic_id + i) {
			pr_warn("hrt: its APIC ids are not consecutive (core %u is APIC %u): a runtime that counts its cores from first_hrt_apic_id to total_num_apics (as Palacios's do) will look for the wrong ones",
				i, c->vcpus[i]->apic_id);
			break;
		}
	if (!err)
		err = load();
	if (!err)
		hrt_ports_init();
	if (err) {
		pr_err("hrt: not started (%d)", err);
		pt_destroy(&c->gpa_map);
		gpa_tables_release();
		page_free(hrt.comm, 1);
		hrt.comm = NULL;
		hrt.cell = NULL;
		return err;
	}
	for (unsigned int i = 0; i < TANDEM_MAX_CELLS; i++) {
		if (!cells[i]) {
			c->id = i;
			cells[i] = c;
			num_cells++;
			break;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		__atomic_store_n(&c->vcpus[i]->cpu->vcpu, c->vcpus[i],
				 __ATOMIC_RELEASE);
	start_cores(true);
	pr_info("hrt: booting on %u CPUs, memory 0x%lx-0x%lx, entry 0x%lx, vector %u",
		n, hrt_plan.mem_base, hrt_plan.mem_base + hrt_plan.mem_size,
		image.entry, image.int_vector);
	return 0;
}

bool hrt_running(void)
{
	return hrt.cell != NULL;
}

bool hrt_cores_created(uint64_t timeout_us)
{
	uint64_t start = tsc_us();
	bool all = true;

	for (unsigned int i = 0; hrt.cell && i < hrt.cell->nvcpus; i++) {
		struct vcpu *v = hrt.cell->vcpus[i];

		while (!__atomic_load_n(&v->backend, __ATOMIC_ACQUIRE) &&
		       __atomic_load_n(&v->state, __ATOMIC_ACQUIRE) !=
			       VCPU_PARKED &&
		       tsc_us() - start < timeout_us)
			cpu_relax();
		if (__atomic_load_n(&v->state, __ATOMIC_ACQUIRE) == VCPU_PARKED &&
		    !v->backend)
			all = false;
	}
	return all;
}

void hrt_abandon(void)
{
	struct cell *c = hrt.cell;

	if (!c)
		return;
	for (unsigned int i = 0; i < c->nvcpus; i++)
		vcpu_request(c->vcpus[i], VCPU_REQ_STOP);
	for (unsigned int i = 0; i < c->nvcpus; i++)
		while (!__atomic_load_n(&c->vcpus[i]->stopped, __ATOMIC_ACQUIRE))
			cpu_relax();
	cells[c->id] = NULL;
	num_cells--;
	hrt.failed = true;
	hrt.cell = NULL;
	pt_destroy(&c->gpa_map);
	gpa_tables_release(); /* its CPUs left it for good */
	page_free(hrt.comm, 1);
	hrt.comm = NULL;
}

/* Every core back to wait-for-SIPI, so nothing runs while we reload.
 * False when a core did not take the request (it may still run). */
static bool stop_cores(void)
{
	bool all = true;

	for (unsigned int i = 0; i < hrt.cell->nvcpus; i++)
		all &= vcpu_request(hrt.cell->vcpus[i], VCPU_REQ_INIT);
	return all;
}

/* Called with the HRT marked rebooting (hvm/hvm.c), never under the HVM
 * lock: the cores may be waiting for it in a downcall, and they must get
 * out of it to take the INIT. */
int hrt_reboot(void)
{
	int err = -TANDEM_EBUSY;

	if (stop_cores())
		err = load();
	if (err) {
		cell_set_failed(hrt.cell);
		hrt.failed = true;
		/* The transaction ends with it, as when the HRT fails. */
		hrt.trans_state = TANDEM_HRT_IDLE;
		hrt.trans_cores = 0;
		hvm_complete(TANDEM_HRT_ABORTED);
		pr_warn_limited("hrt: reboot failed (%d): the HRT is Failed",
				err);
		return err;
	}
	start_cores(false);
	return 0;
}

int hrt_replace(const void *bytes, uint64_t size)
{
	static struct hrt_image fresh;
	static struct ratelimit replaced_rl;
	uint64_t used;

	if (hrt_image_parse(bytes, size, &fresh)) {
		pr_warn_limited("hrt: replacement image refused: %s", fresh.why);
		return -TANDEM_EINVAL;
	}
	if (ALIGN_DOWN(fresh.lowest, 2 * MiB) != hrt_plan.mem_base ||
	    fresh.highest + BOOT_STATE_SIZE + hrt.ncores * STACK_SIZE >
		    hrt_plan.mem_base + hrt_plan.mem_size ||
	    fresh.comm_page_gpa != image.comm_page_gpa) {
		pr_warn_limited(
			"hrt: replacement image does not fit the HRT's memory or moves its comm page");
		return -TANDEM_EINVAL;
	}
	/* From here the copy is the image: it is kept, whatever follows; but
	 * only as far as a segment loads from it (a caller's length beyond
	 * the image would otherwise hold pages for nothing). */
	if (image_is_copy)
		page_free((void *)image_bytes,
			  (image_size + PAGE_SIZE - 1) / PAGE_SIZE);
	used = 0;
	for (size_t i = 0; i < fresh.plan.nsegments; i++) {
		const struct mb2_segment *s = &fresh.plan.segments[i];

		if (s->offset + s->file_size > used)
			used = s->offset + s->file_size;
	}
	if (used && used < size) {
		uint64_t keep = (used + PAGE_SIZE - 1) / PAGE_SIZE,
			 all = (size + PAGE_SIZE - 1) / PAGE_SIZE;

		if (all > keep)
			page_free((uint8_t *)bytes + keep * PAGE_SIZE,
				  all - keep);
		size = used;
	}
	image = fresh;
	image_bytes = bytes;
	image_size = size;
	image_is_copy = true;
	hrt.vector = image.int_vector;
	hrt.magic_pf = image.hrt_flags & TANDEM_HRT_UPCALL_MAGIC_PF;
	log_limited(&replaced_rl, LOG_INFO,
		    "hrt: image replaced (%lu bytes), rebooting it", size);
	return hrt_reboot();
}

/* The HRT owns no devices: every port is intercepted (hvm/hrt_ports.c
 * answers the few it may use). */
static void hrt_confine(struct vcpu *v)
{
	vcpu_ops->set_io_intercept(v, 0, 0x10000, true);
}

/* The vector of the ROS's HRT_EXCEPTION event (ABI.md, "When the HRT
 * fails"), by the exit that failed it (its union holds only that reason's
 * member): an intercepted exception's own; for a refused port or MSR #GP
 * (13) and for memory outside its map #PF (14), what hardware that denies
 * them raises; #DF (8) for a triple fault and anything else. */
static uint64_t fail_vector(const struct vcpu_exit *e)
{
	switch (e->reason) {
	case EXIT_EXCEPTION:
		return e->exception.vector;
	case EXIT_IO:
	case EXIT_MSR_READ:
	case EXIT_MSR_WRITE:
		return 13;
	case EXIT_MEM_FAULT:
		return 14;
	default:
		return 8;
	}
}

static void hrt_failed(struct vcpu *v)
{
	hvm_hrt_failed(v->rip, fail_vector(&v->exit));
}

static void hrt_console_line(struct cell *c, const char *line)
{
	(void)c;
	log_line_as("hrt: ", line);
}

static const struct cell_kind hrt_kind = {
	.name = "hrt",
	.msrs = &msr_list_hrt,
	.x2apic_view = true,
	.confine = hrt_confine,
	.io = hrt_ports_io,
	.failed = hrt_failed,
	.console_line = hrt_console_line,
	.root_ram_moved = hrt_root_ram_moved,
};
