/*
 * The Tandem guest library (see tandem_guest.h). Every transfer is one
 * inline-asm statement with explicit register variables, so the compiler
 * knows exactly which registers the hypervisor reads and may change.
 */
#include "tandem_guest.h"
#ifdef __x86_64__
#include "tandem/hvm_call.h"
#endif

static enum tandem_transfer transfer = TANDEM_XFER_VMCALL;
static void *transfer_page;

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(0));
}

static void put_u32(char *dst, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		dst[i] = (char)(v >> (8 * i));
}

static bool same(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

bool tandem_detect(struct tandem_id *out)
{
	struct tandem_id id = { 0 };
	uint32_t r[4];
	bool found;

	cpuid(0, r);
	put_u32(id.vendor, r[1]);
	put_u32(id.vendor + 4, r[3]);
	put_u32(id.vendor + 8, r[2]);
	id.amd = same(id.vendor, "AuthenticAMD", 12) ||
		 same(id.vendor, "HygonGenuine", 12);
	transfer = id.amd ? TANDEM_XFER_VMMCALL : TANDEM_XFER_VMCALL;

	cpuid(1, r);
	id.hv_bit = (r[2] >> TANDEM_CPUID_HV_PRESENT_BIT) & 1;
	/* Without the bit, leaves 0x40000000+ are not defined (they may echo
	 * the highest basic leaf): do not read them. */
	if (id.hv_bit) {
		cpuid(TANDEM_CPUID_BASE, r);
		id.max_leaf = r[0];
		put_u32(id.signature, r[1]);
		put_u32(id.signature + 4, r[2]);
		put_u32(id.signature + 8, r[3]);
	}
	found = id.hv_bit && same(id.signature, TANDEM_SIGNATURE, 12);
	if (found && id.max_leaf >= TANDEM_CPUID_VERSION) {
		cpuid(TANDEM_CPUID_VERSION, r);
		id.version = r[0];
	}
	if (found && id.max_leaf >= TANDEM_CPUID_HYPERCALL) {
		cpuid(TANDEM_CPUID_HYPERCALL, r);
		id.hc_pages = r[0];
		id.hc_msr = r[1];
	}
	if (out)
		*out = id;
	return found;
}

int tandem_install_hypercall_page(uint64_t page_gpa)
{
	if (page_gpa & 0xfff)
		return -TANDEM_EINVAL;
	__asm__ volatile("wrmsr"
			 :
			 : "c"(TANDEM_MSR_HYPERCALL_PAGE),
			   "a"((uint32_t)page_gpa),
			   "d"((uint32_t)(page_gpa >> 32))
			 : "memory");
	return 0;
}

uint64_t tandem_hypercall_page_gpa(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr"
			 : "=a"(lo), "=d"(hi)
			 : "c"(TANDEM_MSR_HYPERCALL_PAGE));
	return (uint64_t)hi << 32 | lo;
}

/*
 * The three transfers differ only in their first instruction. The argument
 * registers are in-out operands because Tandem may change them; RCX and R11
 * are clobbered by the hypercall ABI (and by SYSCALL-style paths in guests).
 */
#ifdef __x86_64__
#define TANDEM_TRANSFER(insn, extra_in)                                \
	register uint64_t rax __asm__("rax") = code;                   \
	register uint64_t rdi __asm__("rdi") = a1;                     \
	register uint64_t rsi __asm__("rsi") = a2;                     \
	register uint64_t rdx __asm__("rdx") = a3;                     \
	register uint64_t r10 __asm__("r10") = a4;                     \
	register uint64_t r8 __asm__("r8") = a5;                       \
	register uint64_t r9 __asm__("r9") = a6;                       \
	__asm__ volatile(insn                                          \
			 : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), \
			   "+r"(r10), "+r"(r8), "+r"(r9)               \
			 : extra_in                                    \
			 : "rcx", "r11", "memory", "cc");              \
	return (long)rax
