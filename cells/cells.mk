# Test cell images, included by the top-level Makefile (and by ros/ros.mk,
# which embeds them, when the Makefile does not include this itself).
#
#   build/cells/<name>.bin    flat 32-bit image, linked to run at
#                             cell-physical 0x1000 (cells/cell_image.h)
#   build/cells/<name>.elf    the same with symbols
#
#   make cells                all of them
#
# Each cell is cells/<name>.c with cells/crt0.asm, cells/cell_lib.c and the
# guest library guest-abi/lib/tandem_guest.c, all built -m32 into
# build/cells/.

ifndef CELLS_MK_INCLUDED
CELLS_MK_INCLUDED := 1

BUILD	?= build
NASM	?= nasm
OBJCOPY	?= objcopy

CELLS_BUILD	:= $(BUILD)/cells
CELLS_NAMES	:= tiny deny faulty spinner prober hostile hvmhostile apicwall
CELLS_BINS	:= $(patsubst %,$(CELLS_BUILD)/%.bin,$(CELLS_NAMES))
CELLS_ELFS	:= $(patsubst %,$(CELLS_BUILD)/%.elf,$(CELLS_NAMES))

CELLS_CFLAGS := -m32 -std=gnu11 -ffreestanding -fno-pic -fno-pie -mno-red-zone \
	-mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fcf-protection=none -O2 -g -nostdlib \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wshadow \
	-Icells -Iguest-abi/include -Iguest-abi/lib -MMD -MP
CELLS_NASMFLAGS := -f elf32 -g -Werror
CELLS_LDFLAGS := -m elf_i386 -n -nostdlib -z max-page-size=0x1000 -z noexecstack

CELLS_COMMON_OBJS := $(CELLS_BUILD)/obj/crt0.asm.o $(CELLS_BUILD)/obj/cell_lib.o \
	$(CELLS_BUILD)/obj/tandem_guest.o
CELLS_MAIN_OBJS	:= $(patsubst %,$(CELLS_BUILD)/obj/%.o,$(CELLS_NAMES))

.PHONY: cells

cells: $(CELLS_BINS)

# Static pattern rules: they win over the top-level $(BUILD)/%.o rules.
$(CELLS_MAIN_OBJS) $(CELLS_BUILD)/obj/cell_lib.o: $(CELLS_BUILD)/obj/%.o: cells/%.c
	@mkdir -p $(@D)
	$(CC) $(CELLS_CFLAGS) -c -o $@ $<

$(CELLS_BUILD)/obj/tandem_guest.o: $(CELLS_BUILD)/obj/%.o: guest-abi/lib/%.c
	@mkdir -p $(@D)
	$(CC) $(CELLS_CFLAGS) -c -o $@ $<

$(CELLS_BUILD)/obj/crt0.asm.o: $(CELLS_BUILD)/obj/%.asm.o: cells/%.asm
	@mkdir -p $(@D)
	$(NASM) $(CELLS_NASMFLAGS) -o $@ $<

$(CELLS_ELFS): $(CELLS_BUILD)/%.elf: $(CELLS_BUILD)/obj/%.o $(CELLS_COMMON_OBJS) cells/cell.ld
	$(LD) $(CELLS_LDFLAGS) -T cells/cell.ld -o $@ $(CELLS_COMMON_OBJS) $<

# The flat image must fit below the stack (CELL_IMAGE_MAX, cells/cell_image.h).
$(CELLS_BINS): $(CELLS_BUILD)/%.bin: $(CELLS_BUILD)/%.elf
	$(OBJCOPY) -O binary $< $@
	@size=$$(stat -c %s $@); if [ $$size -gt 978944 ]; then \
		echo "cells: $@ is $$size bytes, more than the 956 KiB a cell image may have"; \
		rm -f $@; exit 1; fi

-include $(CELLS_COMMON_OBJS:.o=.d) $(CELLS_MAIN_OBJS:.o=.d)

endif
