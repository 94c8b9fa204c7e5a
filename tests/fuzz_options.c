/*
 * Fuzz harness for the command-line option parser: the input is the
 * command line. Every report must name a non-empty word inside the input,
 * the count returned must match the reports, and string values must point
 * into the input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fmt/options.h"

struct seen {
	const uint8_t *data;
	size_t size;
	int reports;
};

static void report(void *ctx, const char *word, size_t wlen, const char *reason)
{
	struct seen *s = ctx;
	const uint8_t *w = (const uint8_t *)word;

	FUZZ_CHECK(w >= s->data && wlen > 0 && wlen <= s->size &&
		   (size_t)(w - s->data) <= s->size - wlen);
	FUZZ_CHECK(reason && reason[0]);
	s->reports++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const modes[] = { "auto", "vmx", "svm", NULL };
	bool flag = false;
	uint64_t num = 0, sz = 0;
	unsigned int mode = 0;
	struct opt_string str = { NULL, 0 };
	const struct option_desc table[] = {
		{ "debug", OPT_BOOL, &flag, NULL, 0, 0, "" },
		{ "cpus", OPT_UINT, &num, NULL, 1, 64, "" },
		{ "mem", OPT_SIZE, &sz, NULL, 0, 0, "" },
		{ "args", OPT_STRING, &str, NULL, 0, 100, "" },
		{ "vendor", OPT_ENUM, &mode, modes, 0, 0, "" },
	};
	struct seen s = { data, size, 0 };
	int problems;

	problems = options_parse((const char *)data, size, table, 5, report, &s);
	FUZZ_CHECK(problems == s.reports);
	FUZZ_CHECK(num == 0 || (num >= 1 && num <= 64));
	FUZZ_CHECK(mode <= 2);
	if (str.s) {
		const uint8_t *p = (const uint8_t *)str.s;
		FUZZ_CHECK(p >= data && str.len <= 100 &&
			   (size_t)(p - data) <= size - str.len);
	}
	return 0;
}

size_t fuzz_seed(unsigned idx, uint8_t *buf, size_t cap)
{
	static const char *const seeds[] = {
		"debug cpus=4 mem=512M vendor=svm args=init=/bin/sh",
		"debug=off cpus=0x40 mem=0x10000K vendor=auto",
		"  cpus=65 bogus mem=1T =x vendor\targs=",
		"debug=on cpus=18446744073709551616 mem=17179869184G vendor=vmx",
	};
	size_t n;

	if (idx >= sizeof(seeds) / sizeof(seeds[0]))
		return 0;
	n = strlen(seeds[idx]);
	if (n > cap)
		return 0;
	memcpy(buf, seeds[idx], n); /* no NUL: the length bounds the line */
	return n;
}
