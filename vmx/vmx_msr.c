/* The guest's MSRs under VMX: the MSR bitmap (SDM Vol. 3C 25.6.9), and
 * the MSRs the backend answers for itself. The VMX capability MSRs and
 * IA32_FEATURE_CONTROL would tell of VMX: they raise #GP, as on a CPU
 * without it. Every other MSR exits too until the core opens it. */
#include "vmx.h"

static bool own_msr(uint32_t msr)
{
	return (msr >= MSR_VMX_BASIC && msr <= MSR_VMX_VMFUNC) ||
	       msr == MSR_FEATURE_CONTROL;
}

void vmx_msr_bitmap_set(uint8_t *bm, uint32_t msr, bool rd, bool wr)
{
	uint32_t off;

	/* Read low, read high, write low, write high: 1 KiB each. MSRs
	 * outside both ranges always exit (SDM Vol. 3C 25.6.9). */
	if (msr <= 0x1fff)
		off = 0;
	else if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		off = 1024, msr -= 0xc0000000;
	else
		return;
	if (rd)
		bm[off + msr / 8] |= 1u << (msr % 8);
	else
		bm[off + msr / 8] &= ~(1u << (msr % 8));
	if (wr)
		bm[2048 + off + msr / 8] |= 1u << (msr % 8);
	else
		bm[2048 + off + msr / 8] &= ~(1u << (msr % 8));
}

/* Deny by default: every MSR exits until the core opens the ones its
 * kind's list passes through (virt/msr_wall.c). */
void vmx_msr_bitmap_init(uint8_t *bm)
{
	for (unsigned int i = 0; i < 4096; i++)
		bm[i] = 0xff;
}

/* The core may open any MSR but the ones the backend keeps. */
void vmx_msr_intercept(uint8_t *bm, uint32_t msr, bool rd, bool wr)
{
	if (own_msr(msr))
		rd = wr = true;
	vmx_msr_bitmap_set(bm, msr, rd, wr);
}

enum vendor_msr vmx_vendor_msr(struct vcpu *v, uint32_t msr, bool write,
			       uint64_t *val)
{
	(void)v;
	(void)write;
	(void)val;
	return own_msr(msr) ? VENDOR_MSR_GP : VENDOR_MSR_NONE;
}
