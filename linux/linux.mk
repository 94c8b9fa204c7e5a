# Linux as the ROS: build fragment, included by the top-level Makefile.
#
#   build/linux/vmlinuz         Debian 12's kernel, the version of the
#                               installed linux-headers-amd64, extracted by
#                               scripts/fetch-linux.sh (never committed);
#                               build/linux/KVER holds its version
#   build/linux/initrd.img      the test initramfs (scripts/mkinitramfs.py):
#                               busybox-static's /bin/busybox, every file
#                               of linux/initramfs/ at the same path, and
#                               LINUX_INITRD_FILES
#   build/linux-native.iso      GRUB boots that kernel and initramfs
#                               directly (the native control)
#   build/tandem-linux.iso      Tandem with Linux as the ROS (module2 ...
#                               ros CMDLINE, module2 ... ros-initrd) and
#                               the reference HRT, for the boot tests
#
#   make linux                  the kernel, the initramfs and both ISOs
#   make run-linux-native       boot Linux alone in QEMU, a shell on the
#                               serial console (tinit.mode=shell)
#
# Other fragments add files to the initramfs with
#   LINUX_INITRD_FILES += SRC:DEST[:MODE]
# (SRC a file make can build, DEST a path in the initramfs, MODE octal;
# exact duplicates are dropped). They may be included before or after this
# file: the initramfs's prerequisites are expanded a second time.
# LINUX_KVER is the kernel version (6.1.0-NN-amd64, from the installed
# headers: modules build against /usr/src/linux-headers-$(LINUX_KVER)).
#
# The initramfs's /init runs /tests/*.sh and prints TAP (linux/initramfs/
# init and lib/tap.sh say how); tinit.* options on the kernel command line
# steer it.

BUILD	?= build
PYTHON	?= python3

LINUX_BUILD		:= $(BUILD)/linux
LINUX_VMLINUZ		:= $(LINUX_BUILD)/vmlinuz
LINUX_KVER_FILE		:= $(LINUX_BUILD)/KVER
LINUX_INITRD		:= $(LINUX_BUILD)/initrd.img
LINUX_NATIVE_ISO	:= $(BUILD)/linux-native.iso
LINUX_TANDEM_ISO	:= $(BUILD)/tandem-linux.iso
LINUX_RUN_NATIVE_ISO	:= $(LINUX_BUILD)/linux-native-shell.iso
LINUX_BUSYBOX		?= /bin/busybox

# Evaluated once, when first used (dpkg-query; empty before install-deps).
LINUX_KVER = $(eval LINUX_KVER := $$(shell scripts/fetch-linux.sh --kver 2>/dev/null))$(LINUX_KVER)

# The kernel command line, the same for native and under Tandem (the
# benchmark compares the two), and what the tests add: the CPUs Linux must
# see. The ROS gets 2 CPUs of Tandem's 4 (2 go to the HRT); the native
# control runs with 2. memmap= keeps Linux off the 16 MiB the example cells
# use (linux/README.md); GRUB needs its '$' written '\$', which this
# reaches grub.cfg as (make's $$, then the shell's double quotes).
LINUX_CMDLINE		?= console=ttyS0,115200 panic=-1 memmap=16M\\\$$0x6000000
LINUX_CPUS		?= 2
LINUX_TEST_CMDLINE	:= $(LINUX_CMDLINE) tinit.cpus=$(LINUX_CPUS)

LINUX_INITRD_TREE	:= $(shell find linux/initramfs -type f 2>/dev/null | LC_ALL=C sort)
LINUX_INITRD_FILES	+=

.PHONY: linux run-linux-native

linux: $(LINUX_VMLINUZ) $(LINUX_INITRD) $(LINUX_NATIVE_ISO) $(LINUX_TANDEM_ISO)

# The version the installed headers want; rewritten only when it changes,
# so the kernel is fetched again after the headers were upgraded.
$(LINUX_BUILD)/kver.want: FORCE
	@mkdir -p $(@D)
	@k=$$(scripts/fetch-linux.sh --kver 2>/dev/null || true); \
		echo "$$k" | cmp -s - $@ || echo "$$k" > $@

