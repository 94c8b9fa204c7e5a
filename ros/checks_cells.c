/*
 * Cell checks (Jailhouse hypervisor-interfaces seed, guest-abi/ABI.md):
 * the errors of the cell hypercalls, then the life of real cells built from
 * the images of cells/ (embedded by ros/cell_images.asm).
 *
 * They run last, after the SMP checks: every AP of the ROS is then up and
 * halted in root code, so "Cell Create of a CPU running root code gives
 * -EBUSY" is tested for real. Then the highest CPU K (3 under QEMU -smp 4,
 * 1 under Bochs with 2 CPUs) is taken from the ROS with an INIT IPI and
 * given to each test cell in turn; Tandem's logical CPU id is taken to be
 * the ROS's index K (both number the boot CPU 0, then the enabled LAPICs in
 * MADT order). At the end the CPU is started again through the ROS's own AP
 * start-up code and must answer like in the SMP checks.
 *
 * Every cell gets the same 1 MiB of the ROS's RAM at CELLS_PHYS (cell-
 * physical 0), which the ROS does not otherwise use, the image copied to
 * +0x1000 before Cell Create, and its comm region at cell-physical 1 MiB
 * (cells/cell_image.h). While a cell that could not be destroyed holds that
 * memory, the ROS does not touch it: later checks then fail with a line
 * saying so.
 *
 * The walls: a hostile cell (cells/hostile.c) makes one forbidden access
 * per run (memory just outside its regions, the ROS's, Tandem's and the
 * HRT's memory at their host addresses, a port it was not given) and must
 * end Failed with every pool page back; the HRT must fail on the memory a
 * cell holds (then it is rebooted); ports another cell holds are busy; a
 * running deny cell refuses Create, Start and Soft Restart.
 *
 * Timeouts are PIT-based (1 ms steps of ros_udelay()). Lines the cells
 * print through Debug Console Putc are for the host harness; the ROS
 * cannot see them.
 */
#include "cpu.h"
#include "smp.h"
#include "suite.h"
#include "trap.h"
#include "tandem_hvm.h"

#include "tandem/cell_config.h"
#include "tandem/comm_region.h"
#include "../cells/cell_image.h"
#include "../hrt/hrt_funcs.h"
#include "../cells/hvmhostile.h"

#define CELLS_PHYS	 0x4000000ull /* 64 MiB, if free */
#define CELLS_MEM_SIZE	 ((uint64_t)CELL_RAM_SIZE)
#define COMM_SIZE	 0x1000ull
#define STATE_TIMEOUT_MS 2000
#define DENY_SETTLE_MS	 50 /* deny prints, then polls its comm region */
#define SETTLE_MS	 20 /* for Tandem's lines from a cell's CPU */
/* msg_reply_timeout_ms of every config. Every example cell answers at once;
 * the bound is only for a loaded emulator host that does not run the
 * cell's vCPU for a while (1000 ms was seen to run out in 1 of 1000
 * cycles with other emulators on the same two cores). No check waits for
 * it to expire. */
#define REPLY_TIMEOUT_MS 10000
#define NUM_CYCLES	 1000
#define UNKNOWN_ID	 9999
#define BAD_CPU		 999
#define BAD_INFO_TYPE	 99
#define HUGE_REGIONS	 100000
#define MISSING_CPU_BIT	 63
#define OTHER_PORT	 0x64 /* the keyboard controller's status */
#define DENIALS		 3    /* create, start, soft restart */
#define HRT_MS		 2000 /* an HRT call until IDLE again */
#define HRT_RECOVER_MS	 5000 /* a rebooted HRT until it answers */
#define HRT_MARK	 0x7e57ce11ull
#define HRT_UNSET	 0x5555555555555555ull

#define MEM_RWX		 (TANDEM_MEM_READ | TANDEM_MEM_WRITE | TANDEM_MEM_EXECUTE)
#define MEM_COMM	 (TANDEM_MEM_COMM_REGION | TANDEM_MEM_READ | TANDEM_MEM_WRITE)

extern const uint8_t ros_cell_tiny[], ros_cell_tiny_end[];
extern const uint8_t ros_cell_deny[], ros_cell_deny_end[];
extern const uint8_t ros_cell_faulty[], ros_cell_faulty_end[];
extern const uint8_t ros_cell_spinner[], ros_cell_spinner_end[];
extern const uint8_t ros_cell_prober[], ros_cell_prober_end[];
extern const uint8_t ros_cell_hostile[], ros_cell_hostile_end[];
extern const uint8_t ros_cell_hvmhostile[], ros_cell_hvmhostile_end[];

/* CPL 3 Cell Create with RDI = the configuration (ros/cell_images.asm). */
void ros_user_cell_create_vmmcall(void);
void ros_user_cell_create_vmcall(void);

struct image {
	const char *name;
	const uint8_t *start, *end;
};

static const struct image img_tiny = { "tiny", ros_cell_tiny, ros_cell_tiny_end };
static const struct image img_deny = { "deny", ros_cell_deny, ros_cell_deny_end };
static const struct image img_faulty = { "faulty", ros_cell_faulty,
					 ros_cell_faulty_end };
static const struct image img_spinner = { "spinner", ros_cell_spinner,
					  ros_cell_spinner_end };
static const struct image img_prober = { "prober", ros_cell_prober,
					 ros_cell_prober_end };
static const struct image img_hostile = { "hostile", ros_cell_hostile,
					  ros_cell_hostile_end };
static const struct image img_hvmhostile = { "hvmhostile", ros_cell_hvmhostile,
					     ros_cell_hvmhostile_end };

/* A configuration: header, then up to three memory regions, contiguous,
 * then the PIO regions (add_pio() puts them right after the last memory
 * region, into mem[] or room[]). */
struct cell_config {
	struct tandem_cell_desc desc;
	struct tandem_memory_region mem[3];
	uint8_t room[64];
} __attribute__((aligned(8)));

static struct cell_config cfg;
static uint8_t user_stack[PAGE_SIZE] __attribute__((aligned(16)));

static struct {
	const struct suite *s;
	unsigned cpu;  /* the cells' CPU: ROS index = Tandem logical id */
	bool have_cpu; /* an AP that answered in the SMP checks */
	uint64_t phys; /* the cells' 1 MiB */
	bool have_mem;
	long live; /* a cell that could not be destroyed, 0: none */
	uint64_t tsc_khz;
	uint32_t arg[2]; /* the next loaded image's arg[] (cell_image.h) */
} cc;

static const char *const state_names[] = { "running", "shut down", "failed" };

/* ---- hypercalls, faults caught ---- */

static struct hc_result hc(unsigned code, uint64_t a1, uint64_t a2, uint64_t a3,
			   uint64_t a4, uint64_t a5)
{
	return hc_native(cc.s->native_via, code, a1, a2, a3, a4, a5);
}

static struct hc_result hc1(unsigned code, uint64_t a1)
{
	return hc(code, a1, 0, 0, 0, 0);
}

static bool called(struct hc_result r)
{
	return !r.fault && !r.not_called;
}

/* A result as text, in a buffer that lives until the end of the statement. */
#define S(r) hc_str((r), (char[64]){ 0 }, 64)

static const char *state_str(struct hc_result r, char *buf, size_t size)
{
	if (called(r) && r.value >= 0 && r.value <= 2)
		ksnprintf(buf, size, "%ld (%s)", r.value, state_names[r.value]);
	else
		hc_str(r, buf, size);
	return buf;
}

#define ST(r) state_str((r), (char[64]){ 0 }, 64)

/* ---- time ---- */

/* ---- cell memory, images and configurations ---- */

