/* ROS start: console, descriptor tables, boot information, CPUs, then the
 * native check or the suite, then the end of the run. */
#include "acpi.h"
#include "bench.h"
#include "bootinfo.h"
#include "smp.h"
#include "suite.h"
#include "trap.h"

void ros_main(uint32_t magic, uint64_t mbi);

static struct ros_boot boot;
static struct ros_madt madt;

static void log_memory_map(void)
{
	for (size_t i = 0; i < boot.nmem; i++)
		ros_log("mem: 0x%016lx-0x%016lx type %u", boot.mem[i].base,
			boot.mem[i].base + boot.mem[i].len, boot.mem[i].type);
}

void ros_main(uint32_t magic, uint64_t mbi)
{
	struct tandem_id id;
	const char *err;
	bool detected, force;

	ros_console_init();
	ros_log("started");
	ros_trap_init_bsp();

	err = ros_parse_mb2(magic, mbi, &boot);
	if (err) {
		ros_log("%s (magic 0x%x, info 0x%lx); stopping", err, magic, mbi);
		ros_exit();
	}
	if (boot.warning)
		ros_log("multiboot2: %s", boot.warning);
	ros_log("cmdline: '%s'", boot.cmdline);
	ros_log("memory: %lu KiB available, %zu map entries, %zu modules",
		ros_ram_total(&boot) >> 10, boot.nmem, boot.nmods);
	if (boot.has_fb)
		ros_log("screen: %ux%u, %u-bit, type %u at 0x%lx", boot.fb_width,
			boot.fb_height, boot.fb_bpp, boot.fb_type, boot.fb_addr);
	else
		ros_log("screen: none");

	err = ros_acpi_madt(boot.rsdp, boot.rsdp_len, &madt);
	if (err)
		ros_log("acpi: %s; only this CPU is used", err);
	err = ros_smp_init(&madt);
	if (err)
		ros_log("smp: %s", err);
	ros_log("cpus: %zu", ros_smp.ncpus);

	detected = tandem_detect(&id);
	if (ros_cmdline_has(&boot, "bench"))
		ros_bench_run(&boot, &id, detected); /* instead of the suite */
	force = ros_cmdline_has(&boot, "force_suite");
	if (!detected) {
		if (id.hv_bit)
			ros_log("CPUID 1 ECX bit 31 set, leaf 0x40000000 signature '%s'",
				id.signature);
		if (!force) {
			ros_suite_native();
			ros_exit();
		}
		ros_log("no hypervisor found (native boot)");
		ros_log("force_suite: running the suite anyway (most checks fail)");
	} else {
		ros_log("tandem %u.%u found: vendor %s, direct instruction %s",
			id.version >> 16, id.version & 0xffff, id.vendor,
			id.amd ? "vmmcall" : "vmcall");
	}
	log_memory_map();
	ros_suite_run(&boot, &id, detected);
	ros_exit();
}
