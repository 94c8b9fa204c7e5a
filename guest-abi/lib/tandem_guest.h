/*
 * The Tandem guest library: detection, the hypercall page, and the
 * hypercalls of tandem/hypercall.h as plain C functions.
 *
 * Freestanding: no libc, nothing of the hypervisor. Usable at CPL 0 from any
 * 64-bit guest kernel (the ROS, the HRT, a Linux module); the hypercall page
 * and MSR functions need CPL 0, the instruction wrappers may run at CPL 3
 * (Tandem then answers -TANDEM_EPERM to the cell calls).
 *
 * Register contract of every transfer (guest-abi/ABI.md): RAX = code,
 * arguments in RDI, RSI, RDX, R10, R8, R9, result in RAX. The wrappers treat
 * the argument registers, RCX and R11 as clobbered.
 *
 * The same source also builds for 32-bit protected mode (gcc -m32; Tandem's
 * test cells in cells/ use it): the functions and their prototypes are the
 * same, but outside 64-bit mode a hypercall carries only EAX = code and the
 * low 32 bits of the first three arguments in EDI, ESI, EDX (a4..a6 are
 * ignored), and the result is EAX sign-extended to long. The HVM call passes
 * the low halves of its registers (EBX, ECX, EDX, ESI, EDI; a4 ignored).
 */
#ifndef TANDEM_GUEST_ABI_LIB_TANDEM_GUEST_H
#define TANDEM_GUEST_ABI_LIB_TANDEM_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tandem/cpuid.h"
#include "tandem/errno.h"
#include "tandem/hypercall.h"

/* What tandem_detect() found. */
struct tandem_id {
	uint32_t max_leaf;  /* CPUID 0x40000000 EAX */
	uint32_t version;   /* CPUID 0x40000001 EAX: major << 16 | minor */
	uint32_t hc_pages;  /* CPUID 0x40000002 EAX */
	uint32_t hc_msr;    /* CPUID 0x40000002 EBX */
	char signature[13]; /* CPUID 0x40000000 EBX ECX EDX, NUL-terminated */
	char vendor[13];    /* CPUID 0 EBX EDX ECX, NUL-terminated */
	bool hv_bit;	    /* CPUID 1 ECX bit 31 */
	bool amd;	    /* vendor is AuthenticAMD (or HygonGenuine) */
};

/* How the typed wrappers below reach Tandem. */
enum tandem_transfer {
	TANDEM_XFER_VMCALL,  /* Intel's instruction */
	TANDEM_XFER_VMMCALL, /* AMD's instruction */
	TANDEM_XFER_PAGE,    /* call page + code * 32 */
};

/**
 * Look for Tandem: CPUID.1:ECX bit 31 and the "TandemTandem" signature at
 * leaf 0x40000000, then read the version and hypercall leaves. Fills @out
 * (may be NULL) as far as it got, even when Tandem is absent, and makes the
 * vendor's own instruction the default transfer. Returns true when Tandem is
 * present. Never faults.
 */
bool tandem_detect(struct tandem_id *out);

/**
 * Install the hypercall page: write the page-aligned guest-physical address
 * @page_gpa of the caller's own RAM to TANDEM_MSR_HYPERCALL_PAGE; Tandem
 * fills it with TANDEM_HC_PAGE_SLOTS stubs of TANDEM_HC_STUB_SIZE bytes.
 * CPL 0 only, and only after tandem_detect() returned true: Tandem answers
 * a bad address with #GP, a CPU without Tandem answers the write with #GP.
 * Returns 0, or -TANDEM_EINVAL (without writing) when @page_gpa is not page
 * aligned.
 */
int tandem_install_hypercall_page(uint64_t page_gpa);

/** The address last installed (reads the MSR; CPL 0, Tandem present). */
uint64_t tandem_hypercall_page_gpa(void);

/**
 * Call hypercall @code (0 .. TANDEM_HC_PAGE_SLOTS - 2) through the installed
 * page mapped at @page: `call page + code * 32`. The red zone below RSP is
 * skipped, so callers compiled with one are safe. Returns the result in RAX,
 * or -TANDEM_EINVAL without calling when @code has no plain slot (0xf00d goes
 * through tandem_hvm_call()).
 */
long tandem_call_page(void *page, unsigned code, uint64_t a1, uint64_t a2,
		      uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6);

/** Issue hypercall @code with VMMCALL directly (works on both vendors). */
long tandem_vmmcall(unsigned code, uint64_t a1, uint64_t a2, uint64_t a3,
		    uint64_t a4, uint64_t a5, uint64_t a6);

/** Issue hypercall @code with VMCALL directly (works on both vendors). */
long tandem_vmcall(unsigned code, uint64_t a1, uint64_t a2, uint64_t a3,
		   uint64_t a4, uint64_t a5, uint64_t a6);

/**
 * Choose the transfer for tandem_hypercall() and the typed wrappers: one of
 * the instructions, or the page mapped at @page (ignored otherwise).
 * tandem_detect() sets the vendor's instruction.
 */
void tandem_set_transfer(enum tandem_transfer how, void *page);

/** Issue hypercall @code by the transfer chosen with tandem_set_transfer(). */
long tandem_hypercall(unsigned code, uint64_t a1, uint64_t a2, uint64_t a3,
		      uint64_t a4, uint64_t a5, uint64_t a6);

/*
 * Typed wrappers (Jailhouse hypervisor-interfaces seed, tandem/hypercall.h).
 * Each returns Tandem's RAX: a value >= 0 or a negative TANDEM_E* code.
 */

/** Disable the hypervisor (root cell only). */
long tandem_disable(void);
/** Create a cell from the configuration at guest-physical @config_gpa. */
long tandem_cell_create(uint64_t config_gpa);
/** Start cell @cell_id. */
long tandem_cell_start(uint64_t cell_id);
/** Destroy cell @cell_id. */
long tandem_cell_destroy(uint64_t cell_id);
/** Hypervisor Get Info: @type is a TANDEM_INFO_* value. */
long tandem_get_info(uint64_t type);
/** State of cell @cell_id. */
long tandem_cell_get_state(uint64_t cell_id);
/** State of CPU @cpu_id. */
long tandem_cpu_get_state(uint64_t cpu_id);
/** Write one character to Tandem's console. */
long tandem_debug_putc(char c);

/**
 * The Palacios HVM call (0xf00d) with the Palacios registers: RBX =
 * TANDEM_HVM_MARKER, RCX = @request, RDX, RSI, RDI, R8 = @a1 .. @a4.
 * Uses the transfer chosen with tandem_set_transfer() (slot
 * TANDEM_HC_SLOT_HVM of the page). Returns RAX.
 */
long tandem_hvm_call(uint64_t request, uint64_t a1, uint64_t a2, uint64_t a3,
		     uint64_t a4);

#endif
