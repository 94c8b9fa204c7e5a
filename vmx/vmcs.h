/* VMCS field encodings and control bits (SDM Vol. 3C, Appendix B and
 * chapters 25-28), and the VMREAD/VMWRITE wrappers. */
#ifndef TANDEM_VMX_VMCS_H
#define TANDEM_VMX_VMCS_H

#include <stdint.h>

/* clang-format off: the encodings read best packed by group */
enum vmcs_field {
	/* 16-bit */
	VPID = 0x0000,
	GUEST_ES_SEL = 0x0800,
	GUEST_CS_SEL = 0x0802,
	GUEST_SS_SEL = 0x0804,
	GUEST_DS_SEL = 0x0806,
	GUEST_FS_SEL = 0x0808,
	GUEST_GS_SEL = 0x080a,
	GUEST_LDTR_SEL = 0x080c,
	GUEST_TR_SEL = 0x080e,
	HOST_ES_SEL = 0x0c00,
	HOST_CS_SEL = 0x0c02,
	HOST_SS_SEL = 0x0c04,
	HOST_DS_SEL = 0x0c06,
	HOST_FS_SEL = 0x0c08,
	HOST_GS_SEL = 0x0c0a,
	HOST_TR_SEL = 0x0c0c,
	/* 64-bit */
	IO_BITMAP_A = 0x2000,
	IO_BITMAP_B = 0x2002,
	MSR_BITMAP = 0x2004,
	TSC_OFFSET = 0x2010,
	EPT_POINTER = 0x201a,
	GUEST_PHYSICAL_ADDRESS = 0x2400,
	VMCS_LINK_POINTER = 0x2800,
	GUEST_DEBUGCTL = 0x2802,
	GUEST_PAT = 0x2804,
	GUEST_EFER = 0x2806,
	HOST_PAT = 0x2c00,
	HOST_EFER = 0x2c02,
	/* 32-bit */
	PIN_CONTROLS = 0x4000,
	PROC_CONTROLS = 0x4002,
	EXCEPTION_BITMAP = 0x4004,
	CR3_TARGET_COUNT = 0x400a,
	EXIT_CONTROLS = 0x400c,
	EXIT_MSR_STORE_COUNT = 0x400e,
	EXIT_MSR_LOAD_COUNT = 0x4010,
	ENTRY_CONTROLS = 0x4012,
	ENTRY_MSR_LOAD_COUNT = 0x4014,
	ENTRY_INTR_INFO = 0x4016,
	ENTRY_EXCEPTION_ERROR = 0x4018,
	ENTRY_INSN_LEN = 0x401a,
	PROC_CONTROLS2 = 0x401e,
	VM_INSN_ERROR = 0x4400,
	EXIT_REASON = 0x4402,
	EXIT_INTR_INFO = 0x4404,
	EXIT_INTR_ERROR = 0x4406,
	IDT_VECTORING_INFO = 0x4408,
	IDT_VECTORING_ERROR = 0x440a,
	EXIT_INSN_LEN = 0x440c,
	GUEST_ES_LIMIT = 0x4800,
	GUEST_CS_LIMIT = 0x4802,
	GUEST_SS_LIMIT = 0x4804,
	GUEST_DS_LIMIT = 0x4806,
	GUEST_FS_LIMIT = 0x4808,
	GUEST_GS_LIMIT = 0x480a,
	GUEST_LDTR_LIMIT = 0x480c,
	GUEST_TR_LIMIT = 0x480e,
	GUEST_GDTR_LIMIT = 0x4810,
	GUEST_IDTR_LIMIT = 0x4812,
	GUEST_ES_AR = 0x4814,
	GUEST_CS_AR = 0x4816,
	GUEST_SS_AR = 0x4818,
	GUEST_DS_AR = 0x481a,
	GUEST_FS_AR = 0x481c,
	GUEST_GS_AR = 0x481e,
	GUEST_LDTR_AR = 0x4820,
	GUEST_TR_AR = 0x4822,
	GUEST_INTERRUPTIBILITY = 0x4824,
	GUEST_ACTIVITY = 0x4826, /* 0 active, 1 HLT (SDM Vol. 3C 25.4.2) */
	GUEST_SYSENTER_CS = 0x482a,
	HOST_SYSENTER_CS = 0x4c00,
	/* natural width */
	CR0_MASK = 0x6000,
	CR4_MASK = 0x6002,
	CR0_SHADOW = 0x6004,
	CR4_SHADOW = 0x6006,
	EXIT_QUALIFICATION = 0x6400,
	GUEST_CR0 = 0x6800,
	GUEST_CR3 = 0x6802,
	GUEST_CR4 = 0x6804,
	GUEST_ES_BASE = 0x6806,
	GUEST_CS_BASE = 0x6808,
	GUEST_SS_BASE = 0x680a,
	GUEST_DS_BASE = 0x680c,
	GUEST_FS_BASE = 0x680e,
	GUEST_GS_BASE = 0x6810,
	GUEST_LDTR_BASE = 0x6812,
	GUEST_TR_BASE = 0x6814,
	GUEST_GDTR_BASE = 0x6816,
	GUEST_IDTR_BASE = 0x6818,
	GUEST_DR7 = 0x681a,
	GUEST_RSP = 0x681c,
	GUEST_RIP = 0x681e,
	GUEST_RFLAGS = 0x6820,
	GUEST_PENDING_DBG = 0x6822,
	GUEST_SYSENTER_ESP = 0x6824,
	GUEST_SYSENTER_EIP = 0x6826,
	HOST_CR0 = 0x6c00,
	HOST_CR3 = 0x6c02,
	HOST_CR4 = 0x6c04,
	HOST_FS_BASE = 0x6c06,
	HOST_GS_BASE = 0x6c08,
	HOST_TR_BASE = 0x6c0a,
	HOST_GDTR_BASE = 0x6c0c,
	HOST_IDTR_BASE = 0x6c0e,
	HOST_SYSENTER_ESP = 0x6c10,
	HOST_SYSENTER_EIP = 0x6c12,
	HOST_RSP = 0x6c14,
	HOST_RIP = 0x6c16,
};
/* clang-format on */