/* 1 MiB of available RAM at 64 MiB, else the next free 1 MiB above it. */
static bool find_cell_memory(const struct ros_boot *b, uint64_t *phys)
{
	uint64_t end = ros_ram_end(b);

	for (uint64_t p = CELLS_PHYS; p + CELLS_MEM_SIZE <= end;
	     p += CELLS_MEM_SIZE)
		if (ros_ram_is_free(b, p, CELLS_MEM_SIZE)) {
			*phys = p;
			return true;
		}
	return false;
}

/* Copy @img to cell-physical CELL_IMAGE_BASE and tell it its CPU. Refuses
 * while a cell holds the memory. */
static bool load_image(const struct image *img, char *why, size_t size)
{
	size_t len = (size_t)(img->end - img->start);
	uint8_t *dst = (uint8_t *)(cc.phys + CELL_IMAGE_BASE);
	struct cell_image_info *info;

	if (cc.live) {
		ksnprintf(why, size, "cell %ld still holds the cells' memory",
			  cc.live);
		return false;
	}
	if (!cc.have_mem) {
		ksnprintf(why, size, "no free 1 MiB for the cells");
		return false;
	}
	if (len < CELL_INFO_OFFSET + sizeof(*info) || len > CELL_IMAGE_MAX ||
	    memcmp(img->start + CELL_INFO_OFFSET, CELL_IMAGE_MAGIC, 8) != 0) {
		ksnprintf(why, size, "image %s (%zu bytes) has no cell header",
			  img->name, len);
		return false;
	}
	memcpy(dst, img->start, len);
	info = (struct cell_image_info *)(dst + CELL_INFO_OFFSET);
	info->cpu = cc.cpu;
	info->arg[0] = cc.arg[0];
	info->arg[1] = cc.arg[1];
	return true;
}

/* A valid configuration: the cells' RAM and CPU, the comm region. */
static void config_init(struct cell_config *c, const char *name, uint32_t flags)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->desc.signature, TANDEM_CELL_CONFIG_SIGNATURE, 8);
	c->desc.revision = TANDEM_CELL_CONFIG_REVISION;
	c->desc.flags = flags;
	memcpy(c->desc.name, name, strnlen(name, TANDEM_CELL_NAME_LEN - 1));
	c->desc.cpu_set = 1ull << cc.cpu;
	c->desc.num_memory_regions = 2;
	c->desc.num_pio_regions = 0;
	c->desc.reset_entry = CELL_IMAGE_BASE;
	c->desc.msg_reply_timeout_ms = REPLY_TIMEOUT_MS;
	c->mem[0] = (struct tandem_memory_region){
		.phys_start = cc.phys,
		.virt_start = 0,
		.size = CELLS_MEM_SIZE,
		.flags = MEM_RWX,
	};
	c->mem[1] = (struct tandem_memory_region){
		.phys_start = 0,
		.virt_start = CELL_COMM_ADDR,
		.size = COMM_SIZE,
		.flags = MEM_COMM,
	};
}

/* One more PIO region, right after the memory regions. */
static void add_pio(struct cell_config *c, uint16_t base, uint16_t length)
{
	struct tandem_pio_region *p =
		(struct tandem_pio_region *)&c->mem[c->desc.num_memory_regions];

	p[c->desc.num_pio_regions++] = (struct tandem_pio_region){ base, length,
								   0 };
}

static struct hc_result create(void)
{
	struct hc_result r = hc1(TANDEM_HC_CELL_CREATE, (uint64_t)&cfg);

	if (called(r) && r.value > 0)
		cc.live = r.value;
	return r;
}

static struct hc_result destroy(long id)
{
	struct hc_result r = hc1(TANDEM_HC_CELL_DESTROY, (uint64_t)id);

	if (called(r) && r.value == 0 && cc.live == id)
		cc.live = 0;
	return r;
}

static struct hc_result start(long id)
{
	return hc1(TANDEM_HC_CELL_START, (uint64_t)id);
}

static struct hc_result get_state(long id)
{
	return hc1(TANDEM_HC_CELL_GET_STATE, (uint64_t)id);
}

static struct hc_result cpu_state(unsigned cpu)
{
	return hc(TANDEM_HC_CPU_GET_STATE, cpu, TANDEM_CPU_INFO_STATE, 0, 0, 0);
}

static struct hc_result get_info(unsigned type)
{
	return hc1(TANDEM_HC_HYPERVISOR_GET_INFO, type);
}

/* A cell that should not exist was created: take it away again. */
static void drop_unexpected(struct hc_result r)
{
	if (called(r) && r.value > 0) {
		struct hc_result d = destroy(r.value);

		ros_log("cells: destroying unexpected cell %ld: %s", r.value,
			S(d));
	}
}

/* Load @img and create it as @name; the id (> 0) or what failed. */
static struct hc_result load_create(const struct image *img, const char *name,
				    uint32_t flags, char *why, size_t size)
{
	struct hc_result r = { .not_called = true };

	if (!load_image(img, why, size))
		return r;
	config_init(&cfg, name, flags);
	r = create();
	if (!called(r) || r.value <= 0)
		ksnprintf(why, size, "cell create %s: %s, want an id > 0", name,
			  S(r));
	return r;
}

/* load_create(), then Cell Start: the new cell's id (0: not created) and,
 * in *@last, the last call's result (the start's, or the failed create's);
 * @why says what went wrong. */
static long create_and_start(const struct image *img, const char *name,
			     uint32_t flags, char *why, size_t size,
			     struct hc_result *last)
{
	struct hc_result r = load_create(img, name, flags, why, size);
	long id = called(r) && r.value > 0 ? r.value : 0;

	if (id) {
		r = start(id);
		if (!called(r) || r.value != 0)
			ksnprintf(why, size, "cell start %ld: %s, want 0", id,
				  S(r));
	}
	*last = r;
	return id;
}

/* Poll Cell Get State every millisecond until @want, a terminal state
 * other than @want, an error, or @ms. Then wait SETTLE_MS more: Tandem may
 * still be writing a line about the cell from the cell's CPU (it marks a
 * cell failed, then says why), and the serial port is shared. */
static bool wait_state(long id, long want, unsigned ms, struct hc_result *last)
{
	bool reached = false;

	for (unsigned i = 0;; i++) {
		struct hc_result r = get_state(id);

		*last = r;
		if (!called(r) || r.value < 0)
			break;
		if (r.value == want) {
			reached = true;
			break;
		}
		if (r.value != TANDEM_CELL_RUNNING || i >= ms)
			break;
		ros_udelay(1000);
	}
	ros_udelay(SETTLE_MS * 1000);
	return reached;
}

/* Destroy @id at the end of a group; a failure is logged (the next load
 * then refuses). */
static void cleanup(long id)
{
	if (id > 0 && cc.live == id) {
		struct hc_result r = destroy(id);

		if (!called(r) || r.value != 0)
			ros_log("cells: cleanup: destroy %ld gave %s; its memory and CPU stay away",
				id, S(r));
	}
}

/* ---- the checks ---- */

static void check_setup(void)
{
	const struct suite *s = cc.s;

	cc.cpu = ros_smp.ncpus > 1 ? (unsigned)ros_smp.ncpus - 1 : 1;
	cc.have_cpu = ros_smp.ncpus > 1 && ros_smp.probes[cc.cpu].answered;
	cc.have_mem = find_cell_memory(s->boot, &cc.phys);
	if (cc.have_cpu && cc.have_mem)
		ros_log("cells: CPU %u (APIC ID %u) and 0x%lx-0x%lx for the test cells",
			cc.cpu, ros_smp.apic_ids[cc.cpu], cc.phys,
			cc.phys + CELLS_MEM_SIZE);
	check(cc.have_cpu && cc.have_mem, "cells: spare cpu and memory", "%s; %s",
	      ros_smp.ncpus < 2 ? "only one CPU" :
	      cc.have_cpu	? "CPU ok" :
			    "the highest CPU did not answer in the SMP checks",
	      cc.have_mem ? "memory ok" :
			    "no free 1 MiB of RAM at or above 64 MiB");
}

