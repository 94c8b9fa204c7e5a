# Host unit tests and fuzz drivers for the pure-C parsers in kernel/.
#
# Included by the top-level Makefile (paths are relative to the repo root),
# or used alone:  make -f tests/tests.mk host-tests
#
#   host-tests        build every test into $(BUILD)/tests, run the cmocka
#                     suites, then each fuzz driver for TESTS_FUZZ_ITERS
#                     iterations; fails if anything fails
#   host-tests-build  build only
#
# Each test binary links the kernel source of the same name, compiled for
# the host with AddressSanitizer and UndefinedBehaviorSanitizer; any
# sanitizer report aborts the binary and so fails the target, and so does
# a binary that runs longer than TESTS_TIMEOUT seconds (a parser loop).

BUILD ?= build

TESTS_DIR        := $(BUILD)/tests
TESTS_CC         ?= gcc
TESTS_CFLAGS     := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wshadow \
                    -Wmissing-prototypes -fno-omit-frame-pointer \
                    -fsanitize=address,undefined -fno-sanitize-recover=all \
                    -Ikernel -Iguest-abi/include
TESTS_LDLIBS     := -lcmocka
TESTS_FUZZ_ITERS ?= 20000
TESTS_TIMEOUT    ?= 300

TESTS_UNITS      := mb2 acpi memmap palloc options
TESTS_FUZZERS    := mb2 acpi options
TESTS_UNIT_BINS  := $(TESTS_UNITS:%=$(TESTS_DIR)/test_%)
TESTS_FUZZ_BINS  := $(TESTS_FUZZERS:%=$(TESTS_DIR)/fuzz_%)
TESTS_COMMON_HDRS := kernel/klib.h guest-abi/include/tandem/errno.h
TESTS_ENV        := ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 \
                    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: host-tests host-tests-build

host-tests-build: $(TESTS_UNIT_BINS) $(TESTS_FUZZ_BINS)

host-tests: host-tests-build
	@fail=0; \
	for t in $(TESTS_UNIT_BINS); do \
	    echo "== $$t"; \
	    $(TESTS_ENV) timeout $(TESTS_TIMEOUT) $$t || { echo "FAILED: $$t"; fail=1; }; \
	done; \
	for f in $(TESTS_FUZZ_BINS); do \
	    echo "== $$f $(TESTS_FUZZ_ITERS)"; \
	    $(TESTS_ENV) timeout $(TESTS_TIMEOUT) $$f $(TESTS_FUZZ_ITERS) || { echo "FAILED: $$f"; fail=1; }; \
	done; \
	if [ $$fail -ne 0 ]; then echo "host-tests: FAILED"; exit 1; fi; \
	echo "host-tests: all passed"

# Static pattern rules: they apply to these targets only, so they cannot
# collide with pattern rules of the including Makefile.
$(TESTS_UNIT_BINS): $(TESTS_DIR)/test_%: tests/test_%.c kernel/%.c kernel/%.h \
                    $(TESTS_COMMON_HDRS)
	@mkdir -p $(@D)
	$(TESTS_CC) $(TESTS_CFLAGS) -o $@ tests/test_$*.c kernel/$*.c $(TESTS_LDLIBS)

$(TESTS_FUZZ_BINS): $(TESTS_DIR)/fuzz_%: tests/fuzz_%.c tests/fuzz_driver.c \
                    tests/fuzz.h kernel/%.c kernel/%.h $(TESTS_COMMON_HDRS)
	@mkdir -p $(@D)
	$(TESTS_CC) $(TESTS_CFLAGS) -o $@ tests/fuzz_$*.c tests/fuzz_driver.c kernel/$*.c
