/*
 * Host tool, run at build time: writes the Jailhouse-format cell
 * description (configuration revision 14, guest-abi/include/tandem/
 * jailhouse.h) of a test inmate of cells/jh/.
 *
 * usage: jhcellgen NAME CPUS OUT.cell
 *
 * The layout is cells/jh/jh_test.h's: 1 MiB of LOADABLE RAM at cell 0, the
 * communication region at 0x100000, the results page (ROOTSHARED) at
 * 0x101000, the UART ports of COM2 and the console descriptor naming them.
 * Physical addresses are relative to the cells' memory and the CPU bitmap
 * has the low CPUS bits: the ROS puts in its own before Cell Create
 * (ros/checks_jh_cells.c), as a root writes a configuration for its
 * machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tandem/jailhouse.h>

#include "jh_test.h"

#define NUM_MEM 3
#define NUM_PIO 1

struct jh_file {
	struct jh_cell_desc desc;
	uint64_t cpus;
	struct jh_memory mem[NUM_MEM];
	struct jh_pio pio[NUM_PIO];
} __attribute__((packed));

int main(int argc, char **argv)
{
	struct jh_file f;
	unsigned long ncpus;
	FILE *out;

	if (argc != 4 || strlen(argv[1]) >= JH_CELL_NAME_LEN) {
		fprintf(stderr, "usage: jhcellgen NAME CPUS OUT.cell\n");
		return 2;
	}
	ncpus = strtoul(argv[2], NULL, 0);
	if (ncpus < 1 || ncpus > JHT_MAX_CPUS) {
		fprintf(stderr, "jhcellgen: CPUS must be 1-%u\n", JHT_MAX_CPUS);
		return 2;
	}
	memset(&f, 0, sizeof(f));
	memcpy(f.desc.signature, JH_CELL_SIGNATURE, 5);
	f.desc.architecture = JH_ARCH_X86;
	f.desc.revision = JH_CONFIG_REVISION;
	strcpy(f.desc.name, argv[1]);
	f.desc.cpu_set_size = sizeof(f.cpus);
	f.desc.num_memory_regions = NUM_MEM;
	f.desc.num_pio_regions = NUM_PIO;
	f.desc.cpu_reset_address = 0;
	f.desc.msg_reply_timeout = JHT_REPLY_TIMEOUT;
	f.desc.console = (struct jh_console){
		.address = JHT_UART_PORT,
		.size = JHT_UART_PORTS,
		.type = JH_CON_TYPE_8250,
		.flags = 0, /* port I/O, registers 1 apart */
		.divider = 1,
	};
	f.cpus = (1ull << ncpus) - 1;
	f.mem[0] = (struct jh_memory){
		.phys_start = 0,
		.virt_start = 0,
		.size = JHT_RAM_SIZE,
		.flags = JH_MEM_READ | JH_MEM_WRITE | JH_MEM_EXECUTE |
			 JH_MEM_LOADABLE,
	};
	f.mem[1] = (struct jh_memory){
		.phys_start = 0,
		.virt_start = JHT_COMM_ADDR,
		.size = 0x1000,
		.flags = JH_MEM_READ | JH_MEM_WRITE | JH_MEM_COMM_REGION,
	};
	f.mem[2] = (struct jh_memory){
		.phys_start = JHT_RAM_SIZE,
		.virt_start = JHT_RESULTS_ADDR,
		.size = JHT_RESULTS_SIZE,
		.flags = JH_MEM_READ | JH_MEM_WRITE | JH_MEM_ROOTSHARED,
	};
	f.pio[0] = (struct jh_pio){ JHT_UART_PORT, JHT_UART_PORTS };

	out = fopen(argv[3], "wb");
	if (!out || fwrite(&f, sizeof(f), 1, out) != 1 || fclose(out) != 0) {
		perror(argv[3]);
		return 1;
	}
	return 0;
}
