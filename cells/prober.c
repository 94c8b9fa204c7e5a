/*
 * prober: issues the root-only hypercalls from inside a non-root cell and
 * prints what Tandem answered, one line, then shuts down:
 *
 *   prober: create=-1 start=-1 destroy=-1 getstate=-1 disable=-1 cpu0=-1 cpuself=0 cells=2 unknown=-38
 *
 * create/start/destroy/getstate/disable: -EPERM (-1), the seed's answer to
 * a non-root caller (start/destroy/getstate name the prober itself,
 * create passes address 0); cpu0: CPU Get State of CPU 0, the root's, -EPERM;
 * cpuself: CPU Get State of its own CPU (written into the image header
 * by the ROS), 0 running; cells: Get Info type 4, allowed from any cell
 * (2: the root and the prober); unknown: code 10, -ENOSYS (-38).
 */
#include "cell_lib.h"

const char cell_name[] = "prober";

static void field(const char *name, long v)
{
	cell_putc(' ');
	cell_puts(name);
	cell_putc('=');
	cell_put_dec(v);
}

void cell_main(void)
{
	/* Harmless calls first: should Tandem wrongly obey start or destroy,
	 * the cell is reset or gone and prints nothing. */
	long getstate = tandem_cell_get_state(cell_id);
	long cpu0 = tandem_cpu_get_state(0);
	long cpuself = tandem_cpu_get_state(cell_image_info.cpu);
	long cells = tandem_get_info(TANDEM_INFO_NUM_CELLS);
	long unknown = tandem_hypercall(10, 0, 0, 0, 0, 0, 0);
	long create = tandem_cell_create(0);
	long disable = tandem_disable();
	long start = tandem_cell_start(cell_id);
	long destroy = tandem_cell_destroy(cell_id);

	cell_puts("prober:");
	field("create", create);
	field("start", start);
	field("destroy", destroy);
	field("getstate", getstate);
	field("disable", disable);
	field("cpu0", cpu0);
	field("cpuself", cpuself);
	field("cells", cells);
	field("unknown", unknown);
	cell_putc('\n');
	cell_shut_down();
}
