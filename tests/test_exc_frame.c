/* Host unit tests for kernel/virt/exc_frame.c: decoding the IDT gate and
 * the code descriptor, choosing the stack, laying out the frame of an
 * exception delivered by emulation (the HRT's magic page fault). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tandem/errno.h"
#include "virt/exc_frame.h"

#define MAGIC_ERROR 0x00000000f00df00dull

/* A gate as an OS writes it (SDM Vol. 3A 6.14.1). */
static void gate(uint8_t raw[16], uint64_t off, uint16_t sel, uint8_t ist,
		 uint8_t type_attr)
{
	memset(raw, 0, 16);
	raw[0] = (uint8_t)off;
	raw[1] = (uint8_t)(off >> 8);
	raw[2] = (uint8_t)sel;
	raw[3] = (uint8_t)(sel >> 8);
	raw[4] = ist;
	raw[5] = type_attr;
	for (int i = 2; i < 8; i++)
		raw[4 + i] = (uint8_t)(off >> (8 * i));
}

static void test_gate_interrupt(void **state)
{
	uint8_t raw[16];
	struct exc_gate g;
	const char *why = NULL;

	(void)state;
	gate(raw, 0xffff800000123456ull, 0x08, 0, 0x8e);
	assert_int_equal(exc_gate_decode(raw, 48, &g, &why), 0);
	assert_true(g.offset == 0xffff800000123456ull);
	assert_int_equal(g.sel, 0x08);
	assert_int_equal(g.ist, 0);
	assert_false(g.trap);
	/* A trap gate with IST 3, DPL 3: DPL is not looked at (an exception
	 * is not INT n). Bits 3-7 of the IST byte are ignored. */
	gate(raw, 0x401000, 0x10, 0xfb, 0xef);
	assert_int_equal(exc_gate_decode(raw, 48, &g, &why), 0);
	assert_true(g.trap);
	assert_int_equal(g.ist, 3);
}

static void test_gate_refused(void **state)
{
	uint8_t raw[16];
	struct exc_gate g;
	const char *why = NULL;

	(void)state;
	memset(raw, 0, sizeof(raw)); /* the boot state's empty gate */
	assert_int_equal(exc_gate_decode(raw, 48, &g, &why), -TANDEM_EBUSY);
	assert_string_equal(why, "the gate is not present");
	gate(raw, 0x1000, 0x08, 0, 0x8c); /* a call gate */
	assert_int_equal(exc_gate_decode(raw, 48, &g, &why), -TANDEM_EINVAL);
	gate(raw, 0x1000, 0x08, 0, 0x9e); /* S set */
	assert_int_equal(exc_gate_decode(raw, 48, &g, &why), -TANDEM_EINVAL);
	gate(raw, 0x1000, 0x03, 0, 0x8e); /* null selector, RPL 3 */
	assert_int_equal(exc_gate_decode(raw, 48, &g, &why), -TANDEM_EINVAL);
	assert_string_equal(why, "the gate's selector is null");
	gate(raw, 0x1000, 0x0c, 0, 0x8e); /* LDT */
	assert_int_equal(exc_gate_decode(raw, 48, &g, &why), -TANDEM_EINVAL);
	gate(raw, 0x0000800000000000ull, 0x08, 0, 0x8e);
	assert_int_equal(exc_gate_decode(raw, 48, &g, &why), -TANDEM_EINVAL);
	assert_string_equal(why, "the gate's handler address is not canonical");
	/* ... which LA57 makes canonical. */
	assert_int_equal(exc_gate_decode(raw, 57, &g, &why), 0);
}

