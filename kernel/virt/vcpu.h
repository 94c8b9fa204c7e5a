/*
 * THE vendor interface. The core (kernel/) drives hardware virtualization
 * only through `vcpu_ops`; vmx/ and svm/ each fill one table, both are
 * linked in, and boot takes the one whose probe finds a usable extension
 * (vcpu_ops_select()). The core never names a vendor MSR or a field of a
 * vendor's control structure.
 *
 * Guest state has one canonical form here (struct vcpu_state, struct
 * segment). Between two exits the core owns v->regs, v->rip and v->rflags;
 * the backend loads them before entry and stores them after the exit.
 * Each exit is decoded by the backend into a neutral struct vcpu_exit.
 */
#ifndef TANDEM_VIRT_VCPU_H
#define TANDEM_VIRT_VCPU_H

#include <stdbool.h>
#include <stdint.h>

struct cell;
struct per_cpu;
struct pt_format;
struct virt_caps;

/* General registers, indexed by their x86 encoding (RAX = 0 ... R15 = 15). */
enum gpr {
	GPR_RAX,
	GPR_RCX,
	GPR_RDX,
	GPR_RBX,
	GPR_RSP,
	GPR_RBP,
	GPR_RSI,
	GPR_RDI,
	GPR_R8,
	GPR_R9,
	GPR_R10,
	GPR_R11,
	GPR_R12,
	GPR_R13,
	GPR_R14,
	GPR_R15,
	GPR_COUNT
};

/* Segment attributes in descriptor order: bits 0-3 type, 4 S, 5-6 DPL,
 * 7 P, 8 AVL, 9 L, 10 D/B, 11 G (the SVM packing); SEG_UNUSABLE marks a
 * null-loaded segment (VMX needs it). */
#define SEG_UNUSABLE (1u << 16)

struct segment {
	uint16_t sel;
	uint32_t attr;
	uint32_t limit;
	uint64_t base;
};

struct dtable {
	uint64_t base;
	uint32_t limit;
};

/* Everything needed to start or restart a vCPU, and to inspect one. */
struct vcpu_state {
	uint64_t rip, rflags;
	uint64_t cr0, cr2, cr3, cr4, efer, dr7, pat;
	struct segment es, cs, ss, ds, fs, gs, ldtr, tr;
	struct dtable gdtr, idtr;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
};

enum cpu_mode { CPU_MODE_REAL, CPU_MODE_16, CPU_MODE_32, CPU_MODE_64 };

/* Why the guest stopped, as the core sees it. */
enum vcpu_exit_reason {
	EXIT_NONE,
	EXIT_HYPERCALL, /* VMCALL or VMMCALL (native instruction) */
	EXIT_CPUID,
	EXIT_MSR_READ,
	EXIT_MSR_WRITE,
	EXIT_IO,
	EXIT_MEM_FAULT, /* nested paging: no or wrong mapping */
	EXIT_INIT,	/* INIT signal arrived */
	EXIT_SHUTDOWN,	/* triple fault */
	EXIT_EXCEPTION, /* an intercepted exception (#UD) */
	EXIT_NMI,	/* an NMI: Tandem's kick, or one for the guest */
	EXIT_IRQ_WINDOW,
	EXIT_CR8_WRITE,	   /* MOV to CR8, intercepted (SVM: see svm.c) */
	EXIT_ENTRY_FAILED, /* the CPU refused the guest state */
	EXIT_UNHANDLED,	   /* a vendor exit the core does not know */
	EXIT_REASON_COUNT
};

struct vcpu_exit {
	enum vcpu_exit_reason reason;
	/* Length of the exiting instruction when the backend knows it
	 * (0 = unknown: the core must decode it). */
	uint8_t insn_len;
	union {
		struct {
			uint32_t index;
		} msr;
		struct {
			uint16_t port;
			uint8_t size; /* 1, 2, 4 */
			bool in;
			bool string, rep;
		} io;
		struct {
			uint64_t gpa;
			bool read, write, exec;
		} mem;
		struct {
			uint8_t vector;
			bool has_error;
			uint32_t error;
		} exception;
		struct {
			uint64_t code;	       /* vendor exit reason */
			uint64_t info1, info2; /* qualification etc. */
			uint32_t insn_error;   /* VM-instruction error */
			const char *why;       /* decoded, for the log */
		} vendor;
	};
};

enum vcpu_event_type { EVENT_EXCEPTION, EVENT_INTERRUPT, EVENT_NMI };

struct vcpu_event {
	enum vcpu_event_type type;
	uint8_t vector;
	bool has_error;
	uint32_t error;
};

