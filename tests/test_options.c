/*
 * Host unit tests for kernel/fmt/options.c: every value type, every kind of bad
 * word, and the one-report-per-problem rule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fmt/options.h"

struct report {
	char word[64];
	const char *reason;
};

static struct report reports[32];
static size_t nreports;

static bool debug, quiet;
static uint64_t cpus, hrt_mem, port;
static struct opt_string ros_args;
static unsigned int vendor;

static const char *const vendor_names[] = { "auto", "vmx", "svm", NULL };

static const struct option_desc table[] = {
	{ "debug", OPT_BOOL, &debug, NULL, 0, 0, "verbose output" },
	{ "quiet", OPT_BOOL, &quiet, NULL, 0, 0, "less output" },
	{ "cpus", OPT_UINT, &cpus, NULL, 1, 64, "number of CPUs to use" },
	{ "port", OPT_UINT, &port, NULL, 0, 0, "serial port" },
	{ "hrt_mem", OPT_SIZE, &hrt_mem, NULL, 0x200000, 0, "HRT memory" },
	{ "ros_args", OPT_STRING, &ros_args, NULL, 0, 16, "ROS command line" },
	{ "vendor", OPT_ENUM, &vendor, vendor_names, 0, 0, "force VMX or SVM" },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

static void record(void *ctx, const char *word, size_t wlen, const char *reason)
{
	assert_ptr_equal(ctx, &nreports);
	assert_true(nreports < 32);
	assert_true(wlen < sizeof(reports[0].word));
	memcpy(reports[nreports].word, word, wlen);
	reports[nreports].word[wlen] = 0;
	reports[nreports].reason = reason;
	nreports++;
}

static int parse(const char *s)
{
	nreports = 0;
	return options_parse(s, strlen(s), table, NTABLE, record, &nreports);
}

static void reset(void)
{
	debug = quiet = false;
	cpus = 7;
	hrt_mem = 0x400000;
	port = 0x3f8;
	ros_args.s = NULL;
	ros_args.len = 0;
	vendor = 0;
}

/* One bad word: exactly one report naming it, and a count of 1. */
static void expect_one_problem(const char *s, const char *word, const char *reason)
{
	assert_int_equal(parse(s), 1);
	assert_int_equal(nreports, 1);
	assert_string_equal(reports[0].word, word);
	assert_string_equal(reports[0].reason, reason);
}

static void expect_untouched(void)
{
	assert_false(debug);
	assert_false(quiet);
	assert_int_equal(cpus, 7);
	assert_int_equal(hrt_mem, 0x400000);
	assert_int_equal(port, 0x3f8);
	assert_null(ros_args.s);
	assert_int_equal(vendor, 0);
}

static void test_all_types(void **state)
{
	const char *line =
		"debug cpus=4 hrt_mem=512M vendor=svm port=0x2F8 ros_args=init=/bin/sh";
	(void)state;

	reset();
	assert_int_equal(parse(line), 0);
	assert_int_equal(nreports, 0);
	assert_true(debug);
	assert_int_equal(cpus, 4);
	assert_int_equal(hrt_mem, 512ull << 20);
	assert_int_equal(vendor, 2);
	assert_int_equal(port, 0x2f8);
	assert_int_equal(ros_args.len, 12);
	assert_memory_equal(ros_args.s, "init=/bin/sh", 12);
	assert_ptr_equal(ros_args.s, strstr(line, "init="));
}

static void test_bool_forms(void **state)
{
	static const char *const on[] = { "1", "on", "yes", "true" };
	static const char *const off[] = { "0", "off", "no", "false" };
	char buf[32];
	size_t i;
	(void)state;

	for (i = 0; i < 4; i++) {
		reset();
		snprintf(buf, sizeof(buf), "quiet=%s", on[i]);
		assert_int_equal(parse(buf), 0);
		assert_true(quiet);
		snprintf(buf, sizeof(buf), "quiet=%s", off[i]);
		assert_int_equal(parse(buf), 0);
		assert_false(quiet);
	}
	reset();
	expect_one_problem("debug=maybe", "debug=maybe",
			   "not a boolean (use on/off, yes/no, true/false, 1/0)");
	expect_one_problem("debug=", "debug=",
			   "not a boolean (use on/off, yes/no, true/false, 1/0)");
	expect_one_problem("debug=ON", "debug=ON",
			   "not a boolean (use on/off, yes/no, true/false, 1/0)");
	expect_untouched();
}

static void test_numbers(void **state)
{
	(void)state;
	reset();
	assert_int_equal(parse("port=18446744073709551615"), 0);
	assert_int_equal(port, UINT64_MAX);
	assert_int_equal(parse("port=0xffffffffffffffff"), 0);
	assert_int_equal(port, UINT64_MAX);
	assert_int_equal(parse("port=0X10"), 0);
	assert_int_equal(port, 16);
	assert_int_equal(parse("port=0"), 0);
	assert_int_equal(port, 0);

	reset();
	expect_one_problem("port=18446744073709551616",
			   "port=18446744073709551616", "number too large");
	expect_one_problem("port=0x10000000000000000",
			   "port=0x10000000000000000", "number too large");
	expect_one_problem("port=0x", "port=0x", "not a number");
	expect_one_problem("port=-1", "port=-1", "not a number");
	expect_one_problem("port=+1", "port=+1", "not a number");
	expect_one_problem("port=12abc", "port=12abc", "not a number");
	expect_one_problem("port=", "port=", "not a number");
	expect_one_problem("port", "port", "needs a value (name=value)");
	expect_one_problem("cpus=0", "cpus=0", "value out of range");
	expect_one_problem("cpus=65", "cpus=65", "value out of range");
	expect_untouched();
	assert_int_equal(parse("cpus=64 cpus=1"), 0);
	assert_int_equal(cpus, 1);
}

