/* The MSR lists of the partition kinds and the switching of the guest
 * MSRs that stay in the CPU across VM exits (see msr_wall.h). */
#include "lib/cpu.h"
#include "virt/msr_wall.h"
#include "virt/partition.h"

/* Guest context every kind has. EFER passes on VMX (the VMCS switches it)
 * and is the SVM backend's (it keeps SVME). */
#define GUEST_CONTEXT                                                        \
	{ 0x10, 0x10, MSR_TANDEM },	      /* TSC: Tandem's clock */      \
		{ 0x1b, 0x1b, MSR_TANDEM },   /* APIC_BASE */                \
		{ 0x3b, 0x3b, MSR_TANDEM },   /* TSC_ADJUST */               \
		{ 0x174, 0x176, MSR_PASS },   /* SYSENTER_CS/ESP/EIP */      \
		{ 0x1d9, 0x1d9, MSR_TANDEM }, /* DEBUGCTL: reads 0 */        \
		{ 0xda0, 0xda0, MSR_TANDEM }, /* XSS: reads 0 */             \
		{ 0x277, 0x277, MSR_PASS },   /* PAT */                      \
		{ 0x6e0, 0x6e0, MSR_PASS },   /* TSC_DEADLINE, own APIC */   \
		{ 0x800, 0x8ff, MSR_TANDEM }, /* x2APIC */                   \
		{ 0x40000000, 0x40000000, MSR_TANDEM }, /* hypercall page */ \
		{ 0xc0000080, 0xc0000080, MSR_PASS },	/* EFER */           \
		{ 0xc0000081, 0xc0000084, MSR_PASS },	/* STAR..SFMASK */   \
	{                                                                    \
		0xc0000100, 0xc0000103, MSR_PASS                             \
	} /* FS/GS/KERNEL_GS, TSC_AUX */

static const struct msr_range root_ranges[] = {
	GUEST_CONTEXT,
	/* Platform values a ROS reads (never writes): platform info, misc enable, AMD's SYSCFG and HWCR. */
	{ 0xce, 0xce, MSR_READ_ONLY },
	{ 0xfe, 0xfe, MSR_READ_ONLY },
	{ 0xe7, 0xe8, MSR_READ_ONLY }, /* MPERF, APERF */
	{ 0xc0010010, 0xc0010010, MSR_READ_ONLY },
	{ 0xc0010015, 0xc0010015, MSR_READ_ONLY },
	/* AMD MMIO_CONF_BASE: where PCI MMCONFIG is (the ROS owns it). */
	{ 0xc0010058, 0xc0010058, MSR_READ_ONLY },
	/* MTRRs: Tandem's memory types come from them (mm/mtrr.c), so the
	 * ROS may not change them; Linux rewrites the same values around
	 * its PAT set-up (and disables them meanwhile), so writes are
	 * dropped rather than refused. */
	{ 0x200, 0x21f, MSR_READ_DROP },
	/* BIOS_SIGN_ID: Linux writes 0, runs CPUID, reads the microcode
	 * revision (SDM Vol. 3A 10.11.7.1); the write is dropped. */
	{ 0x8b, 0x8b, MSR_READ_DROP },
	/* MISC_ENABLE: Linux clears bits it finds set (fast strings, the
	 * CPUID limit); the write is dropped. */
	{ 0x1a0, 0x1a0, MSR_READ_DROP },
	{ 0x250, 0x250, MSR_READ_DROP },
	{ 0x258, 0x259, MSR_READ_DROP },
	{ 0x268, 0x26f, MSR_READ_DROP },
	{ 0x2ff, 0x2ff, MSR_READ_DROP },
	/* Machine check architecture (SDM Vol. 3B 16.3): the ROS owns
	 * the platform, so it handles machine checks of its CPUs. */
	{ 0x179, 0x179, MSR_READ_ONLY },
	{ 0x17a, 0x17b, MSR_PASS },
	{ 0x400, 0x47f, MSR_PASS },
	/* Thermal interrupt control and status (SDM Vol. 3B 15.8): the
	 * ROS handles its CPUs' thermal events. */
	{ 0x19b, 0x19c, MSR_PASS },
	{ 0x1b1, 0x1b2, MSR_PASS },
	/* Speculation controls the ROS's mitigations set on its CPUs:
	 * SPEC_CTRL, PRED_CMD, ARCH_CAPABILITIES (read), FLUSH_CMD, and
	 * AMD's LS_CFG (SSBD), FP_CFG and DE_CFG (LFENCE serialising). */
	{ 0x48, 0x49, MSR_PASS },
	{ 0x10a, 0x10a, MSR_READ_ONLY },
	{ 0x10b, 0x10b, MSR_PASS },
	{ 0xc0011020, 0xc0011020, MSR_PASS },
	/* AMD NB_CFG: Linux turns on extended PCI configuration access
	 * through 0xcf8 (bit 46); the ROS owns PCI configuration space. */
	{ 0xc001001f, 0xc001001f, MSR_PASS },
	{ 0xc0011028, 0xc0011029, MSR_PASS },
};

