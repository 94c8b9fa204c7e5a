/*
 * Jailhouse cell descriptions through the real Cell Create (ABI.md 12.1,
 * kernel/fmt/jh_cell.h): a description laid out as Jailhouse's
 * configs/x86/apic-demo.c, built here at run time with the guest-abi
 * header (tandem/jailhouse.h), is created, seen, and destroyed; then every
 * field Tandem refuses gives its error with nothing changed, and a good
 * description is still created afterwards. No cell is started: the start
 * state of such cells is not this group's.
 *
 * Resources are those of the cell checks (ros/checks_cells.c), which ran
 * before: their CPU (cells_cpu(), parked here and started again at the
 * end) and the first free 1 MiB of RAM at or above 64 MiB, which they gave
 * back. That the RAM left the ROS and came back is read with Get Info
 * TANDEM_INFO_MEM_TYPE on it (-ENOENT while it is not mapped for the ROS).
 */
#include "cpu.h"
#include "smp.h"
#include "suite.h"
#include "trap.h"

#include "tandem/cell_config.h"
#include "tandem/jailhouse.h"

/* 1 MiB at 64 MiB, if free (as the cell checks), cell-physical 0. */
#define JH_MEM_BASE   UINT64_C(0x4000000)
#define JH_RAM_SIZE   UINT64_C(0x100000)
#define JH_COMM_ADDR  UINT64_C(0x100000)  /* x86 inmates' fixed address */
#define JH_JUNK_PHYS  UINT64_C(0xdead000) /* ignored comm phys_start */
#define JH_OWN_PORT   0x2f8		  /* COM2, as apic-demo.c */
#define JH_OTHER_PORT 0x2e8		  /* COM4: nobody's */
#define JRWX	      (JH_MEM_READ | JH_MEM_WRITE | JH_MEM_EXECUTE)

/* The description, laid out by layout() into buf in Jailhouse's order:
 * header, CPU bitmap, memory, cache, irqchips, PIO, PCI devices, PCI
 * capabilities, stream ids (those three and irqchips as zero bytes). */
static struct {
	struct jh_cell_desc h;
	uint8_t cpus[16];
	struct jh_memory mem[2];
	struct jh_cache cache[1];
	struct jh_pio pio[1];
} jd;
static uint8_t buf[1024] __attribute__((aligned(8)));

static struct {
	const struct suite *s;
	unsigned cpu;
	uint64_t phys;
	bool have_mem;
} jc;

/* ---- hypercalls, faults caught ---- */

static struct hc_result hc2(unsigned code, uint64_t a1, uint64_t a2)
{
	return hc_native(jc.s->native_via, code, a1, a2, 0, 0, 0);
}

static bool called(struct hc_result r)
{
	return !r.fault && !r.not_called;
}

#define S(r) hc_str((r), (char[64]){ 0 }, 64)

static long info(unsigned type)
{
	struct hc_result r = hc2(TANDEM_HC_HYPERVISOR_GET_INFO, type, 0);

	return called(r) ? r.value : -1000;
}

/* The memory type of the cells' RAM for the ROS, -ENOENT: not mapped. */
static long ram_type(void)
{
	struct hc_result r = hc2(TANDEM_HC_HYPERVISOR_GET_INFO,
				 TANDEM_INFO_MEM_TYPE, jc.phys);

	return called(r) ? r.value : -1000;
}

/* ---- the description ---- */

/* Like apic-demo.c: one CPU, 1 MiB of RAM at cell 0, the communication
 * region at 1 MiB, one L3 cache region, one port range; with the test
 * device and no huge pages, so that all three hints are said. */