static void expect_create(const char *name, long want, const char *what)
{
	struct hc_result r = create();

	check(called(r) && r.value == want, name,
	      "%s: cell create gave %s, want %ld", what, S(r), want);
	drop_unexpected(r);
}

static void check_root_cpu_busy(void)
{
	config_init(&cfg, "busy", 0);
	expect_create("cells: create cpu running root code ebusy",
		      -TANDEM_EBUSY, "CPU still running the ROS");
}

static struct hc_result run_user_create(void)
{
	struct hc_result r = { 0 };
	uint64_t cs = 0;
	int fault = ros_try(ROS_ANY_VECTOR);

	if (fault == 0) {
		r.value = (long)ros_run_user(cc.s->id.amd ?
						     ros_user_cell_create_vmmcall :
						     ros_user_cell_create_vmcall,
					     user_stack + sizeof(user_stack),
					     (uint64_t)&cfg, &cs);
		ros_untry();
	} else {
		r.fault = fault;
		r.fault_rip = ros_last_fault()->rip;
	}
	return r;
}

static void check_errors(void)
{
	struct hc_result r, r2;
	char why[120];
	bool ok;

	config_init(&cfg, "badsig", 0);
	cfg.desc.signature[0] = 'X';
	expect_create("cells: create bad signature einval", -TANDEM_EINVAL,
		      "signature XNDMCELL");

	/* Two RAM regions over the same cell-physical and host memory. */
	config_init(&cfg, "overlap", 0);
	cfg.desc.num_memory_regions = 3;
	cfg.mem[2] = cfg.mem[1];
	cfg.mem[1] = (struct tandem_memory_region){
		.phys_start = cc.phys + CELLS_MEM_SIZE / 2,
		.virt_start = CELLS_MEM_SIZE / 2,
		.size = CELLS_MEM_SIZE / 2,
		.flags = MEM_RWX,
	};
	expect_create("cells: create overlapping regions einval",
		      -TANDEM_EINVAL, "RAM 0-1 MiB and 512 KiB-1 MiB");

	config_init(&cfg, "nocpu", 0);
	cfg.desc.cpu_set = 1ull << MISSING_CPU_BIT;
	expect_create("cells: create missing cpu einval", -TANDEM_EINVAL,
		      "cpu_set bit 63 only");

	if (cc.s->mem_ok) {
		config_init(&cfg, "hvmem", 0);
		cfg.mem[0].phys_start = cc.s->tandem_mem[1].base;
		ksnprintf(why, sizeof(why),
			  "RAM at Tandem's hypervisor memory 0x%lx",
			  cfg.mem[0].phys_start);
		expect_create("cells: create tandem memory einval",
			      -TANDEM_EINVAL, why);
	} else {
		check(false, "cells: create tandem memory einval", "%s",
		      cc.s->mem_why);
	}

	config_init(&cfg, "beyond", 0);
	cfg.mem[0].phys_start = ALIGN_UP(ros_ram_end(cc.s->boot), CELLS_MEM_SIZE);
	ksnprintf(why, sizeof(why), "RAM at 0x%lx, beyond the ROS's RAM",
		  cfg.mem[0].phys_start);
	expect_create("cells: create beyond ram einval", -TANDEM_EINVAL, why);

	config_init(&cfg, "owncpu", 0);
	cfg.desc.cpu_set = 1;
	expect_create("cells: create own cpu ebusy", -TANDEM_EBUSY,
		      "cpu_set = CPU 0, the caller's");

	config_init(&cfg, "huge", 0);
	cfg.desc.num_memory_regions = HUGE_REGIONS;
	expect_create("cells: create too many regions e2big", -TANDEM_E2BIG,
		      "num_memory_regions 100000");

	config_init(&cfg, "user", 0);
	r = run_user_create();
	check(called(r) && r.value == -TANDEM_EPERM,
	      "cells: create from cpl 3 eperm",
	      "valid configuration from CPL 3 via %s: %s, want %d",
	      cc.s->id.amd ? "vmmcall" : "vmcall", S(r), -TANDEM_EPERM);
	drop_unexpected(r);

	r = start(UNKNOWN_ID);
	check(called(r) && r.value == -TANDEM_ENOENT,
	      "cells: start unknown id enoent", "cell start %d: %s, want %d",
	      UNKNOWN_ID, S(r), -TANDEM_ENOENT);
	r = destroy(UNKNOWN_ID);
	check(called(r) && r.value == -TANDEM_ENOENT,
	      "cells: destroy unknown id enoent",
	      "cell destroy %d: %s, want %d", UNKNOWN_ID, S(r), -TANDEM_ENOENT);
	r = get_state(UNKNOWN_ID);
	check(called(r) && r.value == -TANDEM_ENOENT,
	      "cells: get state unknown id enoent",
	      "cell get state %d: %s, want %d", UNKNOWN_ID, S(r), -TANDEM_ENOENT);
	r = start(0);
	check(called(r) && r.value == -TANDEM_EINVAL, "cells: start root einval",
	      "cell start 0: %s, want %d", S(r), -TANDEM_EINVAL);
	r = destroy(0);
	check(called(r) && r.value == -TANDEM_EINVAL,
	      "cells: destroy root einval", "cell destroy 0: %s, want %d", S(r),
	      -TANDEM_EINVAL);
	r = get_info(BAD_INFO_TYPE);
	check(called(r) && r.value == -TANDEM_EINVAL,
	      "cells: get info type 99 einval", "get info 99: %s, want %d",
	      S(r), -TANDEM_EINVAL);
	r = cpu_state(BAD_CPU);
	check(called(r) && r.value == -TANDEM_EINVAL,
	      "cells: cpu get state 999 einval",
	      "cpu get state 999: %s, want %d", S(r), -TANDEM_EINVAL);

	ok = true;
	for (unsigned code = 10; code <= 20 && ok; code++) {
		r = hc1(code, 0);
		if (!called(r) || r.value != -TANDEM_ENOSYS) {
			check(false, "cells: codes 10-20 enosys",
			      "code %u: %s, want %d", code, S(r), -TANDEM_ENOSYS);
			ok = false;
		}
	}
	if (ok)
		check(true, "cells: codes 10-20 enosys", NULL);

	/* The same name while the first cell exists (never started). Only one
	 * spare CPU and 1 MiB exist, so the second configuration is the first
	 * again: Tandem must see the name before the busy CPU (as Jailhouse
	 * does). */
	r = load_create(&img_tiny, "dup", 0, why, sizeof(why));
	if (called(r) && r.value > 0) {
		r2 = create();
		check(called(r2) && r2.value == -TANDEM_EEXIST,
		      "cells: create duplicate name eexist",
		      "second cell 'dup': %s, want %d", S(r2), -TANDEM_EEXIST);
		drop_unexpected(r2);
		/* Another name, the same CPU and memory as the cell that exists. */
		memcpy(cfg.desc.name, "dup2", 5);
		r2 = create();
		check(called(r2) && r2.value == -TANDEM_EBUSY,
		      "cells: create cpu of another cell ebusy",
		      "cell 'dup2' with the CPU and RAM of cell %ld: %s, want %d",
		      r.value, S(r2), -TANDEM_EBUSY);
		drop_unexpected(r2);
		cleanup(r.value);
	} else {
		check(false, "cells: create duplicate name eexist",
		      "first cell: %s", why);
		check(false, "cells: create cpu of another cell ebusy",
		      "first cell: %s", why);
	}
}

