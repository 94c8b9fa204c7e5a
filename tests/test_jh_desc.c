/*
 * Host test of the test inmates' Jailhouse-format descriptions
 * (cells/jh/jh_desc.c, which jhcellgen writes to build/cells/jh/NAME.cell):
 * each goes through Tandem's translator (kernel/fmt/jh_cell.c) as Cell
 * Create takes it, and the translation must say what cells/jh/jh_test.h
 * lays out: 1 MiB of LOADABLE RWX RAM at 0, the comm region at 0x100000,
 * the ROOTSHARED results page, the UART ports, every CPU starting at 0,
 * the console on COM2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fmt/jh_cell.h"
#include "../cells/jh/jh_desc.h"

static uint8_t out[TANDEM_CELL_CONFIG_MAX] __attribute__((aligned(8)));

static void translate_one(const char *name, unsigned ncpus)
{
	struct jh_desc_file f;
	struct jh_cell_info info;
	struct jh_cell_error err = { 0 };
	const struct tandem_cell_desc *t = (const void *)out;
	const struct tandem_memory_region *m = (const void *)(out + sizeof(*t));
	const struct tandem_pio_region *p;
	size_t total = 0, len = 0;
	int rc;

	assert_int_equal(jh_desc_build(&f, name, ncpus), 0);
	rc = jh_cell_size(&f.desc, &total, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(total, sizeof(f));
	rc = jh_cell_translate(&f, sizeof(f), out, sizeof(out), &len, &info,
			       &err);
	if (rc)
		fail_msg("%s: %d, %s (index %d)", name, rc, err.why, err.index);
	assert_string_equal(t->name, name);
	assert_int_equal(t->cpu_set, (1ull << ncpus) - 1);
	assert_int_equal(t->num_memory_regions, 3);
	assert_int_equal(t->num_pio_regions, 1);
	assert_int_equal(len, TANDEM_CELL_CONFIG_SIZE(3, 1));
	assert_int_equal(t->flags & TANDEM_CELL_PASSIVE_COMMREG, 0);

	assert_int_equal(m[0].virt_start, 0);
	assert_int_equal(m[0].phys_start, 0);
	assert_int_equal(m[0].size, JHT_RAM_SIZE);
	assert_int_equal(m[0].flags, TANDEM_MEM_READ | TANDEM_MEM_WRITE |
					     TANDEM_MEM_EXECUTE |
					     TANDEM_MEM_LOADABLE);
	assert_int_equal(m[1].virt_start, JHT_COMM_ADDR);
	assert_true(m[1].flags & TANDEM_MEM_COMM_REGION);
	assert_int_equal(m[2].virt_start, JHT_RESULTS_ADDR);
	assert_int_equal(m[2].phys_start, JHT_RAM_SIZE);
	assert_int_equal(m[2].flags, TANDEM_MEM_READ | TANDEM_MEM_WRITE |
					     TANDEM_MEM_ROOTSHARED);
	p = (const void *)&m[3];
	assert_int_equal(p->base, JHT_UART_PORT);
	assert_int_equal(p->length, JHT_UART_PORTS);

	assert_int_equal(info.cpu_reset_address, 0);
	assert_int_equal(info.msg_reply_timeout, JHT_REPLY_TIMEOUT);
	assert_int_equal(info.console.address, JHT_UART_PORT);
	assert_int_equal(info.console.type, JH_CON_TYPE_8250);
	assert_int_equal(info.console.flags, 0);
	assert_int_equal(info.hints, 0);
	assert_true(info.flags & JH_CELL_VIRTUAL_CONSOLE_PERMITTED);
}

static void test_jhtest(void **state)
{
	(void)state;
	translate_one("jhtest", 1);
}

static void test_jhsmp(void **state)
{
	(void)state;
	translate_one("jhsmp", 2);
}

static void test_jhrev(void **state)
{
	(void)state;
	translate_one("jhrev", 1);
}

static void test_bad_arguments(void **state)
{
	struct jh_desc_file f;

	(void)state;
	assert_int_equal(jh_desc_build(&f, "x", 0), -1);
	assert_int_equal(jh_desc_build(&f, "x", JHT_MAX_CPUS + 1), -1);
	assert_int_equal(jh_desc_build(&f, "a-name-of-exactly-32-characters!", 1),
			 -1);
	assert_int_equal(jh_desc_build(&f, NULL, 1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jhtest),
		cmocka_unit_test(test_jhsmp),
		cmocka_unit_test(test_jhrev),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