/* Step over a possible red zone: the call pushes a return address. */
#define TANDEM_PAGE_CALL "sub $128, %%rsp\n\tcall *%[stub]\n\tadd $128, %%rsp"
#define TANDEM_STUB_REG	 "r"
#else
/* 32-bit protected mode: EAX = code, EDI, ESI, EDX = the low halves of
 * a1..a3 (a4..a6 have no register outside 64-bit mode and are ignored),
 * result in EAX; ECX may be clobbered. The page stubs are the same bytes
 * in both modes. */
#define TANDEM_TRANSFER(insn, extra_in)                               \
	uint32_t eax = code, edi = (uint32_t)a1, esi = (uint32_t)a2;  \
	uint32_t edx = (uint32_t)a3;                                  \
	(void)a4;                                                     \
	(void)a5;                                                     \
	(void)a6;                                                     \
	__asm__ volatile(insn                                         \
			 : "+a"(eax), "+D"(edi), "+S"(esi), "+d"(edx) \
			 : extra_in                                   \
			 : "ecx", "memory", "cc");                    \
	return (long)(int32_t)eax
#define TANDEM_PAGE_CALL "call *%[stub]"
#define TANDEM_STUB_REG	 "b"
#endif

long tandem_vmmcall(unsigned code, uint64_t a1, uint64_t a2, uint64_t a3,
		    uint64_t a4, uint64_t a5, uint64_t a6)
{
	TANDEM_TRANSFER("vmmcall", "i"(0));
}

long tandem_vmcall(unsigned code, uint64_t a1, uint64_t a2, uint64_t a3,
		   uint64_t a4, uint64_t a5, uint64_t a6)
{
	TANDEM_TRANSFER("vmcall", "i"(0));
}

long tandem_call_page(void *page, unsigned code, uint64_t a1, uint64_t a2,
		      uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6)
{
	void *stub;

	if (code >= TANDEM_HC_SLOT_HVM)
		return -TANDEM_EINVAL;
	stub = (char *)page + (size_t)code * TANDEM_HC_STUB_SIZE;
	TANDEM_TRANSFER(TANDEM_PAGE_CALL, [stub] TANDEM_STUB_REG(stub));
}

void tandem_set_transfer(enum tandem_transfer how, void *page)
{
	transfer = how;
	if (how == TANDEM_XFER_PAGE)
		transfer_page = page;
}

long tandem_hypercall(unsigned code, uint64_t a1, uint64_t a2, uint64_t a3,
		      uint64_t a4, uint64_t a5, uint64_t a6)
{
	switch (transfer) {
	case TANDEM_XFER_PAGE:
		return tandem_call_page(transfer_page, code, a1, a2, a3, a4, a5,
					a6);
	case TANDEM_XFER_VMMCALL:
		return tandem_vmmcall(code, a1, a2, a3, a4, a5, a6);
	case TANDEM_XFER_VMCALL:
	default:
		return tandem_vmcall(code, a1, a2, a3, a4, a5, a6);
	}
}

long tandem_disable(void)
{
	return tandem_hypercall(TANDEM_HC_DISABLE, 0, 0, 0, 0, 0, 0);
}

long tandem_cell_create(uint64_t config_gpa)
{
	return tandem_hypercall(TANDEM_HC_CELL_CREATE, config_gpa, 0, 0, 0, 0, 0);
}

long tandem_cell_start(uint64_t cell_id)
{
	return tandem_hypercall(TANDEM_HC_CELL_START, cell_id, 0, 0, 0, 0, 0);
}

long tandem_cell_destroy(uint64_t cell_id)
{
	return tandem_hypercall(TANDEM_HC_CELL_DESTROY, cell_id, 0, 0, 0, 0, 0);
}

long tandem_get_info(uint64_t type)
{
	return tandem_hypercall(TANDEM_HC_HYPERVISOR_GET_INFO, type, 0, 0, 0, 0,
				0);
}

long tandem_cell_get_state(uint64_t cell_id)
{
	return tandem_hypercall(TANDEM_HC_CELL_GET_STATE, cell_id, 0, 0, 0, 0, 0);
}

long tandem_cpu_get_state(uint64_t cpu_id)
{
	return tandem_hypercall(TANDEM_HC_CPU_GET_STATE, cpu_id, 0, 0, 0, 0, 0);
}