static void jd_init(const char *name)
{
	memset(&jd, 0, sizeof(jd));
	memcpy(jd.h.signature, JH_CELL_SIGNATURE, 5);
	jd.h.architecture = JH_ARCH_X86;
	jd.h.revision = JH_CONFIG_REVISION;
	memcpy(jd.h.name, name, strnlen(name, JH_CELL_NAME_LEN - 1));
	jd.h.flags = JH_CELL_VIRTUAL_CONSOLE_PERMITTED | JH_CELL_TEST_DEVICE;
	jd.h.cpu_set_size = 8;
	jd.h.num_memory_regions = 2;
	jd.h.num_cache_regions = 1;
	jd.h.num_pio_regions = 1;
	jd.h.cpu_reset_address = 0;
	jd.h.console.type = JH_CON_TYPE_8250;
	jd.h.console.address = 0x3f8;
	if (jc.cpu < 64)
		jd.cpus[jc.cpu / 8] = (uint8_t)(1u << (jc.cpu % 8));
	jd.mem[0] = (struct jh_memory){ jc.phys, 0, JH_RAM_SIZE,
					JRWX | JH_MEM_NO_HUGEPAGES };
	jd.mem[1] = (struct jh_memory){ JH_JUNK_PHYS, JH_COMM_ADDR, 0x1000,
					JH_MEM_READ | JH_MEM_WRITE |
						JH_MEM_COMM_REGION };
	jd.cache[0] = (struct jh_cache){ 0, 2, 3, 0, 0 };
	jd.pio[0] = (struct jh_pio){ JH_OWN_PORT, 8 };
}

static void put(size_t *at, const void *src, uint64_t n)
{
	if (*at + n <= sizeof(buf)) {
		if (src)
			memcpy(buf + *at, src, n);
		else
			memset(buf + *at, 0, n);
	}
	*at += n;
}

/* Lays jd out in buf; counts beyond what jd holds are zero bytes, and
 * what does not fit in buf is left out (the header then says more than
 * there is, which only the size checks look at). */
static void layout(void)
{
	const struct jh_cell_desc *h = &jd.h;
	size_t at = 0;

	memset(buf, 0, sizeof(buf));
	put(&at, h, sizeof(*h));
	put(&at, h->cpu_set_size <= sizeof(jd.cpus) ? jd.cpus : NULL,
	    h->cpu_set_size);
	put(&at, h->num_memory_regions <= 2 ? jd.mem : NULL,
	    (uint64_t)h->num_memory_regions * sizeof(struct jh_memory));
	put(&at, h->num_cache_regions <= 1 ? jd.cache : NULL,
	    (uint64_t)h->num_cache_regions * sizeof(struct jh_cache));
	put(&at, NULL, (uint64_t)h->num_irqchips * sizeof(struct jh_irqchip));
	put(&at, h->num_pio_regions <= 1 ? jd.pio : NULL,
	    (uint64_t)h->num_pio_regions * sizeof(struct jh_pio));
	put(&at, NULL, (uint64_t)h->num_pci_devices * JH_PCI_DEVICE_SIZE);
	put(&at, NULL, (uint64_t)h->num_pci_caps * JH_PCI_CAPABILITY_SIZE);
	put(&at, NULL, (uint64_t)h->num_stream_ids * JH_STREAM_ID_SIZE);
}

static struct hc_result create(void)
{
	layout();
	return hc2(TANDEM_HC_CELL_CREATE, (uint64_t)buf, 0);
}

static struct hc_result destroy(long id)
{
	return hc2(TANDEM_HC_CELL_DESTROY, (uint64_t)id, 0);
}

/* A cell that should not exist was created: take it away again. */
static void drop_unexpected(struct hc_result r)
{
	if (called(r) && r.value > 0) {
		struct hc_result d = destroy(r.value);

		ros_log("jh config: destroying unexpected cell %ld: %s",
			r.value, S(d));
	}
}

/* ---- the checks ---- */

/* Created, seen, a second one of the same name refused, its port range
 * held against others, destroyed, everything back. @what names the
 * checks; *@n_checks counts those reported. Returns true when a cell was
 * created and destroyed. */
