/* The VMCB (AMD APM Vol. 2, Appendix B): control area at 0, state save
 * area at 0x400. Only the fields Tandem uses are named; every offset is
 * asserted. */
#ifndef TANDEM_SVM_VMCB_H
#define TANDEM_SVM_VMCB_H

#include <stddef.h>
#include <stdint.h>

struct __attribute__((packed)) vmcb_seg {
	uint16_t sel;
	uint16_t attr;
	uint32_t limit;
	uint64_t base;
};

struct __attribute__((packed)) vmcb_control {
	uint32_t intercept_cr;	       /* 0x000: reads 15:0, writes 31:16 */
	uint32_t intercept_dr;	       /* 0x004 */
	uint32_t intercept_exceptions; /* 0x008 */
	uint32_t intercept_misc1;      /* 0x00c */
	uint32_t intercept_misc2;      /* 0x010 */
	uint32_t intercept_misc3;      /* 0x014 */
	uint8_t reserved0[0x3c - 0x18];
	uint16_t pause_filter_thresh; /* 0x03c */
	uint16_t pause_filter_count;  /* 0x03e */
	uint64_t iopm_base_pa;	      /* 0x040 */
	uint64_t msrpm_base_pa;	      /* 0x048 */
	uint64_t tsc_offset;	      /* 0x050 */
	uint32_t asid;		      /* 0x058 */
	uint8_t tlb_control;	      /* 0x05c */
	uint8_t reserved1[3];
	uint64_t int_ctl;	/* 0x060: V_TPR, V_IRQ, V_INTR_MASKING */
	uint64_t int_shadow;	/* 0x068 */
	uint64_t exit_code;	/* 0x070 */
	uint64_t exit_info1;	/* 0x078 */
	uint64_t exit_info2;	/* 0x080 */
	uint64_t exit_int_info; /* 0x088 */
	uint64_t np_enable;	/* 0x090 */
	uint64_t avic_apic_bar; /* 0x098 */
	uint64_t ghcb_pa;	/* 0x0a0 */
	uint64_t event_inj;	/* 0x0a8 */
	uint64_t n_cr3;		/* 0x0b0 */
	uint64_t lbr_virt;	/* 0x0b8 */
	uint32_t clean;		/* 0x0c0 */
	uint32_t reserved2;
	uint64_t next_rip;	  /* 0x0c8 */
	uint8_t insn_bytes_count; /* 0x0d0 */
	uint8_t insn_bytes[15];
	uint8_t reserved3[0x400 - 0x0e0];
};

struct __attribute__((packed)) vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs; /* 0x400 */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x460 */
	uint8_t reserved0[0x4cb - 0x4a0];
	uint8_t cpl; /* 0x4cb */
	uint32_t reserved1;
	uint64_t efer; /* 0x4d0 */
	uint8_t reserved2[0x548 - 0x4d8];
	uint64_t cr4; /* 0x548 */
	uint64_t cr3;
	uint64_t cr0;
	uint64_t dr7;
	uint64_t dr6;
	uint64_t rflags; /* 0x570 */
	uint64_t rip;	 /* 0x578 */
	uint8_t reserved3[0x5d8 - 0x580];
	uint64_t rsp; /* 0x5d8 */
	uint8_t reserved4[0x5f8 - 0x5e0];
	uint64_t rax;			     /* 0x5f8 */
	uint64_t star, lstar, cstar, sfmask; /* 0x600 */
	uint64_t kernel_gs_base;	     /* 0x620 */
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t cr2; /* 0x640 */
	uint8_t reserved5[0x668 - 0x648];
	uint64_t g_pat; /* 0x668 */
	uint8_t reserved6[0x1000 - 0x670];
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};