long tandem_debug_putc(char c)
{
	return tandem_hypercall(TANDEM_HC_DEBUG_CONSOLE_PUTC, (uint8_t)c, 0, 0,
				0, 0, 0);
}

/* Palacios's registers (tandem/hvm_call.h): RBX marker, RCX request, RDX
 * RSI RDI R8 arguments. The instructions in 64-bit mode come from that
 * header; the hypercall-page transfer and 32-bit code are the library's. */
#ifdef __x86_64__
static long hvm_vmmcall(uint64_t request, uint64_t a1, uint64_t a2, uint64_t a3,
			uint64_t a4)
{
	return tandem_hvm_call_insn(true, TANDEM_HVM_MARKER, request, a1, a2,
				    a3, a4);
}

static long hvm_vmcall(uint64_t request, uint64_t a1, uint64_t a2, uint64_t a3,
		       uint64_t a4)
{
	return tandem_hvm_call_insn(false, TANDEM_HVM_MARKER, request, a1, a2,
				    a3, a4);
}

/* The page's stub is called below the red zone; every argument register
 * is live across the call. */
static long hvm_page(void *page, uint64_t request, uint64_t a1, uint64_t a2,
		     uint64_t a3, uint64_t a4)
{
	void *stub = (char *)page +
		     (size_t)TANDEM_HC_SLOT_HVM * TANDEM_HC_STUB_SIZE;
	const uint64_t marker = TANDEM_HVM_MARKER;

	return TANDEM_HVM_CALL64("sub $128, %%rsp\n\tcall *%[stub]\n\tadd $128, %%rsp",
				 [stub] "r"(stub));
}
#else
/* 32-bit: the low halves only (EBX = low half of the marker, ECX, EDX,
 * ESI, EDI); a4 has no register and is ignored. */
#define TANDEM_HVM_TRANSFER32(insn, extra_in)                            \
	uint32_t eax = TANDEM_HC_HVM, ebx = (uint32_t)TANDEM_HVM_MARKER; \
	uint32_t ecx = (uint32_t)request, edx = (uint32_t)a1;            \
	uint32_t esi = (uint32_t)a2, edi = (uint32_t)a3;                 \
	(void)a4;                                                        \
	__asm__ volatile(insn                                            \
			 : "+a"(eax), "+b"(ebx), "+c"(ecx), "+d"(edx),   \
			   "+S"(esi), "+D"(edi)                          \
			 : extra_in                                      \
			 : "memory", "cc");                              \
	return (long)(int32_t)eax

static long hvm_vmmcall(uint64_t request, uint64_t a1, uint64_t a2, uint64_t a3,
			uint64_t a4)
{
	TANDEM_HVM_TRANSFER32("vmmcall", "i"(0));
}

static long hvm_vmcall(uint64_t request, uint64_t a1, uint64_t a2, uint64_t a3,
		       uint64_t a4)
{
	TANDEM_HVM_TRANSFER32("vmcall", "i"(0));
}

/* Every general register but EBP and ESP carries an argument: the stub
 * address goes through the stack. */
static long hvm_page(void *page, uint64_t request, uint64_t a1, uint64_t a2,
		     uint64_t a3, uint64_t a4)
{
	void *stub = (char *)page +
		     (size_t)TANDEM_HC_SLOT_HVM * TANDEM_HC_STUB_SIZE;

	TANDEM_HVM_TRANSFER32("call *%[stub]", [stub] "m"(stub));
}
#endif

long tandem_hvm_call(uint64_t request, uint64_t a1, uint64_t a2, uint64_t a3,
		     uint64_t a4)
{
	switch (transfer) {
	case TANDEM_XFER_PAGE:
		return hvm_page(transfer_page, request, a1, a2, a3, a4);
	case TANDEM_XFER_VMMCALL:
		return hvm_vmmcall(request, a1, a2, a3, a4);
	case TANDEM_XFER_VMCALL:
	default:
		return hvm_vmcall(request, a1, a2, a3, a4);
	}
}
