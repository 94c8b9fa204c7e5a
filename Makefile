# Tandem: one plain Makefile, everything into build/.
#   make            build/tandem.elf and build/tandem.iso
#   make usb DEV=/dev/sdX  write the ISO to a USB stick (checks, then asks)
#   make run        Tandem with Linux as the ROS in QEMU (TCG, -cpu EPYC), a shell on serial
#   make run-uefi   the same under OVMF
#   make run-suite  the ISO with Tandem's test ROS in QEMU
#   make run-bochs  boot the ISO in Bochs (VMX model)
#   make debug      QEMU waiting for gdb, symbols in build/tandem.elf
#   make test       host unit tests + fuzzing, then boot tests in QEMU and Bochs
#   make test-slow  the long boot tests (Linux under Bochs), after make test
#   make run-linux-native  Linux alone (linux/linux.mk) in QEMU, a shell on serial
#   make bench      the performance table

BUILD	:= build
CC	:= gcc
LD	:= ld
NASM	:= nasm
PYTHON	:= python3

KCFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -mno-red-zone \
	-mgeneral-regs-only -mcmodel=kernel -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -O2 -g \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wshadow \
	-I. -Ikernel -Iguest-abi/include -I$(BUILD) -MMD -MP
NASMFLAGS := -f elf64 -g -I$(BUILD)/ -Werror

