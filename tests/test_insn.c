/*
 * Host unit tests for kernel/virt/insn.c: a table of real encodings (written by
 * hand from SDM Vol. 2A chapter 2 and the opcode tables of appendix A) with
 * their expected decode, every truncation of each, encodings that must be
 * refused, random bytes, and the register-update helpers.
 *
 * Each decode reads from a heap buffer of exactly the length passed, so
 * AddressSanitizer reports any read past len.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "virt/insn.h"
#include "tandem/errno.h"

#define M16 INSN_MODE_16
#define M32 INSN_MODE_32
#define M64 INSN_MODE_64

#define BYTES(...) \
	.bytes = { __VA_ARGS__ }, .n = sizeof((const uint8_t[]){ __VA_ARGS__ })
/* Expected result; fields not named are 0, false, INSN_SRC_REG. */
#define WANT(...)  .want = { __VA_ARGS__ }
#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

struct insn_case {
	const char *name;
	enum insn_mode mode;
	uint8_t bytes[16];
	size_t n;
	struct insn_mem want;
};

static const struct insn_case good[] = {
	/* ---- 64-bit mode: MOV 88/89/8A/8B ---- */
	{ "mov rax,[rip+0x12345678]", M64,
	  BYTES(0x48, 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12),
	  WANT(.op = INSN_OP_MOV, .length = 7, .size = 8, .reg = 0,
	       .dst_size = 8) },
	{ "mov [rax],dx", M64, BYTES(0x66, 0x89, 0x10),
	  WANT(.op = INSN_OP_MOV, .length = 3, .size = 2, .write = true,
	       .reg = 2) },
	{ "mov [rax],ah", M64, BYTES(0x88, 0x20),
	  WANT(.op = INSN_OP_MOV, .length = 2, .size = 1, .write = true,
	       .reg = 0, .high8 = true) },
	{ "mov [rax],spl", M64, BYTES(0x40, 0x88, 0x20),
	  WANT(.op = INSN_OP_MOV, .length = 3, .size = 1, .write = true,
	       .reg = 4) },
	{ "mov [rax],r12b", M64, BYTES(0x44, 0x88, 0x20),
	  WANT(.op = INSN_OP_MOV, .length = 3, .size = 1, .write = true,
	       .reg = 12) },
	{ "mov bh,[rdi]", M64, BYTES(0x8a, 0x3f),
	  WANT(.op = INSN_OP_MOV, .length = 2, .size = 1, .reg = 3,
	       .high8 = true, .dst_size = 1) },
	{ "mov dil,[rdi]", M64, BYTES(0x40, 0x8a, 0x3f),
	  WANT(.op = INSN_OP_MOV, .length = 3, .size = 1, .reg = 7,
	       .dst_size = 1) },
	{ "mov r15b,[rsp]", M64, BYTES(0x44, 0x8a, 0x3c, 0x24),
	  WANT(.op = INSN_OP_MOV, .length = 4, .size = 1, .reg = 15,
	       .dst_size = 1) },
	{ "mov eax,[r12+0x10]", M64, BYTES(0x41, 0x8b, 0x44, 0x24, 0x10),
	  WANT(.op = INSN_OP_MOV, .length = 5, .size = 4, .reg = 0,
	       .dst_size = 4, .zero_upper = true) },
	{ "mov eax,[r13+0]", M64, BYTES(0x41, 0x8b, 0x45, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 4, .size = 4, .reg = 0,
	       .dst_size = 4, .zero_upper = true) },
	{ "mov eax,[r12*1+0] (REX.X, SIB no base)", M64,
	  BYTES(0x42, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 8, .size = 4, .reg = 0,
	       .dst_size = 4, .zero_upper = true) },
	{ "mov r9d,[r8+rcx*8+0x100]", M64,
	  BYTES(0x45, 0x8b, 0x8c, 0xc8, 0x00, 0x01, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 8, .size = 4, .reg = 9,
	       .dst_size = 4, .zero_upper = true) },
	{ "mov eax,[rsp+0x100]", M64,
	  BYTES(0x8b, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 7, .size = 4, .reg = 0,
	       .dst_size = 4, .zero_upper = true) },
	{ "mov eax,[rax*1+0x1000]", M64,
	  BYTES(0x8b, 0x04, 0x05, 0x00, 0x10, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 7, .size = 4, .reg = 0,
	       .dst_size = 4, .zero_upper = true) },
	{ "mov ecx,[rsp]", M64, BYTES(0x8b, 0x0c, 0x24),
	  WANT(.op = INSN_OP_MOV, .length = 3, .size = 4, .reg = 1,
	       .dst_size = 4, .zero_upper = true) },
	{ "mov eax,[rsp-4]", M64, BYTES(0x8b, 0x44, 0x24, 0xfc),
	  WANT(.op = INSN_OP_MOV, .length = 4, .size = 4, .reg = 0,
	       .dst_size = 4, .zero_upper = true) },
	{ "mov rax,[rax+0xf0]", M64,
	  BYTES(0x48, 0x8b, 0x80, 0xf0, 0x00, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 7, .size = 8, .reg = 0,
	       .dst_size = 8) },
	{ "mov rax,gs:[0x28]", M64,
	  BYTES(0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 9, .size = 8, .reg = 0,
	       .dst_size = 8) },
	{ "mov eax,[edi] (67)", M64, BYTES(0x67, 0x8b, 0x07),
	  WANT(.op = INSN_OP_MOV, .length = 3, .size = 4, .reg = 0,
	       .dst_size = 4, .zero_upper = true) },
	{ "mov eax,[eip+0x1000] (67)", M64,
	  BYTES(0x67, 0x8b, 0x05, 0x00, 0x10, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 7, .size = 4, .reg = 0,
	       .dst_size = 4, .zero_upper = true) },
	{ "mov [rdi],rax (66 REX.W: W wins)", M64, BYTES(0x66, 0x48, 0x89, 0x07),
	  WANT(.op = INSN_OP_MOV, .length = 4, .size = 8, .write = true,
	       .reg = 0) },
	{ "cs ds mov [rdi],eax", M64, BYTES(0x2e, 0x3e, 0x89, 0x07),
	  WANT(.op = INSN_OP_MOV, .length = 4, .size = 4, .write = true,
	       .reg = 0) },
	{ "xrelease mov [rdi],eax (F3 ignored)", M64, BYTES(0xf3, 0x89, 0x07),
	  WANT(.op = INSN_OP_MOV, .length = 3, .size = 4, .write = true,
	       .reg = 0) },
	{ "13 prefixes + mov [rax],eax: exactly 15 bytes", M64,
	  BYTES(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
		0x3e, 0x3e, 0x3e, 0x89, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 15, .size = 4, .write = true,
	       .reg = 0) },

	/* ---- 64-bit mode: MOV C6/C7 ---- */
	{ "mov dword [rax+0x300],1", M64,
	  BYTES(0xc7, 0x80, 0x00, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 10, .size = 4, .write = true,
	       .src_kind = INSN_SRC_IMM, .imm = 1) },
	{ "mov qword [rax],-1", M64,
	  BYTES(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff),
	  WANT(.op = INSN_OP_MOV, .length = 7, .size = 8, .write = true,
	       .src_kind = INSN_SRC_IMM, .imm = ~0ull) },
	{ "mov qword [rax],0x7fffffff", M64,
	  BYTES(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f),
	  WANT(.op = INSN_OP_MOV, .length = 7, .size = 8, .write = true,
	       .src_kind = INSN_SRC_IMM, .imm = 0x7fffffff) },
	{ "mov byte [rip+0x10],0xaa", M64,
	  BYTES(0xc6, 0x05, 0x10, 0x00, 0x00, 0x00, 0xaa),
	  WANT(.op = INSN_OP_MOV, .length = 7, .size = 1, .write = true,
	       .src_kind = INSN_SRC_IMM, .imm = 0xaa) },
	{ "mov word [rax+4],0x8234", M64,
	  BYTES(0x66, 0xc7, 0x40, 0x04, 0x34, 0x82),
	  WANT(.op = INSN_OP_MOV, .length = 6, .size = 2, .write = true,
	       .src_kind = INSN_SRC_IMM, .imm = 0x8234) },
	{ "mov dword [rip-0x10],0x80000000", M64,
	  BYTES(0xc7, 0x05, 0xf0, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x80),
	  WANT(.op = INSN_OP_MOV, .length = 10, .size = 4, .write = true,
	       .src_kind = INSN_SRC_IMM, .imm = 0x80000000) },
	{ "mov dword [0xfee000b0],0", M64,
	  BYTES(0xc7, 0x04, 0x25, 0xb0, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 11, .size = 4, .write = true,
	       .src_kind = INSN_SRC_IMM, .imm = 0) },

	/* ---- 64-bit mode: moffs ---- */
	{ "mov eax,[moffs64]", M64,
	  BYTES(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  WANT(.op = INSN_OP_MOV, .length = 9, .size = 4, .reg = 0,
	       .dst_size = 4, .zero_upper = true) },
	{ "mov [moffs64],rax", M64,
	  BYTES(0x48, 0xa3, 0x00, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 10, .size = 8, .write = true,
	       .reg = 0) },
	{ "mov eax,[moffs32] (67)", M64, BYTES(0x67, 0xa1, 0x00, 0x00, 0xe0, 0xfe),
	  WANT(.op = INSN_OP_MOV, .length = 6, .size = 4, .reg = 0,
	       .dst_size = 4, .zero_upper = true) },
	{ "mov [moffs64],al", M64,
	  BYTES(0xa2, 0x00, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 9, .size = 1, .write = true,
	       .reg = 0) },
	{ "mov ax,[moffs64]", M64,
	  BYTES(0x66, 0xa1, 0x00, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 10, .size = 2, .reg = 0,
	       .dst_size = 2) },

	/* ---- 64-bit mode: MOVZX, MOVSX, MOVSXD ---- */
	{ "movzx eax,byte [rdi]", M64, BYTES(0x0f, 0xb6, 0x07),
	  WANT(.op = INSN_OP_MOVZX, .length = 3, .size = 1, .reg = 0,
	       .dst_size = 4, .zero_upper = true) },
	{ "movzx r10d,word [rsi+2]", M64, BYTES(0x44, 0x0f, 0xb7, 0x56, 0x02),
	  WANT(.op = INSN_OP_MOVZX, .length = 5, .size = 2, .reg = 10,
	       .dst_size = 4, .zero_upper = true) },
	{ "movzx cx,byte [rsi]", M64, BYTES(0x66, 0x0f, 0xb6, 0x0e),
	  WANT(.op = INSN_OP_MOVZX, .length = 4, .size = 1, .reg = 1,
	       .dst_size = 2) },
	{ "movzx esp,byte [rsi] (no high8 for dst)", M64, BYTES(0x0f, 0xb6, 0x26),
	  WANT(.op = INSN_OP_MOVZX, .length = 3, .size = 1, .reg = 4,
	       .dst_size = 4, .zero_upper = true) },
	{ "movsx rax,word [rsi+8]", M64, BYTES(0x48, 0x0f, 0xbf, 0x46, 0x08),
	  WANT(.op = INSN_OP_MOVSX, .length = 5, .size = 2, .reg = 0,
	       .dst_size = 8, .sign_extend = true) },
	{ "movsx ecx,byte [rsp]", M64, BYTES(0x0f, 0xbe, 0x0c, 0x24),
	  WANT(.op = INSN_OP_MOVSX, .length = 4, .size = 1, .reg = 1,
	       .dst_size = 4, .sign_extend = true, .zero_upper = true) },
	{ "movsxd rax,dword [rcx*4+0x1000]", M64,
	  BYTES(0x48, 0x63, 0x04, 0x8d, 0x00, 0x10, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOVSX, .length = 8, .size = 4, .reg = 0,
	       .dst_size = 8, .sign_extend = true) },
	{ "movsxd r11,dword [rip+0]", M64,
	  BYTES(0x4c, 0x63, 0x1d, 0x00, 0x00, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOVSX, .length = 7, .size = 4, .reg = 11,
	       .dst_size = 8, .sign_extend = true) },

	/* ---- 64-bit mode: ALU ---- */
	{ "lock add [rax],ebx", M64, BYTES(0xf0, 0x01, 0x18),
	  WANT(.op = INSN_OP_ADD, .length = 3, .size = 4, .write = true,
	       .lock = true, .reg = 3) },
	{ "lock or qword [rax],1", M64, BYTES(0xf0, 0x48, 0x83, 0x08, 0x01),
	  WANT(.op = INSN_OP_OR, .length = 5, .size = 8, .write = true,
	       .lock = true, .src_kind = INSN_SRC_IMM, .imm = 1) },
	{ "lock and byte [rax],0xfe", M64, BYTES(0xf0, 0x80, 0x20, 0xfe),
	  WANT(.op = INSN_OP_AND, .length = 4, .size = 1, .write = true,
	       .lock = true, .src_kind = INSN_SRC_IMM, .imm = 0xfe) },
	{ "lock sub [rdi],r8 (REX before opcode after F0)", M64,
	  BYTES(0xf0, 0x4c, 0x29, 0x07),
	  WANT(.op = INSN_OP_SUB, .length = 4, .size = 8, .write = true,
	       .lock = true, .reg = 8) },
	{ "lock xor dword [rip+0],0x100", M64,
	  BYTES(0xf0, 0x81, 0x35, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00),
	  WANT(.op = INSN_OP_XOR, .length = 11, .size = 4, .write = true,
	       .lock = true, .src_kind = INSN_SRC_IMM, .imm = 0x100) },
	{ "or dword [rip+0x10],1", M64,
	  BYTES(0x83, 0x0d, 0x10, 0x00, 0x00, 0x00, 0x01),
	  WANT(.op = INSN_OP_OR, .length = 7, .size = 4, .write = true,
	       .src_kind = INSN_SRC_IMM, .imm = 1) },
	{ "cmp dword [rdi+8],-1", M64, BYTES(0x83, 0x7f, 0x08, 0xff),
	  WANT(.op = INSN_OP_CMP, .length = 4, .size = 4,
	       .src_kind = INSN_SRC_IMM, .imm = 0xffffffff) },
	{ "cmp word [rdi],0x1234", M64, BYTES(0x66, 0x81, 0x3f, 0x34, 0x12),
	  WANT(.op = INSN_OP_CMP, .length = 5, .size = 2,
	       .src_kind = INSN_SRC_IMM, .imm = 0x1234) },
	{ "cmp word [rdi],-2 (83 to 16 bits)", M64, BYTES(0x66, 0x83, 0x3f, 0xfe),
	  WANT(.op = INSN_OP_CMP, .length = 4, .size = 2,
	       .src_kind = INSN_SRC_IMM, .imm = 0xfffe) },
	{ "cmp qword [rax],imm32 sign-extended", M64,
	  BYTES(0x48, 0x81, 0x38, 0x00, 0x00, 0x00, 0x80),
	  WANT(.op = INSN_OP_CMP, .length = 7, .size = 8,
	       .src_kind = INSN_SRC_IMM, .imm = 0xffffffff80000000ull) },
	{ "cmp eax,[rdi]", M64, BYTES(0x3b, 0x07),
	  WANT(.op = INSN_OP_CMP, .length = 2, .size = 4, .reg = 0) },
	{ "cmp [rdi],al", M64, BYTES(0x38, 0x07),
	  WANT(.op = INSN_OP_CMP, .length = 2, .size = 1, .reg = 0) },
	{ "test [rdi],eax", M64, BYTES(0x85, 0x07),
	  WANT(.op = INSN_OP_TEST, .length = 2, .size = 4, .reg = 0) },
	{ "test [rdi],ah", M64, BYTES(0x84, 0x27),
	  WANT(.op = INSN_OP_TEST, .length = 2, .size = 1, .reg = 0,
	       .high8 = true) },
	{ "test byte [rdi],1", M64, BYTES(0xf6, 0x07, 0x01),
	  WANT(.op = INSN_OP_TEST, .length = 3, .size = 1,
	       .src_kind = INSN_SRC_IMM, .imm = 1) },
	{ "test dword [rdi+4],0x80000000", M64,
	  BYTES(0xf7, 0x47, 0x04, 0x00, 0x00, 0x00, 0x80),
	  WANT(.op = INSN_OP_TEST, .length = 7, .size = 4,
	       .src_kind = INSN_SRC_IMM, .imm = 0x80000000) },
	{ "test qword [rax],imm32 sign-extended", M64,
	  BYTES(0x48, 0xf7, 0x00, 0x00, 0x00, 0x00, 0x80),
	  WANT(.op = INSN_OP_TEST, .length = 7, .size = 8,
	       .src_kind = INSN_SRC_IMM, .imm = 0xffffffff80000000ull) },
	{ "test word [rax],0x8000", M64, BYTES(0x66, 0xf7, 0x00, 0x00, 0x80),
	  WANT(.op = INSN_OP_TEST, .length = 5, .size = 2,
	       .src_kind = INSN_SRC_IMM, .imm = 0x8000) },
	{ "xor eax,[rsi]", M64, BYTES(0x33, 0x06),
	  WANT(.op = INSN_OP_XOR, .length = 2, .size = 4, .reg = 0) },
	{ "xor [rsi],eax", M64, BYTES(0x31, 0x06),
	  WANT(.op = INSN_OP_XOR, .length = 2, .size = 4, .write = true,
	       .reg = 0) },
	{ "or [rsi],cl", M64, BYTES(0x08, 0x0e),
	  WANT(.op = INSN_OP_OR, .length = 2, .size = 1, .write = true, .reg = 1) },
	{ "or rcx,[rsi]", M64, BYTES(0x48, 0x0b, 0x0e),
	  WANT(.op = INSN_OP_OR, .length = 3, .size = 8, .reg = 1) },
	{ "and cl,[rdi+1]", M64, BYTES(0x22, 0x4f, 0x01),
	  WANT(.op = INSN_OP_AND, .length = 3, .size = 1, .reg = 1) },
	{ "and [rdi],eax", M64, BYTES(0x21, 0x07),
	  WANT(.op = INSN_OP_AND, .length = 2, .size = 4, .write = true,
	       .reg = 0) },
	{ "sub [rdi+8],eax", M64, BYTES(0x29, 0x47, 0x08),
	  WANT(.op = INSN_OP_SUB, .length = 3, .size = 4, .write = true,
	       .reg = 0) },
	{ "sub ax,[rdi+8]", M64, BYTES(0x66, 0x2b, 0x47, 0x08),
	  WANT(.op = INSN_OP_SUB, .length = 4, .size = 2, .reg = 0) },
	{ "add al,[rdi]", M64, BYTES(0x02, 0x07),
	  WANT(.op = INSN_OP_ADD, .length = 2, .size = 1, .reg = 0) },
	{ "add [rdi],bh", M64, BYTES(0x00, 0x3f),
	  WANT(.op = INSN_OP_ADD, .length = 2, .size = 1, .write = true,
	       .reg = 3, .high8 = true) },
	{ "sub dword [rbp-8],0x10", M64, BYTES(0x83, 0x6d, 0xf8, 0x10),
	  WANT(.op = INSN_OP_SUB, .length = 4, .size = 4, .write = true,
	       .src_kind = INSN_SRC_IMM, .imm = 0x10) },
	{ "add word [rbx],0x1234", M64, BYTES(0x66, 0x81, 0x03, 0x34, 0x12),
	  WANT(.op = INSN_OP_ADD, .length = 5, .size = 2, .write = true,
	       .src_kind = INSN_SRC_IMM, .imm = 0x1234) },

	/* ---- 32-bit mode ---- */
	{ "32: mov eax,[0xfee00020] (moffs32)", M32,
	  BYTES(0xa1, 0x20, 0x00, 0xe0, 0xfe),
	  WANT(.op = INSN_OP_MOV, .length = 5, .size = 4, .reg = 0,
	       .dst_size = 4) },
	{ "32: mov ax,[moffs32]", M32, BYTES(0x66, 0xa1, 0x20, 0x00, 0xe0, 0xfe),
	  WANT(.op = INSN_OP_MOV, .length = 6, .size = 2, .reg = 0,
	       .dst_size = 2) },
	{ "32: mov eax,[moffs16] (67)", M32, BYTES(0x67, 0xa1, 0x34, 0x12),
	  WANT(.op = INSN_OP_MOV, .length = 4, .size = 4, .reg = 0,
	       .dst_size = 4) },
	{ "32: mov [moffs32],al", M32, BYTES(0xa2, 0x34, 0x12, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 5, .size = 1, .write = true,
	       .reg = 0) },
	{ "32: mov eax,[disp32] (absolute, not RIP)", M32,
	  BYTES(0x8b, 0x05, 0x00, 0x00, 0xe0, 0xfe),
	  WANT(.op = INSN_OP_MOV, .length = 6, .size = 4, .reg = 0,
	       .dst_size = 4) },
	{ "32: mov [eax*4+0x1000],edx", M32,
	  BYTES(0x89, 0x14, 0x85, 0x00, 0x10, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 7, .size = 4, .write = true,
	       .reg = 2) },
	{ "32: mov dword [eax+0x300],1", M32,
	  BYTES(0xc7, 0x80, 0x00, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00),
	  WANT(.op = INSN_OP_MOV, .length = 10, .size = 4, .write = true,
	       .src_kind = INSN_SRC_IMM, .imm = 1) },
	{ "32: mov [eax],ah", M32, BYTES(0x88, 0x20),
	  WANT(.op = INSN_OP_MOV, .length = 2, .size = 1, .write = true,
	       .reg = 0, .high8 = true) },
	{ "32: mov eax,[bp+2] (67: 16-bit addressing)", M32,
	  BYTES(0x67, 0x8b, 0x46, 0x02),
	  WANT(.op = INSN_OP_MOV, .length = 4, .size = 4, .reg = 0,
	       .dst_size = 4) },
	{ "32: movzx eax,word [esi+2]", M32, BYTES(0x0f, 0xb7, 0x46, 0x02),
	  WANT(.op = INSN_OP_MOVZX, .length = 4, .size = 2, .reg = 0,
	       .dst_size = 4) },
	{ "32: lock add dword [eax],1", M32, BYTES(0xf0, 0x83, 0x00, 0x01),
	  WANT(.op = INSN_OP_ADD, .length = 4, .size = 4, .write = true,
	       .lock = true, .src_kind = INSN_SRC_IMM, .imm = 1) },
	{ "32: mov word [eax],0x1234", M32, BYTES(0x66, 0xc7, 0x00, 0x34, 0x12),
	  WANT(.op = INSN_OP_MOV, .length = 5, .size = 2, .write = true,
	       .src_kind = INSN_SRC_IMM, .imm = 0x1234) },
	{ "32: mov edx,[ebp+esi*2-4]", M32, BYTES(0x8b, 0x54, 0x75, 0xfc),
	  WANT(.op = INSN_OP_MOV, .length = 4, .size = 4, .reg = 2,
	       .dst_size = 4) },

	/* ---- 16-bit mode (Table 2-1 forms) ---- */
	{ "16: mov ax,[bp+2]", M16, BYTES(0x8b, 0x46, 0x02),
	  WANT(.op = INSN_OP_MOV, .length = 3, .size = 2, .reg = 0,
	       .dst_size = 2) },
	{ "16: mov ax,[0x1234]", M16, BYTES(0x8b, 0x06, 0x34, 0x12),
	  WANT(.op = INSN_OP_MOV, .length = 4, .size = 2, .reg = 0,
	       .dst_size = 2) },
	{ "16: mov ax,[bx+0x1000]", M16, BYTES(0x8b, 0x87, 0x00, 0x10),
	  WANT(.op = INSN_OP_MOV, .length = 4, .size = 2, .reg = 0,
	       .dst_size = 2) },
	{ "16: mov cx,[bx+si]", M16, BYTES(0x8b, 0x08),
	  WANT(.op = INSN_OP_MOV, .length = 2, .size = 2, .reg = 1,
	       .dst_size = 2) },
	{ "16: mov ah,[bx]", M16, BYTES(0x8a, 0x27),
	  WANT(.op = INSN_OP_MOV, .length = 2, .size = 1, .reg = 0,
	       .high8 = true, .dst_size = 1) },
	{ "16: mov eax,[si] (66)", M16, BYTES(0x66, 0x8b, 0x04),
	  WANT(.op = INSN_OP_MOV, .length = 3, .size = 4, .reg = 0,
	       .dst_size = 4) },
	{ "16: mov ax,[esp] (67: SIB)", M16, BYTES(0x67, 0x8b, 0x04, 0x24),
	  WANT(.op = INSN_OP_MOV, .length = 4, .size = 2, .reg = 0,
	       .dst_size = 2) },
	{ "16: mov eax,[0xfee00020] (66 67)", M16,
	  BYTES(0x67, 0x66, 0x8b, 0x05, 0x20, 0x00, 0xe0, 0xfe),
	  WANT(.op = INSN_OP_MOV, .length = 8, .size = 4, .reg = 0,
	       .dst_size = 4) },
	{ "16: mov ax,[0x1234] (moffs16)", M16, BYTES(0xa1, 0x34, 0x12),
	  WANT(.op = INSN_OP_MOV, .length = 3, .size = 2, .reg = 0,
	       .dst_size = 2) },
	{ "16: mov eax,[moffs32] (66 67)", M16,
	  BYTES(0x66, 0x67, 0xa1, 0x20, 0x00, 0xe0, 0xfe),
	  WANT(.op = INSN_OP_MOV, .length = 7, .size = 4, .reg = 0,
	       .dst_size = 4) },
	{ "16: mov word [0x100],0xffff", M16,
	  BYTES(0xc7, 0x06, 0x00, 0x01, 0xff, 0xff),
	  WANT(.op = INSN_OP_MOV, .length = 6, .size = 2, .write = true,
	       .src_kind = INSN_SRC_IMM, .imm = 0xffff) },
	{ "16: mov dword [0x100],0x12345678", M16,
	  BYTES(0x66, 0xc7, 0x06, 0x00, 0x01, 0x78, 0x56, 0x34, 0x12),
	  WANT(.op = INSN_OP_MOV, .length = 9, .size = 4, .write = true,
	       .src_kind = INSN_SRC_IMM, .imm = 0x12345678) },
	{ "16: mov es:[bx],al", M16, BYTES(0x26, 0x88, 0x07),
	  WANT(.op = INSN_OP_MOV, .length = 3, .size = 1, .write = true,
	       .reg = 0) },
	{ "16: cmp ax,[bp-2]", M16, BYTES(0x3b, 0x46, 0xfe),
	  WANT(.op = INSN_OP_CMP, .length = 3, .size = 2, .reg = 0) },
	{ "16: movzx ax,byte [bp+2]", M16, BYTES(0x0f, 0xb6, 0x46, 0x02),
	  WANT(.op = INSN_OP_MOVZX, .length = 4, .size = 1, .reg = 0,
	       .dst_size = 2) },
	{ "16: cmp word [bp+0x100],-1 (83)", M16,
	  BYTES(0x83, 0xbe, 0x00, 0x01, 0xff),
	  WANT(.op = INSN_OP_CMP, .length = 5, .size = 2,
	       .src_kind = INSN_SRC_IMM, .imm = 0xffff) },
};

static const struct insn_case bad[] = {
	{ "mov eax,eax (mod 11)", M64, BYTES(0x89, 0xc0) },
	{ "mov ecx,eax (mod 11)", M64, BYTES(0x8b, 0xc8) },
	{ "mov al,1 (C6 mod 11)", M64, BYTES(0xc6, 0xc0, 0x01) },
	{ "movzx eax,al (mod 11)", M64, BYTES(0x0f, 0xb6, 0xc0) },
	{ "cmp dword eax,1 (mod 11)", M64, BYTES(0x83, 0xf8, 0x01) },
	{ "xbegin (C7 F8)", M64, BYTES(0xc7, 0xf8, 0, 0, 0, 0) },
	{ "C6 /1", M64, BYTES(0xc6, 0x4f, 0x01, 0x00) },
	{ "C7 /2", M64, BYTES(0xc7, 0x10, 0, 0, 0, 0) },
	{ "F6 /1", M64, BYTES(0xf6, 0x0f, 0x01) },
	{ "not byte [rdi] (F6 /2)", M64, BYTES(0xf6, 0x17) },
	{ "neg dword [rdi+4] (F7 /3)", M64, BYTES(0xf7, 0x5f, 0x04) },
	{ "movsxd without REX.W", M64, BYTES(0x63, 0x04, 0x24) },
	{ "66 movsxd without REX.W", M64, BYTES(0x66, 0x63, 0x07) },
	{ "REX then 66", M64, BYTES(0x48, 0x66, 0x89, 0x07) },
	{ "REX then REX", M64, BYTES(0x48, 0x48, 0x89, 0x07) },
	{ "REX then F0", M64, BYTES(0x40, 0xf0, 0x01, 0x07) },
	{ "lock mov", M64, BYTES(0xf0, 0x89, 0x07) },
	{ "lock mov load", M64, BYTES(0xf0, 0x8b, 0x07) },
	{ "lock cmp [m],r", M64, BYTES(0xf0, 0x39, 0x07) },
	{ "lock cmp r,[m]", M64, BYTES(0xf0, 0x3b, 0x07) },
	{ "lock cmp [m],imm", M64, BYTES(0xf0, 0x83, 0x3f, 0x01) },
	{ "lock add r,[m]", M64, BYTES(0xf0, 0x03, 0x07) },
	{ "lock test", M64, BYTES(0xf0, 0x85, 0x07) },
	{ "lock movzx", M64, BYTES(0xf0, 0x0f, 0xb6, 0x07) },
	{ "lock mov moffs", M64, BYTES(0xf0, 0xa3, 0, 0, 0, 0, 0, 0, 0, 0) },
	{ "F3 0F B6", M64, BYTES(0xf3, 0x0f, 0xb6, 0x07) },
	{ "F2 0F BF", M64, BYTES(0xf2, 0x0f, 0xbf, 0x07) },
	{ "rep movsd", M64, BYTES(0xf3, 0xa5) },
	{ "movsb", M64, BYTES(0xa4) },
	{ "stosb", M64, BYTES(0xaa) },
	{ "rep stosq", M64, BYTES(0xf3, 0x48, 0xab) },
	{ "lodsd", M64, BYTES(0xad) },
	{ "adc [rdi],eax", M64, BYTES(0x11, 0x07) },
	{ "sbb eax,[rdi]", M64, BYTES(0x1b, 0x07) },
	{ "adc byte [rdi],1 (80 /2)", M64, BYTES(0x80, 0x17, 0x01) },
	{ "sbb dword [rdi],1 (83 /3)", M64, BYTES(0x83, 0x1f, 0x01) },
	{ "82 (invalid in 64-bit)", M64, BYTES(0x82, 0x07, 0x01) },
	{ "add al,1 (no memory)", M64, BYTES(0x04, 0x01) },
	{ "add eax,imm32 (no memory)", M64, BYTES(0x05, 0, 0, 0, 0) },
	{ "test al,1", M64, BYTES(0xa8, 0x01) },
	{ "lea eax,[rdi]", M64, BYTES(0x8d, 0x07) },
	{ "xchg [rdi],eax", M64, BYTES(0x87, 0x07) },
	{ "mov [rdi],es", M64, BYTES(0x8c, 0x07) },
	{ "inc dword [rdi]", M64, BYTES(0xff, 0x07) },
	{ "ud2", M64, BYTES(0x0f, 0x0b) },
	{ "0F 0F (3DNow!)", M64, BYTES(0x0f, 0x0f, 0x07, 0x00) },
	{ "nop", M64, BYTES(0x90) },
	{ "int3", M64, BYTES(0xcc) },
	{ "prefixes only", M64, BYTES(0x66, 0x67, 0xf0) },
	{ "REX only", M64, BYTES(0x48) },
	{ "14 prefixes + mov: 16 bytes", M64,
	  BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x89, 0x07) },
	{ "6 prefixes + 10-byte mov: 16 bytes", M64,
	  BYTES(0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0xc7, 0x80, 0x00, 0x03,
		0x00, 0x00, 0x01, 0x00, 0x00, 0x00) },
	{ "REX.W 48 in 32-bit mode is DEC", M32, BYTES(0x48, 0x89, 0x07) },
	{ "40 in 32-bit mode is INC", M32, BYTES(0x40, 0x88, 0x20) },
	{ "ARPL (63) in 32-bit mode", M32, BYTES(0x63, 0x07) },
	{ "ARPL (63) in 16-bit mode", M16, BYTES(0x63, 0x07) },
	{ "16: mov ax,bx (mod 11)", M16, BYTES(0x8b, 0xc3) },
	{ "empty", M64, .n = 0 },
};

