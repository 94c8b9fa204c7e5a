/*
 * Decoder for the guest instructions Tandem emulates after a nested-paging
 * fault (see insn.h).
 *
 * The instruction length must be exact, because without next-RIP the
 * hypervisor advances RIP by it. So every byte is fetched through one
 * bounds-checked cursor that stops at min(len, 15): a truncated or
 * over-long instruction fails the same way and nothing past @len is read.
 * Section numbers refer to Intel SDM Vol. 2A chapter 2.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/klib.h"
#include "virt/insn.h"
#include "tandem/errno.h"

#define REX_W 0x8
#define REX_R 0x4
#define REX_B 0x1

/* Decoder state for one instruction. */
struct decoder {
	const uint8_t *bytes;
	size_t end; /* bytes that may be read: min(len, 15) */
	size_t pos; /* next byte to read */
	enum insn_mode mode;
	uint8_t rex;	  /* REX prefix byte, 0 if none */
	bool rep;	  /* F2 or F3 seen */
	uint8_t opsize;	  /* operand size of non-byte forms: 2, 4, 8 */
	uint8_t addrsize; /* address size: 2, 4, 8 */
	uint8_t modrm;
};

/*
 * Group 1 (80/81/83 /digit) and the 00-3B block (opcode bits 5:3) share
 * this order. ADC and SBB are not supported: -1.
 */
static const int8_t alu_ops[8] = {
	INSN_OP_ADD, INSN_OP_OR,  -1,	       -1,
	INSN_OP_AND, INSN_OP_SUB, INSN_OP_XOR, INSN_OP_CMP,
};

static bool next(struct decoder *d, uint8_t *b)
{
	if (d->pos >= d->end)
		return false;
	*b = d->bytes[d->pos++];
	return true;
}

static bool skip(struct decoder *d, size_t n)
{
	if (n > d->end - d->pos)
		return false;
	d->pos += n;
	return true;
}

/* An @n-byte little-endian unsigned field (n <= 8). */
static bool take(struct decoder *d, unsigned int n, uint64_t *v)
{
	unsigned int i;

	if (n > d->end - d->pos)
		return false;
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (uint64_t)d->bytes[d->pos + i] << (8 * i);
	d->pos += n;
	return true;
}

static uint64_t size_mask(unsigned int size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* Sign-extend the low @size bytes of @v to 64 bits. */
static uint64_t sext(uint64_t v, unsigned int size)
{
	uint64_t sign;

	if (size == 0 || size >= 8)
		return v;
	sign = 1ull << (8 * size - 1);
	v &= size_mask(size);
	return (v ^ sign) - sign;
}

/*
 * Fetch the ModRM byte and step over the SIB byte and displacement it
 * implies. Only the length matters here: the fault already gives the
 * guest-physical address.
 */
static bool modrm_mem(struct decoder *d)
{
	uint8_t mod, rm, sib;
	size_t disp = 0;

	if (!next(d, &d->modrm))
		return false;
	mod = d->modrm >> 6;
	rm = d->modrm & 7;
	if (mod == 3)
		return false; /* register operand: no memory access */

	if (d->addrsize == 2) {
		/* Table 2-1: no SIB; mod 00 rm 110 is [disp16]. */
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || rm == 6)
			disp = 2;
		return skip(d, disp);
	}

	/*
	 * Tables 2-2 and 2-3. rm 100 means a SIB byte follows and, with
	 * mod 00, SIB base 101 means no base and a disp32. REX.B takes no
	 * part in either test (2.2.1.2, Table 2-5), so R12 and R13 need the
	 * same encodings as RSP and RBP. mod 00 rm 101 is [disp32], which is
	 * RIP- (or EIP-) relative in 64-bit mode (2.2.1.6): same length.
	 */
	if (rm == 4) {
		if (!next(d, &sib))
			return false;
		if (mod == 0 && (sib & 7) == 5)
			disp = 4;
	}
	if (mod == 1)
		disp = 1;
	else if (mod == 2 || (mod == 0 && rm == 5))
		disp = 4;
	return skip(d, disp);
}

