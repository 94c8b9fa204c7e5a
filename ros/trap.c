/* IDT, TSS, per-CPU pointer and the exception handler (see trap.h). */
#include "cpu.h"
#include "ros.h"
#include "trap.h"
#include "smp.h"

/* 64-bit TSS (SDM Vol. 3A 8.7). Only RSP0 is used: the stack for
 * interrupts and exceptions that arrive at CPL 3. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "TSS size");

/* 64-bit interrupt gate (SDM Vol. 3A 6.14.1). */
struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate size");

#define GATE_INTR_DPL0 0x8e
#define GATE_INTR_DPL3 0xee

extern const uint64_t ros_isr_stubs[256];
extern uint64_t ros_gdt_tss[2];
extern uint64_t ros_user_kernel_rsp;
extern const uint8_t ros_user_resume[];
uint64_t ros_enter_user(uint64_t rip, uint64_t rsp, uint64_t arg);

static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static uint8_t ring0_stack[8192] __attribute__((aligned(16)));
static struct ros_cpu cpus[ROS_MAX_CPUS];
static uint64_t user_return_cs;
volatile unsigned ros_hrt_done_irqs[ROS_MAX_CPUS];

static const char *const names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

const char *ros_vector_name(unsigned vector)
{
	return vector < 32 ? names[vector] : "IRQ";
}

static void load_idt(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* Stacks of the APs; the BSP runs on its boot stack (ros/entry.asm) and,
 * when it comes from CPL 3, on ring0_stack. */
uint8_t ros_ap_stacks[ROS_MAX_CPUS][ROS_AP_STACK_SIZE]
	__attribute__((aligned(16)));

void ros_trap_init_bsp(void)
{
	uint64_t base = (uint64_t)&tss;

	for (unsigned i = 0; i < ROS_MAX_CPUS; i++)
		cpus[i].index = i;

	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = ros_isr_stubs[v];

		idt[v].offset_lo = (uint16_t)a;
		idt[v].selector = SEL_CODE64;
		idt[v].type_attr = v == ROS_VEC_USER_RETURN ? GATE_INTR_DPL3 :
							      GATE_INTR_DPL0;
		idt[v].offset_mid = (uint16_t)(a >> 16);
		idt[v].offset_hi = (uint32_t)(a >> 32);
	}
	load_idt();

	tss.rsp[0] = (uint64_t)ring0_stack + sizeof(ring0_stack);
	tss.iomap_base = sizeof(tss); /* no I/O bitmap: CPL 3 port I/O faults */
	/* Available 64-bit TSS descriptor (SDM Vol. 3A 8.2.3), type 9. */
	ros_gdt_tss[0] = (sizeof(tss) - 1) | (base & 0xffffff) << 16 |
			 0x89ull << 40 | ((base >> 24) & 0xff) << 56;
	ros_gdt_tss[1] = base >> 32;
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
}

void ros_trap_init_ap(void)
{
	load_idt();
}

/* Which CPU: from the stack pointer, so that no MSR (GS base) is needed. */
struct ros_cpu *ros_this_cpu(void)
{
	uint64_t sp, base = (uint64_t)ros_ap_stacks;

	__asm__("mov %%rsp, %0" : "=r"(sp));
	if (sp > base && sp <= base + sizeof(ros_ap_stacks))
		return &cpus[(sp - base - 1) / ROS_AP_STACK_SIZE];
	return &cpus[0];
}

void ros_try_arm(int vector)
{
	struct ros_cpu *c = ros_this_cpu();

	c->try_vector = vector;
	barrier();
	c->try_armed = true;
	barrier();
}

void ros_untry(void)
{
	barrier();
	ros_this_cpu()->try_armed = false;
	barrier();
}

const struct ros_fault *ros_last_fault(void)
{
	return &ros_this_cpu()->last_fault;
}

