/*
 * apicwall: a cell that attacks the interrupt and MSR walls from inside
 * (ros/checks_walls.c runs it), prints what it saw, one line, then shuts
 * down:
 *
 *   apicwall: ipis 142 x2gp 0; apic_base fee00d00 gp 3/3 same ok; wrmsr gp 14/14; mtrr rdmsr gp 3/3; lstar ok; aux 0
 *   apicwall: mtrr_def 0 806 gp 2/3
 *
 * ipis: fixed, NMI and INIT IPIs to every APIC ID 0-15 but its
 * own through the xAPIC page and the x2APIC ICR (physical and logical),
 * INIT/NMI/fixed to all but itself and an SMI to itself; x2gp: how
 * many of the x2APIC writes raised #GP (none: Tandem drops them quietly
 * and names the cell in a line). apic_base: what IA32_APIC_BASE reads
 * (enabled, x2APIC shown, BSP: its first vCPU), and that disabling,
 * moving and switching it to xAPIC each raise #GP while writing the value
 * read is accepted. wrmsr: platform-wide MSRs (MTRRs, microcode,
 * FEATURE_CONTROL, SMRR, MISC_ENABLE, perf counters, HWCR, VM_CR,
 * ENERGY_PERF_BIAS) whose writes must raise #GP in a cell; mtrr rdmsr: a cell may not
 * read the MTRRs either. mtrr_def: MTRR_DEF_TYPE is the cell's own: it
 * reads 0 after the reset, then 806 after writing that (WB, enabled);
 * reserved bits and type 2 raise #GP (2 of the 3 writes). lstar: a guest-context MSR (it passes) reads back.
 * aux: TSC_AUX as the cell found it: 0, not what the ROS left on the CPU
 * (ros/checks_walls.c sets it), as Tandem swaps it with the vCPU.
 * Whether an IPI got through the ROS and the HRT tell.
 */
#include "cell_lib.h"

const char cell_name[] = "apicwall";

#define APIC_PAGE	 0xfee00000u
#define APIC_ID		 0x020
#define APIC_ICR_LO	 0x300
#define APIC_ICR_HI	 0x310
#define X2APIC_ID	 0x802
#define X2APIC_ICR	 0x830
#define APIC_BASE_MSR	 0x1b
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)
#define TEST_VECTOR	 0xe3 /* ROS_VEC_TEST_IPI */
#define ALL_BUT_SELF	 (3u << 18)
#define LOGICAL		 (1u << 11)

/* #GP handler: count, skip the 2-byte RDMSR/WRMSR, return. */
volatile uint32_t gp_count;
void cell_gp_stub(void);
__asm__(".text\n"
	".globl cell_gp_stub\n"
	"cell_gp_stub:\n"
	"	addl $4, %esp\n" /* error code */
	"	addl $2, (%esp)\n"
	"	incl gp_count\n"
	"	iret\n");

struct __attribute__((packed)) gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
};

struct __attribute__((packed)) dtr {
	uint16_t limit;
	uint32_t base;
};

static struct gate idt[14];
/* Flat 32-bit code (0x08) and data (0x10): the cell starts with segment
 * registers loaded but no GDT of its own, and an exception loads CS from
 * the gate's selector. */
static const uint64_t gdt[3] __attribute__((aligned(8))) = {
	0,
	0x00cf9a000000ffffull,
	0x00cf92000000ffffull,
};

