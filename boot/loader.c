/* boot/ plays the Jailhouse loader (bootstrap seed): it reads what GRUB
 * handed over, finds the CPUs in the ACPI MADT, reserves and zeroes
 * Tandem's memory, moves the modules out of the guests' way, starts every
 * AP, fills in the image header's CPU counts and calls the header's entry
 * on every online CPU. One log line per fact a person needs. */
#include <tandem/errno.h>
#include "fmt/acpi.h"
#include "hw/apic.h"
#include "config.h"
#include "hw/console.h"
#include "lib/cpu.h"
#include "header.h"
#include "boot_info.h"
#include "hvmem.h"
#include "lib/klib.h"
#include "layout.h"
#include "hw/machine.h"
#include "fmt/mb2.h"
#include "hw/percpu.h"
#include "mm/pools.h"
#include "smp.h"
#include "hw/trap.h"
#include "virt/vcpu.h"
#include "virt/virt_caps.h"
#include "guests.h"
#include "hw/tsc.h"

#define KiB	      1024ul
#define MiB	      (1024ul * 1024)
#define MBI_COPY_SIZE (64 * 1024)

extern const char __image_start[], __core_end[];
extern const char __bss_start[], __bss_end[];

void boot_main(uint32_t magic, uint64_t mbi_phys, uint64_t load_base);

static uint8_t mbi_copy[MBI_COPY_SIZE] __attribute__((aligned(8)));
static struct mb2_info mbi;
struct boot_info boot_info = { .possible_cpus = 1 };
static struct madt_info madt;
static struct virt_caps caps;
static uint32_t cpu_apic_ids[TANDEM_MAX_CPUS];
static bool cpu_enabled[TANDEM_MAX_CPUS] = { true };

/* Legacy fallback under BIOS only: the RSDP in the EBDA or the BIOS area
 * (ACPI 5.2.5.1). Under UEFI the Multiboot2 tag is the only source. */
static const void *bios_find_rsdp(void)
{
	uint64_t ebda = (uint64_t) * (volatile uint16_t *)(DIRECT_BASE + 0x40e)
			<< 4;
	uint64_t ranges[2][2] = { { ebda, ebda + 1024 }, { 0xe0000, 0x100000 } };

	for (int r = 0; r < 2; r++) {
		if (ranges[r][0] < 0x400 || ranges[r][1] > 0x100000)
			continue;
		for (uint64_t p = ranges[r][0]; p + 20 <= ranges[r][1]; p += 16) {
			const char *v = (const char *)(DIRECT_BASE + p);

			if (!memcmp(v, "RSD PTR ", 8) && acpi_checksum_ok(v, 20))
				return v;
		}
	}
	return NULL;
}

#define MSR_APIC_BASE_	  0x1bu
#define APIC_BASE_X2APIC_ (1ull << 10)

/* The ACPI root: the loader's copy, or under BIOS the firmware's own. */
static const void *rsdp;
static size_t rsdp_len;

static void find_rsdp(void)
{
	rsdp = mbi.rsdp;
	rsdp_len = mbi.rsdp_len;
	if (!rsdp && mbi.firmware == MB2_FW_BIOS) {
		rsdp = bios_find_rsdp();
		rsdp_len = 36;
	}
}

/* An IOMMU the firmware describes (Intel VT-d: ACPI DMAR; AMD-Vi: IVRS)
 * that Tandem leaves off: devices a guest drives can DMA anywhere. */
static void report_iommu(void)
{
	static const char *const tables[][2] = { { "DMAR", "Intel VT-d" },
						 { "IVRS", "AMD-Vi" } };
	struct acpi_table t;

	for (size_t i = 0; rsdp && i < 2; i++)
		if (!acpi_find_table(rsdp, rsdp_len, tables[i][0],
				     boot_acpi_map, NULL, &t, NULL))
			virt_caps_report("IOMMU present (%s, ACPI %s) but not used: guests' devices can DMA into any memory, Tandem's included",
					 tables[i][1], tables[i][0]);
}

