/*
 * Interface between a fuzz harness (tests/fuzz_*.c) and its driver: the
 * libFuzzer entry point, plus valid seed inputs built in code so that the
 * standalone driver (tests/fuzz_driver.c) can mutate them.
 */
#ifndef TANDEM_TESTS_FUZZ_H
#define TANDEM_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* libFuzzer entry point: parse @data[0..size); aborts on a broken invariant. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes seed number @idx into @buf (@cap bytes); returns its size, 0 if none. */
size_t fuzz_seed(unsigned idx, uint8_t *buf, size_t cap);

/* Stop with a message when a harness finds a parser result that cannot be. */
#define FUZZ_CHECK(cond)                                                 \
	do {                                                             \
		if (!(cond)) {                                           \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", \
				__FILE__, __LINE__, #cond);              \
			abort();                                         \
		}                                                        \
	} while (0)

/* Runs @fn on a copy of @data[0..@size) in a heap block of exactly that
 * size (16-byte aligned by malloc), so a read past its end is one past the
 * block, which the sanitizers report. */
static inline void fuzz_on_copy(const uint8_t *data, size_t size,
				void (*fn)(const uint8_t *, size_t))
{
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		abort();
	memcpy(copy, data, size);
	fn(copy, size);
	free(copy);
}

#endif