static const char *const op_names[] = {
	"MOV", "MOVZX", "MOVSX", "CMP", "TEST",
	"AND", "OR",	"XOR",	 "ADD", "SUB",
};

/* Decode @n bytes of @bytes from a heap buffer of exactly that size. */
static int decode_exact(const uint8_t *bytes, size_t n, enum insn_mode mode,
			struct insn_mem *out)
{
	uint8_t *buf = malloc(n);
	int ret;

	if (n) {
		assert_non_null(buf);
		memcpy(buf, bytes, n);
	}
	ret = insn_decode_mem(buf, n, mode, out);
	free(buf);
	return ret;
}

#define CHECK_FIELD(field)                                                \
	do {                                                              \
		if ((uint64_t)got->field != (uint64_t)c->want.field)      \
			fail_msg("%s: " #field " is 0x%llx, want 0x%llx", \
				 c->name, (unsigned long long)got->field, \
				 (unsigned long long)c->want.field);      \
	} while (0)

static void check_result(const struct insn_case *c, const struct insn_mem *got)
{
	if (got->op != c->want.op)
		fail_msg("%s: op is %s, want %s", c->name,
			 (unsigned int)got->op < 10 ? op_names[got->op] : "?",
			 op_names[c->want.op]);
	CHECK_FIELD(length);
	CHECK_FIELD(size);
	CHECK_FIELD(write);
	CHECK_FIELD(lock);
	CHECK_FIELD(src_kind);
	CHECK_FIELD(reg);
	CHECK_FIELD(high8);
	CHECK_FIELD(imm);
	CHECK_FIELD(dst_size);
	CHECK_FIELD(sign_extend);
	CHECK_FIELD(zero_upper);
}

