# HRT build fragment, included by the top-level Makefile (and by ros/ros.mk,
# which embeds hrt2.elf, when the Makefile does not include it itself).
#
#   build/hrt/hrt.elf     the reference HRT, HRT_VERSION=1
#   build/hrt/hrt2.elf    the same sources with HRT_VERSION=2 (the ROS
#                         replaces the HRT image with it), which adds a
#                         Multiboot2 address tag in Nautilus's layout
#
#   make hrt              both
#
# Sources: hrt/*.c hrt/*.asm and the pure-C kernel/lib/printf.c,
# kernel/lib/klib.c and kernel/fmt/acpi.c (the ACPI walk), compiled per
# version into build/hrt/v<N>/. Variables are
# HRT_IMG_* (tests/hrt.mk has HRT_CFLAGS & co. for the loader's host tests),
# and the recipes take their values when this file is read. Linked at
# 0xffff800008000000 (physical 0x8000000), beyond the top 2 GiB that
# -mcmodel=kernel reaches: hence -mcmodel=large.

ifndef HRT_MK_INCLUDED
HRT_MK_INCLUDED := 1

BUILD	?= build
NASM	?= nasm

HRT_BUILD	:= $(BUILD)/hrt
HRT_ELF		:= $(HRT_BUILD)/hrt.elf
HRT2_ELF	:= $(HRT_BUILD)/hrt2.elf

HRT_IMG_CFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -mno-red-zone \
	-mgeneral-regs-only -mcmodel=large -fno-stack-protector \
	-fno-asynchronous-unwind-tables -O2 \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wshadow \
	-Ihrt -Iguest-abi/include -MMD -MP
HRT_IMG_NASMFLAGS := -f elf64 -Werror
HRT_IMG_LDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack
# Version 1 packs the file (-n). Version 2 carries an address tag, which
# needs file offsets that follow the addresses: both segments aligned in
# the file as in memory, to the largest alignment (the bss's 16 KiB).
HRT_IMG_LDFLAGS_V1 := -n
HRT_IMG_LDFLAGS_V2 := -z max-page-size=0x4000
# ... and the link fails if they do not (file offset - physical address the
# same in every PT_LOAD).
HRT_IMG_POST_V2 = readelf -lW $@ | awk '$$1 == "LOAD" { print $$2, $$4 }' | \
	{ read o p && d=$$((o - p)) && \
	  while read o p; do [ $$((o - p)) -eq $$d ] || exit 1; done; } || \
	{ echo "$@: file offsets do not follow the addresses (address tag)" >&2; \
	  rm -f $@; exit 1; }

HRT_IMG_CSRCS	:= $(wildcard hrt/*.c) kernel/lib/printf.c kernel/lib/klib.c \
		   kernel/fmt/acpi.c
HRT_IMG_ASRCS	:= $(wildcard hrt/*.asm)

.PHONY: hrt

hrt: $(HRT_ELF) $(HRT2_ELF)

# $(1): version number, $(2): output ELF.
define hrt_version
HRT_V$(1)_DIR	:= $(HRT_BUILD)/v$(1)
HRT_V$(1)_COBJS	:= $$(patsubst %.c,$$(HRT_V$(1)_DIR)/%.o,$(HRT_IMG_CSRCS))
HRT_V$(1)_AOBJS	:= $$(patsubst %.asm,$$(HRT_V$(1)_DIR)/%.asm.o,$(HRT_IMG_ASRCS))
HRT_V$(1)_OBJS	:= $$(HRT_V$(1)_AOBJS) $$(HRT_V$(1)_COBJS)

# Static pattern rules: they win over the top-level $(BUILD)/%.o rule.
$$(HRT_V$(1)_COBJS): $$(HRT_V$(1)_DIR)/%.o: %.c
	@mkdir -p $$(@D)
	$$(CC) $(HRT_IMG_CFLAGS) $$(HRT_KINC) -DHRT_VERSION=$(1) -c -o $$@ $$<

# The shared kernel sources name their headers by folder ("lib/klib.h").
$$(filter $$(HRT_V$(1)_DIR)/kernel/%,$$(HRT_V$(1)_COBJS)): HRT_KINC := -Ikernel

$$(HRT_V$(1)_AOBJS): $$(HRT_V$(1)_DIR)/%.asm.o: %.asm
	@mkdir -p $$(@D)
	$$(NASM) $(HRT_IMG_NASMFLAGS) -DHRT_VERSION=$(1) -o $$@ $$<

$(2): $$(HRT_V$(1)_OBJS) hrt/hrt.ld
	$$(LD) $(HRT_IMG_LDFLAGS) $(HRT_IMG_LDFLAGS_V$(1)) -T hrt/hrt.ld -o $$@ $$(HRT_V$(1)_OBJS)
	$$(HRT_IMG_POST_V$(1))

-include $$(HRT_V$(1)_COBJS:.o=.d)
endef

$(eval $(call hrt_version,1,$(HRT_ELF)))
$(eval $(call hrt_version,2,$(HRT2_ELF)))

endif