enum vcpu_run_state {
	VCPU_STOPPED,	/* not started */
	VCPU_WAIT_SIPI, /* INIT received, waiting for a start-up IPI */
	VCPU_RUNNING,
	VCPU_PARKED, /* failed: not entered again until reset */
};

/* Requests other CPUs post to a vCPU (kernel/virt/vcpu.c, run_loop.c); the vCPU's own
 * CPU carries them out before it next enters the guest. */
#define VCPU_REQ_INIT	 (1u << 0) /* guest INIT: wait for SIPI */
#define VCPU_REQ_RESET	 (1u << 1) /* restart from start_state */
#define VCPU_REQ_STOP	 (1u << 2) /* leave for good (cell destroy) */
#define VCPU_REQ_DISABLE (1u << 3) /* Disable: continue natively */
#define VCPU_REQ_IRQ	 (1u << 4) /* deliver pending_irq when possible */
/* pending_irq: not a vector but a page fault of pf_error and pf_cr2,
 * delivered by emulation whatever RFLAGS.IF (run_loop.c). */
#define VCPU_PENDING_PF	 256
#define VCPU_REQ_CHECK \
	(1u << 5) /* only pass the entry checks again
				    * (a user-level signal to deliver) */

/* Exit counters per vCPU, in the order of CPU Get State types 1000 and
 * up (guest-abi/include/tandem/hypercall.h). */
enum vcpu_stat {
	STAT_TOTAL,
	STAT_HYPERCALL,
	STAT_CPUID,
	STAT_MSR,
	STAT_IO,
	STAT_MEM_FAULT,
	STAT_HALT,	/* none: no partition exits on HLT */
	STAT_INTERRUPT, /* none: physical interrupts stay in the guest */
	STAT_OTHER,
	STAT_COUNT
};

struct vcpu {
	uint64_t regs[GPR_COUNT]; /* first: the entry stubs use offset 0 */
	uint64_t rip, rflags;
	struct vcpu_exit exit;
	struct cell *cell;
	struct per_cpu *cpu; /* the physical CPU it runs on */
	unsigned int index;  /* position within its cell */
	uint32_t apic_id;    /* what the guest believes its APIC id is */
	volatile enum vcpu_run_state state;
	volatile int sipi_vector; /* -1 until a SIPI arrived */
	uint64_t stats[STAT_COUNT];
	/* The guest's view of its APIC (virt/apic_emul.c): the last ICR it
	 * wrote (high: the xAPIC word, or the x2APIC destination), its xAPIC
	 * logical id and model (DFR reset value: flat). */
	uint32_t lapic_icr_low, lapic_icr_high;
	uint32_t lapic_ldr;
	bool lapic_dfr_cluster;
	/* Its IA32_TSC_ADJUST and the TSC offset that realises it
	 * (virt/tsc_emul.c): guest TSC = CPU TSC + tsc_offset. */
	uint64_t tsc_adjust;
	int64_t tsc_offset;
	/* IA32_MTRR_DEF_TYPE as a cell or the HRT sees it (virt/msr_emul.c):
	 * 0 (MTRRs disabled) at every reset. */
	uint64_t mtrr_def_type;
	/* MSRs the CPU holds for the guest that neither VMCS nor VMCB switch
	 * (virt/msr_wall.c): saved while another vCPU uses the CPU. */
	uint64_t held_msrs[6];
	void *backend; /* the backend's control structure */

	/* Cross-CPU control (kernel/virt/vcpu.c, run_loop.c). */
	volatile uint32_t requests; /* VCPU_REQ_* */
	volatile bool in_guest;	    /* between entry and exit */
	volatile bool stopped;	    /* left its CPU for good: may be freed */
	volatile uint32_t gpa_gen_seen; /* cell's gpa_gen at the last flush */
	struct vcpu_state start_state;	/* for VCPU_REQ_RESET */
	uint64_t start_regs[GPR_COUNT];
	bool start_running;	  /* reset to RUNNING (else WAIT_SIPI) */
	volatile int pending_irq; /* vector to inject, -1: none, or
				   * VCPU_PENDING_PF */
	/* VCPU_PENDING_PF: the page fault Tandem delivers itself
	 * (virt/exc_deliver.c), its 64-bit error code and CR2; set before
	 * pending_irq. */
	uint64_t pf_error, pf_cr2;
};

/* What the backend made of a guest's MSR access (vcpu_ops.vendor_msr). */
enum vendor_msr {
	VENDOR_MSR_NONE, /* not one of the backend's: the core answers */
	VENDOR_MSR_DONE, /* answered (read value given, or written) */
	VENDOR_MSR_GP,	 /* refused: the guest gets #GP */
};

