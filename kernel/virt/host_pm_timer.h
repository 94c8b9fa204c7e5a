/* The machine's ACPI PM timer, as its FADT names it, looked up once at
 * boot: the HRT gets an emulated copy of it (hvm/hrt_ports.c), every cell
 * reads the real port (Jailhouse gives cells the port without a
 * configuration entry; cell/cell_calls.c) and finds it in a Jailhouse
 * communication region (cell/jh_comm.c). */
#ifndef TANDEM_VIRT_HOST_PM_TIMER_H
#define TANDEM_VIRT_HOST_PM_TIMER_H

#include "fmt/acpi.h"

/** Port 0 (and .none saying why) until found, or on a machine without. */
extern struct acpi_pm_timer host_pm_timer;

/** Reads the FADT (once, on the boot CPU, before any guest runs) and
 * says in one line what it found. */
void host_pm_timer_init(void);

#endif