$(LINUX_VMLINUZ): $(LINUX_BUILD)/kver.want scripts/fetch-linux.sh
	@scripts/install-deps.sh
	@echo "  FETCH   $@"
	@scripts/fetch-linux.sh $(LINUX_BUILD)
	@cmp -s $(LINUX_KVER_FILE) $< || cp $(LINUX_KVER_FILE) $<
	@touch $@

$(LINUX_KVER_FILE): $(LINUX_VMLINUZ)

$(LINUX_BUSYBOX):
	@scripts/install-deps.sh

# The entries of the initramfs, one per line; rewritten only when they
# change (a file dropped from LINUX_INITRD_FILES rebuilds the image).
LINUX_INITRD_ENTRIES = \
	$(LINUX_BUSYBOX):bin/busybox:0755 --link bin/sh:busybox \
	--dir sbin --dir usr/bin --dir usr/sbin --dir proc --dir sys --dir dev \
	--dir run --dir tmp --dir root:0700 --chr dev/console:5:1:0600 \
	$(foreach f,$(LINUX_INITRD_TREE),$(f):$(patsubst linux/initramfs/%,%,$(f))) \
	$(sort $(LINUX_INITRD_FILES))

$(LINUX_BUILD)/initrd.list: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' $(LINUX_INITRD_ENTRIES) > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

# The files LINUX_INITRD_FILES names (the SRC of each SRC:DEST).
LINUX_INITRD_SRCS = $(foreach f,$(LINUX_INITRD_FILES),$(firstword $(subst :, ,$(f))))

.SECONDEXPANSION:
$(LINUX_INITRD): $(LINUX_BUILD)/initrd.list scripts/mkinitramfs.py $(LINUX_BUSYBOX) \
		$(LINUX_INITRD_TREE) $$(LINUX_INITRD_SRCS)
	@echo "  CPIO    $@"
	@$(PYTHON) scripts/mkinitramfs.py -o $@ --list $(LINUX_BUILD)/initrd.list

$(LINUX_NATIVE_ISO): $(LINUX_VMLINUZ) $(LINUX_INITRD) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh --linux $@ 0 $(LINUX_VMLINUZ) "$(LINUX_TEST_CMDLINE)" $(LINUX_INITRD) ""

$(LINUX_RUN_NATIVE_ISO): $(LINUX_VMLINUZ) $(LINUX_INITRD) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh --linux $@ 3 $(LINUX_VMLINUZ) "$(LINUX_CMDLINE) tinit.mode=shell" \
		$(LINUX_INITRD) ""

# make run: Tandem with Linux as the ROS, a shell on the serial console,
# tandem.ko, tandemctl, the example cells and the reference HRT ready.
LINUX_RUN_ISO		:= $(LINUX_BUILD)/tandem-linux-shell.iso
$(LINUX_RUN_ISO): $(ELF) $(LINUX_VMLINUZ) $(LINUX_INITRD) $(HRT_ELF) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 3 $(ELF) "$(TANDEM_OPTS)" $(LINUX_VMLINUZ) \
		"ros $(LINUX_CMDLINE) tinit.mode=shell" $(LINUX_INITRD) "ros-initrd" \
		$(HRT_ELF) "hrt"

# As the test ISO: the emulator ends when nothing runs any more.
$(LINUX_TANDEM_ISO): $(ELF) $(LINUX_VMLINUZ) $(LINUX_INITRD) $(HRT_ELF) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ 0 $(ELF) "$(TEST_OPTS)" $(LINUX_VMLINUZ) "ros $(LINUX_TEST_CMDLINE)" \
		$(LINUX_INITRD) "ros-initrd" $(HRT_ELF) "hrt"

run-linux-native: deps $(LINUX_RUN_NATIVE_ISO)
	scripts/run-qemu.sh --smp $(LINUX_CPUS) $(LINUX_RUN_NATIVE_ISO) || [ $$? -eq 1 ]