static const struct msr_range guest_ranges[] = {
	GUEST_CONTEXT,
	/* MTRR_DEF_TYPE: the vCPU's own (msr_emul.c); the root's reaches
	 * the CPU above. */
	{ 0x2ff, 0x2ff, MSR_TANDEM },
};

#define LIST(a)                             \
	{                                   \
		a, sizeof(a) / sizeof(a[0]) \
	}

const struct msr_list msr_list_root = LIST(root_ranges);
const struct msr_list msr_list_cell = LIST(guest_ranges);
const struct msr_list msr_list_hrt = LIST(guest_ranges);

bool msr_list_find(const struct msr_list *l, uint32_t msr, enum msr_how *how)
{
	for (unsigned i = 0; i < l->n; i++) {
		if (msr >= l->ranges[i].first && msr <= l->ranges[i].last) {
			*how = l->ranges[i].how;
			return true;
		}
	}
	return false;
}

void msr_wall_confine(struct vcpu *v)
{
	const struct msr_list *l = v->cell->kind->msrs;

	for (unsigned i = 0; i < l->n; i++) {
		const struct msr_range *r = &l->ranges[i];

		if (r->how == MSR_TANDEM)
			continue;
		for (uint32_t m = r->first; m <= r->last; m++)
			vcpu_ops->set_msr_intercept(v, m, false,
						    r->how != MSR_PASS);
	}
}

/* VMX switches none of STAR, LSTAR, CSTAR, SFMASK and KERNEL_GS_BASE (SDM
 * Vol. 3C 27.3, 28.5); VMLOAD/VMSAVE do (APM Vol. 2 15.5.2), but neither
 * switches TSC_AUX. Swapping all of them is correct for both: on SVM the
 * first five hold Tandem's own values between exits. */
static const uint32_t held_msrs[] = { 0xc0000081, 0xc0000082, 0xc0000083,
				      0xc0000084, 0xc0000102, 0xc0000103 };

_Static_assert(sizeof(held_msrs) / sizeof(held_msrs[0]) ==
		       sizeof(((struct vcpu *)0)->held_msrs) / sizeof(uint64_t),
	       "one slot per held MSR");

/* TSC_AUX exists with RDTSCP or RDPID (SDM Vol. 2 RDTSCP). */
static unsigned held_count(void)
{
	static int n;

	if (!n) {
		bool aux = (cpuid(0x80000001, 0).edx & (1u << 27)) ||
			   (cpuid(0, 0).eax >= 7 &&
			    (cpuid(7, 0).ecx & (1u << 22)));

		n = aux ? 6 : 5;
	}
	return (unsigned)n;
}

void msr_wall_switch(struct vcpu *from, struct vcpu *to)
{
	unsigned n = held_count();

	if (from)
		for (unsigned i = 0; i < n; i++)
			from->held_msrs[i] = rdmsr(held_msrs[i]);
	for (unsigned i = 0; i < n; i++)
		wrmsr(held_msrs[i], to->held_msrs[i]);
}