/* The ModRM.reg register operand, extended by REX.R. */
static void reg_operand(const struct decoder *d, struct insn_mem *out,
			bool byte_op)
{
	out->src_kind = INSN_SRC_REG;
	out->reg = ((d->modrm >> 3) & 7) | (d->rex & REX_R ? 8 : 0);
	/* Without REX, byte registers 4-7 are AH CH DH BH (2.2.1.2). */
	if (byte_op && !d->rex && out->reg >= 4) {
		out->high8 = true;
		out->reg -= 4;
	}
}

/* An immediate of @n bytes, sign-extended to the operand size @size. */
static bool imm_operand(struct decoder *d, struct insn_mem *out, unsigned int n)
{
	uint64_t v;

	if (!take(d, n, &v))
		return false;
	out->src_kind = INSN_SRC_IMM;
	out->imm = sext(v, n) & size_mask(out->size);
	return true;
}

/* MOV, MOVZX, MOVSX: the register receives the loaded value. */
static void load_into(const struct decoder *d, struct insn_mem *out,
		      unsigned int dst_size)
{
	out->dst_size = (uint8_t)dst_size;
	/* 32-bit results are zero-extended in 64-bit mode (Vol. 1 3.4.1.1). */
	out->zero_upper = d->mode == INSN_MODE_64 && dst_size == 4;
}

/* 00-3B with opcode bits 2:0 in 0-3: ALU op between ModRM.reg and r/m. */
static bool decode_alu_rm(struct decoder *d, uint8_t opc, struct insn_mem *out)
{
	bool byte_op = !(opc & 1);
	int op = alu_ops[(opc >> 3) & 7];

	if (op < 0 || !modrm_mem(d))
		return false;
	out->op = (enum insn_op)op;
	out->size = byte_op ? 1 : d->opsize;
	reg_operand(d, out, byte_op);
	/*
	 * Opcode bit 1 clear: r/m is the destination. Set: the register is,
	 * but it receives a computed value, not the loaded one, so dst_size
	 * stays 0 and insn_read_result() does not apply.
	 */
	if (!(opc & 2))
		out->write = out->op != INSN_OP_CMP;
	return true;
}

/* 80, 81, 83: group 1, ALU op between r/m and an immediate. */
static bool decode_group1(struct decoder *d, uint8_t opc, struct insn_mem *out)
{
	int op;

	if (!modrm_mem(d))
		return false;
	op = alu_ops[(d->modrm >> 3) & 7];
	if (op < 0)
		return false;
	out->op = (enum insn_op)op;
	out->write = out->op != INSN_OP_CMP;
	out->size = opc == 0x80 ? 1 : d->opsize;
	/* 81 takes imm16 or imm32 (sign-extended under REX.W); 83 an imm8. */
	return imm_operand(d, out,
			   opc == 0x81 && d->opsize == 2 ? 2 :
			   opc == 0x81			 ? 4 :
							   1);
}

/* C6/C7 /0 (MOV r/m, imm) and F6/F7 /0 (TEST r/m, imm). */
static bool decode_imm_op(struct decoder *d, uint8_t opc, struct insn_mem *out)
{
	bool byte_op = !(opc & 1);

	/* Other /digit values are other instructions (XBEGIN, NOT, MUL, ...). */
	if (!modrm_mem(d) || ((d->modrm >> 3) & 7) != 0)
		return false;
	out->op = opc >= 0xf6 ? INSN_OP_TEST : INSN_OP_MOV;
	out->write = out->op == INSN_OP_MOV;
	out->size = byte_op ? 1 : d->opsize;
	return imm_operand(d, out, byte_op ? 1 : d->opsize == 2 ? 2 : 4);
}

