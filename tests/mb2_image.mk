# Host tests for the Multiboot2 kernel image parser (kernel/mb2_image.c):
# the cmocka suite and the fuzz harness with the standalone driver.
#
# Included from the top-level Makefile after tests/tests.mk (paths are
# relative to the repo root); hooks itself into `make host-tests`.
# Alone:  make -f tests/mb2_image.mk mb2-image-tests
#
# The rules are explicit, not patterns, so they cannot clash with the
# static pattern rules of tests/tests.mk (do not also list mb2_image in
# TESTS_UNITS or TESTS_FUZZERS there).

BUILD ?= build

MB2_IMAGE_CC         ?= gcc
MB2_IMAGE_CFLAGS     := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wshadow \
                        -Wmissing-prototypes -fno-omit-frame-pointer \
                        -fsanitize=address,undefined -fno-sanitize-recover=all \
                        -Ikernel -Iguest-abi/include
MB2_IMAGE_FUZZ_ITERS ?= 100000
MB2_IMAGE_TIMEOUT    ?= 600
MB2_IMAGE_ENV        := ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 \
                        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

MB2_IMAGE_TEST := $(BUILD)/tests/test_mb2_image
MB2_IMAGE_FUZZ := $(BUILD)/tests/fuzz_mb2_image
MB2_IMAGE_SRCS := kernel/mb2_image.c kernel/mb2_image.h kernel/elf.h \
                  kernel/klib.h guest-abi/include/tandem/errno.h

.PHONY: mb2-image-tests host-tests

host-tests: mb2-image-tests

mb2-image-tests: $(MB2_IMAGE_TEST) $(MB2_IMAGE_FUZZ)
	@echo "== $(MB2_IMAGE_TEST)"
	$(MB2_IMAGE_ENV) timeout $(MB2_IMAGE_TIMEOUT) $(MB2_IMAGE_TEST)
	@echo "== $(MB2_IMAGE_FUZZ) $(MB2_IMAGE_FUZZ_ITERS)"
	$(MB2_IMAGE_ENV) timeout $(MB2_IMAGE_TIMEOUT) $(MB2_IMAGE_FUZZ) $(MB2_IMAGE_FUZZ_ITERS)

$(MB2_IMAGE_TEST): tests/test_mb2_image.c $(MB2_IMAGE_SRCS)
	@mkdir -p $(@D)
	$(MB2_IMAGE_CC) $(MB2_IMAGE_CFLAGS) -o $@ tests/test_mb2_image.c \
		kernel/mb2_image.c -lcmocka

$(MB2_IMAGE_FUZZ): tests/fuzz_mb2_image.c tests/fuzz_driver.c tests/fuzz.h \
                   $(MB2_IMAGE_SRCS)
	@mkdir -p $(@D)
	$(MB2_IMAGE_CC) $(MB2_IMAGE_CFLAGS) -o $@ tests/fuzz_mb2_image.c \
		tests/fuzz_driver.c kernel/mb2_image.c
