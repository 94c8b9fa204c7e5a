/* Tandem's command-line options (multiboot2 /boot/tandem.elf <options>).
 * Unknown or malformed words are named in one log line and ignored. */
#ifndef TANDEM_CONFIG_H
#define TANDEM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum console_choice { CONSOLE_COM1, CONSOLE_COM2, CONSOLE_NONE, CONSOLE_FB };

struct tandem_config {
	uint64_t loglevel;    /* loglevel=0..3 (err, warn, info, debug) */
	unsigned int console; /* console=com1|com2|none|fb */
	uint64_t hv_mem;      /* hv_mem=SIZE: hypervisor memory pool */
	uint64_t hrt_cpus;    /* hrt_cpus=N: CPUs for the HRT (0: default) */
	uint64_t hrt_mem;     /* hrt_mem=SIZE: the HRT's exclusive memory */
	bool exit_when_done;  /* exit_when_done: end the emulator (tests) */
	bool x2apic; /* x2apic: switch the APIC to x2APIC mode (tests) */
};

extern struct tandem_config config;

/** Parses @cmdline into `config` (defaults kept for anything bad). */
void config_parse(const char *cmdline, size_t len);

#endif
