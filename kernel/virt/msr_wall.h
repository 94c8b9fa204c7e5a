/* The MSR wall: every MSR a partition may touch is on its kind's list
 * (guest-abi/ABI.md, "MSRs"); everything else raises #GP. Listed MSRs
 * either pass through to the CPU (guest context the VMCS/VMCB or Tandem
 * switches with the vCPU), pass through for reads only, or are answered
 * by Tandem (msr_emul.c). */
#ifndef TANDEM_VIRT_MSR_WALL_H
#define TANDEM_VIRT_MSR_WALL_H

#include <stdbool.h>
#include <stdint.h>
#include "virt/vcpu.h"

enum msr_how {
	MSR_PASS,      /* reads and writes reach the CPU */
	MSR_READ_ONLY, /* reads reach the CPU, writes raise #GP */
	MSR_TANDEM,    /* both exit and Tandem answers (msr_emul.c) */
	MSR_READ_DROP, /* reads reach the CPU, writes are dropped */
};

struct msr_range {
	uint32_t first, last;
	enum msr_how how;
};

struct msr_list {
	const struct msr_range *ranges;
	unsigned n;
};

/* One list per partition kind. */
extern const struct msr_list msr_list_root, msr_list_cell, msr_list_hrt;

/** The rule for @msr in @l; false: not listed (#GP). */
bool msr_list_find(const struct msr_list *l, uint32_t msr, enum msr_how *how);

/** Opens @v's MSR bitmap for what its kind's list passes through; the
 * backend made it intercept everything. Right after vcpu_create. */
void msr_wall_confine(struct vcpu *v);

/** This CPU stops running @from (NULL: nothing to keep) and runs @to:
 * swap the guest MSRs the CPU holds that no VM switch covers. */
void msr_wall_switch(struct vcpu *from, struct vcpu *to);

#endif