static void test_code(void **state)
{
	struct exc_code c;
	const char *why = NULL;

	(void)state;
	/* The HRT's 64-bit code segment, DPL 0, from CPL 3. */
	assert_int_equal(exc_code_decode(0x00af9a000000ffffull, 3, &c, &why), 0);
	assert_int_equal(c.cpl, 0);
	assert_int_equal(c.attr, 0xa9b); /* type 0xb, S, P; L, G */
	assert_int_equal(c.limit, 0xffffffffu);
	/* Conforming, DPL 0, from CPL 3: stays at 3. */
	assert_int_equal(exc_code_decode(0x00af9e000000ffffull, 3, &c, &why), 0);
	assert_int_equal(c.cpl, 3);
	/* Refused: data, not present, 32-bit, DPL 3 from CPL 0, DPL 1. */
	assert_int_equal(exc_code_decode(0x00cf92000000ffffull, 0, &c, &why),
			 -TANDEM_EINVAL);
	assert_int_equal(exc_code_decode(0x00af1a000000ffffull, 0, &c, &why),
			 -TANDEM_EINVAL);
	assert_int_equal(exc_code_decode(0x00cf9a000000ffffull, 0, &c, &why),
			 -TANDEM_EINVAL);
	assert_int_equal(exc_code_decode(0x00affa000000ffffull, 0, &c, &why),
			 -TANDEM_EINVAL);
	assert_int_equal(exc_code_decode(0x00afba000000ffffull, 3, &c, &why),
			 -TANDEM_EINVAL);
	assert_string_equal(why, "a gate into CPL 1 or 2 (not emulated)");
}

static void test_stack_choice(void **state)
{
	(void)state;
	assert_int_equal(exc_tss_field(0, 0, 0), 0);	/* current stack */
	assert_int_equal(exc_tss_field(3, 0, 0), 4);	/* RSP0 */
	assert_int_equal(exc_tss_field(0, 0, 1), 0x24); /* IST1 */
	assert_int_equal(exc_tss_field(3, 0, 7), 0x54); /* IST7 wins */
	assert_int_equal(exc_tss_field(3, 3, 0), 0);	/* conforming */
}

static void test_frame(void **state)
{
	struct exc_frame_in in = {
		.rip = 0xffff800000201234ull,
		.rflags = 0x10346, /* RF, NT, IF, TF, ZF, PF */
		.rsp = 0xffff8000003ffff8ull,
		.cs = 0x08,
		.ss = 0x10,
		.error = MAGIC_ERROR,
		.va_bits = 48,
	};
	struct exc_frame f;
	const char *why = NULL;

	(void)state;
	in.stack = in.rsp; /* aligned down to 16: 0x...3ffff0 */
	assert_int_equal(exc_frame_build(&in, &f, &why), 0);
	assert_true(f.rsp == 0xffff8000003ffff0ull - 48);
	assert_true(f.words[0] == MAGIC_ERROR); /* zero-extended */
	assert_true(f.words[1] == in.rip);
	assert_true(f.words[2] == 0x08);
	assert_true(f.words[3] == 0x10346);
	assert_true(f.words[4] == in.rsp);
	assert_true(f.words[5] == 0x10);
	assert_true(f.rflags == 0x046); /* TF, IF, NT, RF cleared */
	in.trap = true;
	assert_int_equal(exc_frame_build(&in, &f, &why), 0);
	assert_true(f.rflags == 0x246); /* IF kept */
	/* A stack at the bottom of the upper half, or at 0: no room. */
	in.stack = 0xffff800000000010ull;
	assert_int_equal(exc_frame_build(&in, &f, &why), -TANDEM_EINVAL);
	in.stack = 0;
	assert_int_equal(exc_frame_build(&in, &f, &why), -TANDEM_EINVAL);
	in.stack = 0x0000800000000000ull; /* the frame ends just below it */
	assert_int_equal(exc_frame_build(&in, &f, &why), 0);
	in.stack = 0x0000800000000040ull;
	assert_int_equal(exc_frame_build(&in, &f, &why), -TANDEM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gate_interrupt),
		cmocka_unit_test(test_gate_refused),
		cmocka_unit_test(test_code),
		cmocka_unit_test(test_stack_choice),
		cmocka_unit_test(test_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
