/* The ACPI PM timer made from the TSC (see pm_timer_emul.h). */
#include "virt/pm_timer_emul.h"
#include "fmt/acpi.h"

uint32_t pm_timer_count(uint64_t tsc, uint64_t tsc_hz, bool ext32)
{
	/* Whole seconds and the rest apart: no 64-bit overflow for any TSC
	 * below 2^64 at rates up to 5 THz, and a count that only grows. */
	uint64_t t = tsc / tsc_hz * ACPI_PM_TIMER_HZ +
		     tsc % tsc_hz * ACPI_PM_TIMER_HZ / tsc_hz;

	return (uint32_t)(ext32 ? t : t & 0xffffff);
}