static void find_cpus(void)
{
	uint32_t bsp = apic_id();
	unsigned int n = 1;

	cpu_apic_ids[0] = bsp;
	find_rsdp();
	if (!rsdp) {
		pr_err("acpi: no ACPI tables (no RSDP from the loader); continuing with the boot CPU only");
		return;
	}
	if (acpi_parse_madt(rsdp, rsdp_len, boot_acpi_map, NULL, &madt)) {
		pr_err("acpi: %s; continuing with the boot CPU only", madt.why);
		return;
	}
	if (madt.warning)
		pr_warn("acpi: %s", madt.warning);
	pr_info("acpi: MADT via %s: %zu CPUs listed, %zu enabled, local APIC at 0x%lx, %zu I/O APICs",
		madt.used_xsdt ? "XSDT" : "RSDT", madt.ncpus_listed,
		madt.ncpus_enabled, madt.lapic_addr, madt.nioapics);

	bool x2apic = rdmsr(MSR_APIC_BASE_) & APIC_BASE_X2APIC_;
	unsigned int left_out;

	n = madt_pick_cpus(&madt, bsp, x2apic, TANDEM_MAX_CPUS, cpu_apic_ids,
			   cpu_enabled, &left_out);
	if (left_out)
		pr_warn("acpi: %u CPUs left out (Tandem runs on at most %u, APIC IDs up to 254 in xAPIC mode); they stay halted",
			left_out, TANDEM_MAX_CPUS);
	boot_info.possible_cpus = n;
}

static unsigned int count_enabled(void)
{
	unsigned int n = 0;

	for (unsigned int cpu = 0; cpu < boot_info.possible_cpus; cpu++)
		n += cpu_enabled[cpu];
	return n;
}

static void log_memory(void)
{
	const struct hv_memory *hv = &hv_memory;
	uint64_t ram = memmap_total(boot_memmap, boot_memmap_count,
				    MEMMAP_AVAILABLE);

	pr_info("memory: %lu MiB RAM in a map of %u ranges", ram / MiB,
		boot_memmap_count);
	pr_info("memory: Tandem reserved %lu KiB: image %lu KiB at 0x%lx, hypervisor memory %lu KiB at 0x%lx (per-CPU %lu KiB, modules %lu KiB, pool %lu KiB)",
		(hv->image_size + hv->size) / KiB, hv->image_size / KiB,
		hv->image_base, hv->size / KiB, hv->base, hv->percpu_size / KiB,
		hv->modules_size / KiB, hv->pool_size / KiB);
}

/* A linear RGB framebuffer (UEFI GOP, VBE): drawn through the direct map,
 * which covers the low 4 GiB only. */
static void setup_fb_console(void)
{
	const struct mb2_framebuffer *f = &mbi.fb;
	struct fb_desc fb = { f->pitch,	    f->width,	   f->height,
			      f->bpp,	    f->red_pos,	   f->red_size,
			      f->green_pos, f->green_size, f->blue_pos,
			      f->blue_size };
	uint64_t end = f->addr + (uint64_t)f->pitch * f->height;

	if (end > (1ull << 32) || end < f->addr) {
		pr_warn("screen: framebuffer at 0x%lx is above 4 GiB; not drawn on",
			f->addr);
		return;
	}
	if (!console_fb_init((volatile uint8_t *)(DIRECT_BASE + f->addr), &fb))
		pr_warn("screen: %ux%u framebuffer with %u-bit pixels cannot be drawn on",
			f->width, f->height, f->bpp);
	else
		pr_info("screen: %ux%u framebuffer, %u-bit pixels, at 0x%lx",
			f->width, f->height, f->bpp, f->addr);
}

static void setup_console(void)
{
	static const uint16_t ports[] = { COM1_PORT, COM2_PORT, 0, 0 };

	console_set_level((enum log_level)config.loglevel);
	if (config.console != CONSOLE_COM1)
		console_serial_init(ports[config.console]);
	if (mbi.has_framebuffer && mbi.fb.type == MB2_FB_EGA_TEXT)
		console_vga_init((volatile uint16_t *)(DIRECT_BASE + mbi.fb.addr));
	else if (!mbi.has_framebuffer && mbi.firmware == MB2_FW_BIOS)
		console_vga_init((volatile uint16_t *)(DIRECT_BASE + 0xb8000));
	else if (mbi.has_framebuffer && mbi.fb.type == MB2_FB_RGB)
		setup_fb_console();
}

