/* Per-CPU data. One struct per_cpu per possible CPU, PER_CPU_SIZE bytes and
 * naturally aligned in hypervisor memory, so this_cpu() is RSP rounded down:
 * the stack lives at the top of the same area. Fields other CPUs write are
 * kept on their own cache line. */
#ifndef TANDEM_HW_PERCPU_H
#define TANDEM_HW_PERCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "layout.h"
#include "hw/trap.h"

struct vcpu;

#define TSS_IST_FAULT 1 /* #DF, NMI, #MC run on their own stack */

struct __attribute__((packed)) tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};

_Static_assert(sizeof(struct tss64) == 104, "TSS layout (SDM Vol. 3A 8.7)");

struct per_cpu {
	/* written by this CPU */
	unsigned int cpu_id; /* logical id, 0 = boot CPU */
	uint32_t apic_id;
	uint64_t gdt[8] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
	int entry_result; /* this CPU's init result (0 / -errno) */

	volatile int entry_done; /* entry_result is final */
	struct vcpu *root_vcpu;	 /* its root-cell vCPU, to go back to */

	/* written by other CPUs */
	volatile int started __attribute__((aligned(64))); /* AP answered */
	/* The vCPU this CPU runs. Written with release order by the root CPU
	 * that gives this CPU to a partition (Cell Create, HRT start), and by
	 * this CPU itself when it stops that vCPU and goes back to root_vcpu;
	 * this CPU's loop reads it with acquire and switches when it changes. */
	struct vcpu *vcpu;
	volatile int online;   /* counted in the image header */
	volatile bool waiting; /* in HLT until an NMI (virt/run_loop.c) */
	/* An NMI kick is on its way to this CPU's guest (virt/vcpu.c):
	 * cleared at each entry and when an NMI lands in Tandem instead. */
	volatile bool kick_pending;
	unsigned long nmis; /* NMIs taken in Tandem (hw/trap.c) */
	bool quiescing;	    /* apic_quiesce() lets pending ones in */

	uint8_t fault_stack[4096] __attribute__((aligned(16)));
	uint8_t stack[PER_CPU_STACK_SIZE] __attribute__((aligned(4096)));
} __attribute__((aligned(PER_CPU_SIZE)));

_Static_assert(sizeof(struct per_cpu) == PER_CPU_SIZE,
	       "struct per_cpu must fill PER_CPU_SIZE exactly");

static inline struct per_cpu *this_cpu(void)
{
	uint64_t rsp;

	asm volatile("mov %%rsp, %0" : "=r"(rsp));
	return (struct per_cpu *)(rsp & ~(uint64_t)(PER_CPU_SIZE - 1));
}

/** The per-CPU area of logical CPU @cpu (valid once boot/ set them up). */
struct per_cpu *per_cpu(unsigned int cpu);

/** Sets where the per-CPU areas live (hypervisor memory). */
void per_cpu_set_base(struct per_cpu *base);

/** Prepares @pc for CPU @cpu_id with APIC id @apic_id (zeroed memory). */
void per_cpu_setup(struct per_cpu *pc, unsigned int cpu_id, uint32_t apic_id);

/** Loads this CPU's own GDT, TSS and the IDT. Runs on the CPU itself. */
void per_cpu_load_tables(struct per_cpu *pc);

#endif