/* 0F B6/B7 MOVZX, 0F BE/BF MOVSX: load of a byte or word, extended. */
static bool decode_0f(struct decoder *d, struct insn_mem *out)
{
	uint8_t opc;

	/* F2/F3 before 0F select other instructions (e.g. F3 0F B8 POPCNT). */
	if (d->rep || !next(d, &opc))
		return false;
	if (opc != 0xb6 && opc != 0xb7 && opc != 0xbe && opc != 0xbf)
		return false;
	if (!modrm_mem(d))
		return false;
	out->op = opc & 8 ? INSN_OP_MOVSX : INSN_OP_MOVZX;
	out->sign_extend = out->op == INSN_OP_MOVSX;
	out->size = opc & 1 ? 2 : 1;
	reg_operand(d, out, false);
	load_into(d, out, d->opsize);
	return true;
}

/* A0-A3: MOV between AL/rAX and a memory offset of address size. */
static bool decode_moffs(struct decoder *d, uint8_t opc, struct insn_mem *out)
{
	if (!skip(d, d->addrsize))
		return false;
	out->op = INSN_OP_MOV;
	out->size = opc & 1 ? d->opsize : 1;
	out->src_kind = INSN_SRC_REG;
	out->reg = 0;
	out->write = opc >= 0xa2;
	if (!out->write)
		load_into(d, out, out->size);
	return true;
}

static bool decode_opcode(struct decoder *d, uint8_t opc, struct insn_mem *out)
{
	if (opc < 0x40 && (opc & 7) < 4)
		return decode_alu_rm(d, opc, out);

	switch (opc) {
	case 0x0f:
		return decode_0f(d, out);
	case 0x63:
		/* MOVSXD needs REX.W; elsewhere 63 is ARPL (16/32-bit modes). */
		if (!(d->rex & REX_W) || !modrm_mem(d))
			return false;
		out->op = INSN_OP_MOVSX;
		out->sign_extend = true;
		out->size = 4;
		reg_operand(d, out, false);
		load_into(d, out, 8);
		return true;
	case 0x80:
	case 0x81:
	case 0x83:
		return decode_group1(d, opc, out);
	case 0x84:
	case 0x85:
		if (!modrm_mem(d))
			return false;
		out->op = INSN_OP_TEST;
		out->size = opc & 1 ? d->opsize : 1;
		reg_operand(d, out, !(opc & 1));
		return true;
	case 0x88:
	case 0x89:
	case 0x8a:
	case 0x8b:
		if (!modrm_mem(d))
			return false;
		out->op = INSN_OP_MOV;
		out->size = opc & 1 ? d->opsize : 1;
		reg_operand(d, out, !(opc & 1));
		out->write = !(opc & 2);
		if (!out->write)
			load_into(d, out, out->size);
		return true;
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa3:
		return decode_moffs(d, opc, out);
	case 0xc6:
	case 0xc7:
	case 0xf6:
	case 0xf7:
		return decode_imm_op(d, opc, out);
	default:
		/* Includes the string instructions A4-A7, AA-AF. */
		return false;
	}
}

static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x26:
	case 0x2e:
	case 0x36:
	case 0x3e:
	case 0x64:
	case 0x65:
	case 0x66:
	case 0x67:
	case 0xf0:
	case 0xf2:
	case 0xf3:
		return true;
	default:
		return false;
	}
}

int insn_decode_mem(const uint8_t *bytes, size_t len, enum insn_mode mode,
		    struct insn_mem *out)
{
	struct decoder d = {
		.bytes = bytes,
		.end = len < INSN_MAX_LENGTH ? len : INSN_MAX_LENGTH,
		.mode = mode,
	};
	bool p66 = false, p67 = false, lock = false;
	uint8_t b;

	if (!bytes || !out)
		return -TANDEM_EINVAL;
	if (mode != INSN_MODE_16 && mode != INSN_MODE_32 && mode != INSN_MODE_64)
		return -TANDEM_EINVAL;
	memset(out, 0, sizeof(*out));