static int read_boot_info(uint64_t mbi_phys, uint64_t *mbi_size)
{
	const uint8_t *src = (const uint8_t *)(DIRECT_BASE + mbi_phys);
	uint32_t total = *(const volatile uint32_t *)src;
	struct memmap_entry raw[MB2_MAX_MMAP];
	int n;

	if (total > sizeof(mbi_copy)) {
		pr_err("boot information is %u bytes, more than the %u Tandem accepts; halting",
		       total, MBI_COPY_SIZE);
		return -TANDEM_E2BIG;
	}
	/* Copied once, then parsed: GRUB's copy may be overwritten later. */
	memcpy(mbi_copy, src, total < 8 ? 8 : total);
	*mbi_size = total;
	if (mb2_parse(mbi_copy, sizeof(mbi_copy), &mbi)) {
		pr_err("bad Multiboot2 boot information: %s; halting", mbi.why);
		return -TANDEM_EINVAL;
	}
	if (!mbi.has_mmap) {
		pr_err("no memory map from the boot loader; halting");
		return -TANDEM_EINVAL;
	}
	for (size_t i = 0; i < mbi.mmap_count; i++)
		raw[i] = (struct memmap_entry){ mbi.mmap[i].base,
						mbi.mmap[i].length,
						mbi.mmap[i].type };
	n = memmap_sanitize(raw, mbi.mmap_count, boot_memmap, MAX_MEMMAP);
	if (n <= 0) {
		pr_err("memory map unusable (%d); halting", n);
		return -TANDEM_EINVAL;
	}
	boot_memmap_count = n;
	return 0;
}

static void log_boot_info(void)
{
	pr_info("Tandem hypervisor, %s firmware, loaded by %.*s",
		mbi.firmware == MB2_FW_UEFI ? "UEFI" : "BIOS",
		(int)mbi.loader_name_len,
		mbi.loader_name ? mbi.loader_name : "?");
	if (mbi.warning)
		pr_warn("boot information: %s", mbi.warning);
	if (!mbi.nmodules)
		pr_info("modules: none");
	for (size_t i = 0; i < mbi.nmodules; i++)
		pr_info("module %zu: '%s' %u KiB at 0x%x", i,
			mbi.modules[i].string,
			(mbi.modules[i].end - mbi.modules[i].start) / 1024,
			mbi.modules[i].start);
}

static void __attribute__((noreturn)) boot_on_cpu_stack(void);

/* A clean stop after a line that named the cause. */
static void __attribute__((noreturn)) boot_halt(void)
{
	pr_err("halted");
	if (config.exit_when_done)
		machine_exit_emulator(1);
	cpu_halt_forever();
}

/* The kernel's one view of what boot/ found (kernel/boot_info.h); the CPU
 * counts are filled in by find_cpus() and once the APs answered. */
static void fill_boot_info(void)
{
	struct boot_info *bi = &boot_info;

	bi->memmap = boot_memmap;
	bi->memmap_count = boot_memmap_count;
	bi->image_base = hv_memory.image_base;
	bi->image_size = hv_memory.image_size;
	bi->hv_base = hv_memory.base;
	bi->hv_size = hv_memory.size;
	bi->modules = hv_memory.modules;
	bi->nmodules = hv_memory.nmodules;
	bi->rsdp = mbi.rsdp;
	bi->rsdp_len = mbi.rsdp_len;
	bi->rsdp_is_new = mbi.rsdp_is_new;
	bi->acpi_map = boot_acpi_map;
	bi->has_framebuffer = mbi.has_framebuffer;
	bi->fb = mbi.fb;
	bi->uefi = mbi.firmware == MB2_FW_UEFI;
}

