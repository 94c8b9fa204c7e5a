/* HRT start on every core: per-core IDT, the HRT info tag and command line
 * (boot_fault= may stop it here), check-in; then
 * core 0 says "started v<N> on <n> cores", issues a null downcall, as
 * Nautilus does, calibrates its TSC against the PIT (hrt/pit.c) and times
 * the ACPI PM timer (hrt/pm_timer.c); then
 * every core waits for upcalls with interrupts on. */
#include "hrt.h"

#define MB2_INFO_MAX	 65536 /* bytes of boot information walked */
#define CHECKIN_WAIT_MS	 1000
#define MB2_TAG_RSDP_OLD 14 /* ACPI 1.0 RSDP copy (Multiboot2 3.6.16) */
#define MB2_TAG_RSDP_NEW 15 /* ACPI 2.0+ RSDP copy (3.6.17) */

void hrt_main(uint32_t magic, uint64_t mbi, uint64_t vcpu, uint64_t index);

struct hrt_core hrt_cores[HRT_MAX_CORES] __attribute__((aligned(16)));
uint8_t hrt_stacks[HRT_MAX_CORES][HRT_STACK_SIZE]
	__attribute__((aligned(HRT_STACK_SIZE)));

/* Read by hrt/entry.asm to pick the stack of core RDX. */
extern const uint64_t hrt_stack_size, hrt_max_cores;
const uint64_t hrt_stack_size = HRT_STACK_SIZE;
const uint64_t hrt_max_cores = HRT_MAX_CORES;

static unsigned checked_in;
uint64_t hrt_boot_id; /* .bss: zero until core 0 sets it, every boot */

struct hrt_core *hrt_this_core(void)
{
	uint64_t sp, base = (uint64_t)hrt_stacks;

	__asm__("mov %%rsp, %0" : "=r"(sp));
	if (sp < base || sp >= base + sizeof(hrt_stacks))
		return NULL;
	return &hrt_cores[(sp - base) / HRT_STACK_SIZE];
}

void hrt_stop(void)
{
	for (;;)
		__asm__ volatile("cli\n\thlt" ::: "memory");
}

/* Palacios's registers; Tandem may change every argument register. */
long hrt_downcall(const struct hrt_core *c, uint64_t request, uint64_t a1,
		  uint64_t a2)
{
	return tandem_hvm_call_insn(c->amd, TANDEM_HVM_MARKER_64, request, a1,
				    a2, 0, 0);
}

bool hrt_phys_ok(const struct hrt_setup *s, uint64_t pa, uint64_t len)
{
	return pa <= s->max_mem && len <= s->max_mem - pa;
}

static bool cpu_is_amd(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid"
			 : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(0), "c"(0));
	/* "AuthenticAMD" or "HygonGenuine" in EBX EDX ECX. */
	return (b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163) ||
	       (b == 0x6f677948 && d == 0x6e65476e && c == 0x656e6975);
}

/*
 * Find the HRT info tag (type 0xf00df00d) in the Multiboot2 information at
 * virtual @mbi (spec 3.4: u32 total size, u32 reserved, then 8-aligned
 * tags ending with type 0). Falls back to what the HRT tag asked for.
 */
static const char *read_setup(struct hrt_setup *s, uint32_t magic, uint64_t mbi)
{
	const uint8_t *p = (const uint8_t *)mbi;
	uint32_t total;

	*s = (struct hrt_setup){
		.gva_offset = HRT_GVA_OFFSET,
		.max_mem = HRT_MAX_MEM,
		.comm_page_gpa = HRT_COMM_PAGE_GPA,
		.vector = HRT_UPCALL_VECTOR,
		.cmdline = "",
	};
	if (magic != HRT_MB2_MAGIC)
		return "boot magic is not 0x36d76289";
	if (!mbi || (mbi & 7))
		return "boot information address is 0 or not 8-byte aligned";
	total = *(const uint32_t *)p;
	if (total < 16 || total > MB2_INFO_MAX)
		return "boot information size out of range";
	for (uint32_t off = 8; off + 8 <= total;) {
		uint32_t type = *(const uint32_t *)(p + off);
		uint32_t size = *(const uint32_t *)(p + off + 4);

		if (type == 0)
			break;
		if (size < 8 || size > total - off)
			return "boot information tag runs past the end";
		/* Tag 1, the command line: a string ending inside the tag. */
		if (type == 1 && size > 8 && !p[off + size - 1])
			s->cmdline = (const char *)(p + off + 8);
		if (type == TANDEM_MB2_INFO_HRT) {
			if (size < sizeof(s->info))
				return "HRT info tag too short";
			memcpy(&s->info, p + off, sizeof(s->info));
			s->have_info = true;
		} else if (type == MB2_TAG_RSDP_OLD || type == MB2_TAG_RSDP_NEW) {
			s->rsdp = p + off + 8;
			s->rsdp_len = size - 8;
		}
		off += (size + 7) & ~7u;
	}
	if (!s->have_info)
		return "no HRT info tag in the boot information";
	s->gva_offset = s->info.gva_offset;
	s->max_mem = s->info.max_mem_mapped;
	s->comm_page_gpa = s->info.comm_page_gpa;
	s->tsc_khz = s->info.cpu_freq_khz;
	s->vector = s->info.hrt_int_vector;
	return NULL;
}

