/*
 * The Palacios HVM/HRT interface as Tandem offers it (its Palacios sources:
 * docs/interfaces/palacios-hvm-hrt.md; the reference: guest-abi/ABI.md
 * section 4.10): the Multiboot2 HRT header tag, the HRT info tag, downcall
 * requests (hypercall 0xf00d), transaction states, upcalls through the comm
 * page, and Tandem's own function-call descriptor. Layouts follow Palacios
 * so that its clients (Nautilus, the Palacios ROS library) work unchanged.
 *
 * Downcall: RAX = 0xf00d, RBX = TANDEM_HVM_MARKER (anything else: RAX = -1),
 * RCX = request, arguments in RDX, RSI, RDI, R8 (Palacios also passes R9,
 * R10, R11; no request Tandem implements reads them); result in RAX, -1 on
 * error. vmmcall or vmcall, from any CPL.
 */
#ifndef TANDEM_HVM_H
#define TANDEM_HVM_H

#include <stdint.h>

#define TANDEM_HVM_CALL		     0xf00d
#define TANDEM_HVM_MARKER_64	     0x6464646464646464ull

/* Downcall requests (RCX). */
#define TANDEM_HVM_NULL		     0x00
#define TANDEM_HVM_REBOOT_ROS	     0x01
#define TANDEM_HVM_REBOOT_HRT	     0x02
#define TANDEM_HVM_REBOOT_BOTH	     0x03
#define TANDEM_HVM_REPLACE_HRT	     0x08 /* RDX = image address, RSI = length */
#define TANDEM_HVM_GET_STATE	     0x0f /* RDX = where to copy the ROS event */
#define TANDEM_HVM_ROS_EVENT_REQUEST 0x10
#define TANDEM_HVM_HRT_EVENT_ACK     0x1e
#define TANDEM_HVM_ROS_EVENT_DONE    0x1f
#define TANDEM_HVM_INVOKE	     0x20 /* RDX = descriptor, RSI = done word */
#define TANDEM_HVM_PAR_INVOKE	     0x21 /* the same on every HRT core */
#define TANDEM_HVM_SYNC_SETUP	     0x28
#define TANDEM_HVM_SYNC_TEARDOWN     0x29
#define TANDEM_HVM_CALL_DONE	     0x2f /* from each HRT core */
#define TANDEM_HVM_MERGE	     0x30
#define TANDEM_HVM_UNMERGE	     0x31
#define TANDEM_HVM_MERGE_DONE	     0x3f
#define TANDEM_HVM_SIGNAL_INSTALL    0x40
#define TANDEM_HVM_SIGNAL	     0x41
#define TANDEM_HVM_GDT_SYNC	     0x51
#define TANDEM_HVM_GDT_REGISTER	     0x52
#define TANDEM_HVM_GDT_RESTORE	     0x53
#define TANDEM_HVM_GDT_DONE	     0x5f

/* What Tandem writes into an invoke's completion word (RSI of INVOKE or
 * PAR_INVOKE, a u64 of the caller, 8-aligned) once the state is IDLE again:
 * every core called done, or the transaction was aborted (the HRT failed
 * or was rebooted). */
#define TANDEM_HRT_COMPLETED	     1
#define TANDEM_HRT_ABORTED	     2

/* An invoke's completion interrupt (RDI of INVOKE or PAR_INVOKE; 0: none):
 * a vector from 32 to 255, sent as a fixed IPI to the CPU that invoked,
 * after the word is written. */
#define TANDEM_HRT_DONE_VECTOR_MIN   32

/* Transaction states (GET_STATE result). */
#define TANDEM_HRT_IDLE		     0
#define TANDEM_HRT_CALL		     1
#define TANDEM_HRT_PARCALL	     2
#define TANDEM_HRT_SYNCSETUP	     3
#define TANDEM_HRT_SYNC		     4
#define TANDEM_HRT_SYNCTEARDOWN	     5
#define TANDEM_HRT_MERGE	     6
#define TANDEM_HRT_GDTSYNC	     7

/* Upcalls: the comm page's first u64 is the type, the second its argument
 * (for invokes, the ROS's descriptor pointer passed through unchanged); then
 * Tandem injects the HRT's vector on the target core(s). */
#define TANDEM_UPCALL_NULL	     0x00
#define TANDEM_UPCALL_INVOKE	     0x20
#define TANDEM_UPCALL_PAR_INVOKE     0x21
#define TANDEM_UPCALL_SYNC_SETUP     0x28
#define TANDEM_UPCALL_SYNC_TEARDOWN  0x29
#define TANDEM_UPCALL_MERGE	     0x30
#define TANDEM_UPCALL_UNMERGE	     0x31
#define TANDEM_UPCALL_GDT_SYNC	     0x51
#define TANDEM_UPCALL_GDT_RESTORE    0x53

/*
 * Tandem's function-call descriptor (Palacios leaves it to the HRT; this is
 * the Multiverse layout). The ROS passes its address with INVOKE, a
 * virtual address of the caller like every 0xf00d pointer, and so is
 * result_gpa in the ROS's copy. Tandem copies the descriptor into the comm
 * page (struct tandem_comm_page.call) with result_gpa translated to the
 * guest-physical address of the result slots, and hands the HRT that
 * copy: every HRT core that runs the call stores the function's result at
 * result_gpa + 8 * (index among HRT cores), then issues CALL_DONE. What
 * func and args mean is the HRT's business (hrt/ documents its functions).
 */
struct tandem_hrt_call {
	uint64_t func;
	uint64_t result_gpa;
	uint64_t args[8];
};

