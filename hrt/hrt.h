/*
 * Tandem's reference hybrid runtime (HRT): a bare 64-bit kernel that Tandem
 * boots on the HRT partition as Palacios boots Nautilus (hrt/README.md).
 *
 * Virtual memory (page tables built by Tandem, 2 MiB pages, never changed
 * here):
 *
 *   0 .. max_mem_mapped                      physical, identity
 *   HRT_GVA_OFFSET + 0 .. + max_mem_mapped   physical again: the image
 *                                            (linked at HRT_GVA_OFFSET +
 *                                            0x8000000), the ROS's RAM,
 *                                            the comm page at 0x1fffff000
 *
 * Every HRT core enters hrt_entry (hrt/entry.asm) at once and runs on its
 * own stack of hrt_stacks, chosen by its index among HRT cores; the index is
 * found again from RSP (hrt_this_core()).
 *
 * Console: the Palacios debug port, one byte per outb; Tandem prints each
 * line with "hrt: " in front.
 */
#ifndef TANDEM_HRT_HRT_H
#define TANDEM_HRT_HRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../kernel/lib/klib.h"
#include "../kernel/lib/printf.h"
#include "tandem/hvm.h"
#include "tandem/hvm_call.h"
#include "hrt_funcs.h"

#ifndef HRT_VERSION
#error "build with -DHRT_VERSION=<n> (hrt/hrt.mk)"
#endif

/* What the HRT tag of hrt/entry.asm asks for (used when no info tag). */
#define HRT_GVA_OFFSET	  0xffff800000000000ull
#define HRT_MAX_MEM	  0x200000000ull
#define HRT_COMM_PAGE_GPA 0x1fffff000ull
#define HRT_UPCALL_VECTOR 0xf0
#define HRT_SEL_CODE_ALT  0x18 /* hrt/entry.asm: the same code again */

#define HRT_DEBUG_PORT	  0xc0c0
#define HRT_STACK_SIZE	  16384
#define HRT_MB2_MAGIC	  0x36d76289u

/* Layout pushed by hrt/entry.asm: general registers, vector, error code,
 * then the CPU's interrupt frame (SDM Vol. 3A 6.14.2). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap frame layout");

/* 64-bit interrupt gate (SDM Vol. 3A 6.14.1). */
struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate size");

/* How this boot was set up: the HRT info tag, or the header's wishes. */
struct hrt_setup {
	bool have_info;			 /* the info tag was found */
	struct tandem_mb2_hrt_info info; /* valid when have_info */
	uint64_t gva_offset;		 /* where physical memory appears */
	uint64_t max_mem;		 /* mapped bytes of physical memory */
	uint64_t comm_page_gpa;
	uint64_t tsc_khz; /* 0: unknown */
	uint8_t vector;	  /* upcall vector */
	const void *rsdp; /* the RSDP copy of the boot information, or NULL */
	uint32_t rsdp_len;
	const char *cmdline; /* Multiboot2 tag 1; "" without one */
};

/* TSC cycles per millisecond: Tandem's rate, or 1 GHz when it gives none. */
static inline uint64_t hrt_khz(const struct hrt_setup *s)
{
	return s->tsc_khz ? s->tsc_khz : 1000000;
}

/* One HRT core; each core writes only its own. */
struct hrt_core {
	struct idt_gate idt[256]; /* first: 16-byte alignment */
	unsigned index;		  /* among HRT cores: RDX at entry */
	uint64_t vcpu;		  /* RCX at entry */
	bool amd;		  /* vmmcall, else vmcall */
	struct hrt_setup setup;	  /* parsed by each core itself */
	/* Set around a RDMSR/WRMSR that may #GP (hrt/attack.c): the trap
	 * handler counts the #GP and skips the 2-byte instruction. */
	volatile bool catch_gp;
	volatile unsigned gps;
	/* hrt/selftest.c: what this core found and counts. */
	uint32_t apic_id; /* its x2APIC ID */
	bool bsp_ok;	  /* IA32_APIC_BASE.BSP set on core 0 only */
	bool own_tables_ok;
	uint64_t timer_count; /* periodic initial count (0: no timer) */
	volatile uint64_t ticks;
	volatile unsigned ipis;
	uint64_t merge_gen; /* hrt_merge_gen this core's TLB has seen */
	/* hrt/trap.c: upcalls taken as the magic page fault (version 2 asks
	 * for them), those of them that came with interrupts off, and the
	 * last real page fault hrt_safe_load() took. */
	volatile uint64_t magic_upcalls, magic_if_off;
	volatile uint64_t magic_other_cs; /* ... that came with CS 0x18 */
	/* A magic upcall comes whenever Tandem has one, even while this
	 * core boots: until it is ready (its setup read, core 0's boot
	 * lines out: hrt/main.c), one is kept for its idle loop, as the
	 * vector waits for interrupts to be enabled there. */
	volatile bool ready, upcall_kept;
	uint64_t other_cs_after_us; /* function 17 (hrt/upcall.c) */
	uint64_t safe_pf_cr2, safe_pf_error;
	/* hrt/upcall.c, function 14: microseconds of CR8 writes after the
	 * next CALL_DONE (0: none). */
	uint64_t cr8_after_us;
};

extern struct hrt_core hrt_cores[HRT_MAX_CORES];

/* Per-core stacks (hrt/main.c); hrt/entry.asm reads the two sizes. */
extern uint8_t hrt_stacks[HRT_MAX_CORES][HRT_STACK_SIZE];

/** The core running this code, from RSP; NULL off the HRT's stacks. */
struct hrt_core *hrt_this_core(void);

