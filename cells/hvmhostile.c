/*
 * hvmhostile: a cell that attacks the HVM interface and the cell calls
 * from inside (guest-abi/ABI.md 4.10 and 4): every cell-management
 * hypercall, the 0xf00d request from 32-bit mode, a storm of Debug Console
 * Putc without a newline, then every 0xf00d request 0 .. 0x60 from 64-bit
 * mode (it builds its own page tables and GDT and enters long mode: a
 * cell starts in 32-bit mode, where 0xf00d is not the HVM call). Its
 * results go to struct hvmhostile_report (cells/hvmhostile.h), which the
 * ROS reads after destroying it; then it shuts down.
 *
 * Lines: "hvmhostile: start", the storm (split by Tandem into lines of
 * 119 characters, 'a' for the first 119, 'b' for the next, ...), then
 * "hvmhostile: done" (Tandem's line limit may hold the last two back).
 */
#include "cell_lib.h"
#include "hvmhostile.h"
#include "tandem/hvm.h"

#define STORM_DEFAULT 100000u
#define LINE	      119u /* Tandem's console line length */

const char cell_name[] = "hvmhostile";

/* Identity map of the first GiB, 2 MiB pages (SDM Vol. 3A 4.5). */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

/* null, 32-bit code 0x08, data 0x10, 64-bit code 0x18 (accessed set, so
 * the CPU never writes them). */
static const uint64_t gdt[4] __attribute__((aligned(8))) = {
	0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull, 0x00af9b000000ffffull
};

/* The 64-bit stub's registers: in rcx rdx rsi rdi r8, out rax; amd picks
 * vmmcall. Offsets are the stub's. */
static volatile struct {
	uint64_t rcx, rdx, rsi, rdi, r8, rax;
	uint32_t amd;
} regs;

void hvm64_stub(void);

/* Entered with lcall from compatibility mode, ESI = &regs; back with a
 * 32-bit far return. */
__asm__(".pushsection .text\n"
	".code64\n"
	".globl hvm64_stub\n"
	"hvm64_stub:\n\t"
	"mov %esp, %esp\n\t"
	"mov %esi, %esi\n\t"
	"push %rbx\n\t"
	"push %rbp\n\t"
	"push %rsi\n\t"
	"mov 0(%rsi), %rcx\n\t"
	"mov 8(%rsi), %rdx\n\t"
	"mov 24(%rsi), %rdi\n\t"
	"mov 32(%rsi), %r8\n\t"
	"mov 48(%rsi), %ebp\n\t"
	"mov 16(%rsi), %rsi\n\t"
	"movabs $0x6464646464646464, %rbx\n\t"
	"mov $0xf00d, %eax\n\t"
	"test %ebp, %ebp\n\t"
	"jz 1f\n\t"
	"vmmcall\n\t"
	"jmp 2f\n"
	"1:\n\t"
	"vmcall\n"
	"2:\n\t"
	"pop %rsi\n\t"
	"mov %rax, 40(%rsi)\n\t"
	"pop %rbp\n\t"
	"pop %rbx\n\t"
	"lretl\n"
	".code32\n"
	".popsection\n");

static bool cpu_is_amd(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid"
			 : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(0), "c"(0));
	return b == 0x68747541 || b == 0x6f677948; /* "Auth", "Hygo" */
}

/* PAE, CR3, EFER.LME, then paging: IA-32e mode, still on 32-bit code
 * (compatibility mode), where the C code keeps running. */
static void enter_long_mode(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (uint32_t)gdt };

	for (unsigned i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83; /* P, RW, PS */
	pdpt[0] = (uint32_t)pd | 3;
	pml4[0] = (uint32_t)pdpt | 3;
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp $0x08, $1f\n"
			 "1:\n\t"
			 "mov $0x10, %%eax\n\t"
			 "mov %%eax, %%ds\n\t"
			 "mov %%eax, %%es\n\t"
			 "mov %%eax, %%ss\n\t"
			 "mov %%eax, %%fs\n\t"
			 "mov %%eax, %%gs\n\t"
			 "mov %%cr4, %%eax\n\t"
			 "or $0x20, %%eax\n\t"
			 "mov %%eax, %%cr4\n\t"
			 "mov %1, %%cr3\n\t"
			 "mov $0xc0000080, %%ecx\n\t"
			 "rdmsr\n\t"
			 "or $0x100, %%eax\n\t"
			 "wrmsr\n\t"
			 "mov %%cr0, %%eax\n\t"
			 "or $0x80000000, %%eax\n\t"
			 "mov %%eax, %%cr0\n\t"
			 "ljmp $0x08, $2f\n"
			 "2:"
			 :
			 : "m"(gdtr), "r"((uint32_t)pml4)
			 : "eax", "ecx", "edx", "memory");
}