#define VMCB_OFF(f) offsetof(struct vmcb, f)
_Static_assert(VMCB_OFF(control.iopm_base_pa) == 0x40, "VMCB IOPM");
_Static_assert(VMCB_OFF(control.asid) == 0x58, "VMCB ASID");
_Static_assert(VMCB_OFF(control.exit_code) == 0x70, "VMCB exit code");
_Static_assert(VMCB_OFF(control.np_enable) == 0x90, "VMCB NP enable");
_Static_assert(VMCB_OFF(control.event_inj) == 0xa8, "VMCB EVENTINJ");
_Static_assert(VMCB_OFF(control.n_cr3) == 0xb0, "VMCB nCR3");
_Static_assert(VMCB_OFF(control.next_rip) == 0xc8, "VMCB nRIP");
_Static_assert(VMCB_OFF(save.es) == 0x400, "VMCB save area");
_Static_assert(VMCB_OFF(save.tr) == 0x490, "VMCB TR");
_Static_assert(VMCB_OFF(save.cpl) == 0x4cb, "VMCB CPL");
_Static_assert(VMCB_OFF(save.efer) == 0x4d0, "VMCB EFER");
_Static_assert(VMCB_OFF(save.cr4) == 0x548, "VMCB CR4");
_Static_assert(VMCB_OFF(save.rip) == 0x578, "VMCB RIP");
_Static_assert(VMCB_OFF(save.rsp) == 0x5d8, "VMCB RSP");
_Static_assert(VMCB_OFF(save.rax) == 0x5f8, "VMCB RAX");
_Static_assert(VMCB_OFF(save.cr2) == 0x640, "VMCB CR2");
_Static_assert(VMCB_OFF(save.g_pat) == 0x668, "VMCB G_PAT");
_Static_assert(sizeof(struct vmcb) == 0x1000, "VMCB is one page");

/* Intercept bits (APM Vol. 2, Table B-1). */
#define INTERCEPT_CR8_WRITE	(1u << (16 + 8)) /* intercept_cr */
#define INTERCEPT_INTR		(1u << 0)
#define INTERCEPT_NMI		(1u << 1)
#define INTERCEPT_INIT		(1u << 3)
#define INTERCEPT_CPUID		(1u << 18)
#define INTERCEPT_HLT		(1u << 24)
#define INTERCEPT_IOIO		(1u << 27)
#define INTERCEPT_MSR		(1u << 28)
#define INTERCEPT_SHUTDOWN	(1u << 31)
#define INTERCEPT_VMRUN		(1u << 0) /* misc2 */
#define INTERCEPT_VMMCALL	(1u << 1)
#define INTERCEPT_VMLOAD	(1u << 2)
#define INTERCEPT_VMSAVE	(1u << 3)
#define INTERCEPT_STGI		(1u << 4)
#define INTERCEPT_CLGI		(1u << 5)
#define INTERCEPT_SKINIT	(1u << 6)

/* Exit codes (APM Vol. 2, Appendix C). */
#define SVM_EXIT_CR8_WRITE	0x18
#define SVM_EXIT_EXCP_BASE	0x40
#define SVM_EXIT_INTR		0x60
#define SVM_EXIT_NMI		0x61
#define SVM_EXIT_INIT		0x63
#define SVM_EXIT_VINTR		0x64
#define SVM_EXIT_CPUID		0x72
#define SVM_EXIT_HLT		0x78
#define SVM_EXIT_IOIO		0x7b
#define SVM_EXIT_MSR		0x7c
#define SVM_EXIT_SHUTDOWN	0x7f
#define SVM_EXIT_VMRUN		0x80
#define SVM_EXIT_VMMCALL	0x81
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_INVALID	((uint64_t)-1)

/* EVENTINJ (APM 15.20). */
#define EVENTINJ_VALID		(1u << 31)
#define EVENTINJ_ERROR_VALID	(1u << 11)
#define EVENTINJ_TYPE_INTR	(0u << 8)
#define EVENTINJ_TYPE_NMI	(2u << 8)
#define EVENTINJ_TYPE_EXCEPTION (3u << 8)

#define V_IRQ			(1ull << 8)
#define V_IGN_TPR		(1ull << 20)

#endif