/** One console line (the newline is added). Safe from any core. */
void hrt_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** A line for later: core 0 at boot, until hrt_log_flush() (a few fit;
 * more are dropped). */
void hrt_log_later(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Core 0 at its first call: the lines hrt_log_later() kept, once. */
void hrt_log_flush(void);

/** Stop this core for good: cli; hlt. */
__attribute__((noreturn)) void hrt_stop(void);

/**
 * Downcall (Palacios HVM call): RAX = 0xf00d, RBX = the marker, RCX =
 * @request, RDX = @a1, RSI = @a2, by vmmcall on AMD and vmcall elsewhere.
 * Returns RAX.
 */
long hrt_downcall(const struct hrt_core *c, uint64_t request, uint64_t a1,
		  uint64_t a2);

/* Set by core 0 from the TSC as this boot begins (HRT_FN_BOOT_ID). */
extern uint64_t hrt_boot_id;

/** Build this core's IDT (every vector to hrt_trap()) and load it. */
void hrt_trap_init(struct hrt_core *c);

/** The C handler every interrupt stub calls. */
void hrt_trap(struct trap_frame *f);

/** Load a zero-limit IDT and run ud2 (hrt/upcall.c): #UD that no IDT
 * delivers, which Tandem reports as an HRT failure of vector 6. */
__attribute__((noreturn)) void hrt_triple_fault(const struct hrt_core *c);

/** Handle the upcall Tandem just injected (comm page type and argument). */
void hrt_upcall(struct hrt_core *c);

/** HRT_FN_ATTACK (hrt/attack.c): IPIs to the APIC IDs in @mask, writes
 * of IA32_APIC_BASE; the bits of hrt_funcs.h. */
uint64_t hrt_attack(struct hrt_core *c, uint64_t mask, uint64_t vector);

/* The self-test's vectors (hrt/selftest.c): the local APIC timer, core 0's
 * IPI to the others, and their answers (one vector per core). */
#define HRT_TIMER_VECTOR 0x40
#define HRT_IPI_VECTOR	 0x41
#define HRT_REPLY_VECTOR 0x42 /* + the answering core's index */

/** On every core before it checks in: BSP bit, its own page tables, its
 * APIC timer (periodic, calibrated against the TSC). */
void hrt_selftest_core(struct hrt_core *c);
/** Core 0 once @cores checked in: IPIs to the others, then the line for
 * later (hrt_log_later()). */
void hrt_selftest_report(struct hrt_core *c0, unsigned cores);
/** The self-test's interrupts (EOI included); false for other vectors. */
bool hrt_selftest_irq(struct hrt_core *c, uint64_t vector);

/** Core 0 at boot (hrt/pit.c): time 10 ms of the PIT's counter 2 with
 * the TSC and compare that rate with the info tag's, for a line later. */
void hrt_pit_calibrate(const struct hrt_setup *s);
/** Core 0 at boot (hrt/pm_timer.c): find the ACPI PM timer through the
 * RSDP of the boot information and time it with the TSC, for a line
 * later. */
void hrt_pm_timer_check(const struct hrt_setup *s);

/** Merge (@on) with the ROS address space of @ros_cr3, or unmerge, then
 * merge done (hrt/merge.c; upcalls 0x30, 0x31). */
void hrt_merge(struct hrt_core *c, uint64_t ros_cr3, bool on);
/** Bumped by every merge and unmerge: a core that saw another value
 * reloads CR3 before it runs a call. */
extern volatile uint64_t hrt_merge_gen;
bool hrt_merged(void);
void hrt_flush_tlb(void);
/** Runs one function of hrt_funcs.h for @call (hrt/upcall.c). */
uint64_t hrt_run_function(struct hrt_core *c, const struct tandem_hrt_call *call);
/** Synchronous mode (hrt/sync.c): the upcalls 0x28/0x29 on core 0, and
 * core 0's serving loop (interrupts on) while it is set up. */
void hrt_sync_upcall(struct hrt_core *c, uint64_t type, uint64_t arg);
bool hrt_sync_wanted(void);
void hrt_sync_serve(struct hrt_core *c);
/** GDT synchronisation (hrt/gdt_sync.c): the area registered at boot
 * by core 0, the upcalls 0x51/0x53, and function 13. */
void hrt_gdt_register(struct hrt_core *c);
void hrt_gdt_upcall(struct hrt_core *c, uint64_t type, uint64_t arg2);
uint64_t hrt_gdt_info(uint64_t what);
/** Function 11: sum @n u64 at the merged process's virtual @va. */
uint64_t hrt_sum_virtual(uint64_t va, uint64_t n);
/** Function 12: forward the event of @args to the ROS, its result. */
uint64_t hrt_forward_event(struct hrt_core *c, const uint64_t *args);
/** hrt/safe_load.asm: *@out = the u64 at @va, 0; or 1 on #PF or #GP. */
int hrt_safe_load(uint64_t va, uint64_t *out);
/** The u64 @v to @va: 0, or 1 on #PF or #GP (nothing written). */
int hrt_safe_store(uint64_t va, uint64_t v);
extern const char hrt_safe_load_insn[], hrt_safe_load_fixup[],
	hrt_safe_store_insn[];

/** Physical [@pa, @pa + @len) lies in the mapped memory. */
bool hrt_phys_ok(const struct hrt_setup *s, uint64_t pa, uint64_t len);

/** Where physical @pa is seen, through the offset mapping. */
static inline void *hrt_phys(const struct hrt_setup *s, uint64_t pa)
{
	return (void *)(s->gva_offset + pa);
}

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

/* IA32_APIC_BASE and the x2APIC ICR (hrt/attack.c, hrt/selftest.c). */
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_BSP (1ull << 8)
#define X2APIC_ICR    0x830

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

#endif
