/*
 * A small library for test inmates written to Jailhouse's x86 inmate
 * contract (cells/jh/entry.asm has the start): port and MSR access, the
 * 8250 UART of the console descriptor, a line printer, the command line at
 * 0x1000, the communication region, x2APIC by MSR, the ACPI PM timer, the
 * TSC, the hypercall instruction by vendor, and starting the other CPUs of
 * the cell by INIT/SIPI.
 */
#ifndef CELLS_JH_INMATE_H
#define CELLS_JH_INMATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tandem/jailhouse.h>

#include "jh_test.h"
/* memset, memcpy, strlen (for the compiler too) and kvsnprintf: the
 * hypervisor's pure kernel/lib/klib.c and printf.c, as the ROS links them. */
#include "lib/klib.h"
#include "lib/printf.h"

#define X2APIC_ID    0x802
#define X2APIC_EOI   0x80b
#define X2APIC_SPIV  0x80f
#define X2APIC_ICR   0x830
#define X2APIC_LVTT  0x832
#define X2APIC_TMICT 0x838
#define X2APIC_TDCR  0x83e

#define PM_TIMER_HZ  3579545u

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

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
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

#define MTRR_DEF_TYPE 0x2ff

/* CPUID.1:ECX bit 27, OSXSAVE: the CPU has XSAVE and CR4 enables it. */
static inline bool xsave_on(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (c >> 27) & 1;
}

static inline uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline struct jh_comm_region *comm_region(void)
{
	return (struct jh_comm_region *)(uintptr_t)JHT_COMM_ADDR;
}

/* The UART of the console descriptor (8250 by port I/O), else none. */
void uart_init(const struct jh_console *con);
/* printf-like: %s %c %u %d %x %lu %lx %llu, one line under a lock. */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same through the hypervisor's Debug Console Putc (code 8). */
void hc_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Jailhouse's command line: "name=value" or "name" words at 0x1000. */
extern char cmdline[];
long long cmdline_int(const char *name, long long dflt);
bool cmdline_bool(const char *name);

/* vmmcall on AMD and Hygon, vmcall elsewhere (by CPUID vendor). */
bool hc_is_amd(void);
long hypercall(unsigned long code, unsigned long arg1);

/* The PM timer, taken as 24 bits whatever its width (the low 24 bits of a
 * 32-bit counter wrap the same way); counts from @from to @now. */
uint32_t pm_timer_read(void);
uint32_t pm_timer_since(uint32_t from, uint32_t now);
void delay_us(unsigned us);

/* The IDT: only the timer vector has a gate (cells/jh/entry.asm). */
void idt_init(void);

/* Start the CPU with x2APIC id @apic_id at @entry on its own stack. */
void smp_start_cpu(uint32_t apic_id, void (*entry)(void));
extern uint32_t jh_cpu_ids[JHT_MAX_CPUS];
extern volatile uint32_t jh_cpus_found;

#endif
