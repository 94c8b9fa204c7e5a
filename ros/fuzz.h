/*
 * The hypercall fuzzer's pieces (ros/checks_fuzz.c runs it): the register
 * block ros/fuzz.asm loads and stores, and the generators of ros/fuzz_gen.c
 * (one splitmix64 stream per CPU, codes, requests, arguments, the arena).
 */
#ifndef TANDEM_ROS_FUZZ_H
#define TANDEM_ROS_FUZZ_H

#include <stdbool.h>
#include <stdint.h>

#include "suite.h"

/* A scratch area of ROS RAM the generators point into and fill with
 * random bytes, half-valid cell configurations and ELF headers. */
#define FUZZ_ARENA_SIZE (4 * PAGE_SIZE)

/* The registers ros/fuzz.asm loads and stores, in its order. */
enum reg {
	R_RAX,
	R_RBX,
	R_RCX,
	R_RDX,
	R_RSI,
	R_RDI,
	R_R8,
	R_R9,
	R_R10,
	R_R11,
	R_RBP,
	R_R12,
	R_R13,
	R_R14,
	R_R15,
	NREGS,
};

/* How a call is made: the page, an instruction from 64-bit code, or an
 * instruction from 32-bit compatibility mode (CPL 0 only). */
enum via { FV_PAGE, FV_VMMCALL, FV_VMCALL, FV_VMMCALL32, FV_VMCALL32 };

/* One transfer (ros/fuzz.asm reads this layout): registers in, the
 * target called, the registers as they came back. */
struct fuzz_regs {
	union {
		struct {
			uint64_t rax, rbx, rcx, rdx, rsi, rdi, r8, r9, r10, r11,
				rbp, r12, r13, r14, r15;
		};
		uint64_t in[NREGS];
	};
	uint64_t target;
	uint64_t out[NREGS];
	uint64_t how; /* enum via */
};
_Static_assert(__builtin_offsetof(struct fuzz_regs, target) == 120 &&
		       __builtin_offsetof(struct fuzz_regs, out) == 128,
	       "ros/fuzz.asm layout");
_Static_assert((int)FV_VMMCALL == (int)VIA_VMMCALL &&
		       (int)FV_VMCALL == (int)VIA_VMCALL,
	       "the suite's numbering");

long ros_fuzz_call(struct fuzz_regs *r);
void ros_user_fuzz(void);
void ros_fuzz_vmmcall(void);
void ros_fuzz_vmcall(void);
void ros_fuzz_vmmcall32(void);
void ros_fuzz_vmcall32(void);

extern uint8_t fuzz_arena[FUZZ_ARENA_SIZE];

/** Remember @s (its boot information, Tandem's and the HRT's memory, the
 * hypercall page) for the generators. */
void fuzz_gen_init(const struct suite *s);

/** Start CPU @cpu's stream at @seed. */
void fuzz_seed_cpu(unsigned cpu, uint64_t seed);

/** This CPU's ROS index. */
unsigned fuzz_cpu(void);

/** The next number of this CPU's stream; one below @n (0 for n = 0). */
uint64_t fuzz_rnd(void);
uint64_t fuzz_below(uint64_t n);

/** "name=N" of the ROS command line (decimal or 0x hex), else @def. */
uint64_t fuzz_cmdline_num(const struct ros_boot *b, const char *name,
			  uint64_t def);

/** True under QEMU (its fw_cfg signature). */
bool fuzz_on_qemu(void);

/** True when any byte of [@a, @a + @len) is the ROS's available RAM. */
bool fuzz_ros_ram(uint64_t a, uint64_t len);

/** True when @a lies in one of the @n ranges at @r. */
bool fuzz_in_ranges(uint64_t a, const struct ros_range *r, unsigned n);

/** True when [@a, @a + @len) lies inside the arena. */
bool fuzz_in_arena(uint64_t a, uint64_t len);

/** One argument value from a random generator (see ros/fuzz_gen.c). */
uint64_t fuzz_arg(void);

/** Write something half-valid at a random place of the arena; arguments
 * then point at it now and then. */
void fuzz_fill_arena(void);

/** A hypercall code: mostly 0..15, some around the end of the table and
 * the page, 0xf00d, random 64-bit values. */
uint64_t fuzz_code(void);

/** A 0xf00d request: mostly known ones, some small, some random. */
uint64_t fuzz_request(void);

/** Random values in every register but RAX. */
void fuzz_random_regs(struct fuzz_regs *r);

#endif
