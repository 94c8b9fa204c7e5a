/*
 * Host tool, run at build time: writes the Jailhouse-format cell
 * description (configuration revision 14, guest-abi/include/tandem/
 * jailhouse.h) of a test inmate of cells/jh/ (cells/jh/jh_desc.c).
 *
 * usage: jhcellgen NAME CPUS OUT.cell
 *
 * Physical addresses are relative to the cells' memory and the CPU bitmap
 * has the low CPUS bits: the ROS puts in its own before Cell Create
 * (ros/checks_jh_cells.c), as a root writes a configuration for its
 * machine.
 */
#include <stdio.h>
#include <stdlib.h>

#include "jh_desc.h"

int main(int argc, char **argv)
{
	struct jh_desc_file f;
	FILE *out;

	if (argc != 4 ||
	    jh_desc_build(&f, argv[1], (unsigned)strtoul(argv[2], NULL, 0))) {
		fprintf(stderr,
			"usage: jhcellgen NAME CPUS OUT.cell (NAME below %u characters, CPUS 1-%u)\n",
			JH_CELL_NAME_LEN, JHT_MAX_CPUS);
		return 2;
	}
	out = fopen(argv[3], "wb");
	if (!out || fwrite(&f, sizeof(f), 1, out) != 1 || fclose(out) != 0) {
		perror(argv[3]);
		return 1;
	}
	return 0;
}