/* The prober issues the root-only calls from inside a cell and prints
 * their results (the harness matches its line); here only its run. */
static void check_prober(void)
{
	const char *name = "cells: prober shut down";
	struct hc_result r, st;
	char why[120];
	long id;

	r = load_create(&img_prober, "prober", 0, why, sizeof(why));
	if (!called(r) || r.value <= 0) {
		check(false, name, "%s", why);
		return;
	}
	id = r.value;
	r = start(id);
	if (!called(r) || r.value != 0) {
		check(false, name, "cell start %ld: %s, want 0", id, S(r));
	} else {
		bool ok = wait_state(id, TANDEM_CELL_SHUT_DOWN,
				     STATE_TIMEOUT_MS, &st);

		check(ok, name,
		      "cell %ld: state %s after %u ms, want 1 (shut down)", id,
		      ST(st), STATE_TIMEOUT_MS);
	}
	cleanup(id);
}

/* ---- hvmhostile (cells/hvmhostile.c) ---- */

#define STORM_MAX	100000u
#define STORM_MIN	5000u
#define STORM_BUDGET_MS 5000u  /* the storm's length is scaled to this */
#define HOSTILE_MS	120000 /* start until shut down, storm included */

static const char *const hh_names[HH_CALLS] = {
	"get state 1",	"create",     "start 1",
	"destroy 1",	"restart 1",  "disable",
	"restart self", "start self", "destroy self",
};

/* As many Debug Console Putc as this CPU issues Get Info calls in
 * STORM_BUDGET_MS, within [STORM_MIN, STORM_MAX]: 100,000 under QEMU,
 * fewer under Bochs. */
static uint32_t storm_length(void)
{
	uint64_t t0 = rdtsc(), per_call, n;

	for (unsigned i = 0; i < 1000; i++)
		(void)get_info(TANDEM_INFO_NUM_CELLS);
	per_call = (rdtsc() - t0) / 1000 + 1;
	n = cc.tsc_khz * STORM_BUDGET_MS / per_call;
	return n > STORM_MAX ? STORM_MAX :
	       n < STORM_MIN ? STORM_MIN :
			       (uint32_t)n;
}

/* After the cell: every online CPU Tandem reports is running (none
 * failed), and the ROS's and the HRT's are among them. */
static bool cpus_answer(char *why, size_t size)
{
	unsigned running = 0;

	for (unsigned cpu = 0; cpu < 64; cpu++) {
		struct hc_result r = cpu_state(cpu);

		if (hc_is(r, -TANDEM_EINVAL))
			continue;
		if (!hc_is(r, TANDEM_CPU_RUNNING)) {
			ksnprintf(why, size, "cpu get state %u: %s", cpu, S(r));
			return false;
		}
		running++;
	}
	ksnprintf(why, size, "%u CPUs running, want at least %zu", running,
		  ros_smp.ncpus);
	return running >= ros_smp.ncpus;
}

static void hvmhostile_report(const struct hvmhostile_report *rep, bool have,
			      uint32_t storm)
{
	unsigned bad = HH_CALLS;

	for (unsigned i = 0; have && i < HH_CALLS && bad == HH_CALLS; i++)
		if (rep->calls[i] != -TANDEM_EPERM)
			bad = i;
	check(have && bad == HH_CALLS, "cells: hvmhostile cell calls refused",
	      "%s", !have ? "no report" : "a call was not refused");
	if (have && bad < HH_CALLS)
		ros_log("cells: hvmhostile: %s gave %d, want %d", hh_names[bad],
			rep->calls[bad], -TANDEM_EPERM);
	check(have && rep->long_mode && rep->hvm_tried == HVMHOSTILE_LAST + 1 &&
		      !rep->hvm_accepted && rep->compat_hvm == -TANDEM_ENOSYS,
	      "cells: hvmhostile 0xf00d refused",
	      "report %d, 64-bit %u, tried %u of %u, %u not refused (first 0x%x: 0x%llx), "
	      "from 32-bit mode %d (want %d)",
	      have, have ? rep->long_mode : 0, have ? rep->hvm_tried : 0,
	      HVMHOSTILE_LAST + 1, have ? rep->hvm_accepted : 0,
	      have ? rep->first_accepted : 0,
	      have ? (unsigned long long)rep->first_value : 0ull,
	      have ? rep->compat_hvm : 0, -TANDEM_ENOSYS);
	check(have && rep->storm_sent == storm && !rep->storm_nonzero,
	      "cells: hvmhostile putc storm",
	      "report %d: %u of %u characters sent, %u answers not 0", have,
	      have ? rep->storm_sent : 0, storm, have ? rep->storm_nonzero : 0);
}

/* The cell attacks the HVM interface and the cell calls, and floods the
 * console; its report comes back with its memory. Afterwards the HRT
 * still runs the same boot (not rebooted, not replaced) and answers on
 * every core, and Tandem and every CPU answer. */
static void check_hvmhostile(void)
{
	const char *name = "cells: hvmhostile shut down";
	const struct hvmhostile_report *rep =
		(const struct hvmhostile_report *)(cc.phys + HVMHOSTILE_REPORT);
	struct ros_hrt_probe before, after;
	struct hc_result r, st = { 0 };
	uint32_t storm = storm_length();
	bool have = false, ok;
	char why[120];
	long id;

	ros_hrt_probe(&before);
	/* load_create() with the storm's length in the image's header: the
	 * memory is the cell's from Cell Create on. */
	r = (struct hc_result){ .not_called = true };
	if (load_image(&img_hvmhostile, why, sizeof(why))) {
		((struct cell_image_info *)(cc.phys + CELL_IMAGE_BASE +
					    CELL_INFO_OFFSET))
			->reserved[0] = storm;
		config_init(&cfg, "hvmhostile", 0);
		r = create();
		if (!called(r) || r.value <= 0)
			ksnprintf(why, sizeof(why),
				  "cell create hvmhostile: %s, want an id > 0",
				  S(r));
	}
	id = called(r) && r.value > 0 ? r.value : 0;
	if (id) {
		r = start(id);
		ok = called(r) && r.value == 0 &&
		     wait_state(id, TANDEM_CELL_SHUT_DOWN, HOSTILE_MS, &st);
		check(ok, name, "cell %ld: start %s, state %s, want 1", id,
		      S(r), ST(st));
		r = destroy(id);
		have = called(r) && r.value == 0 &&
		       __atomic_load_n(&rep->magic, __ATOMIC_ACQUIRE) ==
			       HVMHOSTILE_MAGIC;
		cleanup(id);
	} else {
		check(false, name, "%s", why);
	}
	ros_log("cells: hvmhostile: storm of %u characters", storm);
	hvmhostile_report(rep, have, storm);

	ros_hrt_probe(&after);
	check(before.present == after.present &&
		      (!after.present ||
		       (after.answers && before.boot_id == after.boot_id &&
			before.version == after.version)),
	      "cells: hrt untouched by hvmhostile",
	      "HRT before: present %d, boot 0x%lx, version %lu; after: present %d, "
	      "answers on every core %d, boot 0x%lx, version %lu",
	      before.present, before.boot_id, before.version, after.present,
	      after.answers, after.boot_id, after.version);
	r = get_info(TANDEM_INFO_NUM_CELLS);
	ok = called(r) && r.value >= 1 && cpus_answer(why, sizeof(why));
	check(ok, "cells: tandem and cpus answer after hvmhostile",
	      "get info cells %s; %s", S(r), why);
}