	/*
	 * Legacy prefixes in any order and number (2.1.1), then at most one
	 * REX in 64-bit mode. A REX that is not directly before the opcode is
	 * ignored by the CPU (2.2.1); compilers never emit that, so refuse it
	 * rather than model it. Outside 64-bit mode 40-4F are INC/DEC.
	 */
	for (;;) {
		if (!next(&d, &b))
			return -TANDEM_EINVAL;
		if (is_legacy_prefix(b)) {
			if (d.rex)
				return -TANDEM_EINVAL;
			p66 |= b == 0x66;
			p67 |= b == 0x67;
			lock |= b == 0xf0;
			d.rep |= b == 0xf2 || b == 0xf3;
		} else if (mode == INSN_MODE_64 && (b & 0xf0) == 0x40) {
			if (d.rex)
				return -TANDEM_EINVAL;
			d.rex = b;
		} else {
			break;
		}
	}

	/* Operand and address size: SDM Vol. 1 3.6 and 3.6.1, Table 3-4. */
	if (d.rex & REX_W)
		d.opsize = 8;
	else if (mode == INSN_MODE_16)
		d.opsize = p66 ? 4 : 2;
	else
		d.opsize = p66 ? 2 : 4;
	if (mode == INSN_MODE_16)
		d.addrsize = p67 ? 4 : 2;
	else if (mode == INSN_MODE_32)
		d.addrsize = p67 ? 2 : 4;
	else
		d.addrsize = p67 ? 4 : 8;

	if (!decode_opcode(&d, b, out))
		return -TANDEM_EINVAL;

	/* LOCK is #UD except on a read-modify-write of memory (Vol. 2A LOCK). */
	if (lock && (!out->write || out->op == INSN_OP_MOV))
		return -TANDEM_EINVAL;
	out->lock = lock;
	out->length = (uint8_t)d.pos;
	return 0;
}

uint64_t insn_read_result(const struct insn_mem *m, uint64_t old_reg,
			  uint64_t value)
{
	uint64_t v = value & size_mask(m->size);

	if (m->sign_extend)
		v = sext(v, m->size);

	switch (m->dst_size) {
	case 1:
		if (m->high8)
			return (old_reg & ~0xff00ull) | (v & 0xff) << 8;
		return (old_reg & ~0xffull) | (v & 0xff);
	case 2:
		return (old_reg & ~0xffffull) | (v & 0xffff);
	case 4:
		if (m->zero_upper)
			return v & 0xffffffffull;
		return (old_reg & ~0xffffffffull) | (v & 0xffffffffull);
	case 8:
		return v;
	default:
		return old_reg;
	}
}

uint64_t insn_write_value(const struct insn_mem *m, uint64_t reg_value)
{
	if (m->src_kind == INSN_SRC_IMM)
		return m->imm & size_mask(m->size);
	if (m->high8)
		reg_value >>= 8;
	return reg_value & size_mask(m->size);
}

int insn_decode_mov_cr8(const uint8_t *bytes, size_t len, enum insn_mode mode,
			uint8_t *gpr, uint8_t *length)
{
	size_t pos = 0;
	bool lock = false;
	uint8_t rex = 0, modrm, cr;

	if (!bytes || !gpr || !length)
		return -TANDEM_EINVAL;
	if (pos < len && bytes[pos] == 0xf0) {
		lock = true;
		pos++;
	}
	if (mode == INSN_MODE_64 && pos < len && (bytes[pos] & 0xf0) == 0x40)
		rex = bytes[pos++];
	if (len < pos + 3 || bytes[pos] != 0x0f || bytes[pos + 1] != 0x22)
		return -TANDEM_EINVAL;
	modrm = bytes[pos + 2];
	cr = ((modrm >> 3) & 7) | ((rex & REX_R) ? 8 : 0);
	if (lock ? cr != 0 : cr != 8)
		return -TANDEM_EINVAL;
	*gpr = (modrm & 7) | ((rex & REX_B) ? 8 : 0);
	*length = (uint8_t)(pos + 3);
	return 0;
}
