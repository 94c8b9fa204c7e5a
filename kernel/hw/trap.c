/* Tandem's own IDT. Any exception in Tandem is a Tandem bug: print what a
 * person needs to find it (vector, error code, RIP, CR2, registers), then
 * stop this CPU. Interrupts are not used yet; one arriving is reported. */
#include "hw/apic.h"
#include "hw/console.h"
#include "lib/cpu.h"
#include "layout.h"
#include "hw/percpu.h"
#include "hw/trap.h"

struct __attribute__((packed)) idt_entry {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};

_Static_assert(sizeof(struct idt_entry) == 16, "IDT gate (SDM Vol. 3A 6.14.1)");

extern const uint64_t isr_table[256];
static struct idt_entry idt[256] __attribute__((aligned(16)));

static const char *const exception_names[32] = {
	"#DE divide error",
	"#DB debug",
	"NMI",
	"#BP breakpoint",
	"#OF overflow",
	"#BR bound range",
	"#UD invalid opcode",
	"#NM device not available",
	"#DF double fault",
	"coprocessor segment overrun",
	"#TS invalid TSS",
	"#NP segment not present",
	"#SS stack fault",
	"#GP general protection",
	"#PF page fault",
	"reserved 15",
	"#MF x87 error",
	"#AC alignment check",
	"#MC machine check",
	"#XM SIMD error",
	"#VE virtualization exception",
	"#CP control protection",
	"reserved 22",
	"reserved 23",
	"reserved 24",
	"reserved 25",
	"reserved 26",
	"reserved 27",
	"#HV hypervisor injection",
	"#VC VMM communication",
	"#SX security exception",
	"reserved 31",
};

void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t off = isr_table[v];
		struct idt_entry *e = &idt[v];

		e->offset_lo = off & 0xffff;
		e->offset_mid = (off >> 16) & 0xffff;
		e->offset_hi = off >> 32;
		e->selector = GDT_CODE64;
		e->type_attr = 0x8e; /* present, DPL 0, interrupt gate */
		e->ist = (v == 2 || v == 8 || v == 18) ? TSS_IST_FAULT : 0;
	}
}

void idt_load(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idtr = { sizeof(idt) - 1, (uint64_t)idt };

	asm volatile("lidt %0" : : "m"(idtr));
}

/* trap_halt_until_nmi()'s comparison, HLT and what follows, by address. */
extern const char trap_nmi_cmp[], trap_nmi_hlt[], trap_nmi_done[];

unsigned long trap_nmi_count(void)
{
	return __atomic_load_n(&this_cpu()->nmis, __ATOMIC_SEQ_CST);
}

__attribute__((noinline)) void trap_halt_until_nmi(unsigned long seen)
{
	unsigned long *count = &this_cpu()->nmis;

	asm volatile(".globl trap_nmi_cmp, trap_nmi_hlt, trap_nmi_done\n"
		     "trap_nmi_cmp: cmp %1, (%0)\n\t"
		     "jne trap_nmi_done\n"
		     "trap_nmi_hlt: hlt\n"
		     "trap_nmi_done:"
		     :
		     : "r"(count), "r"(seen)
		     : "memory", "cc");
}

void trap_handler(struct trap_frame *f)
{
	/* An NMI is another CPU's kick that arrived while this CPU was not
	 * in a guest: the request it announced is picked up by the loop.
	 * Just before the HLT of trap_halt_until_nmi() it must not wait. */
	if (f->vector == 2) {
		__atomic_store_n(&this_cpu()->kick_pending, false,
				 __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&this_cpu()->nmis, 1, __ATOMIC_SEQ_CST);
		if (f->rip >= (uint64_t)trap_nmi_cmp &&
		    f->rip <= (uint64_t)trap_nmi_hlt)
			f->rip = (uint64_t)trap_nmi_done;
		return;
	}
	/* Tandem runs with interrupts off and guests take their own; it
	 * lets them in only while it quiesces an APIC, to end what the
	 * guest left pending there (its timer that fired meanwhile, as at
	 * every HRT reboot): ended quietly. Anything else is a stray. */
	if (f->vector >= 32) {
		static unsigned int strays;

		apic_eoi();
		if (!this_cpu()->quiescing && strays++ < 4)
			pr_warn("interrupt vector %lu reached Tandem; ignored",
				f->vector);
		return;
	}

	const char *name = f->vector < 32 ? exception_names[f->vector] :
					    "unexpected interrupt";

	pr_err("EXCEPTION %s (vector %lu) error 0x%lx", name, f->vector,
	       f->error);
	pr_err("  RIP %016lx CS %04lx RFLAGS %08lx RSP %016lx CR2 %016lx",
	       f->rip, f->cs, f->rflags, f->rsp, read_cr2());
	pr_err("  RAX %016lx RBX %016lx RCX %016lx RDX %016lx", f->rax, f->rbx,
	       f->rcx, f->rdx);
	pr_err("  RSI %016lx RDI %016lx RBP %016lx R8  %016lx", f->rsi, f->rdi,
	       f->rbp, f->r8);
	pr_err("  R9  %016lx R10 %016lx R11 %016lx R12 %016lx", f->r9, f->r10,
	       f->r11, f->r12);
	pr_err("  R13 %016lx R14 %016lx R15 %016lx CR3 %016lx", f->r13, f->r14,
	       f->r15, read_cr3());
	pr_err("CPU halted after an exception in Tandem");
	cpu_halt_forever();
}
