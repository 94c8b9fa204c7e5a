/* Formatted output into a buffer: %d %i %u %x %X %p %s %c %% with the
 * l, ll, z length modifiers, '0' and '-' flags, width and .precision for %s. */
#ifndef TANDEM_LIB_PRINTF_H
#define TANDEM_LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/** Like vsnprintf(): always NUL-terminates when @size > 0; returns the
 * length the full output would have had. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
