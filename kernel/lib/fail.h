/*
 * How a parser refuses its input (CONTRIBUTING.md, "Errors"): it returns a
 * negative TANDEM_E* code and leaves a static one-line reason where its
 * caller asked for it, the `why` member of its result struct or a
 * `const char **why` argument. Written
 *
 *	return fail(&out->why, TANDEM_EINVAL, "bad MADT checksum");
 *
 * which returns -TANDEM_EINVAL.
 */
#ifndef TANDEM_LIB_FAIL_H
#define TANDEM_LIB_FAIL_H

#include <stdint.h>

/* Stores @reason in *@why (unless @why is NULL); returns -@err. */
static inline int fail(const char **why, int err, const char *reason)
{
	if (why)
		*why = reason;
	return -err;
}

/* The same for a reason holding one "%u" or "%x" that stands for @arg. */
static inline int fail_arg(const char **why, uint64_t *why_arg, int err,
			   const char *reason, uint64_t arg)
{
	*why_arg = arg;
	return fail(why, err, reason);
}

#endif