struct vcpu_ops {
	const char *name;
	/* The native hypercall instruction, written into hypercall pages. */
	uint8_t hypercall_insn[3];
	/* Entry format of the guest-physical map (NPT or EPT). */
	const struct pt_format *gpa_format;

	/** Looks at the calling (boot) CPU before anything else is asked:
	 * is the extension there, may it be turned on, does it have what
	 * Tandem needs (nested paging, ...)? 0: usable, @caps filled and its
	 * line logged. A negative errno: not usable; on a CPU of the
	 * backend's vendor caps->name is set and the log says what is
	 * missing, on any other CPU nothing is touched or logged. */
	int (*probe)(struct virt_caps *caps);

	/** True if the guest-physical map may use 1 GiB pages. */
	bool (*gpa_1g_pages)(void);

	/** Turns the extension on for the calling CPU: 0, -EIO, -ENODEV,
	 * -EBUSY or -ENOMEM (bootstrap seed meanings). */
	int (*cpu_enable)(struct per_cpu *pc);
	/** Turns it off again on the calling CPU. */
	void (*cpu_disable)(struct per_cpu *pc);

	/** Allocates and fills the control structure of @v (intercepts,
	 * bitmaps) on the CPU that will run it; it is then loaded. */
	int (*vcpu_create)(struct vcpu *v);
	/** Frees it again, on the CPU that ran it. */
	void (*vcpu_destroy)(struct vcpu *v);
	/** Makes @v the one the calling CPU runs (after another one ran). */
	void (*vcpu_load)(struct vcpu *v);

	/** Loads @s as the complete guest state (start or restart). */
	void (*set_state)(struct vcpu *v, const struct vcpu_state *s);
	/** Reads the complete guest state. */
	void (*get_state)(struct vcpu *v, struct vcpu_state *s);
	/** Current privilege level and mode, cheaper than get_state(). */
	unsigned int (*get_cpl)(struct vcpu *v);
	enum cpu_mode (*get_mode)(struct vcpu *v);
	/** Control registers needed to walk the guest's page tables, as the
	 * guest sees them (no bit the backend sets for its own use). */
	void (*get_paging)(struct vcpu *v, uint64_t *cr0, uint64_t *cr3,
			   uint64_t *cr4, uint64_t *efer);

	/** Points @v at the guest-physical map with root @root_phys. */
	void (*set_gpa_root)(struct vcpu *v, uint64_t root_phys);
	/** The guest-physical map changed: flush what was cached of it. */
	void (*flush_gpa)(struct vcpu *v);

	/** Enters the guest and returns at the next exit, v->exit filled. */
	void (*run)(struct vcpu *v);

	/** Injects @e at the next entry. */
	void (*inject)(struct vcpu *v, const struct vcpu_event *e);
	/** True if an interrupt injected now would be taken (IF set, no
	 * STI/MOV SS shadow). */
	bool (*irq_ready)(struct vcpu *v);
	/** True if an event waits to be injected at the next entry: one the
	 * core injected, or one whose delivery the last exit interrupted
	 * (which the backend injects again). */
	bool (*event_pending)(struct vcpu *v);
	/** Asks for EXIT_IRQ_WINDOW as soon as the guest can take an
	 * interrupt (or stops asking). */
	void (*set_irq_window)(struct vcpu *v, bool on);

	/** A guest RDMSR (@write false: the value goes to *@val) or WRMSR
	 * (of *@val) of @msr exited. The backend answers for the MSRs it
	 * intercepts to hide or guard its own extension; for any other it
	 * returns VENDOR_MSR_NONE. */
	enum vendor_msr (*vendor_msr)(struct vcpu *v, uint32_t msr, bool write,
				      uint64_t *val);
	/** The guest reads the TSC as the CPU's plus @offset (RDTSC, RDTSCP
	 * and RDMSR of IA32_TSC alike). */
	void (*set_tsc_offset)(struct vcpu *v, uint64_t offset);
	/** Intercepts (or passes through) guest access to @msr. */
	void (*set_msr_intercept)(struct vcpu *v, uint32_t msr, bool read,
				  bool write);
	/** Intercepts (or passes through) guest access to the @count I/O
	 * ports from @port on (65536 from 0: all of them). */
	void (*set_io_intercept)(struct vcpu *v, uint32_t port, uint32_t count,
				 bool on);
};

/** The backend in use, chosen once at boot. */
extern const struct vcpu_ops *vcpu_ops;

extern const struct vcpu_ops svm_ops;
extern const struct vcpu_ops vmx_ops;

/** Reads the boot CPU into @caps and picks the backend whose probe works,
 * or NULL (the log says why). */
const struct vcpu_ops *vcpu_ops_select(struct virt_caps *caps);

#endif
