/*
 * Command-line options: "name" and "name=value" words separated by blanks,
 * matched against a caller's table and stored into the table's
 * destinations. Malformed words are reported one by one and skipped, so a
 * typo costs one line on the console and never the boot.
 */
#ifndef TANDEM_FMT_OPTIONS_H
#define TANDEM_FMT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an option's value is, and what its dest points to. */
enum option_type {
	/* bool: "name", or name=1/0/on/off/yes/no/true/false */
	OPT_BOOL,
	/* uint64_t: decimal or 0x hex, within [min, max] */
	OPT_UINT,
	/* uint64_t: like OPT_UINT plus a K/M/G suffix (x1024^n) */
	OPT_SIZE,
	/* struct opt_string: points into the command line */
	OPT_STRING,
	/* unsigned int: index of the matching enum_names[] entry */
	OPT_ENUM,
};

/* A string value: not NUL-terminated, it points into the command line. */
struct opt_string {
	const char *s;
	size_t len;
};

struct option_desc {
	const char *name;
	enum option_type type;
	void *dest;
	const char *const *enum_names; /* OPT_ENUM: NULL-terminated list */
	/*
	 * OPT_UINT, OPT_SIZE: the range of the value, OPT_STRING: of its
	 * length; inclusive, and max == 0 means no upper bound.
	 */
	uint64_t min, max;
	const char *help; /* one line, for a usage listing */
};

/*
 * Called once per problem word. @word/@wlen is the whole offending word (not
 * NUL-terminated); @why is a static reason such as "unknown option".
 */
typedef void (*options_report_fn)(void *ctx, const char *word, size_t wlen,
				  const char *why);

/*
 * Parse @cmdline (@len bytes, or up to the first NUL) against @table of @n
 * entries. Words are separated by spaces, tabs or newlines; a later word
 * overrides an earlier one with the same name. Every unknown, malformed or
 * out-of-range word causes exactly one @report call (if @report is not
 * NULL) and leaves its destination unchanged.
 * Returns the number of problem words (0 = all accepted).
 */
int options_parse(const char *cmdline, size_t len,
		  const struct option_desc *table, size_t n,
		  options_report_fn report, void *ctx);

#endif
