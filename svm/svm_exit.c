/* Running an SVM guest and turning its #VMEXIT into a neutral exit
 * (APM Vol. 2 15.6, Appendix C). TCG offers no NRIPS: instruction lengths
 * of the intercepts below are fixed, or given (IOIO next RIP). */
#include "hw/percpu.h"
#include "svm.h"

static const uint8_t has_error_code[32] = {
	[8] = 1,  [10] = 1, [11] = 1, [12] = 1, [13] = 1,
	[14] = 1, [17] = 1, [21] = 1, [29] = 1, [30] = 1,
};

static void decode_ioio(struct vcpu_exit *e, uint64_t info1, uint64_t next_rip,
			uint64_t rip)
{
	e->reason = EXIT_IO;
	e->io.port = info1 >> 16;
	e->io.in = info1 & 1;
	e->io.string = info1 & (1u << 2);
	e->io.rep = info1 & (1u << 3);
	e->io.size = (info1 & (1u << 4)) ? 1 : (info1 & (1u << 5)) ? 2 : 4;
	e->insn_len = (uint8_t)(next_rip - rip);
}

/* With NRIPS (APM 15.7.1) the CPU reports where the intercepted
 * instruction ends; without it (QEMU TCG) the fixed lengths above stand. */
static void use_next_rip(struct vcpu *v, const struct vmcb_control *c)
{
	if (svm_nrips && c->next_rip > v->rip && c->next_rip - v->rip <= 15)
		v->exit.insn_len = (uint8_t)(c->next_rip - v->rip);
}

static void decode_exit(struct vcpu *v, const struct vmcb_control *c)
{
	struct vcpu_exit *e = &v->exit;
	uint64_t code = c->exit_code;

	e->insn_len = 0;
	switch (code) {
	case SVM_EXIT_VMMCALL:
		e->reason = EXIT_HYPERCALL;
		e->insn_len = 3;
		break;
	case SVM_EXIT_CPUID:
		e->reason = EXIT_CPUID;
		e->insn_len = 2;
		break;
	case SVM_EXIT_MSR:
		e->reason = c->exit_info1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		e->msr.index = (uint32_t)v->regs[GPR_RCX];
		e->insn_len = 2;
		break;
	case SVM_EXIT_IOIO:
		decode_ioio(e, c->exit_info1, c->exit_info2, v->rip);
		break;
	case SVM_EXIT_NPF:
		e->reason = EXIT_MEM_FAULT;
		e->mem.gpa = c->exit_info2;
		e->mem.write = c->exit_info1 & (1u << 1);
		e->mem.exec = c->exit_info1 & (1u << 4);
		e->mem.read = !e->mem.write && !e->mem.exec;
		break;
	case SVM_EXIT_INIT:
		e->reason = EXIT_INIT;
		break;
	case SVM_EXIT_SHUTDOWN:
		e->reason = EXIT_SHUTDOWN;
		break;
	case SVM_EXIT_NMI:
		e->reason = EXIT_NMI;
		break;
	case SVM_EXIT_VINTR:
		e->reason = EXIT_IRQ_WINDOW;
		break;
	case SVM_EXIT_CR8_WRITE:
		e->reason = EXIT_CR8_WRITE;
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMRUN + 2 ... SVM_EXIT_VMRUN + 6: /* VMLOAD .. SKINIT */
		/* SVM is hidden from guests: its instructions do not exist. */
		e->reason = EXIT_EXCEPTION;
		e->exception.vector = 6;
		e->exception.has_error = false;
		break;
	case SVM_EXIT_EXCP_BASE ... SVM_EXIT_EXCP_BASE + 31:
		e->reason = EXIT_EXCEPTION;
		e->exception.vector = code - SVM_EXIT_EXCP_BASE;
		e->exception.has_error = has_error_code[e->exception.vector];
		e->exception.error = (uint32_t)c->exit_info1;
		break;
	case SVM_EXIT_INVALID:
		e->reason = EXIT_ENTRY_FAILED;
		e->vendor.code = code;
		e->vendor.info1 = e->vendor.info2 = 0;
		e->vendor.insn_error = 0;
		e->vendor.why =
			"VMRUN refused the guest state (VMEXIT_INVALID, APM 15.5.1 consistency checks)";
		break;
	default:
		e->reason = EXIT_UNHANDLED;
		e->vendor.code = code;
		e->vendor.info1 = c->exit_info1;
		e->vendor.info2 = c->exit_info2;
		e->vendor.why = "unexpected SVM exit code";
		break;
	}
	if (e->insn_len && e->reason != EXIT_IO)
		use_next_rip(v, c);
}

void svm_run(struct vcpu *v)
{
	struct svm_vcpu *s = svm_of(v);
	struct vmcb *vmcb = s->vmcb;

	vmcb->save.rax = v->regs[GPR_RAX];
	vmcb->save.rsp = v->regs[GPR_RSP];
	vmcb->save.rip = v->rip;
	vmcb->save.rflags = v->rflags;
	vmcb->control.clean = 0;

	svm_vmrun(v, s->vmcb_pa, svm_host_area_pa[this_cpu()->cpu_id]);

	v->regs[GPR_RAX] = vmcb->save.rax;
	v->regs[GPR_RSP] = vmcb->save.rsp;
	v->rip = vmcb->save.rip;
	v->rflags = vmcb->save.rflags;
	vmcb->control.tlb_control = 0;
	/* An event whose delivery the exit interrupted is delivered again
	 * (APM 15.7.2, EXITINTINFO). */
	vmcb->control.event_inj = (vmcb->control.exit_int_info & EVENTINJ_VALID) ?
					  vmcb->control.exit_int_info :
					  0;
	decode_exit(v, &vmcb->control);
}
