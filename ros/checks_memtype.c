/* Memory types in the ROS's guest-physical map (Get Info type
 * TANDEM_INFO_MEM_TYPE, ABI.md 4.5): with EPT each leaf carries the type
 * the host MTRRs give its range, so device memory is uncacheable for the
 * guest as it is natively; with NPT the host MTRRs combine with WB leaves
 * and the answer is the same. The firmware of every test platform makes
 * the legacy VGA window (fixed ranges) and the top of the 32-bit PCI hole
 * (a variable range, or the UC default) UC and low RAM WB. */
#include "suite.h"

#define LAPIC_BASE  0xfee00000ul
#define IOAPIC_BASE 0xfec00000ul
#define VGA_WINDOW  0xa0000ul

static const char *const mt_names[8] = { "UC", "WC", "2?", "3?",
					 "WT", "WP", "WB", "7?" };

static long mem_type(const struct suite *s, uint64_t gpa)
{
	if (s->native_via == VIA_VMMCALL)
		return tandem_vmmcall(TANDEM_HC_HYPERVISOR_GET_INFO,
				      TANDEM_INFO_MEM_TYPE, gpa, 0, 0, 0, 0);
	return tandem_vmcall(TANDEM_HC_HYPERVISOR_GET_INFO,
			     TANDEM_INFO_MEM_TYPE, gpa, 0, 0, 0, 0);
}

static const char *mt_str(long t, char *buf, size_t size)
{
	if (t >= 0 && t < 8)
		return mt_names[t];
	ksnprintf(buf, size, "%ld", t);
	return buf;
}

void checks_memtype(struct suite *s)
{
	long ram = mem_type(s, (uint64_t)(uintptr_t)s->page);
	long vga = mem_type(s, VGA_WINDOW);
	long ioapic = mem_type(s, IOAPIC_BASE);
	long lapic = mem_type(s, LAPIC_BASE);
	long hole = mem_type(s, 0xfff00000ul); /* the BIOS ROM's alias */
	long own = s->mem_ok ? mem_type(s, s->tandem_mem[1].base) : 0;
	char b[5][24];

	ros_log("memtype (%s): RAM %s, VGA window %s, IOAPIC %s, local APIC "
		"%s, 0xfff00000 %s",
		s->native_via == VIA_VMMCALL ? "NPT leaf with host MTRRs" :
					       "EPT leaf",
		mt_str(ram, b[0], 24), mt_str(vga, b[1], 24),
		mt_str(ioapic, b[2], 24), mt_str(lapic, b[3], 24),
		mt_str(hole, b[4], 24));
	check(ram == TANDEM_MT_WB, "memtype: own RAM write-back",
	      "RAM at %p: %ld", (void *)s->page, ram);
	check(vga == TANDEM_MT_UC && ioapic == TANDEM_MT_UC,
	      "memtype: VGA window and IOAPIC uncacheable",
	      "VGA window %ld, IOAPIC %ld", vga, ioapic);
	/* The local APIC page is not mapped at all: every access traps. */
	check(lapic == -TANDEM_ENOENT || lapic == TANDEM_MT_UC,
	      "memtype: local APIC trapped or uncacheable", "%ld", lapic);
	check(s->mem_ok && own == -TANDEM_ENOENT,
	      "memtype: Tandem memory not mapped", "%ld (%s)", own,
	      s->mem_ok ? "hypervisor memory" : s->mem_why);
}
