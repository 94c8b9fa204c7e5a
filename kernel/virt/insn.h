/*
 * A small x86 instruction decoder for emulating one guest memory access.
 *
 * When a guest load or store hits a nested-paging fault (MMIO, or memory
 * the guest may not touch), the hypervisor has the guest-physical address
 * but not the instruction: AMD SVM under QEMU gives neither decode assists
 * nor next-RIP. insn_decode_mem() reads the bytes at RIP and says how long
 * the instruction is, whether it reads or writes memory, how many bytes,
 * and which register or immediate is the other operand, so the caller can
 * complete the access and advance RIP by the exact length.
 *
 * Only the instructions compilers emit for device access and probing are
 * accepted (see insn_decode_mem()); everything else is refused, so the
 * caller can fail the guest instead of guessing. Instruction format:
 * Intel SDM Vol. 2A chapter 2; AMD APM Vol. 3 chapter 1.
 *
 * Pure C over caller memory: no state, no allocation, no hardware.
 */
#ifndef TANDEM_VIRT_INSN_H
#define TANDEM_VIRT_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Architectural limit on instruction length (SDM Vol. 2A 2.3.11). */
#define INSN_MAX_LENGTH 15

/*
 * The guest's code-segment mode, which gives the default operand and
 * address size: INSN_MODE_64 when EFER.LMA = 1 and CS.L = 1; otherwise
 * INSN_MODE_32 when CS.D = 1; otherwise INSN_MODE_16 (real mode, virtual-8086
 * mode, 16-bit protected mode).
 */
enum insn_mode {
	INSN_MODE_16,
	INSN_MODE_32,
	INSN_MODE_64,
};

/* What the instruction does with the memory operand. */
enum insn_op {
	INSN_OP_MOV,   /* load or store */
	INSN_OP_MOVZX, /* load, zero-extended into a wider register */
	INSN_OP_MOVSX, /* load, sign-extended (MOVSX, MOVSXD) */
	INSN_OP_CMP,   /* read only, sets flags */
	INSN_OP_TEST,  /* read only, sets flags */
	INSN_OP_AND,   /* ALU: read-modify-write if write, else load */
	INSN_OP_OR,
	INSN_OP_XOR,
	INSN_OP_ADD,
	INSN_OP_SUB,
};

/* Kind of the operand that is not the memory operand. */
enum insn_src_kind {
	INSN_SRC_REG, /* a general-purpose register, see reg/high8 */
	INSN_SRC_IMM, /* an immediate, see imm */
};

/* One decoded instruction with a memory operand. */
struct insn_mem {
	enum insn_op op;
	uint8_t length; /* total instruction length in bytes, 1-15 */
	uint8_t size;	/* bytes of memory accessed: 1, 2, 4 or 8 */
	/*
	 * True if memory is written. For INSN_OP_MOV a plain store; for the
	 * ALU ops a read-modify-write (memory is read first). False: memory
	 * is only read.
	 */
	bool write;
	bool lock; /* F0 prefix (only accepted on ALU writes) */
	enum insn_src_kind src_kind;
	/*
	 * For INSN_SRC_REG: the register operand, 0-15 (RAX = 0 ... R15 = 15).
	 * For a store it is the source, for a load the destination, for
	 * CMP/TEST the second operand. Always the number of the 64-bit
	 * register that holds the operand: AH, CH, DH and BH give 0-3 with
	 * high8 set (the operand is bits 15:8).
	 */
	uint8_t reg;
	bool high8;
	/*
	 * For INSN_SRC_IMM: the immediate, sign-extended as the instruction
	 * does (C7 with REX.W, 83) to the operand size and zero above it; a
	 * store writes its low `size` bytes.
	 */
	uint64_t imm;
	/*
	 * For MOV, MOVZX and MOVSX loads: bytes of register reg that receive
	 * the loaded value (more than size for MOVZX/MOVSX). 0 otherwise,
	 * including ALU loads such as ADD reg,[mem] (the register gets a
	 * computed value), so `!write && dst_size` means a plain load.
	 */
	uint8_t dst_size;
	bool sign_extend; /* the loaded value is sign-extended */
	/* dst_size 4 in 64-bit mode: bits 63:32 are cleared (Vol. 1 3.4.1.1). */
	bool zero_upper;
};

/*
 * Decode the instruction at @bytes, of which @len bytes are available,
 * executed in @mode, into @out.
 *
 * Accepted opcodes, each only with a memory operand (ModRM.mod != 3):
 *   MOV     88 89 8A 8B, C6 /0 ib, C7 /0 iw/id, A0-A3 (moffs)
 *   MOVZX   0F B6, 0F B7          MOVSX  0F BE, 0F BF
 *   MOVSXD  REX.W 63 (64-bit mode only)
 *   ADD 00-03, OR 08-0B, AND 20-23, SUB 28-2B, XOR 30-33, CMP 38-3B,
 *   80/81/83 /0 /1 /4 /5 /6 /7, TEST 84 85, F6 /0 ib, F7 /0 iw/id
 * Prefixes: 66, 67, segment overrides, F2/F3 (ignored; refused before 0F),
 * F0 (ADD/OR/AND/SUB/XOR to memory only), REX in 64-bit mode directly
 * before the opcode.
 *
 * Returns 0, or -TANDEM_EINVAL if the instruction is not one of these,
 * needs more than @len bytes, or is longer than 15 bytes. Never reads
 * @bytes past @len. @out is only meaningful on success.
 */
int insn_decode_mem(const uint8_t *bytes, size_t len, enum insn_mode mode,
		    struct insn_mem *out);

/*
 * The new 64-bit value of register @m->reg after a MOV, MOVZX or MOVSX
 * load of @value (only its low @m->size bytes count), given its value
 * @old_reg before: applies high8, zero or sign extension to @m->dst_size
 * and zero_upper. Returns @old_reg when dst_size is 0 (not such a load).
 */
uint64_t insn_read_result(const struct insn_mem *m, uint64_t old_reg,
			  uint64_t value);

/*
 * The value a store writes to memory (its low @m->size bytes, zero above):
 * @m->imm for INSN_SRC_IMM, else the operand taken from @reg_value, the
 * current value of register @m->reg.
 */
uint64_t insn_write_value(const struct insn_mem *m, uint64_t reg_value);

/*
 * Decode a MOV to CR8 at @bytes (@len bytes available) executed in @mode:
 * in 64-bit mode REX with R set, then 0F 22 /r with ModRM.reg 0 (SDM Vol.
 * 2A, MOV to control register: ModRM.mod is ignored, the source is always
 * the general-purpose register rm, extended by REX.B); in any mode AMD's
 * alternative encoding F0 0F 22 /r with ModRM.reg 0 and no REX.R (APM
 * Vol. 3, MOV CRn: LOCK with CR0 names CR8). Stores the source register
 * (0-15, RAX = 0) in *@gpr and the length in *@length.
 *
 * Returns 0, or -TANDEM_EINVAL for anything else (another control
 * register, other prefixes, a truncated instruction). Never reads @bytes
 * past @len.
 */
int insn_decode_mov_cr8(const uint8_t *bytes, size_t len, enum insn_mode mode,
			uint8_t *gpr, uint8_t *length);

#endif