void boot_main(uint32_t magic, uint64_t mbi_phys, uint64_t load_base)
{
	uint64_t mbi_size;
	int err;

	console_serial_init(COM1_PORT);
	idt_init();
	idt_load();
	if (magic != MB2_BOOTLOADER_MAGIC) {
		pr_err("not started by a Multiboot2 loader (EAX=0x%x); halting",
		       magic);
		cpu_halt_forever();
	}
	if (read_boot_info(mbi_phys, &mbi_size))
		cpu_halt_forever();
	config_parse(mbi.cmdline ? mbi.cmdline : "", mbi.cmdline_len);
	setup_console();
	log_boot_info();

	hv_memory.image_base = load_base;
	hv_memory.image_size = __core_end - __image_start;

	cpu_relax_is_barrier = cpuid(1, 0).ecx & (1u << 31);
	vcpu_ops = vcpu_ops_select(&caps);
	apic_init();
	if (config.x2apic && !apic_is_x2apic()) {
		if (apic_switch_x2apic())
			pr_info("apic: switched to x2APIC mode (x2apic option)");
		else
			pr_warn("apic: x2apic option ignored: no x2APIC or the APIC is disabled");
	}
	pr_info("apic: %s mode", apic_is_x2apic() ? "x2APIC" : "xAPIC");
	virt_caps_report_common();
	tsc_calibrate();
	apic_timer_calibrate();
	pr_info("tsc: %lu kHz; apic timer: %u kHz", tsc_khz, apic_timer_khz);
	find_cpus();
	report_iommu();
	virt_caps_report_end();

	err = hv_memory_reserve(&mbi, mbi_phys, mbi_size,
				boot_info.possible_cpus, config.hv_mem);
	if (err) {
		pr_err("out of memory: no free %lu MiB below 4 GiB for hypervisor memory; halting",
		       (boot_info.possible_cpus * PER_CPU_SIZE + config.hv_mem) /
			       MiB);
		boot_halt();
	}
	log_memory();
	fill_boot_info();
	if (pools_init(hv_memory.pool_base, hv_memory.pool_size)) {
		pr_err("out of memory: hypervisor memory pool of %lu KiB is too small; halting",
		       hv_memory.pool_size / KiB);
		boot_halt();
	}

	per_cpu_set_base((struct per_cpu *)(DIRECT_BASE + hv_memory.percpu_base));
	for (unsigned int cpu = 0; cpu < boot_info.possible_cpus; cpu++)
		per_cpu_setup(per_cpu(cpu), cpu, cpu_apic_ids[cpu]);

	/* Continue on the boot CPU's own per-CPU stack, so this_cpu() works. */
	asm volatile("mov %0, %%rsp; jmp *%1"
		     :
		     : "r"((uint64_t)per_cpu(0)->stack + PER_CPU_STACK_SIZE),
		       "r"(boot_on_cpu_stack)
		     : "memory");
	__builtin_unreachable();
}

static void report_entry(unsigned int online)
{
	int result = per_cpu(0)->entry_result;
	bool same = true;

	for (unsigned int cpu = 1; cpu < boot_info.possible_cpus; cpu++)
		if (per_cpu(cpu)->online && per_cpu(cpu)->entry_result != result)
			same = false;
	if (!same)
		pr_err("entry: CPUs returned different codes (bootstrap seed violated)");
	else if (result)
		pr_err("entry: failed with %d on all %u CPUs", result, online);
	else
		pr_info("entry: returned 0 on all %u CPUs", online);
}

static void boot_on_cpu_stack(void)
{
	struct per_cpu *bsp = this_cpu();
	tandem_entry_fn entry = (tandem_entry_fn)tandem_header.entry;
	unsigned int online = 1, expected = count_enabled();
	uint64_t tramp;

	per_cpu_load_tables(bsp);
	bsp->started = bsp->online = 1;

	if (boot_info.possible_cpus > 1) {
		tramp = hv_find_trampoline_page();
		if (!tramp)
			pr_err("smp: no free page below 640 KiB for the AP trampoline; continuing with the boot CPU only");
		else
			online += smp_start_aps(tramp, boot_info.possible_cpus,
						cpu_enabled);
		if (tramp)
			pr_info("smp: %u of %u CPUs answered; trampoline page 0x%lx given back",
				online, expected, tramp);
	}

	boot_info.online_cpus = online;
	tandem_header.possible_cpus = boot_info.possible_cpus;
	tandem_header.online_cpus = online;
	smp_release();
	bsp->entry_result = entry(0);
	bsp->entry_done = 1;
	smp_wait_entry_done(boot_info.possible_cpus);
	report_entry(online);

	pr_info("cpus: %u online of %u possible", online,
		boot_info.possible_cpus);
	pr_info("pools: mem %zu pages (%zu used), remap %zu pages (%zu used)",
		mem_pool.pages, mem_pool.used, remap_pool.pages, remap_pool.used);
	if (!bsp->entry_result)
		guests_start_bsp();
	pr_info("done: no guest running; all CPUs idle");
	if (config.exit_when_done)
		machine_exit_emulator(0);
	cpu_halt_forever();
}
