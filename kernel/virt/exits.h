/* The core's handlers for neutral exits, one file each by subject, and
 * the helpers they share. */
#ifndef TANDEM_VIRT_EXITS_H
#define TANDEM_VIRT_EXITS_H

#include "virt/vcpu.h"

/** Moves the guest past the instruction that exited. */
void vcpu_skip_insn(struct vcpu *v);
/** Injects #GP(0) / #UD at the next entry (RIP stays on the instruction). */
void vcpu_inject_gp(struct vcpu *v);
void vcpu_inject_ud(struct vcpu *v);

void handle_hypercall(struct vcpu *v); /* hypercall.c */
void handle_cpuid(struct vcpu *v);     /* cpuid_emul.c */
void handle_msr_read(struct vcpu *v);  /* msr_emul.c */
void handle_msr_write(struct vcpu *v);
void handle_mem_fault(struct vcpu *v); /* mem_fault.c */
void handle_cr8_write(struct vcpu *v); /* cr8_emul.c */
void handle_exception(struct vcpu *v); /* run_loop.c */

/** Runs whatever vCPU this CPU is given, for good. */
__attribute__((noreturn)) void cpu_loop(void);

/** Posts VCPU_REQ_* @req to @v and waits until its CPU carried it out,
 * kicking it out of guest mode as needed. False after a long timeout. */
bool vcpu_request(struct vcpu *v, uint32_t req);

/** Posts @req without waiting (the vCPU's CPU acts on it soon). */
void vcpu_post(struct vcpu *v, uint32_t req);

/** Gets @v's CPU to look at @v again after a change it waits for (a
 * start-up IPI's vector) that is not a request. */
void vcpu_wake(struct vcpu *v);

/** Carries out @v's pending requests; on @v's own CPU only. False when
 * @v was stopped: it may already be freed, and this CPU runs its root vCPU
 * again. */
bool vcpu_process_requests(struct vcpu *v);

#endif