static void check_tiny(void)
{
	long used0, remap0, cells0, id;
	struct hc_result r, rc, r1, r3, r4, st;
	char why[120];
	bool started, down;

	r1 = get_info(TANDEM_INFO_MEM_POOL_USED);
	r3 = get_info(TANDEM_INFO_REMAP_POOL_USED);
	r4 = get_info(TANDEM_INFO_NUM_CELLS);
	used0 = r1.value;
	remap0 = r3.value;
	cells0 = r4.value;
	if (called(r1) && called(r3) && called(r4))
		ros_log("cells: before tiny: %ld pages used, %ld remap pages used, %ld cells",
			used0, remap0, cells0);

	r = load_create(&img_tiny, "tiny", 0, why, sizeof(why));
	id = called(r) && r.value > 0 ? r.value : 0;
	r4 = get_info(TANDEM_INFO_NUM_CELLS);
	check(id > 0 && called(r4) && r4.value == cells0 + 1,
	      "cells: tiny create", "%s; get info cells %s, want %ld",
	      id > 0 ? "created" : why, S(r4), cells0 + 1);
	if (!id) {
		check(false, "cells: tiny state before start", "no cell");
		check(false, "cells: tiny start", "no cell");
		check(false, "cells: tiny cpu running", "no cell");
		check(false, "cells: tiny shut down", "no cell");
		check(false, "cells: tiny destroy", "no cell");
		check(false, "cells: tiny resources back", "no cell");
		check(false, "cells: tiny gone enoent", "no cell");
		return;
	}
	/* As Jailhouse: a created cell is shut down until it is started,
	 * with a communication region (all zero until then) or without. */
	st = get_state(id);
	check(called(st) && st.value == TANDEM_CELL_SHUT_DOWN,
	      "cells: tiny state before start",
	      "cell get state %ld (comm region, never started): %s, want 1", id,
	      ST(st));

	/* Nothing is printed while the cell runs: its line goes out from its
	 * CPU on the same serial port. */
	r = start(id);
	started = called(r) && r.value == 0;
	rc = cpu_state(cc.cpu);
	down = started &&
	       wait_state(id, TANDEM_CELL_SHUT_DOWN, STATE_TIMEOUT_MS, &st);
	check(started, "cells: tiny start", "cell start %ld: %s, want 0", id,
	      S(r));
	check(started && called(rc) && rc.value == TANDEM_CPU_RUNNING,
	      "cells: tiny cpu running",
	      "cpu get state %u while cell %ld runs: %s, want 0", cc.cpu, id,
	      S(rc));
	if (started)
		check(down, "cells: tiny shut down",
		      "cell %ld: state %s after %u ms, want 1", id, ST(st),
		      STATE_TIMEOUT_MS);
	else
		check(false, "cells: tiny shut down", "not started");

	r = destroy(id);
	check(called(r) && r.value == 0, "cells: tiny destroy",
	      "cell destroy %ld: %s, want 0", id, S(r));
	cleanup(id);

	r1 = get_info(TANDEM_INFO_MEM_POOL_USED);
	r3 = get_info(TANDEM_INFO_REMAP_POOL_USED);
	r4 = get_info(TANDEM_INFO_NUM_CELLS);
	check(called(r1) && called(r3) && called(r4) && r1.value == used0 &&
		      r3.value == remap0 && r4.value == cells0,
	      "cells: tiny resources back",
	      "after destroy: used pages %s (before %ld), remap used %s (before %ld), "
	      "cells %s (before %ld)",
	      S(r1), used0, S(r3), remap0, S(r4), cells0);
	r = get_state(id);
	check(called(r) && r.value == -TANDEM_ENOENT, "cells: tiny gone enoent",
	      "cell get state %ld after destroy: %s, want %d", id, S(r),
	      -TANDEM_ENOENT);
}

/* 1 MiB of free RAM above 4 GiB, the lowest (false: the machine has
 * none, or none free). */
static bool find_high_memory(const struct ros_boot *b, uint64_t *phys)
{
	uint64_t end = ros_ram_end(b);

	if (end > ROS_MAP_END)
		end = ROS_MAP_END;
	for (uint64_t p = 1ull << 32; p + CELLS_MEM_SIZE <= end;
	     p += CELLS_MEM_SIZE)
		if (ros_ram_is_free(b, p, CELLS_MEM_SIZE)) {
			*phys = p;
			return true;
		}
	return false;
}

/* On a machine with RAM above 4 GiB: tiny again, its RAM taken from
 * there (host-physical above 4 GiB, cell-physical 0 as always). Not run
 * (no check) where there is none. */
static void check_high_ram(void)
{
	uint64_t low = cc.phys, high;
	struct hc_result r, st = { 0 };
	bool down = false;
	char why[120] = "";
	long id;

	if (!find_high_memory(cc.s->boot, &high))
		return;
	ros_log("cells: tiny in RAM at 0x%lx", high);
	cc.phys = high;
	id = create_and_start(&img_tiny, "tinyhigh", 0, why, sizeof(why), &r);
	if (id && called(r) && r.value == 0)
		down = wait_state(id, TANDEM_CELL_SHUT_DOWN, STATE_TIMEOUT_MS,
				  &st);
	if (id) {
		r = destroy(id);
		if (!called(r) || r.value != 0)
			ksnprintf(why, sizeof(why), "cell destroy %ld: %s", id,
				  S(r));
		cleanup(id);
	}
	cc.phys = low;
	check(id && down && called(r) && r.value == 0,
	      "cells: tiny runs in ram above 4 GiB", "RAM 0x%lx: %s; state %s",
	      high, why[0] ? why : "ran", ST(st));
}

static void check_deny(void)
{
	struct hc_result r, st;
	char why[120];
	long id;

	id = create_and_start(&img_deny, "deny", 0, why, sizeof(why), &r);
	if (!id || !called(r) || r.value != 0) {
		check(false, "cells: deny start", "%s", why);
		check(false, "cells: deny destroy eperm", "not started");
		check(false, "cells: deny still running", "not started");
		check(false, "cells: deny destroy approved", "not started");
		cleanup(id);
		return;
	}
	ros_udelay(DENY_SETTLE_MS * 1000); /* its line first, then ours */
	check(true, "cells: deny start", NULL);

	r = destroy(id);
	check(called(r) && r.value == -TANDEM_EPERM, "cells: deny destroy eperm",
	      "first cell destroy %ld: %s, want %d (the cell denies)", id, S(r),
	      -TANDEM_EPERM);
	if (cc.live != id) {
		check(false, "cells: deny still running",
		      "destroyed by the first request");
		check(false, "cells: deny destroy approved",
		      "destroyed by the first request");
		return;
	}
	st = get_state(id);
	check(called(st) && st.value == TANDEM_CELL_RUNNING,
	      "cells: deny still running",
	      "cell get state %ld after the denied destroy: %s, want 0", id,
	      ST(st));
	r = destroy(id);
	check(called(r) && r.value == 0, "cells: deny destroy approved",
	      "second cell destroy %ld: %s, want 0 (the cell approves)", id,
	      S(r));
	cleanup(id);
}

/* The deny cell with a passive comm region: Tandem must not ask it (it
 * would deny), so the first destroy succeeds. */
static void check_passive(void)
{
	const char *name = "cells: passive destroyed unasked";
	struct hc_result r;
	char why[120];
	long id;

	r = load_create(&img_deny, "passive", TANDEM_CELL_PASSIVE_COMMREG, why,
			sizeof(why));
	if (!called(r) || r.value <= 0) {
		check(false, name, "%s", why);
		return;
	}
	id = r.value;
	r = start(id);
	if (!called(r) || r.value != 0) {
		check(false, name, "cell start %ld: %s, want 0", id, S(r));
		cleanup(id);
		return;
	}
	ros_udelay(DENY_SETTLE_MS * 1000);
	r = destroy(id);
	check(called(r) && r.value == 0, name,
	      "cell destroy %ld (passive comm region, a cell that denies): %s, want 0",
	      id, S(r));
	cleanup(id); /* if it was asked and denied, the second request is approved */
}

