# Host tests for the instruction decoder (kernel/insn.c): the cmocka unit
# tests, then a fuzz run of the harness with a standalone driver, both
# under AddressSanitizer and UndefinedBehaviorSanitizer.
#
# Included from the top-level Makefile (adds itself to host-tests); also
# usable alone:  make -f tests/insn.mk insn-tests
#   INSN_FUZZ_RUNS   inputs for the fuzz run (default 200000, a few seconds)

BUILD		?= build
HOSTCC		?= gcc
INSN_FUZZ_RUNS	?= 200000

INSN_HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wshadow \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Ikernel -Iguest-abi/include
INSN_DEPS := kernel/insn.c kernel/insn.h kernel/klib.h \
	guest-abi/include/tandem/errno.h

# The shared driver (tests/fuzz_driver.c: main() feeding N deterministic
# pseudo-random inputs to LLVMFuzzerTestOneInput) replaces the harness's
# own main() when it exists.
INSN_FUZZ_DRIVER := $(wildcard tests/fuzz_driver.c)
ifneq ($(INSN_FUZZ_DRIVER),)
INSN_FUZZ_FLAGS := -DTANDEM_LIBFUZZER
endif

.PHONY: host-tests insn-tests
host-tests: insn-tests

insn-tests: $(BUILD)/tests/test_insn $(BUILD)/tests/fuzz_insn
	$(BUILD)/tests/test_insn
	$(BUILD)/tests/fuzz_insn $(INSN_FUZZ_RUNS)

$(BUILD)/tests/test_insn: tests/test_insn.c $(INSN_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(INSN_HOST_CFLAGS) -o $@ tests/test_insn.c kernel/insn.c -lcmocka

$(BUILD)/tests/fuzz_insn: tests/fuzz_insn.c $(INSN_FUZZ_DRIVER) $(INSN_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(INSN_HOST_CFLAGS) $(INSN_FUZZ_FLAGS) -o $@ \
		tests/fuzz_insn.c $(INSN_FUZZ_DRIVER) kernel/insn.c
