/*
 * Descriptor tables, exceptions and controlled faults.
 *
 * Every vector has a stub (ros/isr.asm) that saves the registers into a
 * struct trap_frame and calls ros_trap(). By default an exception prints
 * vector, error code, RIP and CR2 and ends the run with "ros: EXCEPTION".
 * A check that wants an instruction to fault wraps it in ros_try():
 *
 *	int v = ros_try(13);		// 0 now; 13 + 1 if a #GP hit
 *	if (v == 0) {
 *		wrmsr(...);
 *		ros_untry();
 *	}
 *
 * ros_try() behaves like setjmp(): when the armed fault occurs before
 * ros_untry(), execution resumes at ros_try() (in kernel mode, even if the
 * fault hit at CPL 3) returning vector + 1.
 */
#ifndef TANDEM_ROS_TRAP_H
#define TANDEM_ROS_TRAP_H

#include <stdbool.h>
#include <stdint.h>

#define ROS_ANY_VECTOR	    (-1)
#define ROS_VEC_UD	    6
#define ROS_VEC_GP	    13
#define ROS_VEC_PF	    14
#define ROS_VEC_USER_RETURN 0x80 /* int 0x80: back from CPL 3 */
#define ROS_VEC_SPURIOUS    0xff
#define ROS_VEC_TEST_IPI    0xe3 /* fixed IPIs of the wall checks */
#define ROS_VEC_HRT_DONE    0xe4 /* HRT completion interrupts */

/* Test IPIs each CPU took (index: ROS CPU K). */
extern volatile unsigned ros_test_ipis[];
/* Completion interrupts of HRT invokes each CPU took
 * (tandem_hrt_invoke_irq() with ROS_VEC_HRT_DONE). */
extern volatile unsigned ros_hrt_done_irqs[];

/** Let in what this CPU has pending (the suite runs with interrupts
 * off): interrupts on for one instruction and @spins cpu_relax() more,
 * with the firmware's PIC masked meanwhile (it delivers the PIT at vector
 * 8). */
void ros_take_interrupts(unsigned spins);

/** Completion interrupts this CPU has taken so far. */
unsigned ros_done_irqs_here(void);

/* Layout pushed by ros/isr.asm: general registers, vector, error code, then
 * the CPU's interrupt frame (SDM Vol. 3A 6.14.2). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap frame layout");

/* Callee-saved context for ros_try() (ros/isr.asm, ros_setjmp). */
struct ros_jmp {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

/* What the last caught fault looked like. */
struct ros_fault {
	int vector;
	uint64_t error, rip, cs;
};

/* Per-CPU data; the CPU is known from its stack (ros_this_cpu()). */
struct ros_cpu {
	unsigned index; /* 0 = BSP */
	int try_vector; /* armed vector, ROS_ANY_VECTOR, or */
	bool try_armed; /* ... not armed */
	struct ros_jmp try_jmp;
	struct ros_fault last_fault;
};

#define ROS_AP_STACK_SIZE 8192

/* AP K runs on ros_ap_stacks[K] (entry 0 is unused: CPU 0 is the BSP). */
extern uint8_t ros_ap_stacks[][ROS_AP_STACK_SIZE];

/** Build the IDT and the TSS, load both on the BSP. */
void ros_trap_init_bsp(void);

/** Load the IDT on an AP. */
void ros_trap_init_ap(void);

/** This CPU's data. */
struct ros_cpu *ros_this_cpu(void);

/** The C handler every stub calls. */
void ros_trap(struct trap_frame *f);

/** The exception mnemonic of @vector ("#GP"), or "IRQ". */
const char *ros_vector_name(unsigned vector);

/* setjmp(): 0 when called, nonzero when resumed by ros_trap(). */
int ros_setjmp(struct ros_jmp *j) __attribute__((returns_twice));

void ros_try_arm(int vector);

#define ros_try(vector) \
	(ros_try_arm(vector), ros_setjmp(&ros_this_cpu()->try_jmp))

/** Disarm the fault armed by ros_try() (no fault happened). */
void ros_untry(void);

/** The fault ros_try() last caught on this CPU. */
const struct ros_fault *ros_last_fault(void);

/*
 * Run @fn at CPL 3 with RDI = @arg on the user stack ending at
 * @user_stack_top (iretq with the user segments, IF clear). The user code
 * comes back with `int 0x80`; returns the RAX it had then, and stores the
 * CS it had in *@user_cs.
 */
uint64_t ros_run_user(void (*fn)(void), void *user_stack_top, uint64_t arg,
		      uint64_t *user_cs);

/* Small CPL 3 functions of ros/isr.asm: they end with int 0x80. */
void ros_user_ping(void);    /* RAX = ~RDI */
void ros_user_vmmcall(void); /* vmmcall with RAX = 5, RDI = 0 */
void ros_user_vmcall(void);  /* vmcall with RAX = 5, RDI = 0 */

#endif
