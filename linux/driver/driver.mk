# tandem.ko, tandemctl and the example cell configurations for the Linux
# ROS. Included from linux/linux.mk (which defines LINUX_INITRD_FILES and
# packs them into the initramfs); works on its own too:
#   make -f Makefile linux-driver    (with this file included)
#
#   build/linux/driver/tandem.ko    the module, against linux-headers-$(LINUX_KVER)
#   build/linux/tandemctl           the tool, static
#   build/linux/hvmproc             a Palacios-style HRT user (linux/tool/hvmproc.c), static
#   build/linux/cells/*.cell        binary cell configurations (linux/cells/*.txt),
#                                   Tandem's or Jailhouse's format
#   build/linux/cells/jhtiny.bin    a real-mode cell for a Jailhouse
#                                   description (linux/cells/jhtiny.asm)
#
# LINUX_KVER: the kernel the module is built for; by default the version
# Debian's linux-headers-amd64 meta-package depends on (the same version
# scripts/fetch-linux.sh extracts the kernel of).
#
# LINUX_INITRD_FILES entries are "SOURCE:PATH-IN-INITRAMFS" pairs.

ifndef DRIVER_MK_INCLUDED
DRIVER_MK_INCLUDED := 1

BUILD	?= build
PYTHON	?= python3

LINUX_KVER ?= $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
LINUX_KDIR ?= /usr/src/linux-headers-$(LINUX_KVER)

DRV_BUILD	:= $(BUILD)/linux/driver
DRV_KO		:= $(DRV_BUILD)/tandem.ko
# kernel/fmt/jh_cell.c: Tandem's Jailhouse description translator, built
# into the module as it is (linux/driver/Kbuild).
DRV_SRCS	:= $(wildcard linux/driver/*.c) kernel/fmt/jh_cell.c
DRV_HDRS	:= $(wildcard linux/driver/*.h linux/driver/shim/*.h linux/driver/shim/*/*.h) \
		   linux/include/tandem_ioctl.h $(wildcard guest-abi/include/tandem/*.h) \
		   kernel/fmt/jh_cell.h
TANDEMCTL	:= $(BUILD)/linux/tandemctl
HVMPROC		:= $(BUILD)/linux/hvmproc
CELLCFG_BUILD	:= $(BUILD)/linux/cells
CELLCFG_TXTS	:= $(wildcard linux/cells/*.txt)
CELLCFG_STAMP	:= $(CELLCFG_BUILD)/.stamp
JHTINY_BIN	:= $(CELLCFG_BUILD)/jhtiny.bin
NASM		?= nasm

TANDEMCTL_CFLAGS := -std=gnu11 -static -O2 -Wall -Wextra -Werror -Wshadow \
	-Wmissing-prototypes -Iguest-abi/include -Ilinux/include

.PHONY: linux-driver linux-tool linux-cells

linux-driver: $(DRV_KO)
linux-tool: $(TANDEMCTL) $(HVMPROC)
linux-cells: $(CELLCFG_STAMP) $(JHTINY_BIN)

# Kbuild builds in M=; the sources are copied there so that nothing is
# written into the source tree. Headers come from the tree (Kbuild -I).
$(DRV_KO): $(DRV_SRCS) $(DRV_HDRS) linux/driver/Kbuild
	@test -d $(LINUX_KDIR) || { echo "driver: no $(LINUX_KDIR): run scripts/install-deps.sh (linux-headers-amd64)"; exit 1; }
	@mkdir -p $(DRV_BUILD)
	@cp linux/driver/Kbuild $(DRV_SRCS) $(DRV_BUILD)/
	$(MAKE) -C $(LINUX_KDIR) M=$(abspath $(DRV_BUILD)) TANDEM_SRC=$(abspath .) modules

$(TANDEMCTL): linux/tool/tandemctl.c linux/tool/tool.c linux/tool/tool.h linux/include/tandem_ioctl.h \
		$(wildcard guest-abi/include/tandem/*.h)
	@mkdir -p $(@D)
	$(CC) $(TANDEMCTL_CFLAGS) -o $@ $(filter %.c,$^)

$(HVMPROC): linux/tool/hvmproc.c linux/tool/tool.c linux/tool/tool.h hrt/hrt_funcs.h \
		$(wildcard guest-abi/include/tandem/*.h)
	@mkdir -p $(@D)
	$(CC) $(TANDEMCTL_CFLAGS) -o $@ $(filter %.c,$^)

$(CELLCFG_STAMP): $(CELLCFG_TXTS) linux/cells/mkcellcfg.py guest-abi/include/tandem/cell_config.h \
		guest-abi/include/tandem/jailhouse.h
	@mkdir -p $(CELLCFG_BUILD)
	$(PYTHON) linux/cells/mkcellcfg.py --out $(CELLCFG_BUILD) $(CELLCFG_TXTS)
	@touch $@

# A flat real-mode image, loaded at cell address 0 (linux/cells/jh-tiny.txt).
$(JHTINY_BIN): linux/cells/jhtiny.asm
	@mkdir -p $(@D)
	$(NASM) -f bin -Werror -o $@ $<

# Every linux/cells/*.txt has "variants 1,...,7": one file per CPU
# (tiny also for CPU 0, which Linux cannot give away: a test).
CELLCFG_CPUS	:= 1 2 3 4 5 6 7
CELLCFG_FILES	:= $(foreach t,$(CELLCFG_TXTS),$(foreach c,$(CELLCFG_CPUS),\
		   $(CELLCFG_BUILD)/$(basename $(notdir $(t)))-cpu$(c).cell)) \
		   $(CELLCFG_BUILD)/tiny-cpu0.cell
$(CELLCFG_FILES): $(CELLCFG_STAMP) ;

# What the initramfs gets (linux/linux.mk packs LINUX_INITRD_FILES,
# SRC:DEST[:MODE]; linux/initramfs/tests/50-tandemctl.sh comes with the
# tree). The example cell images are cells/cells.mk's, the second HRT
# image (for hrt replace) hrt/hrt.mk's.
LINUX_INITRD_FILES += \
	$(DRV_KO):lib/tandem/tandem.ko:0644 \
	$(TANDEMCTL):bin/tandemctl:0755 \
	$(HVMPROC):bin/hvmproc:0755 \
	$(BUILD)/cells/tiny.bin:lib/tandem/cells/tiny.bin:0644 \
	$(BUILD)/cells/spinner.bin:lib/tandem/cells/spinner.bin:0644 \
	$(BUILD)/cells/deny.bin:lib/tandem/cells/deny.bin:0644 \
	$(JHTINY_BIN):lib/tandem/cells/jhtiny.bin:0644 \
	$(BUILD)/hrt/hrt2.elf:lib/tandem/hrt2.elf:0644 \
	$(foreach f,$(CELLCFG_FILES),$(f):lib/tandem/cells/$(notdir $(f)):0644)

endif
