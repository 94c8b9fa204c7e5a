/* The machine's ACPI PM timer (see host_pm_timer.h). */
#include "boot_info.h"
#include "hw/console.h"
#include "virt/host_pm_timer.h"

struct acpi_pm_timer host_pm_timer;

void host_pm_timer_init(void)
{
	struct acpi_table fadt;
	const char *why = NULL;

	if (!boot_info.rsdp) {
		host_pm_timer.none = "no ACPI tables";
	} else if (acpi_find_table(boot_info.rsdp, boot_info.rsdp_len, "FACP",
				   boot_info.acpi_map, NULL, &fadt, &why) ||
		   acpi_fadt_pm_timer(fadt.ptr, fadt.len, &host_pm_timer, &why)) {
		host_pm_timer.port = 0;
		pr_warn("pm timer: none: the FADT: %s", why);
		return;
	}
	if (!host_pm_timer.port)
		pr_info("pm timer: none: %s", host_pm_timer.none);
	else
		pr_info("pm timer: port 0x%x (%u-bit)", host_pm_timer.port,
			host_pm_timer.ext32 ? 32 : 24);
}