static bool create_destroy(const char *what, unsigned *n_checks)
{
	long used0 = info(TANDEM_INFO_MEM_POOL_USED);
	long cells0 = info(TANDEM_INFO_NUM_CELLS);
	struct hc_result r, st, dup, port, other, d;
	char name[64];
	long id, cells1, type_in, type_after, used1, cells2;

	jd_init("jhdemo");
	r = create();
	id = called(r) && r.value > 0 ? r.value : 0;
	cells1 = info(TANDEM_INFO_NUM_CELLS);
	type_in = ram_type();
	ksnprintf(name, sizeof(name), "jh config: %s create", what);
	check(id > 0 && cells1 == cells0 + 1, name,
	      "cell create of apic-demo-like 'jhdemo' on CPU %u, RAM 0x%lx: %s (want an id > 0); cells %ld -> %ld",
	      jc.cpu, jc.phys, S(r), cells0, cells1);
	(*n_checks)++;
	if (!id) {
		drop_unexpected(r);
		return false;
	}
	ksnprintf(name, sizeof(name), "jh config: %s ram left the ros", what);
	check(type_in == -TANDEM_ENOENT, name,
	      "memory type of 0x%lx for the ROS while cell %ld holds it: %ld, want %d",
	      jc.phys, id, type_in, -TANDEM_ENOENT);
	(*n_checks)++;

	/* Never started: shut down, in Jailhouse's numbering (2, ABI.md
	 * 12.4), not Tandem's (1). */
	st = hc2(TANDEM_HC_CELL_GET_STATE, (uint64_t)id, 0);
	ksnprintf(name, sizeof(name), "jh config: %s state shut down", what);
	check(called(st) && st.value == JH_CELL_SHUT_DOWN, name,
	      "cell get state %ld before any start: %s, want %d", id, S(st),
	      JH_CELL_SHUT_DOWN);
	(*n_checks)++;
	if (called(st))
		ros_log("jh config: cell get state of a created cell: %ld",
			st.value);

	/* The same description again: the name is seen first. */
	dup = create();
	ksnprintf(name, sizeof(name), "jh config: %s same name eexist", what);
	check(called(dup) && dup.value == -TANDEM_EEXIST, name,
	      "second cell create of 'jhdemo' while cell %ld exists: %s, want %d",
	      id, S(dup), -TANDEM_EEXIST);
	(*n_checks)++;
	drop_unexpected(dup);

	/* Its ports are the cell's: another description with the same port
	 * range is refused by rule 21 (-EBUSY), which comes before the
	 * missing CPU 63 of rule 22 (-EINVAL) that the same description
	 * with another port range gets. */
	jd_init("jhport");
	memset(jd.cpus, 0, sizeof(jd.cpus));
	jd.cpus[7] = 0x80;
	port = create();
	drop_unexpected(port);
	jd.pio[0].base = JH_OTHER_PORT;
	other = create();
	drop_unexpected(other);
	ksnprintf(name, sizeof(name), "jh config: %s port held by the cell",
		  what);
	check(called(port) && port.value == -TANDEM_EBUSY && called(other) &&
		      other.value == -TANDEM_EINVAL,
	      name,
	      "'jhport' on CPU 63 with port 0x%x: %s (want %d), with port 0x%x: %s (want %d)",
	      JH_OWN_PORT, S(port), -TANDEM_EBUSY, JH_OTHER_PORT, S(other),
	      -TANDEM_EINVAL);
	(*n_checks)++;

	d = destroy(id);
	ksnprintf(name, sizeof(name), "jh config: %s destroy", what);
	check(called(d) && d.value == 0, name, "cell destroy %ld: %s, want 0",
	      id, S(d));
	(*n_checks)++;

	used1 = info(TANDEM_INFO_MEM_POOL_USED);
	cells2 = info(TANDEM_INFO_NUM_CELLS);
	type_after = ram_type();
	st = hc2(TANDEM_HC_CELL_GET_STATE, (uint64_t)id, 0);
	ksnprintf(name, sizeof(name), "jh config: %s resources back", what);
	check(used1 == used0 && cells2 == cells0 && type_after >= 0 &&
		      called(st) && st.value == -TANDEM_ENOENT,
	      name,
	      "pool pages used %ld -> %ld, cells %ld -> %ld, RAM memory type %ld (want >= 0), get state %s (want %d)",
	      used0, used1, cells0, cells2, type_after, S(st), -TANDEM_ENOENT);
	(*n_checks)++;
	return called(d) && d.value == 0;
}

