/* Running a VMX guest and turning its VM exit into a neutral exit (SDM
 * Vol. 3C chapter 28, Vol. 3D Appendix C). CR accesses to the bits VMX
 * forces on, and XSETBV, are handled here: they are VMX mechanics. */
#include "virt/partition.h"
#include "hw/console.h"
#include "lib/cpu.h"
#include "virt/exits.h"
#include "vmx.h"

static const char *const insn_errors[] = {
	[1] = "VMCALL in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "Invalid operand to INVEPT/INVVPID",
};

static const char *insn_error_text(uint32_t err)
{
	if (err < sizeof(insn_errors) / sizeof(insn_errors[0]) && insn_errors[err])
		return insn_errors[err];
	return "unknown VM-instruction error";
}

/* MOV to CR0/CR4 that touched a bit VMX forces on (SDM Vol. 3C 28.1.3,
 * qualification in Table 28-3). The guest's value goes to the shadow; the
 * real register keeps the forced bits. */
static bool handle_cr_access(struct vcpu *v)
{
	struct vmx_vcpu *x = vmx_of(v);
	uint64_t q = vmread(EXIT_QUALIFICATION);
	unsigned int cr = q & 0xf, type = (q >> 4) & 3, reg = (q >> 8) & 0xf;
	uint64_t val = v->regs[reg];

	if (type != 0 || (cr != 0 && cr != 4))
		return false; /* only MOV to CR0/CR4 is intercepted */
	if (vmx_ops.get_mode(v) != CPU_MODE_64)
		val = (uint32_t)val;
	if (cr == 0) {
		x->cr0_shadow = val;
		vmwrite(CR0_SHADOW, val);
		vmwrite(GUEST_CR0,
			(val | vmx_cr0_forced()) & vmx_caps.cr0_fixed1);
		/* Paging on with EFER.LME set activates long mode
		 * (SDM Vol. 3A 10.8.5): mirror LMA into the entry control. */
		uint64_t efer = vmread(GUEST_EFER);
		uint64_t ctl = vmread(ENTRY_CONTROLS);

		if ((val & (1ull << 31)) && (efer & EFER_LME))
			efer |= 1ull << 10;
		else if (!(val & (1ull << 31)))
			efer &= ~(1ull << 10);
		vmwrite(GUEST_EFER, efer);
		vmwrite(ENTRY_CONTROLS, (efer & (1ull << 10)) ?
						ctl | ENTRY_IA32E :
						ctl & ~ENTRY_IA32E);
	} else {
		x->cr4_shadow = val;
		vmwrite(CR4_SHADOW, val);
		vmwrite(GUEST_CR4,
			(val | vmx_cr4_forced()) & vmx_caps.cr4_fixed1);
	}
	return true;
}

static bool handle_xsetbv(struct vcpu *v)
{
	uint32_t lo = (uint32_t)v->regs[GPR_RAX], hi = (uint32_t)v->regs[GPR_RDX];
	struct cpuid_regs r = cpuid(0xd, 0);
	uint64_t val = ((uint64_t)hi << 32) | lo;
	uint64_t supported = ((uint64_t)r.edx << 32) | r.eax;

	/* Only XCR0, x87 always on, AVX needs SSE (SDM Vol. 1 13.3). */
	if ((uint32_t)v->regs[GPR_RCX] != 0 || vmx_ops.get_cpl(v) != 0 ||
	    !(val & 1) || (val & ~supported) || ((val & 4) && !(val & 2))) {
		vcpu_inject_gp(v);
		return true;
	}
	asm volatile("xsetbv" : : "a"(lo), "d"(hi), "c"(0));
	return true;
}

bool vmx_handle_internal(struct vcpu *v, uint32_t reason)
{
	bool done;

	switch (reason) {
	case VMX_EXIT_CR_ACCESS:
		done = handle_cr_access(v);
		break;
	case VMX_EXIT_XSETBV:
		done = handle_xsetbv(v);
		if (done && !(vmread(ENTRY_INTR_INFO) & INTR_INFO_VALID))
			break;
		return done; /* #GP injected: RIP stays */
	case VMX_EXIT_INVD:
		done = true; /* caches stay coherent here */
		break;
	default:
		return false;
	}
	if (done)
		v->rip += vmread(EXIT_INSN_LEN);
	return done;
}