KSRCS	:= $(filter-out kernel/asm-offsets.c,$(wildcard boot/*.c kernel/*.c kernel/*/*.c vmx/*.c svm/*.c))
ASRCS	:= $(wildcard boot/*.asm vmx/*.asm svm/*.asm)
KOBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(KSRCS)) $(patsubst %.asm,$(BUILD)/%.asm.o,$(ASRCS)) \
	   $(BUILD)/fbcon_font.o

# The framebuffer console's font: a PSF font of Debian's console-setup-linux
# (scripts/install-deps.sh), converted into C in build/, never committed.
FBCON_PSF ?= /usr/share/consolefonts/Lat15-TerminusBold16.psf.gz

ELF	:= $(BUILD)/tandem.elf
ISO	:= $(BUILD)/tandem.iso
TEST_ISO := $(BUILD)/tandem-test.iso

# Options for the ISO a person boots, and for the one the boot tests use
# (which ends the emulator when Tandem is done).
TANDEM_OPTS	?=
TEST_OPTS	?= exit_when_done

.PHONY: all usb run run-uefi run-suite run-bochs debug test test-slow host-tests boot-tests bench deps clean \
	check-header check-layers

all: $(ELF) $(ISO)

deps:
	@scripts/install-deps.sh

$(BUILD)/asm-offsets.inc: kernel/asm-offsets.c kernel/*.h kernel/*/*.h boot/*.h
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	@$(CC) $(KCFLAGS) -S -o $(BUILD)/asm-offsets.s $<
	@sed -n 's/^.*->\([A-Za-z_0-9]*\) \$$\?\(-\?[0-9]*\).*/%define \1 \2/p' $(BUILD)/asm-offsets.s > $@.tmp
	@mv $@.tmp $@

$(BUILD)/%.o: %.c | $(BUILD)/asm-offsets.inc
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c -o $@ $<

$(FBCON_PSF):
	@scripts/install-deps.sh

$(BUILD)/fbcon_font.c: $(FBCON_PSF) scripts/psf2c.py
	@mkdir -p $(@D)
	@echo "  FONT    $@"
	@$(PYTHON) scripts/psf2c.py $< $@

$(BUILD)/fbcon_font.o: $(BUILD)/fbcon_font.c
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c -o $@ $<

$(BUILD)/%.asm.o: %.asm $(BUILD)/asm-offsets.inc
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) $(NASMFLAGS) -o $@ $<

$(BUILD)/tandem.ld: boot/tandem.ld.S kernel/layout.h
	@mkdir -p $(@D)
	$(CC) -E -P -x c -Ikernel $< -o $@

$(ELF): $(KOBJS) $(BUILD)/tandem.ld
	@echo "  LD      $@"
	@$(LD) -n -nostdlib -z max-page-size=0x1000 -z noexecstack -T $(BUILD)/tandem.ld -o $@ $(KOBJS)
	@size $@

include ros/ros.mk
include hrt/hrt.mk
include linux/linux.mk

# ISO images: Tandem with the ROS as its root guest. The test ISO ends the
# emulator when the ROS is done (the ROS exits it) or when nothing runs.
$(ISO): $(ELF) $(ROS_ELF) $(HRT_ELF) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 3 $(ELF) "$(TANDEM_OPTS)" $(ROS_ELF) "ros hrt_cores=2" $(HRT_ELF) "hrt"

$(TEST_ISO): $(ELF) $(ROS_ELF) $(HRT_ELF) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "$(TEST_OPTS)" $(ROS_ELF) "ros hrt_cores=2" $(HRT_ELF) "hrt"

# Bad input, one ISO each: every one must give a clear line, never a hang.
SCENARIO_DIR := $(BUILD)/tests/iso
SCENARIO_ISOS := $(addprefix $(SCENARIO_DIR)/,noros.iso badros.iso oom.iso badhrt.iso hrtfail.iso fb.iso x2apic.iso badlinux.iso hrt3.iso hrtbootfault.iso highmem.iso)

$(SCENARIO_DIR)/noros.iso: $(ELF) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "$(TEST_OPTS) bogus_option loglevel=9 hv_mem=lots"

$(SCENARIO_DIR)/badros.iso: $(ELF) scripts/mkiso.sh iso/not-a-kernel.txt
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "$(TEST_OPTS)" iso/not-a-kernel.txt "ros"

$(SCENARIO_DIR)/badhrt.iso: $(ELF) $(ROS_ELF) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "$(TEST_OPTS)" $(ROS_ELF) "ros" $(ROS_ELF) "hrt"

# A Linux bzImage cut short: its setup header is there, its kernel is not.
$(SCENARIO_DIR)/vmlinuz-cut: $(BUILD)/linux/vmlinuz
	@mkdir -p $(@D)
	@head -c 16384 $< > $@

$(SCENARIO_DIR)/badlinux.iso: $(ELF) $(SCENARIO_DIR)/vmlinuz-cut scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "$(TEST_OPTS)" $(SCENARIO_DIR)/vmlinuz-cut "ros console=ttyS0"

# An HRT Tandem accepts but cannot start: 4 KiB pages over 64 GiB need more
# page tables than its boot state holds. Its CPUs and memory go to the ROS.
$(SCENARIO_DIR)/hrt-bigmap.elf: $(HRT_ELF) scripts/hrt_tag_patch.py
	@mkdir -p $(@D)
	@$(PYTHON) scripts/hrt_tag_patch.py $< $@ 0x100 0x1000000000

$(SCENARIO_DIR)/hrtfail.iso: $(ELF) $(ROS_ELF) $(SCENARIO_DIR)/hrt-bigmap.elf scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "$(TEST_OPTS)" $(ROS_ELF) "ros" $(SCENARIO_DIR)/hrt-bigmap.elf "hrt"

# The full suite with the APICs in x2APIC mode, as server firmware hands
# them over (the bochs-vmx-x2apic platform).
$(SCENARIO_DIR)/x2apic.iso: $(ELF) $(ROS_ELF) $(HRT_ELF) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "$(TEST_OPTS) x2apic" $(ROS_ELF) "ros hrt_cores=2" $(HRT_ELF) "hrt"

# The full suite with a 3-core HRT (the qemu-hrt3 platform): its self-test
# and every HRT check on an odd number of cores.
$(SCENARIO_DIR)/hrt3.iso: $(ELF) $(ROS_ELF) $(HRT_ELF) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "$(TEST_OPTS) hrt_cpus=3" $(ROS_ELF) "ros hrt_cores=3" $(HRT_ELF) "hrt"

# An HRT that faults as it boots (version 1 on core 1, its command line's
# boot_fault=1:1): the ROS's hrt_boot_fault checks (the qemu-hrtbootfault
# and bochs-vmx-hrtbootfault platforms) see it Failed, reboot it (it
# faults again) and replace it with version 2, which boots.
$(SCENARIO_DIR)/hrtbootfault.iso: $(ELF) $(ROS_ELF) $(HRT_ELF) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "$(TEST_OPTS)" $(ROS_ELF) "ros hrt_cores=2 hrt_boot_fault" $(HRT_ELF) "hrt boot_fault=1:1"

# Tandem's log on the screen only (scripts/screentest.py reads it by OCR).
$(SCENARIO_DIR)/fb.iso: $(ELF) $(ROS_ELF) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "$(TEST_OPTS) console=fb" $(ROS_ELF) "ros"

# The full suite with Tandem's memory above 4 GiB (the qemu-highmem
# platform: 1 GiB of RAM below 4 GiB, so 1 GiB of hypervisor memory cannot
# fit there).
$(SCENARIO_DIR)/highmem.iso: $(ELF) $(ROS_ELF) $(HRT_ELF) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "$(TEST_OPTS) hv_mem=1024M" $(ROS_ELF) "ros hrt_cores=2" $(HRT_ELF) "hrt"

$(SCENARIO_DIR)/oom.iso: $(ELF) $(ROS_ELF) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "$(TEST_OPTS) hv_mem=1024M" $(ROS_ELF) "ros"

# The ROS ends the emulator through its exit port when its suite is done;
# QEMU then exits with status 1 and Bochs with 1: that is a normal end.
# Writes the ISO to a USB stick (scripts/write-usb.sh: refuses mounted,
# fixed or large disks, and asks first).
usb: $(ISO)
	@[ -n "$(DEV)" ] || { echo "usage: make usb DEV=/dev/sdX"; exit 2; }
	scripts/write-usb.sh $(ISO) $(DEV)

# Linux as the ROS with a shell on the serial console (linux/linux.mk).
run: deps $(LINUX_RUN_ISO)
	scripts/run-qemu.sh $(LINUX_RUN_ISO) || [ $$? -eq 1 ]

run-uefi: deps $(LINUX_RUN_ISO)
	scripts/run-qemu.sh --uefi $(LINUX_RUN_ISO) || [ $$? -eq 1 ]

# Tandem's own test ROS (the suite), as the boot tests run it.
run-suite: deps $(ISO)
	scripts/run-qemu.sh $(ISO) || [ $$? -eq 1 ]

run-bochs: deps $(ISO)
	scripts/run-bochs.sh --cpus 4 $(ISO) || [ $$? -eq 1 ]

debug: deps $(ISO)
	scripts/run-qemu.sh --gdb $(ISO)

# tandem.ko, tandemctl and the cell configurations for the Linux ROS
# (linux/README.md); they join the initramfs through LINUX_INITRD_FILES.
include linux/driver/driver.mk
include tests/tests.mk tests/style.mk

$(BUILD)/tests/check_header: tests/check_header.c kernel/header.h kernel/layout.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -iquote kernel -o $@ $<

check-header: $(BUILD)/tests/check_header $(ELF)
	$(BUILD)/tests/check_header $(ELF)

# The kernel's dependencies run one way (scripts/check_layers.py).
check-layers:
	@$(PYTHON) scripts/check_layers.py

# The screen test (UEFI framebuffer read back by OCR) runs after the plan,
# and runs even when the plan failed. The plan's platforms of group
# "default"; those of group "slow" (minutes each: Linux under Bochs) run in
# test-slow, which CI (.ci/run) runs after make test.
BOOT_TEST_ISOS := $(TEST_ISO) $(ROS_NATIVE_ISO) $(SCENARIO_ISOS) $(LINUX_NATIVE_ISO) \
	$(LINUX_TANDEM_ISO)

boot-tests: $(BOOT_TEST_ISOS)
	@rc=0; $(PYTHON) scripts/boottest.py --iso $(TEST_ISO) --plan tests/boot-plan.json || rc=1; \
	$(PYTHON) scripts/screentest.py --iso $(SCENARIO_DIR)/fb.iso || rc=1; exit $$rc

test-slow: deps $(BOOT_TEST_ISOS)
	$(PYTHON) scripts/boottest.py --iso $(TEST_ISO) --plan tests/boot-plan.json --group slow

test: deps
	$(MAKE) --no-print-directory check-style
	$(MAKE) --no-print-directory check-layers
	$(MAKE) --no-print-directory host-tests
	$(MAKE) --no-print-directory check-header
	$(MAKE) --no-print-directory boot-tests

bench: deps
	scripts/bench.sh

# The ISOs of the performance table (scripts/bench.sh asks for them): Tandem
# with "ros bench" and the HRT, Tandem with a plain ROS (boot timing), the
# ROS alone with "bench" and without. BENCH_N / BENCH_HRT_N: calls of each
# kind the ROS times; $(BENCH_DIR)/args changes (and the ISOs that name them
# are rebuilt) only when they do.
BENCH_DIR	:= $(BUILD)/bench
BENCH_N		?= 5000
BENCH_HRT_N	?= 200
BENCH_ISOS	:= $(addprefix $(BENCH_DIR)/,tandem-bench.iso tandem-bench-hrt1.iso \
			tandem-bench-hrt3.iso tandem-boot.iso ros-native-bench.iso ros-native.iso)

$(BENCH_DIR)/args: FORCE
	@mkdir -p $(@D)
	@echo 'bench_n=$(BENCH_N) bench_hrt_n=$(BENCH_HRT_N)' | cmp -s - $@ || \
		echo 'bench_n=$(BENCH_N) bench_hrt_n=$(BENCH_HRT_N)' > $@

$(BENCH_DIR)/tandem-bench.iso: $(ELF) $(ROS_ELF) $(HRT_ELF) scripts/mkiso.sh $(BENCH_DIR)/args
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "exit_when_done" $(ROS_ELF) \
		"ros bench bench_n=$(BENCH_N) bench_hrt_n=$(BENCH_HRT_N) hrt_cores=2" $(HRT_ELF) "hrt"

# The same with 1 and 3 HRT cores (the HRT table's rows by core count).
$(BENCH_DIR)/tandem-bench-hrt%.iso: $(ELF) $(ROS_ELF) $(HRT_ELF) scripts/mkiso.sh $(BENCH_DIR)/args
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "exit_when_done hrt_cpus=$*" $(ROS_ELF) \
		"ros bench bench_n=$(BENCH_N) bench_hrt_n=$(BENCH_HRT_N) hrt_cores=$*" $(HRT_ELF) "hrt"

$(BENCH_DIR)/tandem-boot.iso: $(ELF) $(ROS_ELF) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "exit_when_done" $(ROS_ELF) "ros"

$(BENCH_DIR)/ros-native-bench.iso: $(ROS_ELF) scripts/mkiso.sh $(BENCH_DIR)/args
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ROS_ELF) "bench bench_n=$(BENCH_N)"

$(BENCH_DIR)/ros-native.iso: $(ROS_ELF) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ROS_ELF) ""

FORCE:

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -type f -name '*.d' 2>/dev/null)
