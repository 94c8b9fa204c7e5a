/* Instruction wrappers the ROS uses: port I/O, MSRs, CPUID, control
 * registers. Header-only; nothing here can fault on a sane CPU except
 * rdmsr/wrmsr of unknown MSRs (see trap.h for the catching variants). */
#ifndef TANDEM_ROS_CPU_H
#define TANDEM_ROS_CPU_H

#include <stdint.h>

#define MSR_APIC_BASE 0x1b

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* The firmware leaves the 8259 PICs delivering the PIT's IRQ 0 at vector
 * 8: masked while the ROS takes interrupts. Returns the masks to restore
 * (master in bits 7:0, slave in 15:8). */
static inline uint16_t ros_pic_mask_all(void)
{
	uint16_t old = (uint16_t)(inb(0x21) | inb(0xa1) << 8);

	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	return old;
}

static inline void ros_pic_restore(uint16_t masks)
{
	outb(0xa1, (uint8_t)(masks >> 8));
	outb(0x21, (uint8_t)masks);
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

/* The TSC, after every earlier instruction (LFENCE; CPUID would serialize
 * too, but it exits to Tandem): timeouts and timings of the checks and
 * the bench. Allowed at CPL 3 too. */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

#endif