/* The table itself: the bytes written are exactly the stated length. */
static void test_table_consistent(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(good); i++)
		if (good[i].n != good[i].want.length)
			fail_msg("%s: %zu bytes in the table, length %u",
				 good[i].name, good[i].n, good[i].want.length);
}

static void test_good(void **state)
{
	struct insn_mem got;
	uint8_t padded[32];
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(good); i++) {
		const struct insn_case *c = &good[i];

		if (decode_exact(c->bytes, c->n, c->mode, &got) != 0)
			fail_msg("%s: refused", c->name);
		check_result(c, &got);

		/* Trailing bytes must not change anything. */
		memcpy(padded, c->bytes, c->n);
		memset(padded + c->n, 0x66, sizeof(padded) - c->n);
		if (decode_exact(padded, sizeof(padded), c->mode, &got) != 0)
			fail_msg("%s: refused when padded", c->name);
		check_result(c, &got);
	}
}

/* Every proper prefix of a valid instruction is refused, reading only it. */
static void test_truncated(void **state)
{
	struct insn_mem got;
	size_t i, n;

	(void)state;
	for (i = 0; i < N_ELEMS(good); i++)
		for (n = 0; n < good[i].n; n++)
			if (decode_exact(good[i].bytes, n, good[i].mode, &got) !=
			    -TANDEM_EINVAL)
				fail_msg("%s: accepted with %zu of %zu bytes",
					 good[i].name, n, good[i].n);
}

