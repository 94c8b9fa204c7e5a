# Host tests for the cell configuration validator (kernel/cell_config.c):
# the cmocka suite, then the fuzz harness under the shared standalone driver
# (tests/fuzz_driver.c), both with AddressSanitizer and
# UndefinedBehaviorSanitizer; any report aborts and fails the target.
#
# Included from the top-level Makefile (adds itself to host-tests); also
# usable alone:  make -f tests/cell_config.mk cell-config-tests
#   CELL_CONFIG_FUZZ_ITERS   driver iterations (default 100000, a few seconds)

BUILD			?= build
CELL_CONFIG_CC		?= gcc
CELL_CONFIG_FUZZ_ITERS	?= 100000
CELL_CONFIG_TIMEOUT	?= 300

CELL_CONFIG_CFLAGS	:= -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wshadow \
	-Wmissing-prototypes -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Ikernel -Iguest-abi/include
CELL_CONFIG_DEPS	:= kernel/cell_config.c kernel/cell_config.h \
	kernel/klib.h guest-abi/include/tandem/cell_config.h \
	guest-abi/include/tandem/errno.h
CELL_CONFIG_ENV		:= ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
CELL_CONFIG_TEST	:= $(BUILD)/tests/test_cell_config
CELL_CONFIG_FUZZ	:= $(BUILD)/tests/fuzz_cell_config

.PHONY: host-tests cell-config-tests
host-tests: cell-config-tests

cell-config-tests: $(CELL_CONFIG_TEST) $(CELL_CONFIG_FUZZ)
	@echo "== $(CELL_CONFIG_TEST)"
	$(CELL_CONFIG_ENV) timeout $(CELL_CONFIG_TIMEOUT) $(CELL_CONFIG_TEST)
	@echo "== $(CELL_CONFIG_FUZZ) $(CELL_CONFIG_FUZZ_ITERS)"
	$(CELL_CONFIG_ENV) timeout $(CELL_CONFIG_TIMEOUT) \
		$(CELL_CONFIG_FUZZ) $(CELL_CONFIG_FUZZ_ITERS)

$(CELL_CONFIG_TEST): tests/test_cell_config.c $(CELL_CONFIG_DEPS)
	@mkdir -p $(@D)
	$(CELL_CONFIG_CC) $(CELL_CONFIG_CFLAGS) -o $@ tests/test_cell_config.c \
		kernel/cell_config.c -lcmocka

$(CELL_CONFIG_FUZZ): tests/fuzz_cell_config.c tests/fuzz_driver.c tests/fuzz.h \
		$(CELL_CONFIG_DEPS)
	@mkdir -p $(@D)
	$(CELL_CONFIG_CC) $(CELL_CONFIG_CFLAGS) -o $@ tests/fuzz_cell_config.c \
		tests/fuzz_driver.c kernel/cell_config.c
