/* The option table behind struct tandem_config. */
#include "config.h"
#include "hw/console.h"
#include "fmt/options.h"

#define MiB (1024ull * 1024)

struct tandem_config config = {
	.loglevel = LOG_INFO,
	.console = CONSOLE_COM1,
	.hv_mem = 32 * MiB,
	.hrt_mem = 32 * MiB,
};

static const char *const console_names[] = { "com1", "com2", "none", "fb", NULL };

static const struct option_desc options[] = {
	{ "loglevel", OPT_UINT, &config.loglevel, NULL, 0, 3,
	  "0 errors, 1 warnings, 2 info (default), 3 debug" },
	{ "console", OPT_ENUM, &config.console, console_names, 0, 0,
	  "serial port for Tandem's log; fb: the screen only" },
	{ "hv_mem", OPT_SIZE, &config.hv_mem, NULL, 4 * MiB, 1024 * MiB,
	  "hypervisor memory pool size" },
	{ "hrt_cpus", OPT_UINT, &config.hrt_cpus, NULL, 1, 63,
	  "CPUs for the HRT (default 2 with 3 or more CPUs, else 1)" },
	{ "hrt_mem", OPT_SIZE, &config.hrt_mem, NULL, 8 * MiB, 4096 * MiB,
	  "the HRT's exclusive memory (default 32M)" },
	{ "exit_when_done", OPT_BOOL, &config.exit_when_done, NULL, 0, 0,
	  "end the emulator once boot is complete (tests)" },
	{ "x2apic", OPT_BOOL, &config.x2apic, NULL, 0, 0,
	  "switch the local APICs to x2APIC mode at boot, as firmware may (tests)" },
};

static void report(void *ctx, const char *word, size_t len, const char *why)
{
	(void)ctx;
	pr_warn("option '%.*s' ignored: %s", (int)len, word, why);
}

void config_parse(const char *cmdline, size_t len)
{
	options_parse(cmdline, len, options,
		      sizeof(options) / sizeof(options[0]), report, NULL);
}
