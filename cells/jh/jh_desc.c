/* The test inmates' cell descriptions (cells/jh/jh_desc.h). */
#include <string.h>

#include "jh_desc.h"

int jh_desc_build(struct jh_desc_file *f, const char *name, unsigned ncpus)
{
	if (!name || strlen(name) >= JH_CELL_NAME_LEN || ncpus < 1 ||
	    ncpus > JHT_MAX_CPUS)
		return -1;
	memset(f, 0, sizeof(*f));
	memcpy(f->desc.signature, JH_CELL_SIGNATURE, 5);
	f->desc.architecture = JH_ARCH_X86;
	f->desc.revision = JH_CONFIG_REVISION;
	memcpy(f->desc.name, name, strlen(name));
	/* Debug Console Putc allowed (Jailhouse refuses it otherwise). */
	f->desc.flags = JH_CELL_VIRTUAL_CONSOLE_PERMITTED;
	f->desc.cpu_set_size = sizeof(f->cpus);
	f->desc.num_memory_regions = JH_DESC_MEM;
	f->desc.num_pio_regions = JH_DESC_PIO;
	f->desc.cpu_reset_address = 0;
	f->desc.msg_reply_timeout = JHT_REPLY_TIMEOUT;
	f->desc.console = (struct jh_console){
		.address = JHT_UART_PORT,
		.size = JHT_UART_PORTS,
		.type = JH_CON_TYPE_8250,
		.flags = 0, /* port I/O, registers 1 apart */
		.divider = 1,
	};
	f->cpus = (1ull << ncpus) - 1;
	f->mem[0] = (struct jh_memory){
		.phys_start = 0,
		.virt_start = 0,
		.size = JHT_RAM_SIZE,
		.flags = JH_MEM_READ | JH_MEM_WRITE | JH_MEM_EXECUTE |
			 JH_MEM_LOADABLE,
	};
	/* No backing of its own: Tandem maps the cell's comm page there. */
	f->mem[1] = (struct jh_memory){
		.phys_start = 0,
		.virt_start = JHT_COMM_ADDR,
		.size = 0x1000,
		.flags = JH_MEM_READ | JH_MEM_WRITE | JH_MEM_COMM_REGION,
	};
	f->mem[2] = (struct jh_memory){
		.phys_start = JHT_RAM_SIZE,
		.virt_start = JHT_RESULTS_ADDR,
		.size = JHT_RESULTS_SIZE,
		.flags = JH_MEM_READ | JH_MEM_WRITE | JH_MEM_ROOTSHARED,
	};
	f->pio[0] = (struct jh_pio){ JHT_UART_PORT, JHT_UART_PORTS };
	return 0;
}