static void test_bad(void **state)
{
	struct insn_mem got;
	uint8_t padded[32];
	size_t i, n;

	(void)state;
	for (i = 0; i < N_ELEMS(bad); i++) {
		const struct insn_case *c = &bad[i];

		for (n = 0; n <= c->n; n++)
			if (decode_exact(c->bytes, n, c->mode, &got) !=
			    -TANDEM_EINVAL)
				fail_msg("%s: accepted with %zu bytes", c->name,
					 n);
		memcpy(padded, c->bytes, c->n);
		/* INT3 bytes: no tail can complete a refused start. */
		memset(padded + c->n, 0xcc, sizeof(padded) - c->n);
		if (decode_exact(padded, sizeof(padded), c->mode, &got) !=
		    -TANDEM_EINVAL)
			fail_msg("%s: accepted when padded", c->name);
	}
}

static void test_bad_arguments(void **state)
{
	static const uint8_t mov[] = { 0x8b, 0x07 };
	struct insn_mem got;

	(void)state;
	assert_int_equal(insn_decode_mem(mov, sizeof(mov), M64, &got), 0);
	assert_int_equal(insn_decode_mem(NULL, 2, M64, &got), -TANDEM_EINVAL);
	assert_int_equal(insn_decode_mem(mov, sizeof(mov), M64, NULL),
			 -TANDEM_EINVAL);
	assert_int_equal(insn_decode_mem(mov, sizeof(mov), (enum insn_mode)3,
					 &got),
			 -TANDEM_EINVAL);
	assert_int_equal(insn_decode_mem(mov, sizeof(mov), (enum insn_mode) - 1,
					 &got),
			 -TANDEM_EINVAL);
}