_Static_assert(sizeof(struct tandem_hrt_call) == 80,
	       "HRT call descriptor layout");

/* The comm page: the upcall (type, argument) and, at offset 64, Tandem's
 * copy of the descriptor of the invoke in progress (the argument of an
 * invoke upcall is the guest-physical address of that copy). */
#define TANDEM_COMM_CALL_OFFSET 64

struct tandem_comm_page {
	volatile uint64_t upcall_type;
	volatile uint64_t upcall_arg;
	volatile uint64_t upcall_arg2; /* GDT sync: the ROS's RSI */
	uint64_t reserved[5];
	struct tandem_hrt_call call;
};

_Static_assert(__builtin_offsetof(struct tandem_comm_page, call) ==
		       TANDEM_COMM_CALL_OFFSET,
	       "comm page layout");

/* The GDT area of GDT synchronisation (0x52 registers it, 0x51 fills it;
 * Palacios's layout, packed): the ROS's GDTR as the HRT should load it
 * (base = the area's address + 30, where the copy starts), the FS base
 * the ROS passed, the ROS caller's selectors, then the ROS's GDT, limit
 * + 1 bytes. */
struct tandem_gdt_area {
	uint16_t gdtr_limit;
	uint64_t gdtr_base;
	uint64_t fsbase;
	uint16_t cs, ds, es, fs, gs, ss;
	uint8_t gdt[];
} __attribute__((packed));

_Static_assert(sizeof(struct tandem_gdt_area) == 30, "GDT area layout");

/* Word 2 of the comm page (after type and argument): the second argument
 * of a GDT synchronisation upcall (0x51: the ROS's RSI, a CPU number). */
#define TANDEM_COMM_ARG2_OFFSET	    16

/* Multiboot2 header tag of an HRT kernel (type 0xf00d). */
#define TANDEM_MB2_HRT_TAG	    0xf00d
#define TANDEM_HRT_RELOCATABLE	    0x1ull
#define TANDEM_HRT_MAP_4KB	    0x100ull
#define TANDEM_HRT_MAP_2MB	    0x200ull
#define TANDEM_HRT_MAP_1GB	    0x400ull
#define TANDEM_HRT_MAP_512GB	    0x800ull
/* Tandem's own flag: upcalls come as Palacios's "magic" page fault
 * instead of as the tag's vector (ABI.md 4.10, "Upcalls"): vector 14,
 * taken whatever RFLAGS.IF, with the 64-bit error code
 * TANDEM_UPCALL_MAGIC_ERROR (upper half zero) and CR2 =
 * TANDEM_UPCALL_MAGIC_ADDRESS (not canonical: no real fault has it). */
#define TANDEM_HRT_UPCALL_MAGIC_PF  0x10000ull
#define TANDEM_UPCALL_MAGIC_ADDRESS 0x0000800df00df00dull
#define TANDEM_UPCALL_MAGIC_ERROR   0x00000000f00df00dull

struct tandem_mb2_hrt_tag {
	uint16_t type;	/* TANDEM_MB2_HRT_TAG */
	uint16_t flags; /* Multiboot2 tag flags */
	uint32_t size;	/* sizeof this struct */
	uint64_t hrt_flags;
	uint64_t max_mem_to_map;
	uint64_t gva_offset; /* 0 or 0xffff800000000000 */
	uint64_t gva_entry;  /* 0: the entry tag, plus the offset */
	uint64_t comm_page_gpa;
	uint8_t int_vector; /* >= 32 */
	uint8_t reserved[7];
};

_Static_assert(sizeof(struct tandem_mb2_hrt_tag) == 56, "HRT tag layout");

/* Multiboot2 boot information tag for an HRT (type 0xf00df00d). */
#define TANDEM_MB2_INFO_HRT 0xf00df00du

struct tandem_mb2_hrt_info {
	uint32_t type; /* TANDEM_MB2_INFO_HRT */
	uint32_t size;
	uint32_t total_num_apics;
	uint32_t first_hrt_apic_id;
	uint32_t have_hrt_ioapic;
	uint32_t first_hrt_ioapic_entry;
	uint64_t cpu_freq_khz;
	uint64_t hrt_flags;
	uint64_t max_mem_mapped;
	uint64_t first_hrt_gpa;
	uint64_t boot_state_gpa;
	uint64_t gva_offset;
	uint64_t comm_page_gpa;
	uint8_t hrt_int_vector;
	uint8_t reserved[7];
};

_Static_assert(sizeof(struct tandem_mb2_hrt_info) == 88, "HRT info tag layout");

/* The pending ROS event GET_STATE copies out (Palacios struct v3_ros_event). */
#define TANDEM_ROS_NONE	       0
#define TANDEM_ROS_PAGE_FAULT  1
#define TANDEM_ROS_SYSCALL     2
#define TANDEM_HRT_EXCEPTION   3
#define TANDEM_HRT_THREAD_EXIT 4
#define TANDEM_ROS_DONE	       5

struct tandem_ros_event {
	uint32_t event_type;
	uint32_t reserved;
	uint64_t last_ros_event_result;
	union {
		struct {
			uint64_t rip, cr2;
			uint32_t action; /* 0 read, 1 write */
			uint32_t reserved;
		} page_fault;
		struct {
			uint64_t args[8];
		} syscall;
		struct {
			uint64_t rip, vector;
		} excp;
		struct {
			uint64_t nktid;
		} thread_exit;
	};
};

_Static_assert(sizeof(struct tandem_ros_event) == 80, "ROS event layout");

#endif