uint64_t ros_run_user(void (*fn)(void), void *user_stack_top, uint64_t arg,
		      uint64_t *user_cs)
{
	uint64_t rax;

	user_return_cs = 0;
	rax = ros_enter_user((uint64_t)fn, (uint64_t)user_stack_top, arg);
	*user_cs = user_return_cs;
	return rax;
}

/* Resume kernel code at @rip on @rsp (the iretq of the common stub). */
static void resume_kernel(struct trap_frame *f, uint64_t rip, uint64_t rsp)
{
	f->rip = rip;
	f->rsp = rsp;
	f->cs = SEL_CODE64;
	f->ss = SEL_DATA;
	f->rflags = 0x2;
}

static bool catch_fault(struct trap_frame *f)
{
	struct ros_cpu *c = ros_this_cpu();
	const struct ros_jmp *j = &c->try_jmp;

	if (!c->try_armed || f->vector >= 32 ||
	    (c->try_vector != ROS_ANY_VECTOR &&
	     (uint64_t)c->try_vector != f->vector))
		return false;
	c->try_armed = false;
	c->last_fault.vector = (int)f->vector;
	c->last_fault.error = f->error;
	c->last_fault.rip = f->rip;
	c->last_fault.cs = f->cs;
	f->rbx = j->rbx;
	f->rbp = j->rbp;
	f->r12 = j->r12;
	f->r13 = j->r13;
	f->r14 = j->r14;
	f->r15 = j->r15;
	f->rax = f->vector + 1;
	resume_kernel(f, j->rip, j->rsp);
	return true;
}

void ros_take_interrupts(unsigned spins)
{
	uint16_t masks = ros_pic_mask_all();

	/* STI's shadow covers the NOP: pending ones come in after it. */
	__asm__ volatile("sti; nop" ::: "memory");
	for (unsigned i = 0; i < spins; i++)
		cpu_relax();
	__asm__ volatile("cli" ::: "memory");
	ros_pic_restore(masks);
}

unsigned ros_done_irqs_here(void)
{
	return __atomic_load_n(&ros_hrt_done_irqs[ros_this_cpu()->index],
			       __ATOMIC_ACQUIRE);
}

void ros_trap(struct trap_frame *f)
{
	if (f->vector == ROS_VEC_USER_RETURN && (f->cs & 3) == 3) {
		user_return_cs = f->cs;
		resume_kernel(f, (uint64_t)ros_user_resume, ros_user_kernel_rsp);
		return;
	}
	if (f->vector == ROS_VEC_SPURIOUS)
		return; /* spurious local APIC interrupt: no EOI */
	if (f->vector == ROS_VEC_HRT_DONE) {
		__atomic_add_fetch(&ros_hrt_done_irqs[ros_this_cpu()->index], 1,
				   __ATOMIC_RELEASE);
		ros_apic_eoi();
		return;
	}
	if (f->vector == ROS_VEC_TEST_IPI) {
		/* The wall checks' IPIs (ros/checks_walls.c): count them. */
		__atomic_add_fetch(&ros_test_ipis[ros_this_cpu()->index], 1,
				   __ATOMIC_RELEASE);
		ros_apic_eoi();
		return;
	}
	if (catch_fault(f))
		return;

	ros_log("rax %016lx rbx %016lx rcx %016lx rdx %016lx", f->rax, f->rbx,
		f->rcx, f->rdx);
	ros_log("rsi %016lx rdi %016lx rbp %016lx rsp %016lx", f->rsi, f->rdi,
		f->rbp, f->rsp);
	ros_log("r8  %016lx r9  %016lx r10 %016lx r11 %016lx", f->r8, f->r9,
		f->r10, f->r11);
	ros_log("r12 %016lx r13 %016lx r14 %016lx r15 %016lx", f->r12, f->r13,
		f->r14, f->r15);
	ros_log("EXCEPTION %s vector %lu error 0x%lx rip 0x%lx cs 0x%lx cr2 0x%lx cpu %u",
		ros_vector_name((unsigned)f->vector), f->vector, f->error,
		f->rip, f->cs, read_cr2(), ros_this_cpu()->index);
	ros_exit();
}
