/* Per-CPU areas: each CPU's own GDT (with its TSS) and stacks. */
#include "lib/klib.h"
#include "hw/percpu.h"

extern const uint64_t boot_gdt[4];

static struct per_cpu *per_cpu_base;

void per_cpu_set_base(struct per_cpu *base)
{
	per_cpu_base = base;
}

struct per_cpu *per_cpu(unsigned int cpu)
{
	return &per_cpu_base[cpu];
}

void per_cpu_setup(struct per_cpu *pc, unsigned int cpu_id, uint32_t apic_id)
{
	uint64_t tss = (uint64_t)&pc->tss;

	pc->cpu_id = cpu_id;
	pc->apic_id = apic_id;
	memcpy(pc->gdt, boot_gdt, sizeof(boot_gdt));
	/* 64-bit TSS descriptor, type 9 available (SDM Vol. 3A 8.2.3). */
	pc->gdt[GDT_TSS / 8] = (sizeof(pc->tss) - 1) | ((tss & 0xffffff) << 16) |
			       (0x89ull << 40) | (((tss >> 24) & 0xff) << 56);
	pc->gdt[GDT_TSS / 8 + 1] = tss >> 32;
	pc->tss.ist[TSS_IST_FAULT - 1] = (uint64_t)pc->fault_stack +
					 sizeof(pc->fault_stack);
	pc->tss.iomap_base = sizeof(pc->tss);
}

void per_cpu_load_tables(struct per_cpu *pc)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} gdtr = { sizeof(pc->gdt) - 1, (uint64_t)pc->gdt };

	asm volatile("lgdt %0" : : "m"(gdtr));
	asm volatile("ltr %w0" : : "r"((uint16_t)GDT_TSS));
	idt_load();
}