/* A change to the good description that Cell Create refuses. */
struct refusal {
	const char *name;
	long want;
	void (*apply)(void);
};

static void r_signature(void)
{
	jd.h.signature[4] = 'X';
}
static void r_arch(void)
{
	jd.h.architecture = 1;
}
static void r_revision(void)
{
	jd.h.revision = 13;
}
static void r_mem_count(void)
{
	jd.h.num_memory_regions = 65;
}
static void r_pio_count(void)
{
	jd.h.num_pio_regions = 65;
}
static void r_size(void)
{
	jd.h.num_cache_regions = 700; /* 8400 bytes of cache regions */
}
static void r_name_nul(void)
{
	memset(jd.h.name, 'j', sizeof(jd.h.name));
}
static void r_name_empty(void)
{
	memset(jd.h.name, 0, sizeof(jd.h.name));
}
static void r_name_byte(void)
{
	jd.h.name[2] = '\t';
}
static void r_flags(void)
{
	jd.h.flags |= 0x8;
}
static void r_aarch32(void)
{
	jd.h.flags |= JH_CELL_AARCH32;
}
static void r_cpu_size(void)
{
	jd.h.cpu_set_size = 4;
}
static void r_cpu_high(void)
{
	jd.h.cpu_set_size = 16;
	jd.cpus[8] = 1; /* CPU 64 */
}
static void r_cpu_empty(void)
{
	memset(jd.cpus, 0, sizeof(jd.cpus));
}
static void r_irqchips(void)
{
	jd.h.num_irqchips = 1;
}
static void r_pci(void)
{
	jd.h.num_pci_devices = 1;
}
static void r_caps(void)
{
	jd.h.num_pci_caps = 1;
}
static void r_streams(void)
{
	jd.h.num_stream_ids = 1;
}
static void r_dma(void)
{
	jd.mem[0].flags |= JH_MEM_DMA;
}
static void r_unaligned(void)
{
	jd.mem[0].flags |= JH_MEM_IO_UNALIGNED;
}
static void r_width(void)
{
	jd.mem[0].flags |= 0x40000; /* 32-bit accesses */
}
static void r_subpage(void)
{
	jd.mem[0].size = JH_RAM_SIZE - 0x800;
}
static void r_mem_flag(void)
{
	jd.mem[1].flags |= 0x200;
}
static void r_reset(void)
{
	jd.h.cpu_reset_address = 0x100000000ull;
}
static void r_unreadable(void)
{
	jd.mem[0].flags = JH_MEM_WRITE | JH_MEM_EXECUTE;
}
static void r_not_root(void)
{
	jd.mem[0].phys_start = ALIGN_UP(ros_ram_end(jc.s->boot), JH_RAM_SIZE);
}

static const struct refusal refusals[] = {
	{ "jh config: signature not jhcll einval", -TANDEM_EINVAL, r_signature },
	{ "jh config: architecture arm einval", -TANDEM_EINVAL, r_arch },
	{ "jh config: revision 13 einval", -TANDEM_EINVAL, r_revision },
	{ "jh config: 65 memory regions e2big", -TANDEM_E2BIG, r_mem_count },
	{ "jh config: 65 pio regions e2big", -TANDEM_E2BIG, r_pio_count },
	{ "jh config: above 8192 bytes e2big", -TANDEM_E2BIG, r_size },
	{ "jh config: name without nul einval", -TANDEM_EINVAL, r_name_nul },
	{ "jh config: name empty einval", -TANDEM_EINVAL, r_name_empty },
	{ "jh config: name not printable einval", -TANDEM_EINVAL, r_name_byte },
	{ "jh config: unknown cell flag einval", -TANDEM_EINVAL, r_flags },
	{ "jh config: aarch32 einval", -TANDEM_EINVAL, r_aarch32 },
	{ "jh config: cpu_set_size 4 einval", -TANDEM_EINVAL, r_cpu_size },
	{ "jh config: cpu 64 einval", -TANDEM_EINVAL, r_cpu_high },
	{ "jh config: no cpu einval", -TANDEM_EINVAL, r_cpu_empty },
	{ "jh config: irqchip einval", -TANDEM_EINVAL, r_irqchips },
	{ "jh config: pci device einval", -TANDEM_EINVAL, r_pci },
	{ "jh config: pci capability einval", -TANDEM_EINVAL, r_caps },
	{ "jh config: stream id einval", -TANDEM_EINVAL, r_streams },
	{ "jh config: dma region einval", -TANDEM_EINVAL, r_dma },
	{ "jh config: io unaligned einval", -TANDEM_EINVAL, r_unaligned },
	{ "jh config: io width einval", -TANDEM_EINVAL, r_width },
	{ "jh config: sub-page region einval", -TANDEM_EINVAL, r_subpage },
	{ "jh config: unknown memory flag einval", -TANDEM_EINVAL, r_mem_flag },
	{ "jh config: reset address 4 gib einval", -TANDEM_EINVAL, r_reset },
	{ "jh config: ram not readable einval", -TANDEM_EINVAL, r_unreadable },
	{ "jh config: ram not the root's einval", -TANDEM_EINVAL, r_not_root },
};