static void check_faulty(void)
{
	struct hc_result r, st;
	char why[120];
	long id;
	bool ok;

	id = create_and_start(&img_faulty, "faulty", 0, why, sizeof(why), &r);
	if (!id || !called(r) || r.value != 0) {
		check(false, "cells: faulty start", "%s", why);
		check(false, "cells: faulty failed", "not started");
		check(false, "cells: faulty cpu failed", "not started");
		check(false, "cells: faulty destroy", "not started");
		cleanup(id);
		return;
	}
	ok = wait_state(id, TANDEM_CELL_FAILED, STATE_TIMEOUT_MS, &st);
	check(true, "cells: faulty start", NULL);
	check(ok, "cells: faulty failed",
	      "cell %ld read 0x40000000: state %s after %u ms, "
	      "want 2 (failed)",
	      id, ST(st), STATE_TIMEOUT_MS);
	r = cpu_state(cc.cpu);
	check(called(r) && r.value == TANDEM_CPU_FAILED,
	      "cells: faulty cpu failed", "cpu get state %u: %s, want 2",
	      cc.cpu, S(r));
	r = destroy(id);
	check(called(r) && r.value == 0, "cells: faulty destroy",
	      "cell destroy %ld: %s, want 0", id, S(r));
	cleanup(id);
}

/* Soft Restart (code 9): RDI = cell, RSI = entry, RDX, R10, R8 = the
 * values the cell gets in EDI, ESI, EDX. tiny's restart entry prints
 * "restart a=11 b=22 c=33" for the harness. */
static void check_restart(void)
{
	struct hc_result r, st, st2 = { 0 };
	char why[120] = "";
	long id;
	bool ok, down;

	id = create_and_start(&img_tiny, "restart", 0, why, sizeof(why), &r);
	ok = id && called(r) && r.value == 0 &&
	     wait_state(id, TANDEM_CELL_SHUT_DOWN, STATE_TIMEOUT_MS, &st);
	if (id && called(r) && r.value == 0 && !ok)
		ksnprintf(why, sizeof(why),
			  "cell %ld: state %s after %u ms, want 1", id, ST(st),
			  STATE_TIMEOUT_MS);
	check(ok, "cells: restart first shut down", "%s", why);
	if (!ok) {
		check(false, "cells: restart call",
		      "no shut-down cell to restart");
		check(false, "cells: restart running again", "not restarted");
		check(false, "cells: restart shut down again", "not restarted");
		check(false, "cells: restart destroy", "not restarted");
		cleanup(id);
		return;
	}

	r = hc(TANDEM_HC_CELL_SOFT_RESTART, (uint64_t)id, CELL_RESTART_ENTRY,
	       0x11, 0x22, 0x33);
	st = get_state(id);
	ok = called(r) && r.value == 0;
	down = ok &&
	       wait_state(id, TANDEM_CELL_SHUT_DOWN, STATE_TIMEOUT_MS, &st2);
	check(ok, "cells: restart call",
	      "soft restart %ld at 0x%x (0x11, 0x22, 0x33): %s, want 0", id,
	      CELL_RESTART_ENTRY, S(r));
	check(ok && called(st) && st.value == TANDEM_CELL_RUNNING,
	      "cells: restart running again",
	      "cell get state %ld right after the restart: %s, want 0", id,
	      ST(st));
	if (ok)
		check(down, "cells: restart shut down again",
		      "cell %ld: state %s after %u ms, "
		      "want 1",
		      id, ST(st2), STATE_TIMEOUT_MS);
	else
		check(false, "cells: restart shut down again", "not restarted");
	r = destroy(id);
	check(called(r) && r.value == 0, "cells: restart destroy",
	      "cell destroy %ld: %s, want 0", id, S(r));
	cleanup(id);
}

/* NUM_CYCLES times: create a spinner, start it, destroy it (it approves). */
static void check_cycles(void)
{
	const char *name = "cells: 1000 create start destroy cycles";
	struct hc_result r1, r3, r4, a1, a3, a4, r;
	char why[160] = "";
	unsigned n;
	uint64_t t0, t1;
	long id = 0;

	r1 = get_info(TANDEM_INFO_MEM_POOL_USED);
	r3 = get_info(TANDEM_INFO_REMAP_POOL_USED);
	r4 = get_info(TANDEM_INFO_NUM_CELLS);
	t0 = rdtsc();
	for (n = 0; n < NUM_CYCLES; n++) {
		r = load_create(&img_spinner, "spinner", 0, why, sizeof(why));
		if (!called(r) || r.value <= 0)
			break;
		id = r.value;
		r = start(id);
		if (!called(r) || r.value != 0) {
			ksnprintf(why, sizeof(why),
				  "cell start %ld: %s, want 0", id, S(r));
			break;
		}
		r = destroy(id);
		if (!called(r) || r.value != 0) {
			ksnprintf(why, sizeof(why),
				  "cell destroy %ld: %s, want 0", id, S(r));
			break;
		}
	}
	t1 = rdtsc();
	if (n > 0 && cc.tsc_khz) {
		uint64_t us = (t1 - t0) * 1000 / cc.tsc_khz;

		ros_log("cells: %u cycles of create+start+destroy in %lu ms: %lu us per cycle "
			"(TSC at %lu kHz from the PIT)",
			n, us / 1000, us / n, cc.tsc_khz);
	}
	check(n == NUM_CYCLES, name, "cycle %u: %s", n + 1, why);
	if (n < NUM_CYCLES)
		cleanup(id);

	a1 = get_info(TANDEM_INFO_MEM_POOL_USED);
	a3 = get_info(TANDEM_INFO_REMAP_POOL_USED);
	a4 = get_info(TANDEM_INFO_NUM_CELLS);
	check(called(r1) && called(r3) && called(r4) && called(a1) &&
		      called(a3) && called(a4) && a1.value == r1.value &&
		      a3.value == r3.value && a4.value == r4.value,
	      "cells: cycles pages same",
	      "before/after %u cycles: used pages %s/%s, remap used %s/%s, cells %s/%s",
	      n, S(r1), S(a1), S(r3), S(a3), S(r4), S(a4));
}

static long pool_used(void)
{
	struct hc_result r = get_info(TANDEM_INFO_MEM_POOL_USED);

	return called(r) ? r.value : -1;
}

/* Ports another cell holds are busy (-EBUSY). Tandem checks them right
 * after the name, before the CPUs: with a CPU that does not exist, the
 * answer tells the port rule (-EBUSY) from the CPU rule (-EINVAL). */
