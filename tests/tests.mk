# Host unit tests and fuzz drivers for the pure-C parts of kernel/, and the
# header self-check of guest-abi/. Included by the top-level Makefile (paths
# are relative to the repository root); `make host-tests` runs everything.
#
# One table: each test binary and the kernel sources it links. A unit test
# `test_X` is tests/test_X.c with cmocka; a fuzzer `fuzz_X` is
# tests/fuzz_X.c under the standalone driver tests/fuzz_driver.c, run for
# TESTS_FUZZ_ITERS inputs. Everything is built with AddressSanitizer and
# UndefinedBehaviorSanitizer: any report aborts the binary and fails the
# target, and so does a binary that runs longer than TESTS_TIMEOUT seconds
# (a parser loop). Header dependencies come from -MMD. The host tests of
# the Python build and test scripts are tests/test_*.py (unittest).

BUILD ?= build
PYTHON ?= python3

TESTS_DIR        := $(BUILD)/tests
TESTS_CC         ?= gcc
TESTS_CFLAGS     := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wshadow \
                    -Wmissing-prototypes -fno-omit-frame-pointer \
                    -fsanitize=address,undefined -fno-sanitize-recover=all \
                    -Ikernel -Iguest-abi/include -MMD -MP
TESTS_FUZZ_ITERS ?= 200000
TESTS_TIMEOUT    ?= 600
TESTS_ENV        := ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 \
                    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# binary              kernel sources it tests
T.test_mb2          := kernel/fmt/mb2.c
T.fuzz_mb2          := kernel/fmt/mb2.c
T.test_elf          := kernel/fmt/elf.c
T.test_mb2_image    := kernel/fmt/mb2_image.c kernel/fmt/elf.c
T.fuzz_mb2_image    := kernel/fmt/mb2_image.c kernel/fmt/elf.c
T.test_acpi         := kernel/fmt/acpi.c
T.fuzz_acpi         := kernel/fmt/acpi.c
T.test_acpi_view    := kernel/fmt/acpi_view.c kernel/fmt/acpi.c
T.fuzz_acpi_view    := kernel/fmt/acpi_view.c kernel/fmt/acpi.c
T.test_bzimage      := kernel/fmt/bzimage.c
T.fuzz_bzimage      := kernel/fmt/bzimage.c
T.test_options      := kernel/fmt/options.c
T.fuzz_options      := kernel/fmt/options.c
T.test_memmap       := kernel/mm/memmap.c
T.test_ratelimit    := kernel/lib/ratelimit.c
T.test_icr_filter   := kernel/virt/icr_filter.c
T.test_pit          := kernel/virt/pit_emul.c
T.fuzz_pit          := kernel/virt/pit_emul.c
T.test_pm_timer     := kernel/virt/pm_timer_emul.c
T.test_fbcon        := kernel/hw/fbcon.c
T.test_palloc       := kernel/mm/palloc.c
T.test_paging       := kernel/mm/paging.c
T.test_mtrr         := kernel/mm/mtrr.c kernel/mm/paging.c
T.fuzz_mtrr         := kernel/mm/mtrr.c kernel/mm/paging.c
T.test_gva          := kernel/mm/gva.c kernel/mm/paging.c
T.fuzz_gva          := kernel/mm/gva.c kernel/mm/paging.c
T.test_insn         := kernel/virt/insn.c
T.fuzz_insn         := kernel/virt/insn.c
T.test_exc_frame    := kernel/virt/exc_frame.c
T.fuzz_exc_frame    := kernel/virt/exc_frame.c
T.test_cell_config  := kernel/cell/config_check.c
T.fuzz_cell_config  := kernel/cell/config_check.c
T.test_jh_cell      := kernel/fmt/jh_cell.c kernel/cell/config_check.c
T.fuzz_jh_cell      := kernel/fmt/jh_cell.c kernel/cell/config_check.c
T.test_jh_desc      := kernel/fmt/jh_cell.c kernel/cell/config_check.c \
                       cells/jh/jh_desc.c
T.test_hrt          := kernel/hvm/hrt_image.c kernel/hvm/hrt_boot.c \
                       kernel/fmt/mb2_image.c kernel/fmt/elf.c kernel/fmt/mb2.c \
                       kernel/mm/paging.c

TESTS_NAMES  := $(patsubst T.%,%,$(filter T.%,$(.VARIABLES)))
TESTS_UNITS  := $(sort $(filter test_%,$(TESTS_NAMES)))
TESTS_FUZZ   := $(sort $(filter fuzz_%,$(TESTS_NAMES)))
TESTS_PY     := $(sort $(wildcard tests/test_*.py))

.PHONY: host-tests host-tests-build abi-headers

host-tests-build: $(addprefix $(TESTS_DIR)/,$(TESTS_UNITS) $(TESTS_FUZZ))

host-tests: host-tests-build abi-headers
	@fail=0; \
	for t in $(TESTS_UNITS); do \
	    echo "== $$t"; \
	    $(TESTS_ENV) timeout $(TESTS_TIMEOUT) $(TESTS_DIR)/$$t || { echo "FAILED: $$t"; fail=1; }; \
	done; \
	for f in $(TESTS_FUZZ); do \
	    echo "== $$f $(TESTS_FUZZ_ITERS)"; \
	    $(TESTS_ENV) timeout $(TESTS_TIMEOUT) $(TESTS_DIR)/$$f $(TESTS_FUZZ_ITERS) || { echo "FAILED: $$f"; fail=1; }; \
	done; \
	echo "== test_write_usb.sh"; \
	tests/test_write_usb.sh || { echo "FAILED: test_write_usb.sh"; fail=1; }; \
	for p in $(TESTS_PY); do \
	    echo "== $$p"; \
	    PYTHONDONTWRITEBYTECODE=1 timeout $(TESTS_TIMEOUT) $(PYTHON) $$p || { echo "FAILED: $$p"; fail=1; }; \
	done; \
	if [ $$fail -ne 0 ]; then echo "host-tests: FAILED"; exit 1; fi; \
	echo "host-tests: all passed"

define TESTS_UNIT_RULE
$(TESTS_DIR)/$(1): tests/$(1).c $(T.$(1))
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$@"
	@$(TESTS_CC) $(TESTS_CFLAGS) -o $$@ $$^ -lcmocka
endef

define TESTS_FUZZ_RULE
$(TESTS_DIR)/$(1): tests/$(1).c tests/fuzz_driver.c $(T.$(1))
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$@"
	@$(TESTS_CC) $(TESTS_CFLAGS) -o $$@ $$^
endef

$(foreach t,$(TESTS_UNITS),$(eval $(call TESTS_UNIT_RULE,$(t))))
$(foreach t,$(TESTS_FUZZ),$(eval $(call TESTS_FUZZ_RULE,$(t))))

# Header self-check: every public guest-abi header compiles alone, as C11
# and as gnu11, freestanding, warnings as errors.
ABI_HEADERS := $(wildcard guest-abi/include/tandem/*.h)

abi-headers:
	@for h in $(ABI_HEADERS); do \
		for std in c11 gnu11; do \
			printf '#include "%s"\nint tandem_abi_check;\n' $$h | $(CC) -std=$$std -ffreestanding -Wall -Wextra -Werror \
				-pedantic -I. -fsyntax-only -x c - || { echo "abi-headers: $$h does not stand alone ($$std)"; exit 1; }; \
		done; \
	done
	@echo "abi-headers: $(words $(ABI_HEADERS)) headers stand alone"