#define NREFUSALS (sizeof(refusals) / sizeof(refusals[0]))

/* Each refusal gives its error, and the pool, the cells and the RAM are
 * as they were. */
static void check_refusals(void)
{
	for (unsigned i = 0; i < NREFUSALS; i++) {
		const struct refusal *f = &refusals[i];
		long used0 = info(TANDEM_INFO_MEM_POOL_USED);
		long cells0 = info(TANDEM_INFO_NUM_CELLS);
		long type0 = ram_type();
		struct hc_result r;
		long used1, cells1, type1;

		jd_init("jhbad");
		f->apply();
		r = create();
		used1 = info(TANDEM_INFO_MEM_POOL_USED);
		cells1 = info(TANDEM_INFO_NUM_CELLS);
		type1 = ram_type();
		check(called(r) && r.value == f->want && used1 == used0 &&
			      cells1 == cells0 && type1 == type0 && type0 >= 0,
		      f->name,
		      "cell create: %s, want %ld; pool pages used %ld -> %ld, cells %ld -> %ld, RAM memory type %ld -> %ld",
		      S(r), f->want, used0, used1, cells0, cells1, type0, type1);
		drop_unexpected(r);
	}
}

#define CREATE_DESTROY_CHECKS 7
#define JH_CONFIG_CHECKS      (2 * CREATE_DESTROY_CHECKS + NREFUSALS + 1)

unsigned checks_jh_config_planned(const struct suite *s)
{
	return s->detected ? JH_CONFIG_CHECKS : 0;
}

void checks_jh_config(struct suite *s)
{
	const char *name = "jh config: cpu back to ros";
	unsigned n = 0;
	bool answered;

	if (!s->detected)
		return;
	jc.s = s;
	jc.cpu = cells_cpu();
	jc.phys = JH_MEM_BASE;
	jc.have_mem = false;
	for (uint64_t end = ros_ram_end(s->boot); jc.phys + JH_RAM_SIZE <= end;
	     jc.phys += JH_RAM_SIZE)
		if (ros_ram_is_free(s->boot, jc.phys, JH_RAM_SIZE)) {
			jc.have_mem = true;
			break;
		}
	if (!jc.have_mem)
		ros_log("jh config: no free 1 MiB of RAM at or above 64 MiB");
	ros_log("jh config: CPU %u and 0x%lx-0x%lx for the Jailhouse descriptions",
		jc.cpu, jc.phys, jc.phys + JH_RAM_SIZE);
	ros_smp_park(jc.cpu);

	create_destroy("first", &n);
	while (n < CREATE_DESTROY_CHECKS) {
		check(false, "jh config: first not created", "see above");
		n++;
	}
	check_refusals();
	n = 0;
	create_destroy("after refusals", &n);
	while (n < CREATE_DESTROY_CHECKS) {
		check(false, "jh config: after refusals not created",
		      "see above");
		n++;
	}

	answered = ros_smp_restart(jc.cpu, suite_cpu_probe);
	check(answered, name, "CPU %u did not answer a restart", jc.cpu);
}