static void check_ports(void)
{
	const char *name = "cells: create ports of another cell ebusy";
	struct hc_result r0, r1, r2, c = { .not_called = true };
	char why[120];

	config_init(&cfg, "ports2", 0);
	cfg.desc.cpu_set = 1ull << MISSING_CPU_BIT;
	add_pio(&cfg, HOSTILE_OWN_PORT, 1);
	r0 = create();
	drop_unexpected(r0);
	if (load_image(&img_tiny, why, sizeof(why))) {
		config_init(&cfg, "ports1", 0);
		add_pio(&cfg, HOSTILE_OWN_PORT, 1);
		c = create();
		if (!called(c) || c.value <= 0)
			ksnprintf(why, sizeof(why), "cell create: %s", S(c));
	}
	if (!called(c) || c.value <= 0) {
		check(false, name, "first cell: %s", why);
		return;
	}
	config_init(&cfg, "ports2", 0);
	cfg.desc.cpu_set = 1ull << MISSING_CPU_BIT;
	add_pio(&cfg, HOSTILE_OWN_PORT, 1);
	r1 = create();
	drop_unexpected(r1);
	config_init(&cfg, "ports2", 0);
	cfg.desc.cpu_set = 1ull << MISSING_CPU_BIT;
	add_pio(&cfg, HOSTILE_OWN_PORT + 1, 1);
	r2 = create();
	drop_unexpected(r2);
	check(called(r0) && r0.value == -TANDEM_EINVAL && called(r1) &&
		      r1.value == -TANDEM_EBUSY && called(r2) &&
		      r2.value == -TANDEM_EINVAL,
	      name,
	      "port 0x%x, CPU %d: %s before and %s while cell %ld holds the port "
	      "(want %d, %d); port 0x%x: %s (want %d)",
	      HOSTILE_OWN_PORT, MISSING_CPU_BIT, S(r0), S(r1), c.value,
	      -TANDEM_EINVAL, -TANDEM_EBUSY, HOSTILE_OWN_PORT + 1, S(r2),
	      -TANDEM_EINVAL);
	cleanup(c.value);
}

/*
 * A running cell is asked before its reset (Start, Soft Restart) and
 * before another cell is created; deny (arg[0] = 3) denies three times,
 * then approves the Destroy.
 */
static void check_denials(void)
{
	struct hc_result r, st;
	char why[120];
	long id;

	cc.arg[0] = DENIALS; /* read when the image is loaded */
	id = create_and_start(&img_deny, "deny3", 0, why, sizeof(why), &r);
	cc.arg[0] = 0;
	if (!id || !called(r) || r.value != 0) {
		check(false, "cells: create denied by a running cell eperm",
		      "%s", why);
		check(false, "cells: start denied by the cell eperm", "%s", why);
		check(false, "cells: soft restart denied by the cell eperm",
		      "%s", why);
		check(false, "cells: deny3 destroy approved", "%s", why);
		cleanup(id);
		return;
	}
	ros_udelay(DENY_SETTLE_MS * 1000);

	/* Valid but for the CPU and memory deny holds (-EBUSY if unasked). */
	config_init(&cfg, "other", 0);
	r = create();
	check(called(r) && r.value == -TANDEM_EPERM,
	      "cells: create denied by a running cell eperm",
	      "cell create 'other' while cell %ld runs and denies: %s, want %d",
	      id, S(r), -TANDEM_EPERM);
	drop_unexpected(r);

	r = start(id);
	st = get_state(id);
	check(called(r) && r.value == -TANDEM_EPERM && called(st) &&
		      st.value == TANDEM_CELL_RUNNING,
	      "cells: start denied by the cell eperm",
	      "cell start %ld while it runs and denies: %s, want %d; state then %s, want 0",
	      id, S(r), -TANDEM_EPERM, ST(st));

	r = hc(TANDEM_HC_CELL_SOFT_RESTART, (uint64_t)id, CELL_RESTART_ENTRY, 1,
	       2, 3);
	st = get_state(id);
	check(called(r) && r.value == -TANDEM_EPERM && called(st) &&
		      st.value == TANDEM_CELL_RUNNING,
	      "cells: soft restart denied by the cell eperm",
	      "soft restart %ld while it runs and denies: %s, want %d; state then %s, want 0",
	      id, S(r), -TANDEM_EPERM, ST(st));

	r = destroy(id);
	check(called(r) && r.value == 0, "cells: deny3 destroy approved",
	      "cell destroy %ld (its fourth request): %s, want 0", id, S(r));
	cleanup(id);
}

struct attack {
	const char *name;
	uint32_t what;
	uint64_t at;
	bool have; /* the target exists (an HRT) */
};

/* Load hostile with @a, start it: it must fail, and once destroyed every
 * pool page must be back. */
static void run_attack(const struct attack *a)
{
	struct hc_result r, st = { 0 }, d = { 0 };
	long before = pool_used(), after;
	bool failed = false;
	char why[120] = "";
	long id;

	if (!a->have || a->at >= (1ull << 56)) {
		check(false, a->name, "no target (0x%lx)", a->at);
		return;
	}
	/* Bits 32-55 of the address ride in arg[0] (cells/hostile.c). */
	cc.arg[0] = a->what | (uint32_t)(a->at >> 32) << 8;
	cc.arg[1] = (uint32_t)a->at;
	if (load_image(&img_hostile, why, sizeof(why))) {
		config_init(&cfg, "hostile", 0);
		add_pio(&cfg, HOSTILE_OWN_PORT, 1);
		r = create();
		if (!called(r) || r.value <= 0)
			ksnprintf(why, sizeof(why), "cell create: %s", S(r));
	} else {
		r = (struct hc_result){ .not_called = true };
	}
	cc.arg[0] = cc.arg[1] = 0;
	id = called(r) && r.value > 0 ? r.value : 0;
	if (id) {
		r = start(id);
		if (called(r) && r.value == 0)
			failed = wait_state(id, TANDEM_CELL_FAILED,
					    STATE_TIMEOUT_MS, &st);
		else
			ksnprintf(why, sizeof(why), "cell start %ld: %s", id,
				  S(r));
		d = destroy(id);
		cleanup(id);
	}
	after = pool_used();
	check(id && failed && called(d) && d.value == 0 && before >= 0 &&
		      after == before,
	      a->name,
	      "%s at 0x%lx: %s; state %s (want 2), destroy %s, pool pages used %ld -> %ld",
	      a->what == HOSTILE_READ  ? "read" :
	      a->what == HOSTILE_WRITE ? "write" :
					 "port",
	      a->at, why[0] ? why : "started", ST(st), S(d), before, after);
}

/* The HRT still answers (a null call on its first core). */
static bool hrt_answers(unsigned ms, char *why, size_t size)
{
	static struct tandem_hrt_call c;
	static uint64_t res[HRT_MAX_CORES + 1];
	uint64_t t0 = rdtsc();

	do {
		long r;

		memset(&c, 0, sizeof(c));
		c.func = HRT_FN_NULL;
		c.result_gpa = (uint64_t)res;
		res[0] = HRT_UNSET;
		r = tandem_hrt_call_sync(&c, HRT_MS * cc.tsc_khz);
		if (r == 0 && res[0] == 0)
			return true;
		ksnprintf(why, size, "null call: %ld, result 0x%lx", r, res[0]);
		ros_udelay(1000);
	} while (rdtsc() - t0 < ms * cc.tsc_khz);
	return false;
}

static void check_hostile(void)
{
	const struct suite *s = cc.s;
	bool hrt = s->hrt_mem.size != 0;
	const struct attack attacks[] = {
		{ "cells: hostile read outside its regions failed",
		  HOSTILE_READ, CELL_COMM_ADDR + COMM_SIZE, true },
		{ "cells: hostile write to ros memory above failed",
		  HOSTILE_WRITE, cc.phys + CELLS_MEM_SIZE, true },
		{ "cells: hostile read of ros memory below failed",
		  HOSTILE_READ, cc.phys - PAGE_SIZE, true },
		{ "cells: hostile read of tandem memory failed", HOSTILE_READ,
		  s->tandem_mem[1].base, s->mem_ok },
		{ "cells: hostile write to tandem image failed", HOSTILE_WRITE,
		  s->tandem_mem[0].base, s->mem_ok },
		{ "cells: hostile read of hrt memory failed", HOSTILE_READ,
		  s->hrt_mem.base, hrt },
		{ "cells: hostile write to hrt memory failed", HOSTILE_WRITE,
		  s->hrt_mem.base + PAGE_SIZE, hrt },
		{ "cells: hostile port outside its config failed", HOSTILE_PORT,
		  OTHER_PORT, true },
	};
	char why[120] = "no HRT";

	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++)
		run_attack(&attacks[i]);
	check(hrt && hrt_answers(HRT_MS, why, sizeof(why)),
	      "cells: hrt answers after the hostile cells", "%s", why);
}