/* Decode @bytes, which must be valid, in @mode. */
static struct insn_mem must_decode(enum insn_mode mode, const uint8_t *bytes,
				   size_t n)
{
	struct insn_mem m;

	assert_int_equal(insn_decode_mem(bytes, n, mode, &m), 0);
	assert_int_equal(m.length, n);
	return m;
}

#define DECODE(mode, ...)                                   \
	must_decode(mode, (const uint8_t[]){ __VA_ARGS__ }, \
		    sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void test_read_result(void **state)
{
	const uint64_t old = 0x1122334455667788ull;
	struct insn_mem m;

	(void)state;
	m = DECODE(M64, 0x8a, 0x07); /* mov al,[rdi] */
	assert_int_equal(insn_read_result(&m, old, 0xffaa),
			 0x11223344556677aaull);
	m = DECODE(M64, 0x8a, 0x27); /* mov ah,[rdi] */
	assert_int_equal(m.reg, 0);
	assert_int_equal(insn_read_result(&m, old, 0xffaa),
			 0x112233445566aa88ull);
	m = DECODE(M64, 0x40, 0x8a, 0x27); /* mov spl,[rdi] */
	assert_int_equal(m.reg, 4);
	assert_int_equal(insn_read_result(&m, old, 0xaa), 0x11223344556677aaull);
	m = DECODE(M64, 0x66, 0x8b, 0x07); /* mov ax,[rdi] */
	assert_int_equal(insn_read_result(&m, old, 0xcafebeef),
			 0x112233445566beefull);
	m = DECODE(M64, 0x8b, 0x07); /* mov eax,[rdi] */
	assert_int_equal(insn_read_result(&m, old, 0xffffffffdeadbeefull),
			 0xdeadbeefull);
	m = DECODE(M32, 0x8b, 0x07); /* 32-bit mode */
	assert_int_equal(insn_read_result(&m, old, 0xdeadbeef),
			 0x11223344deadbeefull);
	m = DECODE(M64, 0x48, 0x8b, 0x07); /* mov rax,[rdi] */
	assert_int_equal(insn_read_result(&m, old, 0x8000000000000001ull),
			 0x8000000000000001ull);
	m = DECODE(M64, 0x0f, 0xb6, 0x07); /* movzx eax,byte */
	assert_int_equal(insn_read_result(&m, old, 0xfff0), 0xf0);
	m = DECODE(M64, 0x66, 0x0f, 0xb6, 0x07); /* movzx ax,byte */
	assert_int_equal(insn_read_result(&m, old, 0xf0), 0x11223344556600f0ull);
	m = DECODE(M64, 0x48, 0x0f, 0xb7, 0x07); /* movzx rax,word */
	assert_int_equal(insn_read_result(&m, old, 0x12348765), 0x8765);
	m = DECODE(M64, 0x48, 0x0f, 0xbe, 0x07); /* movsx rax,byte */
	assert_int_equal(insn_read_result(&m, old, 0x80), 0xffffffffffffff80ull);
	assert_int_equal(insn_read_result(&m, old, 0x17f), 0x7f);
	m = DECODE(M64, 0x0f, 0xbe, 0x07); /* movsx eax,byte */
	assert_int_equal(insn_read_result(&m, old, 0x80), 0xffffff80ull);
	m = DECODE(M64, 0x66, 0x0f, 0xbe, 0x07); /* movsx ax,byte */
	assert_int_equal(insn_read_result(&m, old, 0x80), 0x112233445566ff80ull);
	m = DECODE(M32, 0x0f, 0xbf, 0x07); /* 32: movsx eax,word */
	assert_int_equal(insn_read_result(&m, old, 0x8000),
			 0x11223344ffff8000ull);
	m = DECODE(M64, 0x48, 0x63, 0x07); /* movsxd rax,dword */
	assert_int_equal(insn_read_result(&m, old, 0x80000000),
			 0xffffffff80000000ull);
	assert_int_equal(insn_read_result(&m, old, 0x7fffffff), 0x7fffffffull);
	m = DECODE(M64, 0x03, 0x07); /* add: not a plain load */
	assert_int_equal(m.dst_size, 0);
	assert_int_equal(insn_read_result(&m, old, 0), old);
	m = DECODE(M64, 0x3b, 0x07); /* cmp: no register write */
	assert_int_equal(insn_read_result(&m, old, 0), old);
	m = DECODE(M64, 0x89, 0x07); /* store: no register write */
	assert_int_equal(insn_read_result(&m, old, 0), old);
}

static void test_write_value(void **state)
{
	const uint64_t rax = 0x1122334455667788ull;
	struct insn_mem m;

	(void)state;
	m = DECODE(M64, 0x88, 0x20); /* mov [rax],ah */
	assert_int_equal(insn_write_value(&m, rax), 0x77);
	m = DECODE(M64, 0x40, 0x88, 0x20); /* mov [rax],spl */
	assert_int_equal(insn_write_value(&m, rax), 0x88);
	m = DECODE(M64, 0x66, 0x89, 0x10); /* mov [rax],dx */
	assert_int_equal(insn_write_value(&m, rax), 0x7788);
	m = DECODE(M64, 0x89, 0x10); /* mov [rax],edx */
	assert_int_equal(insn_write_value(&m, rax), 0x55667788);
	m = DECODE(M64, 0x48, 0x89, 0x10); /* mov [rax],rdx */
	assert_int_equal(insn_write_value(&m, rax), rax);
	m = DECODE(M64, 0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff);
	assert_int_equal(insn_write_value(&m, rax), 0xfffffffffffffffeull);
	m = DECODE(M64, 0xc6, 0x00, 0x5a); /* mov byte [rax],0x5a */
	assert_int_equal(insn_write_value(&m, rax), 0x5a);
	m = DECODE(M16, 0xc7, 0x07, 0x34, 0x12); /* 16: mov [bx],0x1234 */
	assert_int_equal(insn_write_value(&m, rax), 0x1234);
}

/* Invariants every successful decode must satisfy. */
static void check_invariants(const uint8_t *buf, size_t n, enum insn_mode mode,
			     const struct insn_mem *m)
{
	struct insn_mem again;

	assert_true(m->length >= 2 && m->length <= n && m->length <= 15);
	assert_true(m->size == 1 || m->size == 2 || m->size == 4 || m->size == 8);
	assert_true(m->dst_size == 0 || m->dst_size == 1 || m->dst_size == 2 ||
		    m->dst_size == 4 || m->dst_size == 8);
	assert_true(m->reg < 16);
	assert_true(!m->high8 || m->reg < 4);
	assert_true(!m->lock || m->write);
	/* dst_size marks exactly the plain loads. */
	assert_true(!m->dst_size || (!m->write && (m->op == INSN_OP_MOV ||
						   m->op == INSN_OP_MOVZX ||
						   m->op == INSN_OP_MOVSX)));
	assert_true(m->dst_size || m->write ||
		    (m->op != INSN_OP_MOV && m->op != INSN_OP_MOVZX &&
		     m->op != INSN_OP_MOVSX));
	assert_true(m->src_kind == INSN_SRC_REG || m->src_kind == INSN_SRC_IMM);
	assert_true(m->imm <=
		    (m->size == 8 ? ~0ull : (1ull << (8 * m->size)) - 1));
	/* The instruction alone decodes the same; one byte less does not. */
	assert_int_equal(decode_exact(buf, m->length, mode, &again), 0);
	assert_memory_equal(&again, m, sizeof(again));
	assert_int_equal(decode_exact(buf, m->length - 1u, mode, &again),
			 -TANDEM_EINVAL);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random bytes, biased towards prefixes and supported opcodes. */
static void test_garbage(void **state)
{
	static const uint8_t interesting[] = {
		0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x65, 0x40, 0x41, 0x44,
		0x48, 0x4c, 0x0f, 0x63, 0x80, 0x81, 0x83, 0x88, 0x89, 0x8a,
		0x8b, 0xa1, 0xa3, 0xc6, 0xc7, 0xf6, 0xf7, 0x01, 0x3b, 0x85,
	};
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	uint8_t buf[20];
	struct insn_mem m;
	unsigned long accepted = 0;
	int iter, mode;
	size_t i, n;

	(void)state;
	for (iter = 0; iter < 200000; iter++) {
		n = xorshift(&seed) % (sizeof(buf) + 1);
		for (i = 0; i < n; i++) {
			uint64_t r = xorshift(&seed);

			buf[i] = (r & 0x300) || i > 3 ?
					 (uint8_t)r :
					 interesting[(r >> 16) % sizeof(interesting)];
		}
		for (mode = M16; mode <= M64; mode++)
			if (decode_exact(buf, n, (enum insn_mode)mode, &m) == 0) {
				check_invariants(buf, n, (enum insn_mode)mode,
						 &m);
				accepted++;
			}
	}
	/* Make sure the bias does reach the decoder's accepting paths. */
	assert_true(accepted > 10000);
}

/* Every two-byte start, followed by a full-length tail. */
static void test_exhaustive_two_bytes(void **state)
{
	static const uint8_t tails[] = { 0x00, 0x25, 0x66, 0xff };
	uint8_t buf[INSN_MAX_LENGTH];
	struct insn_mem m;
	unsigned int b, t;
	int mode;

	(void)state;
	for (t = 0; t < sizeof(tails); t++)
		for (b = 0; b < 0x10000; b++) {
			memset(buf, tails[t], sizeof(buf));
			buf[0] = (uint8_t)b;
			buf[1] = (uint8_t)(b >> 8);
			for (mode = M16; mode <= M64; mode++)
				if (insn_decode_mem(buf, sizeof(buf),
						    (enum insn_mode)mode, &m) == 0)
					check_invariants(buf, sizeof(buf),
							 (enum insn_mode)mode,
							 &m);
		}
}

/* ---- MOV to CR8 (insn_decode_mov_cr8) ---- */

struct cr8_case {
	const char *name;
	enum insn_mode mode;
	uint8_t bytes[16];
	size_t n;
	int gpr; /* -1: must be refused */
};

static const struct cr8_case cr8_cases[] = {
	/* Nautilus's scheduler (set_interrupt_priority): mov cr8,rax */
	{ "mov cr8,rax", M64, BYTES(0x44, 0x0f, 0x22, 0xc0), 0 },
	{ "mov cr8,rdi", M64, BYTES(0x44, 0x0f, 0x22, 0xc7), 7 },
	{ "mov cr8,r8", M64, BYTES(0x45, 0x0f, 0x22, 0xc0), 8 },
	{ "mov cr8,r15", M64, BYTES(0x45, 0x0f, 0x22, 0xc7), 15 },
	{ "REX.W mov cr8,rcx", M64, BYTES(0x4c, 0x0f, 0x22, 0xc1), 1 },
	{ "mod ignored: 44 0F 22 01", M64, BYTES(0x44, 0x0f, 0x22, 0x01), 1 },
	{ "lock mov cr0 = cr8, rdx", M64, BYTES(0xf0, 0x0f, 0x22, 0xc2), 2 },
	{ "lock REX.B mov cr0 = cr8, r9", M64,
	  BYTES(0xf0, 0x41, 0x0f, 0x22, 0xc1), 9 },
	{ "32: lock mov cr0 = cr8, ebx", M32, BYTES(0xf0, 0x0f, 0x22, 0xc3), 3 },
	{ "16: lock mov cr0 = cr8, sp", M16, BYTES(0xf0, 0x0f, 0x22, 0xc4), 4 },
	{ "mov cr0,rax", M64, BYTES(0x0f, 0x22, 0xc0), -1 },
	{ "mov cr3,rax", M64, BYTES(0x0f, 0x22, 0xd8), -1 },
	{ "mov cr9,rax", M64, BYTES(0x44, 0x0f, 0x22, 0xc8), -1 },
	{ "mov rax,cr8 (a read)", M64, BYTES(0x44, 0x0f, 0x20, 0xc0), -1 },
	{ "lock mov cr3", M64, BYTES(0xf0, 0x0f, 0x22, 0xd8), -1 },
	{ "lock REX.R mov cr8", M64, BYTES(0xf0, 0x44, 0x0f, 0x22, 0xc0), -1 },
	{ "REX then lock", M64, BYTES(0x44, 0xf0, 0x0f, 0x22, 0xc0), -1 },
	{ "66 prefix", M64, BYTES(0x66, 0x44, 0x0f, 0x22, 0xc0), -1 },
	{ "REX in 32-bit mode is INC", M32, BYTES(0x44, 0x0f, 0x22, 0xc0), -1 },
	{ "32: mov cr0,eax", M32, BYTES(0x0f, 0x22, 0xc0), -1 },
	{ "empty", M64, .n = 0, .gpr = -1 },
};

static int decode_cr8_exact(const uint8_t *bytes, size_t n, enum insn_mode mode,
			    uint8_t *gpr, uint8_t *len)
{
	uint8_t *copy = malloc(n ? n : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, bytes, n);
	rc = insn_decode_mov_cr8(copy, n, mode, gpr, len);
	free(copy);
	return rc;
}

static void test_mov_cr8(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(cr8_cases); i++) {
		const struct cr8_case *c = &cr8_cases[i];
		uint8_t gpr = 0xff, len = 0;
		int rc = decode_cr8_exact(c->bytes, c->n, c->mode, &gpr, &len);

		if (c->gpr < 0) {
			if (rc != -TANDEM_EINVAL)
				fail_msg("%s: accepted (gpr %u, length %u)",
					 c->name, gpr, len);
			continue;
		}
		if (rc != 0 || gpr != c->gpr || len != c->n)
			fail_msg("%s: rc %d gpr %u length %u, want gpr %d length %zu",
				 c->name, rc, gpr, len, c->gpr, c->n);
		/* Every truncation is refused, never read past. */
		for (size_t n = 0; n < c->n; n++)
			if (decode_cr8_exact(c->bytes, n, c->mode, &gpr, &len) !=
			    -TANDEM_EINVAL)
				fail_msg("%s: accepted with %zu bytes", c->name,
					 n);
		/* Trailing bytes are not part of it. */
		{
			uint8_t longer[16];

			memset(longer, 0x90, sizeof(longer));
			memcpy(longer, c->bytes, c->n);
			assert_int_equal(decode_cr8_exact(longer, sizeof(longer),
							  c->mode, &gpr, &len),
					 0);
			assert_int_equal(len, c->n);
		}
	}
	assert_int_equal(insn_decode_mov_cr8(NULL, 4, M64, &(uint8_t){ 0 },
					     &(uint8_t){ 0 }),
			 -TANDEM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_consistent),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_read_result),
		cmocka_unit_test(test_write_value),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_exhaustive_two_bytes),
		cmocka_unit_test(test_mov_cr8),
	};

	return cmocka_run_group_tests_name("insn", tests, NULL, NULL);
}