static void decode_exit(struct vcpu *v, uint32_t reason)
{
	struct vcpu_exit *e = &v->exit;
	uint64_t q = vmread(EXIT_QUALIFICATION);
	uint32_t basic = reason & 0xffff;

	e->insn_len = (uint8_t)vmread(EXIT_INSN_LEN);
	if (reason & VMX_EXIT_FAILED_ENTRY) {
		e->reason = EXIT_ENTRY_FAILED;
		e->vendor.code = basic;
		e->vendor.info1 = q;
		e->vendor.info2 = 0;
		e->vendor.insn_error = 0;
		e->vendor.why = basic == VMX_EXIT_BAD_GUEST ?
					"invalid guest state (SDM Vol. 3C 27.3.1)" :
				basic == VMX_EXIT_BAD_MSR_LOAD ?
					"MSR loading failed" :
					"VM entry failed";
		return;
	}
	switch (basic) {
	case VMX_EXIT_VMCALL:
		e->reason = EXIT_HYPERCALL;
		break;
	case VMX_EXIT_CPUID:
		e->reason = EXIT_CPUID;
		break;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		e->reason = basic == VMX_EXIT_RDMSR ? EXIT_MSR_READ :
						      EXIT_MSR_WRITE;
		e->msr.index = (uint32_t)v->regs[GPR_RCX];
		break;
	case VMX_EXIT_IO:
		e->reason = EXIT_IO;
		e->io.size = (q & 7) + 1;
		e->io.in = q & (1u << 3);
		e->io.string = q & (1u << 4);
		e->io.rep = q & (1u << 5);
		e->io.port = q >> 16;
		break;
	case VMX_EXIT_EPT_VIOLATION:
		e->reason = EXIT_MEM_FAULT;
		e->mem.gpa = vmread(GUEST_PHYSICAL_ADDRESS);
		e->mem.read = q & 1;
		e->mem.write = q & 2;
		e->mem.exec = q & 4;
		break;
	case VMX_EXIT_INIT:
		e->reason = EXIT_INIT;
		break;
	case VMX_EXIT_TRIPLE_FAULT:
		e->reason = EXIT_SHUTDOWN;
		break;
	case VMX_EXIT_IRQ_WINDOW:
		e->reason = EXIT_IRQ_WINDOW;
		break;
	case VMX_EXIT_EXCEPTION: {
		uint32_t info = vmread(EXIT_INTR_INFO);

		if ((info & (7u << 8)) == INTR_TYPE_NMI) {
			/* The NMI is consumed by the exit; an IRET ends the
			 * NMI blocking it leaves behind (SDM Vol. 3C 27.2.3). */
			asm volatile("mov %%rsp, %%rax; push $0x10; push %%rax; pushfq;"
				     "push $0x08; lea 1f(%%rip), %%rax; push %%rax; iretq; 1:" ::
					     : "rax", "memory", "cc");
			/* It was Tandem's kick, never the guest's NMI (none
			 * is passed on): the guest is not blocked by it.
			 * Bochs saves blocking by NMI here, which held back
			 * every later kick until the guest's next IRET. */
			vmwrite(GUEST_INTERRUPTIBILITY,
				vmread(GUEST_INTERRUPTIBILITY) & ~8ull);
			e->reason = EXIT_NMI;
			break;
		}
		e->reason = EXIT_EXCEPTION;
		e->exception.vector = info & 0xff;
		e->exception.has_error = info & INTR_INFO_ERROR_VALID;
		e->exception.error = vmread(EXIT_INTR_ERROR);
		break;
	}
	case VMX_EXIT_VMCLEAR ... VMX_EXIT_VMXON:
	case VMX_EXIT_INVEPT:
	case VMX_EXIT_INVVPID:
		/* VMX is hidden from guests: its instructions do not exist. */
		e->reason = EXIT_EXCEPTION;
		e->exception.vector = 6;
		e->exception.has_error = false;
		break;
	default:
		e->reason = EXIT_UNHANDLED;
		e->vendor.code = basic;
		e->vendor.info1 = q;
		e->vendor.info2 = vmread(GUEST_PHYSICAL_ADDRESS);
		e->vendor.why = "unexpected VMX exit reason";
		break;
	}
}

/* An event the exit interrupted is delivered again (SDM Vol. 3C 28.2.4). */
static void reinject_vectoring(void)
{
	uint32_t info = vmread(IDT_VECTORING_INFO);

	if (!(info & INTR_INFO_VALID))
		return;
	vmwrite(ENTRY_INTR_INFO, info & ~(1u << 12));
	if (info & INTR_INFO_ERROR_VALID)
		vmwrite(ENTRY_EXCEPTION_ERROR, vmread(IDT_VECTORING_ERROR));
}

void vmx_run(struct vcpu *v)
{
	struct vmx_vcpu *x = vmx_of(v);
	uint32_t reason;

	for (;;) {
		vmwrite(GUEST_RSP, v->regs[GPR_RSP]);
		vmwrite(GUEST_RIP, v->rip);
		vmwrite(GUEST_RFLAGS, v->rflags);
		if (vmx_vmenter(v, x->launched)) {
			uint32_t err = vmread(VM_INSN_ERROR);

			v->exit.reason = EXIT_ENTRY_FAILED;
			v->exit.vendor.code = 0;
			v->exit.vendor.info1 = 0;
			v->exit.vendor.info2 = 0;
			v->exit.vendor.insn_error = err;
			v->exit.vendor.why = insn_error_text(err);
			return;
		}
		x->launched = true;
		v->regs[GPR_RSP] = vmread(GUEST_RSP);
		v->rip = vmread(GUEST_RIP);
		v->rflags = vmread(GUEST_RFLAGS);
		vmwrite(ENTRY_INTR_INFO, 0);
		reason = vmread(EXIT_REASON);
		reinject_vectoring();
		if (!vmx_handle_internal(v, reason & 0xffff) ||
		    (reason & VMX_EXIT_FAILED_ENTRY))
			break;
	}
	decode_exit(v, reason);
}