/* SUM of one u64 at @phys on the HRT's first core: the call's result,
 * *@sum what the HRT stored (HRT_UNSET: nothing), @ev the ROS event. */
static long hrt_sum(uint64_t phys, uint64_t *sum, struct tandem_ros_event *ev)
{
	static struct tandem_hrt_call c;
	static uint64_t res[HRT_MAX_CORES + 1];
	long r;

	memset(&c, 0, sizeof(c));
	c.func = HRT_FN_SUM;
	c.result_gpa = (uint64_t)res;
	c.args[0] = phys;
	c.args[1] = 1;
	res[0] = HRT_UNSET;
	memset(ev, 0, sizeof(*ev));
	r = tandem_hrt_invoke(&c);
	if (r == 0)
		r = tandem_hrt_wait_idle(HRT_MS * cc.tsc_khz, ev);
	*sum = res[0];
	return r;
}

/*
 * The HRT sees the ROS's memory, but not a cell's: SUM over the first u64
 * of the cells' memory works while the ROS owns it, makes the HRT fail
 * while a (never started) cell holds it, and works again after the HRT's
 * reboot and the cell's destroy.
 */
static void check_hrt_wall(void)
{
	volatile uint64_t *mark = (volatile uint64_t *)cc.phys;
	struct tandem_ros_event ev;
	struct hc_result c = { .not_called = true }, d = { 0 };
	uint64_t sum = 0;
	char why[120] = "no HRT";
	long r, rb = -1;
	bool up = false;

	if (!cc.s->hrt_mem.size || cc.live || !cc.have_mem) {
		if (cc.live)
			ksnprintf(why, sizeof(why), "cell %ld holds the memory",
				  cc.live);
		check(false, "cells: hrt reads ros memory", "%s", why);
		check(false, "cells: hrt fails on a cell's memory", "%s", why);
		check(false, "cells: hrt answers after reboot", "%s", why);
		check(false, "cells: hrt reads the memory after destroy", "%s",
		      why);
		return;
	}
	*mark = HRT_MARK;
	r = hrt_sum(cc.phys, &sum, &ev);
	check(r == 0 && sum == HRT_MARK, "cells: hrt reads ros memory",
	      "SUM of the u64 at 0x%lx: %ld, result 0x%lx, want 0x%llx",
	      cc.phys, r, sum, HRT_MARK);

	c = load_create(&img_tiny, "hrtwall", 0, why, sizeof(why));
	if (called(c) && c.value > 0) {
		r = hrt_sum(cc.phys, &sum, &ev);
		ros_udelay(SETTLE_MS * 1000); /* Tandem's line from the HRT */
		check(r == 0 && ev.event_type == TANDEM_HRT_EXCEPTION &&
			      sum == HRT_UNSET,
		      "cells: hrt fails on a cell's memory",
		      "SUM at 0x%lx while cell %ld holds it: %ld, event %u (want %u), "
		      "result 0x%lx (want none)",
		      cc.phys, c.value, r, ev.event_type, TANDEM_HRT_EXCEPTION,
		      sum);
	} else {
		check(false, "cells: hrt fails on a cell's memory", "%s", why);
	}
	rb = tandem_hrt_reboot();
	up = hrt_answers(HRT_RECOVER_MS, why, sizeof(why));
	check(rb == 0 && up, "cells: hrt answers after reboot",
	      "reboot: %ld (want 0); %s", rb, up ? "answers" : why);
	if (called(c) && c.value > 0) {
		d = destroy(c.value);
		cleanup(c.value);
	}
	r = hrt_sum(cc.phys, &sum, &ev);
	check(called(d) && d.value == 0 && r == 0 && sum == HRT_MARK,
	      "cells: hrt reads the memory after destroy",
	      "destroy %s; SUM at 0x%lx: %ld, result 0x%lx, want 0x%llx", S(d),
	      cc.phys, r, sum, HRT_MARK);
}

/* Give the CPU back to the ROS: INIT-SIPI-SIPI through the AP start-up
 * code; it must answer as in the SMP checks. */
static void check_cpu_back(void)
{
	const char *name = "cells: cpu back to ros";
	const struct ros_probe *p = &ros_smp.probes[cc.cpu];
	const struct ros_probe *bsp = &ros_smp.probes[0];
	bool answered;

	if (!cc.have_cpu) {
		check(false, name, "no spare CPU was taken");
		return;
	}
	if (cc.live) {
		check(false, name, "cell %ld still holds CPU %u", cc.live,
		      cc.cpu);
		return;
	}
	answered = ros_smp_restart(cc.cpu, suite_cpu_probe);
	check(answered && (!cc.s->detected ||
			   (p->detected && !p->fault && p->info == bsp->info)),
	      name,
	      "CPU %u (APIC ID %u): %s; detected %d, get info %ld%s (CPU 0: %ld)",
	      cc.cpu, ros_smp.apic_ids[cc.cpu],
	      answered	 ? "answered" :
	      p->started ? "started but gave no answer" :
			   "did not start",
	      p->detected, p->info, p->fault ? " after a fault" : "", bsp->info);
}

long cells_run_image(const uint8_t *first, const uint8_t *end, const char *name,
		     unsigned ms, char *why, size_t size)
{
	const struct image img = { name, first, end };
	struct hc_result r, st;
	long id;

	if (!cc.have_cpu) {
		ksnprintf(why, size, "no spare CPU for the cells");
		return -1;
	}
	r = load_create(&img, name, 0, why, size);
	if (!called(r) || r.value <= 0)
		return -1;
	id = r.value;
	r = start(id);
	if (!called(r) || r.value != 0) {
		ksnprintf(why, size, "cell start %ld: %s, want 0", id, S(r));
		cleanup(id);
		return -1;
	}
	wait_state(id, TANDEM_CELL_SHUT_DOWN, ms, &st);
	cleanup(id);
	if (!called(st) || st.value < 0) {
		ksnprintf(why, size, "cell %ld: get state %s", id, S(st));
		return -1;
	}
	ksnprintf(why, size, "cell %ld: state %s", id, ST(st));
	return st.value;
}

unsigned cells_cpu(void)
{
	return cc.cpu;
}

unsigned checks_cells_planned(const struct suite *s)
{
	uint64_t high;

	return 71 + (find_high_memory(s->boot, &high) ? 1 : 0);
}

void checks_cells(struct suite *s)
{
	long used0;

	cc.s = s;
	cc.tsc_khz = ros_tsc_khz();
	used0 = pool_used();
	check_setup();
	check_root_cpu_busy();
	if (cc.have_cpu) {
		ros_log("cells: INIT to CPU %u (APIC ID %u): it leaves the ROS",
			cc.cpu, ros_smp.apic_ids[cc.cpu]);
		ros_smp_park(cc.cpu);
	}
	check_ports();
	check_errors();
	check_prober();
	check_hvmhostile();
	check_tiny();
	check_high_ram();
	check_deny();
	check_denials();
	check_passive();
	check_faulty();
	check_hostile();
	check_hrt_wall();
	check_restart();
	check_cycles();
	/* Every table a create split off is merged back at destroy. */
	check(used0 >= 0 && pool_used() == used0,
	      "cells: pool pages as before the first cell",
	      "used pages %ld before any cell was created, %ld now", used0,
	      pool_used());
	check_cpu_back();
}