static void idt_init(void)
{
	struct dtr gdtr = { sizeof(gdt) - 1, (uint32_t)gdt };
	struct dtr idtr = { sizeof(idt) - 1, (uint32_t)idt };
	uint32_t a = (uint32_t)cell_gp_stub;

	__asm__ volatile("lgdt %0\n\t"
			 "ljmp $0x08, $1f\n"
			 "1:\tmov $0x10, %%eax\n\t"
			 "mov %%eax, %%ds\n\t"
			 "mov %%eax, %%es\n\t"
			 "mov %%eax, %%ss\n\t"
			 "mov %%eax, %%fs\n\t"
			 "mov %%eax, %%gs"
			 :
			 : "m"(gdtr)
			 : "eax", "memory");
	idt[13] = (struct gate){ (uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16) };
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

static uint32_t wrmsr_gp(uint32_t msr, uint64_t v)
{
	uint32_t before = gp_count;

	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
	return gp_count - before;
}

static uint32_t rdmsr_gp(uint32_t msr, uint64_t *v)
{
	uint32_t before = gp_count, lo = 0, hi = 0;

	__asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*v = (uint64_t)hi << 32 | lo;
	return gp_count - before;
}

static volatile uint32_t *reg(uint32_t off)
{
	return (volatile uint32_t *)(APIC_PAGE + off);
}

static void xapic_ipi(uint32_t dest, uint32_t lo)
{
	*reg(APIC_ICR_HI) = dest << 24;
	*reg(APIC_ICR_LO) = lo;
}

static void field(const char *s, long v)
{
	cell_puts(s);
	cell_put_dec(v);
}

void cell_main(void)
{
	static const uint32_t modes[] = { 0x4000 | TEST_VECTOR, 0x4400, 0x4500 };
	static const uint32_t msrs[] = {
		0x201, 0x200, 0x250, 0x79,	 0x8b,	     0x3a,	 0x1f2,
		0xfe,  0x1a0, 0x186, 0xc0010000, 0xc0010015, 0xc0010114, 0x1b0,
	};
	uint32_t own, ipis = 0, x2faults = 0, refused = 0, msr_refused = 0,
		      mtrr_reads = 0;
	uint64_t base = 0, after = 0, v = 0, aux = 0, def0 = ~0ull, def1 = 0;
	uint32_t def_gp;
	uint32_t aux_gp;
	int base_gp;

	idt_init();
	/* First of all: the ROS CPU this cell runs on left a TSC_AUX behind;
	 * the cell must see its own (0), not that one. */
	aux_gp = rdmsr_gp(0xc0000103, &aux);
	own = *reg(APIC_ID) >> 24;
	if (rdmsr_gp(X2APIC_ID, &v) || v != own)
		cell_puts("apicwall: x2APIC ID differs from the xAPIC one\n");
	for (uint32_t id = 0; id < 16; id++) {
		if (id == own)
			continue;
		for (unsigned m = 0; m < 3; m++) {
			xapic_ipi(id, modes[m]);
			x2faults += wrmsr_gp(X2APIC_ICR,
					     (uint64_t)id << 32 | modes[m]);
			x2faults += wrmsr_gp(X2APIC_ICR,
					     (uint64_t)(1u << id) << 32 |
						     modes[m] | LOGICAL);
			ipis += 3;
		}
	}
	for (unsigned m = 0; m < 3; m++) {
		xapic_ipi(0, modes[m] | ALL_BUT_SELF);
		x2faults += wrmsr_gp(X2APIC_ICR, modes[m] | ALL_BUT_SELF);
		ipis += 2;
	}
	xapic_ipi(0, 0x4200 | 1u << 18); /* SMI to itself */
	ipis++;

	base_gp = (int)rdmsr_gp(APIC_BASE_MSR, &base);
	refused += wrmsr_gp(APIC_BASE_MSR, base & ~APIC_BASE_ENABLE);
	refused += wrmsr_gp(APIC_BASE_MSR, base + 0x100000);
	refused += wrmsr_gp(APIC_BASE_MSR, base & ~APIC_BASE_X2APIC);
	if (!wrmsr_gp(APIC_BASE_MSR, base))
		rdmsr_gp(APIC_BASE_MSR, &after);

	for (unsigned i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		uint64_t x;

		msr_refused += wrmsr_gp(msrs[i], 0);
		if (i < 3) /* MTRRs: a cell may not even read them */
			mtrr_reads += rdmsr_gp(msrs[i], &x);
	}
	/* MTRR_DEF_TYPE is the vCPU's own: 0 after the reset, keeps a
	 * valid value, refuses reserved bits and types. */
	rdmsr_gp(0x2ff, &def0);
	def_gp = wrmsr_gp(0x2ff, 0x806) + wrmsr_gp(0x2ff, 0x1000) +
		 wrmsr_gp(0x2ff, 0x802);
	rdmsr_gp(0x2ff, &def1);
	wrmsr_gp(0xc0000082, 0x12345000); /* LSTAR: guest context */
	rdmsr_gp(0xc0000082, &v);

	field("apicwall: ipis ", ipis);
	field(" x2gp ", x2faults);
	cell_puts("; apic_base ");
	if (base_gp)
		cell_puts("#GP");
	else
		cell_put_hex((uint32_t)base);
	field(" gp ", refused);
	cell_puts("/3 same ");
	cell_puts(after == base && !base_gp ? "ok" : "bad");
	field("; wrmsr gp ", msr_refused);
	field("/", sizeof(msrs) / sizeof(msrs[0]));
	field("; mtrr rdmsr gp ", mtrr_reads);
	cell_puts("/3");
	cell_puts(v == 0x12345000 ? "; lstar ok; aux " : "; lstar lost; aux ");
	if (aux_gp)
		cell_puts("#GP");
	else
		cell_put_hex((uint32_t)aux);
	cell_puts("\napicwall: mtrr_def ");
	cell_put_hex((uint32_t)def0);
	cell_puts(" ");
	cell_put_hex((uint32_t)def1);
	field(" gp ", def_gp);
	cell_puts("/3\n");
	cell_shut_down();
}