/* The number at *@p (decimal); *@p moves past it. -1 without digits. */
static long parse_num(const char **p)
{
	long v = -1;

	for (; **p >= '0' && **p <= '9' && v < 1000000; (*p)++)
		v = (v < 0 ? 0 : v * 10) + (**p - '0');
	return v;
}

/*
 * The command line's "boot_fault=<version>:<core>": the image of that
 * HRT_VERSION faults on that core as it boots, before it checks in, as a
 * runtime that breaks early would (the ROS's hrt_boot_fault checks). A
 * word that does not parse prints a line and is ignored.
 */
static bool boot_fault_here(const struct hrt_core *c)
{
	static const char key[] = "boot_fault=";
	const size_t n = sizeof(key) - 1;

	for (const char *p = c->setup.cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, n)) {
			const char *q = p + n;
			long version = parse_num(&q), core = -1;

			if (*q == ':') {
				q++;
				core = parse_num(&q);
			}
			if (version >= 0 && core >= 0 && (*q == ' ' || !*q))
				return version == HRT_VERSION &&
				       core == (long)c->index;
			if (c->index == 0)
				hrt_log("boot_fault: want <version>:<core>; ignored");
			return false;
		}
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

/* Cores the info tag gives the HRT: its APICs run from the first HRT one
 * to the last; 0 when it does not say. */
static unsigned tag_cores(const struct hrt_setup *s)
{
	if (!s->have_info || s->info.total_num_apics <= s->info.first_hrt_apic_id)
		return 0;
	return s->info.total_num_apics - s->info.first_hrt_apic_id;
}

static void core0_start(struct hrt_core *c)
{
	const struct hrt_setup *s = &c->setup;
	unsigned want = tag_cores(s), got;
	uint64_t per_ms = hrt_khz(s);
	uint64_t t0 = rdtsc();
	long r;

	/* All cores enter together; give the others a moment to check in. */
	for (;;) {
		got = __atomic_load_n(&checked_in, __ATOMIC_ACQUIRE);
		if ((want && got >= want) ||
		    rdtsc() - t0 > CHECKIN_WAIT_MS * per_ms)
			break;
		cpu_relax();
	}
	/* Only "started" when all is well: these lines share the serial
	 * port with the ROS's. */
	if (want && got != want)
		hrt_log("%u of the %u cores of the info tag (%u APICs, HRT from APIC %u) "
			"checked in",
			got, want, s->info.total_num_apics,
			s->info.first_hrt_apic_id);
	if (!s->tsc_khz)
		hrt_log("no TSC rate in the HRT info tag: function 5 assumes 1 GHz");
	/* At once, before the ROS prints much: the HRT's lines and the
	 * ROS's share the serial port, and one could cut the other. */
	hrt_log("started v%d on %u cores", HRT_VERSION, want ? want : got);

	r = hrt_downcall(c, TANDEM_HVM_NULL, 0, 0);
	if (r != 0)
		hrt_log("null downcall returned %ld", r);
	hrt_gdt_register(c);
	hrt_selftest_report(c, got);
	hrt_pit_calibrate(s);
	hrt_pm_timer_check(s);
}

void hrt_main(uint32_t magic, uint64_t mbi, uint64_t vcpu, uint64_t index)
{
	struct hrt_core *c;
	const char *why;

	if (index >= HRT_MAX_CORES) {
		hrt_log("core index %lu (vCPU %lu) is beyond the %u this HRT serves; "
			"stopping it",
			index, vcpu, HRT_MAX_CORES);
		hrt_stop();
	}
	c = &hrt_cores[index];
	c->index = (unsigned)index;
	c->vcpu = vcpu;
	c->amd = cpu_is_amd();
	hrt_trap_init(c);
	why = read_setup(&c->setup, magic, mbi);
	if (why && index == 0)
		hrt_log("%s (magic 0x%x, info at 0x%lx); using the HRT tag's values",
			why, magic, mbi);
	if (boot_fault_here(c)) {
		hrt_log("core %u: boot_fault=%d:%u: faulting before check-in",
			c->index, HRT_VERSION, c->index);
		hrt_triple_fault(c);
	}
	hrt_selftest_core(c);
	__atomic_add_fetch(&checked_in, 1, __ATOMIC_RELEASE);

	if (index == 0) {
		__atomic_store_n(&hrt_boot_id, rdtsc() | 1, __ATOMIC_RELEASE);
		core0_start(c);
	}
	/* sti's one-instruction shadow: no upcall slips in before hlt, so
	 * one that sets up synchronous mode is seen at the next turn. */
	c->ready = true;
	for (;;) {
		__asm__ volatile("cli" ::: "memory");
		if (c->upcall_kept) { /* a magic upcall during the boot */
			c->upcall_kept = false;
			hrt_upcall(c);
			continue;
		}
		if (index == 0 && hrt_sync_wanted()) {
			__asm__ volatile("sti" ::: "memory");
			hrt_sync_serve(c);
			continue;
		}
		__asm__ volatile("sti\n\thlt" ::: "memory");
	}
}
