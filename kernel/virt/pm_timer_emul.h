/* The ACPI PM timer of a partition that does not own the machine's (the
 * HRT): the count a dword IN from the FADT's PM_TMR_BLK reads, made from
 * the TSC. Pure C, host-tested in tests/test_pm_timer.c.
 *
 * The count is the TSC's ticks since TSC 0 converted to ACPI_PM_TIMER_HZ
 * (fmt/acpi.h), so every core that reads it sees one timer that never
 * goes back, as on a machine whose TSCs are synchronised; it wraps at 24
 * bits, or at 32 with the FADT's TMR_VAL_EXT (ACPI 6.5 section 4.8.3.3:
 * bits 24-31 of a 24-bit timer read 0). */
#ifndef TANDEM_VIRT_PM_TIMER_EMUL_H
#define TANDEM_VIRT_PM_TIMER_EMUL_H

#include <stdbool.h>
#include <stdint.h>

/** The timer's value at TSC @tsc, the TSC counting @tsc_hz (> 0). */
uint32_t pm_timer_count(uint64_t tsc, uint64_t tsc_hz, bool ext32);

#endif
