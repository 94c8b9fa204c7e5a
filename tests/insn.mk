# Host tests for the instruction decoder (kernel/insn.c): the cmocka unit
# tests, then the fuzz harness under the shared standalone driver
# (tests/fuzz_driver.c), both with AddressSanitizer and
# UndefinedBehaviorSanitizer; any report aborts and fails the target.
#
# Included from the top-level Makefile (adds itself to host-tests); also
# usable alone:  make -f tests/insn.mk insn-tests
#   INSN_FUZZ_ITERS   driver iterations (default 200000, a few seconds)

BUILD		?= build
INSN_CC		?= gcc
INSN_FUZZ_ITERS	?= 200000

INSN_CFLAGS	:= -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wshadow \
	-Wmissing-prototypes -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Ikernel -Iguest-abi/include
INSN_DEPS	:= kernel/insn.c kernel/insn.h kernel/klib.h \
	guest-abi/include/tandem/errno.h
INSN_ENV	:= ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: host-tests insn-tests
host-tests: insn-tests

insn-tests: $(BUILD)/tests/test_insn $(BUILD)/tests/fuzz_insn
	$(INSN_ENV) $(BUILD)/tests/test_insn
	$(INSN_ENV) $(BUILD)/tests/fuzz_insn $(INSN_FUZZ_ITERS)

$(BUILD)/tests/test_insn: tests/test_insn.c $(INSN_DEPS)
	@mkdir -p $(@D)
	$(INSN_CC) $(INSN_CFLAGS) -o $@ tests/test_insn.c kernel/insn.c -lcmocka

$(BUILD)/tests/fuzz_insn: tests/fuzz_insn.c tests/fuzz_driver.c tests/fuzz.h \
		$(INSN_DEPS)
	@mkdir -p $(@D)
	$(INSN_CC) $(INSN_CFLAGS) -o $@ tests/fuzz_insn.c tests/fuzz_driver.c \
		kernel/insn.c