/* Capability MSRs (SDM Vol. 3D Appendix A). */
#define MSR_VMX_BASIC	       0x480
#define MSR_VMX_PINBASED       0x481
#define MSR_VMX_PROCBASED      0x482
#define MSR_VMX_EXIT	       0x483
#define MSR_VMX_ENTRY	       0x484
#define MSR_VMX_CR0_FIXED0     0x486
#define MSR_VMX_CR0_FIXED1     0x487
#define MSR_VMX_CR4_FIXED0     0x488
#define MSR_VMX_CR4_FIXED1     0x489
#define MSR_VMX_PROCBASED2     0x48b
#define MSR_VMX_EPT_VPID_CAP   0x48c
#define MSR_VMX_TRUE_PINBASED  0x48d
#define MSR_VMX_TRUE_PROCBASED 0x48e
#define MSR_VMX_TRUE_EXIT      0x48f
#define MSR_VMX_TRUE_ENTRY     0x490
#define MSR_VMX_VMFUNC	       0x491
#define VMX_BASIC_TRUE_CTLS    (1ull << 55)

/* Controls Tandem asks for (SDM Vol. 3C 25.6-25.8). */
#define PIN_EXT_INTR_EXITING   (1u << 0)
#define PIN_NMI_EXITING	       (1u << 3)
#define GUEST_ACTIVITY_HLT     1

#define PROC_IRQ_WINDOW	       (1u << 2)
#define PROC_TSC_OFFSET	       (1u << 3)
#define PROC_HLT	       (1u << 7)
#define PROC_CR3_LOAD	       (1u << 15)
#define PROC_CR3_STORE	       (1u << 16)
#define PROC_IO_BITMAPS	       (1u << 25)
#define PROC_MSR_BITMAPS       (1u << 28)
#define PROC_SECONDARY	       (1u << 31)
#define PROC2_EPT	       (1u << 1)
#define PROC2_RDTSCP	       (1u << 3)
#define PROC2_VPID	       (1u << 5)
#define PROC2_UNRESTRICTED     (1u << 7)
#define PROC2_INVPCID	       (1u << 12)
#define PROC2_XSAVES	       (1u << 20)
#define EXIT_HOST_64	       (1u << 9)
#define EXIT_SAVE_PAT	       (1u << 18)
#define EXIT_LOAD_PAT	       (1u << 19)
#define EXIT_SAVE_EFER	       (1u << 20)
#define EXIT_LOAD_EFER	       (1u << 21)
#define ENTRY_IA32E	       (1u << 9)
#define ENTRY_LOAD_PAT	       (1u << 14)
#define ENTRY_LOAD_EFER	       (1u << 15)

/* Basic exit reasons (SDM Vol. 3D Appendix C). */
#define VMX_EXIT_EXCEPTION     0
#define VMX_EXIT_EXT_INTR      1
#define VMX_EXIT_TRIPLE_FAULT  2
#define VMX_EXIT_INIT	       3
#define VMX_EXIT_SIPI	       4
#define VMX_EXIT_IRQ_WINDOW    7
#define VMX_EXIT_CPUID	       10
#define VMX_EXIT_HLT	       12
#define VMX_EXIT_INVD	       13
#define VMX_EXIT_VMCALL	       18
#define VMX_EXIT_VMCLEAR       19
#define VMX_EXIT_VMXON	       27
#define VMX_EXIT_CR_ACCESS     28
#define VMX_EXIT_IO	       30
#define VMX_EXIT_RDMSR	       31
#define VMX_EXIT_WRMSR	       32
#define VMX_EXIT_BAD_GUEST     33
#define VMX_EXIT_BAD_MSR_LOAD  34
#define VMX_EXIT_EPT_VIOLATION 48
#define VMX_EXIT_EPT_MISCONFIG 49
#define VMX_EXIT_INVEPT	       50
#define VMX_EXIT_INVVPID       53
#define VMX_EXIT_XSETBV	       55
#define VMX_EXIT_FAILED_ENTRY  (1u << 31)

#define INTR_INFO_VALID	       (1u << 31)
#define INTR_INFO_ERROR_VALID  (1u << 11)
#define INTR_TYPE_EXT_INTR     (0u << 8)
#define INTR_TYPE_NMI	       (2u << 8)
#define INTR_TYPE_HW_EXCEPTION (3u << 8)

static inline uint64_t vmread(enum vmcs_field f)
{
	uint64_t v;

	asm volatile("vmread %1, %0" : "=rm"(v) : "r"((uint64_t)f) : "cc");
	return v;
}

static inline void vmwrite(enum vmcs_field f, uint64_t v)
{
	asm volatile("vmwrite %1, %0" : : "r"((uint64_t)f), "rm"(v) : "cc");
}

#endif
