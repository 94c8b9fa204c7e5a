/*
 * Command-line option parser (see options.h). Values are parsed completely
 * into locals and stored only once valid, so a bad word never leaves a
 * half-written destination behind.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/fail.h"
#include "lib/klib.h"
#include "fmt/options.h"
#include "tandem/errno.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* True if @s[0..len) equals the C string @lit exactly. */
static bool equals(const char *s, size_t len, const char *lit)
{
	return strnlen(lit, len + 1) == len && strncmp(s, lit, len) == 0;
}

static int digit_value(char c, unsigned base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return (unsigned)v < base ? v : -1;
}

/* Decimal or 0x hex into *@out. */
static int parse_number(const char *s, size_t len, uint64_t *out, const char **why)
{
	unsigned base = 10;
	uint64_t v = 0;
	size_t i;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (!len)
		return fail(why, TANDEM_EINVAL, "not a number");
	for (i = 0; i < len; i++) {
		int d = digit_value(s[i], base);

		if (d < 0)
			return fail(why, TANDEM_EINVAL, "not a number");
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return fail(why, TANDEM_ERANGE, "number too large");
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

static int parse_size(const char *s, size_t len, uint64_t *out, const char **why)
{
	unsigned shift = 0;
	uint64_t v;
	int ret;

	if (len) {
		switch (s[len - 1]) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		default:
			break;
		}
		/* K, M and G are not hex digits, so "0x10M" is unambiguous. */
		if (shift)
			len--;
	}
	ret = parse_number(s, len, &v, why);
	if (ret)
		return ret;
	if (v > UINT64_MAX >> shift)
		return fail(why, TANDEM_ERANGE, "number too large");
	*out = v << shift;
	return 0;
}

static int parse_bool(const char *s, size_t len, bool *out, const char **why)
{
	static const char *const yes[] = { "1", "on", "yes", "true" };
	static const char *const no[] = { "0", "off", "no", "false" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (equals(s, len, yes[i])) {
			*out = true;
			return 0;
		}
		if (equals(s, len, no[i])) {
			*out = false;
			return 0;
		}
	}
	return fail(why, TANDEM_EINVAL,
		    "not a boolean (use on/off, yes/no, true/false, 1/0)");
}

static bool in_range(const struct option_desc *d, uint64_t v)
{
	return v >= d->min && (d->max == 0 || v <= d->max);
}

/* Parses and stores one value. */
static int apply(const struct option_desc *d, bool has_value, const char *val,
		 size_t vlen, const char **why)
{
	uint64_t num = 0;
	bool flag = true;
	unsigned int i;
	int ret;

	if (!d->dest)
		return fail(why, TANDEM_EINVAL, "option has no destination");
	if (!has_value && d->type != OPT_BOOL)
		return fail(why, TANDEM_EINVAL, "needs a value (name=value)");

	switch (d->type) {
	case OPT_BOOL:
		if (has_value) {
			ret = parse_bool(val, vlen, &flag, why);
			if (ret)
				return ret;
		}
		*(bool *)d->dest = flag;
		return 0;
	case OPT_UINT:
	case OPT_SIZE:
		ret = d->type == OPT_UINT ? parse_number(val, vlen, &num, why) :
					    parse_size(val, vlen, &num, why);
		if (ret)
			return ret;
		if (!in_range(d, num))
			return fail(why, TANDEM_ERANGE, "value out of range");
		*(uint64_t *)d->dest = num;
		return 0;
	case OPT_STRING:
		if (!in_range(d, vlen))
			return fail(why, TANDEM_ERANGE,
				    "string length out of range");
		((struct opt_string *)d->dest)->s = val;
		((struct opt_string *)d->dest)->len = vlen;
		return 0;
	case OPT_ENUM:
		for (i = 0; d->enum_names && d->enum_names[i]; i++) {
			if (equals(val, vlen, d->enum_names[i])) {
				*(unsigned int *)d->dest = i;
				return 0;
			}
		}
		return fail(why, TANDEM_EINVAL, "not one of the allowed values");
	default:
		return fail(why, TANDEM_EINVAL, "option has a bad type");
	}
}

static int parse_word(const char *w, size_t wlen,
		      const struct option_desc *table, size_t n, const char **why)
{
	size_t name_len = 0, i;

	while (name_len < wlen && w[name_len] != '=')
		name_len++;
	if (!name_len)
		return fail(why, TANDEM_EINVAL, "missing option name");
	for (i = 0; i < n; i++) {
		if (table[i].name && equals(w, name_len, table[i].name)) {
			bool has_value = name_len < wlen;
			const char *val = has_value ? w + name_len + 1 : NULL;
			size_t vlen = has_value ? wlen - name_len - 1 : 0;

			return apply(&table[i], has_value, val, vlen, why);
		}
	}
	return fail(why, TANDEM_ENOENT, "unknown option");
}

int options_parse(const char *cmdline, size_t len,
		  const struct option_desc *table, size_t n,
		  options_report_fn report, void *ctx)
{
	size_t pos = 0;
	int problems = 0;

	if (!cmdline)
		return 0;
	len = strnlen(cmdline, len);
	while (pos < len) {
		const char *why = NULL;
		size_t start, wlen;

		while (pos < len && is_blank(cmdline[pos]))
			pos++;
		if (pos == len)
			break;
		start = pos;
		while (pos < len && !is_blank(cmdline[pos]))
			pos++;
		wlen = pos - start;

		if (parse_word(cmdline + start, wlen, table, n, &why) < 0) {
			problems++;
			if (report)
				report(ctx, cmdline + start, wlen, why);
		}
	}
	return problems;
}
