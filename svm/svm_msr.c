/* The guest's MSRs under SVM: the permission map (APM Vol. 2 15.11), and
 * the MSRs the backend answers for itself. EFER is intercepted because
 * its SVME bit is Tandem's: the guest reads it as 0 and may not set it.
 * VM_CR and VM_HSAVE_PA (15.30) show a CPU whose SVM the firmware turned
 * off, which also keeps the guest from looking for the real one. */
#include "lib/cpu.h"
#include "svm.h"

#define EFER_SCE   (1u << 0)
#define EFER_LMA   (1u << 10)
#define EFER_FFXSR (1u << 14)
#define EFER_TCE   (1u << 15)
#define EFER_GUEST_BITS \
	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_FFXSR | EFER_TCE)

static const uint32_t own_msrs[] = { MSR_EFER, MSR_VM_CR, MSR_VM_HSAVE_PA };

void svm_msrpm_set(uint8_t *msrpm, uint32_t msr, bool rd, bool wr)
{
	uint32_t base;

	/* Three 2 KiB ranges, two bits per MSR (APM 15.11). MSRs outside
	 * them always exit. */
	if (msr <= 0x1fff)
		base = 0;
	else if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		base = 0x800, msr -= 0xc0000000;
	else if (msr >= 0xc0010000 && msr <= 0xc0011fff)
		base = 0x1000, msr -= 0xc0010000;
	else
		return;
	uint32_t bit = msr * 2;
	uint8_t *byte = &msrpm[base + bit / 8];

	*byte = (*byte & ~(3u << (bit % 8))) | ((rd ? 1u : 0) | (wr ? 2u : 0))
						       << (bit % 8);
}

/* Deny by default: every MSR exits until the core opens the ones its
 * kind's list passes through (virt/msr_wall.c). */
void svm_msrpm_init(uint8_t *msrpm)
{
	for (unsigned int i = 0; i < MSRPM_SIZE; i++)
		msrpm[i] = 0xff;
}

/* The core may open any MSR but the ones the backend keeps. */
void svm_msr_intercept(uint8_t *msrpm, uint32_t msr, bool rd, bool wr)
{
	for (unsigned int i = 0; i < sizeof(own_msrs) / sizeof(own_msrs[0]); i++)
		if (own_msrs[i] == msr)
			rd = wr = true;
	svm_msrpm_set(msrpm, msr, rd, wr);
}

/* LMA is the CPU's to set (it follows LME and CR0.PG): a write keeps it;
 * svm_set_state() adds SVME back. */
static enum vendor_msr write_efer(struct vcpu *v, uint64_t val)
{
	struct vcpu_state st;

	if (val & ~(uint64_t)EFER_GUEST_BITS)
		return VENDOR_MSR_GP;
	svm_ops.get_state(v, &st);
	st.efer = (val & ~(uint64_t)EFER_LMA) | (st.efer & EFER_LMA);
	svm_ops.set_state(v, &st);
	return VENDOR_MSR_DONE;
}

enum vendor_msr svm_vendor_msr(struct vcpu *v, uint32_t msr, bool write,
			       uint64_t *val)
{
	switch (msr) {
	case MSR_EFER:
		if (write)
			return write_efer(v, *val);
		*val = svm_of(v)->vmcb->save.efer & ~(uint64_t)EFER_SVME;
		return VENDOR_MSR_DONE;
	case MSR_VM_CR:
		if (write)
			return VENDOR_MSR_GP;
		*val = VM_CR_LOCK | VM_CR_SVMDIS; /* "SVM disabled" */
		return VENDOR_MSR_DONE;
	case MSR_VM_HSAVE_PA:
		if (write)
			return VENDOR_MSR_GP;
		*val = 0;
		return VENDOR_MSR_DONE;
	}
	return VENDOR_MSR_NONE;
}