static uint64_t hvm64(uint64_t req, uint64_t a1, uint64_t a2)
{
	regs.rcx = req;
	regs.rdx = a1;
	regs.rsi = a2;
	regs.rdi = 0;
	regs.r8 = 0;
	regs.rax = 0x5555;
	__asm__ volatile("lcall $0x18, $hvm64_stub"
			 :
			 : "S"(&regs)
			 : "eax", "ecx", "edx", "edi", "memory", "cc");
	return regs.rax;
}

static void try_calls(struct hvmhostile_report *r)
{
	const uint64_t self = cell_id, hrt = 1;

	/* Harmless ones first: should Tandem obey a start or a destroy, the
	 * report stays incomplete. */
	r->calls[HH_GET_STATE_HRT] = (int32_t)tandem_cell_get_state(hrt);
	r->calls[HH_CREATE] = (int32_t)tandem_cell_create(CELL_IMAGE_BASE);
	r->calls[HH_START_HRT] = (int32_t)tandem_cell_start(hrt);
	r->calls[HH_DESTROY_HRT] = (int32_t)tandem_cell_destroy(hrt);
	r->calls[HH_RESTART_HRT] = (int32_t)
		tandem_hypercall(TANDEM_HC_CELL_SOFT_RESTART, hrt,
				 CELL_IMAGE_BASE, 0, 0, 0, 0);
	r->calls[HH_DISABLE] = (int32_t)tandem_disable();
	r->calls[HH_RESTART_SELF] = (int32_t)
		tandem_hypercall(TANDEM_HC_CELL_SOFT_RESTART, self,
				 CELL_RESTART_ENTRY, 0, 0, 0, 0);
	r->calls[HH_START_SELF] = (int32_t)tandem_cell_start(self);
	r->calls[HH_DESTROY_SELF] = (int32_t)tandem_cell_destroy(self);
}

/* 'a' x 119, 'b' x 119, ...: each line Tandem splits off is one letter. */
static void storm(struct hvmhostile_report *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (tandem_debug_putc((char)('a' + (i / LINE) % 26)) != 0)
			r->storm_nonzero++;
		r->storm_sent++;
	}
}

/* Every request with the cell's own addresses as arguments: its image
 * (0x1000, one page) as descriptor, event buffer and replacement image. */
static void sweep(struct hvmhostile_report *r)
{
	for (uint64_t req = 0; req <= HVMHOSTILE_LAST; req++) {
		uint64_t v = hvm64(req, CELL_IMAGE_BASE, 0x1000);

		r->hvm_tried++;
		if (v != (uint64_t)-1 && !r->hvm_accepted++) {
			r->first_accepted = (uint32_t)req;
			r->first_value = v;
		}
	}
}

void cell_main(void)
{
	struct hvmhostile_report *r = (struct hvmhostile_report *)HVMHOSTILE_REPORT;
	uint32_t n = cell_image_info.reserved[0] ? cell_image_info.reserved[0] :
						   STORM_DEFAULT;

	for (unsigned i = 0; i < sizeof(*r); i++)
		((volatile uint8_t *)r)[i] = 0;
	cell_puts("hvmhostile: start\n");
	try_calls(r);
	r->compat_hvm = (int32_t)tandem_hvm_call(TANDEM_HVM_NULL, 0, 0, 0, 0);
	storm(r, n);
	regs.amd = cpu_is_amd();
	enter_long_mode();
	r->long_mode = 1;
	sweep(r);
	__atomic_store_n(&r->magic, HVMHOSTILE_MAGIC, __ATOMIC_RELEASE);
	cell_puts("\nhvmhostile: done\n");
	cell_shut_down();
}