static void test_sizes(void **state)
{
	(void)state;
	reset();
	assert_int_equal(parse("hrt_mem=4096K"), 0);
	assert_int_equal(hrt_mem, 4096ull << 10);
	assert_int_equal(parse("hrt_mem=0x10M"), 0);
	assert_int_equal(hrt_mem, 16ull << 20);
	assert_int_equal(parse("hrt_mem=3g"), 0);
	assert_int_equal(hrt_mem, 3ull << 30);
	assert_int_equal(parse("hrt_mem=2097152"), 0);
	assert_int_equal(hrt_mem, 0x200000);

	reset();
	expect_one_problem("hrt_mem=1T", "hrt_mem=1T", "not a number");
	expect_one_problem("hrt_mem=M", "hrt_mem=M", "not a number");
	expect_one_problem("hrt_mem=17179869184G", "hrt_mem=17179869184G",
			   "number too large");
	expect_one_problem("hrt_mem=1K", "hrt_mem=1K", "value out of range");
	expect_one_problem("hrt_mem=1MM", "hrt_mem=1MM", "not a number");
	expect_untouched();
}

static void test_strings_and_enums(void **state)
{
	(void)state;
	reset();
	assert_int_equal(parse("ros_args="), 0);
	assert_non_null(ros_args.s);
	assert_int_equal(ros_args.len, 0);

	reset();
	expect_one_problem("ros_args=0123456789abcdefX",
			   "ros_args=0123456789abcdefX",
			   "string length out of range");
	expect_one_problem("vendor=arm", "vendor=arm",
			   "not one of the allowed values");
	expect_one_problem("vendor=", "vendor=", "not one of the allowed values");
	expect_one_problem("vendor=vmxx", "vendor=vmxx",
			   "not one of the allowed values");
	expect_one_problem("vendor=vm", "vendor=vm",
			   "not one of the allowed values");
	expect_one_problem("vendor", "vendor", "needs a value (name=value)");
	expect_untouched();
	assert_int_equal(parse("vendor=vmx"), 0);
	assert_int_equal(vendor, 1);
}

static void test_unknown_and_names(void **state)
{
	(void)state;
	reset();
	expect_one_problem("debugx", "debugx", "unknown option");
	expect_one_problem("debu", "debu", "unknown option");
	expect_one_problem("DEBUG", "DEBUG", "unknown option");
	expect_one_problem("=1", "=1", "missing option name");
	expect_one_problem("/boot/tandem.elf", "/boot/tandem.elf",
			   "unknown option");
	expect_untouched();
}

static void test_many_problems_one_report_each(void **state)
{
	(void)state;
	reset();
	assert_int_equal(parse("  bogus\tcpus=99 debug  vendor=x\n\nquiet=on = cpus=abc  "),
			 5);
	assert_int_equal(nreports, 5);
	assert_string_equal(reports[0].word, "bogus");
	assert_string_equal(reports[0].reason, "unknown option");
	assert_string_equal(reports[1].word, "cpus=99");
	assert_string_equal(reports[1].reason, "value out of range");
	assert_string_equal(reports[2].word, "vendor=x");
	assert_string_equal(reports[3].word, "=");
	assert_string_equal(reports[3].reason, "missing option name");
	assert_string_equal(reports[4].word, "cpus=abc");
	assert_string_equal(reports[4].reason, "not a number");
	/* The good words in between still took effect. */
	assert_true(debug);
	assert_true(quiet);
	assert_int_equal(cpus, 7);
}

static void test_whitespace_and_nul(void **state)
{
	const char line[] = "debug\0quiet";
	(void)state;

	reset();
	assert_int_equal(options_parse(line, sizeof(line), table, NTABLE,
				       record, &nreports),
			 0);
	assert_true(debug);
	assert_false(quiet); /* the NUL ended the command line */

	reset();
	assert_int_equal(options_parse("quiet debug", 5, table, NTABLE, record,
				       &nreports),
			 0);
	assert_true(quiet);
	assert_false(debug); /* beyond len */

	reset();
	assert_int_equal(parse(""), 0);
	assert_int_equal(parse("   \t\n "), 0);
	assert_int_equal(options_parse(NULL, 10, table, NTABLE, record, &nreports),
			 0);
	assert_int_equal(options_parse("x y", 3, table, NTABLE, NULL, NULL), 2);
	expect_untouched();
}

static void test_table_mistakes(void **state)
{
	static const struct option_desc bad[] = {
		{ "nodest", OPT_UINT, NULL, NULL, 0, 0, "" },
		{ NULL, OPT_BOOL, &debug, NULL, 0, 0, "" },
		{ "noenum", OPT_ENUM, &vendor, NULL, 0, 0, "" },
	};
	(void)state;

	reset();
	nreports = 0;
	assert_int_equal(options_parse("nodest=1 noenum=a x", 19, bad, 3,
				       record, &nreports),
			 3);
	assert_string_equal(reports[0].reason, "option has no destination");
	assert_string_equal(reports[1].reason, "not one of the allowed values");
	assert_string_equal(reports[2].reason, "unknown option");
	expect_untouched();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_types),
		cmocka_unit_test(test_bool_forms),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_strings_and_enums),
		cmocka_unit_test(test_unknown_and_names),
		cmocka_unit_test(test_many_problems_one_report_each),
		cmocka_unit_test(test_whitespace_and_nul),
		cmocka_unit_test(test_table_mistakes),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
