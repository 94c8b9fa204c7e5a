# Host tests for the HRT loader pieces: kernel/hrt_image.c (HRT kernel
# image parser), kernel/hrt_boot.c (page tables, GDT/IDT, boot
# information) and kernel/acpi_view.c (the root guest's ACPI tables): two
# cmocka suites and a fuzz harness under the shared standalone driver
# (tests/fuzz_driver.c), all with AddressSanitizer and
# UndefinedBehaviorSanitizer; any report aborts and fails the target.
#
# Included from the top-level Makefile (adds itself to host-tests); also
# usable alone:  make -f tests/hrt.mk hrt-tests
#   HRT_FUZZ_ITERS   driver iterations (default 100000)

BUILD		?= build
HRT_CC		?= gcc
HRT_FUZZ_ITERS	?= 100000
HRT_TIMEOUT	?= 600

HRT_CFLAGS	:= -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wshadow \
	-Wmissing-prototypes -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Ikernel -Iguest-abi/include
HRT_ENV		:= ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
HRT_COMMON	:= kernel/klib.h guest-abi/include/tandem/errno.h \
	guest-abi/include/tandem/hvm.h

HRT_TEST	:= $(BUILD)/tests/test_hrt
HRT_ACPI_TEST	:= $(BUILD)/tests/test_acpi_view
HRT_ACPI_FUZZ	:= $(BUILD)/tests/fuzz_acpi_view

HRT_SRCS	:= kernel/hrt_image.c kernel/hrt_boot.c kernel/mb2_image.c \
	kernel/mb2.c kernel/paging.c
HRT_DEPS	:= $(HRT_SRCS) kernel/hrt_image.h kernel/hrt_boot.h \
	kernel/mb2_image.h kernel/mb2.h kernel/paging.h kernel/elf.h \
	$(HRT_COMMON)
HRT_ACPI_SRCS	:= kernel/acpi_view.c kernel/acpi.c
HRT_ACPI_DEPS	:= $(HRT_ACPI_SRCS) kernel/acpi_view.h kernel/acpi.h $(HRT_COMMON)

.PHONY: host-tests hrt-tests
host-tests: hrt-tests

hrt-tests: $(HRT_TEST) $(HRT_ACPI_TEST) $(HRT_ACPI_FUZZ)
	@echo "== $(HRT_TEST)"
	$(HRT_ENV) timeout $(HRT_TIMEOUT) $(HRT_TEST)
	@echo "== $(HRT_ACPI_TEST)"
	$(HRT_ENV) timeout $(HRT_TIMEOUT) $(HRT_ACPI_TEST)
	@echo "== $(HRT_ACPI_FUZZ) $(HRT_FUZZ_ITERS)"
	$(HRT_ENV) timeout $(HRT_TIMEOUT) $(HRT_ACPI_FUZZ) $(HRT_FUZZ_ITERS)

$(HRT_TEST): tests/test_hrt.c $(HRT_DEPS)
	@mkdir -p $(@D)
	$(HRT_CC) $(HRT_CFLAGS) -o $@ tests/test_hrt.c $(HRT_SRCS) -lcmocka

$(HRT_ACPI_TEST): tests/test_acpi_view.c $(HRT_ACPI_DEPS)
	@mkdir -p $(@D)
	$(HRT_CC) $(HRT_CFLAGS) -o $@ tests/test_acpi_view.c $(HRT_ACPI_SRCS) \
		-lcmocka

$(HRT_ACPI_FUZZ): tests/fuzz_acpi_view.c tests/fuzz_driver.c tests/fuzz.h \
		$(HRT_ACPI_DEPS)
	@mkdir -p $(@D)
	$(HRT_CC) $(HRT_CFLAGS) -o $@ tests/fuzz_acpi_view.c \
		tests/fuzz_driver.c $(HRT_ACPI_SRCS)
