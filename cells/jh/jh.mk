# The Jailhouse-contract test inmates and their cell descriptions, included
# by ros/ros.mk (which embeds them, ros/jh_cell_images.asm).
#
#   build/cells/jh/jhtest.bin    flat 64-bit inmate, loaded at cell address
#                                0 (16-bit entry, command line at 0x1000)
#   build/cells/jh/<cell>.cell   Jailhouse cell descriptions (revision 14)
#                                written by the host tool jhcellgen:
#                                jhtest (1 CPU), jhsmp (2 CPUs), jhrev
#                                (1 CPU, the failed-comm-rev run)
#
#   make jh-cells                all of them

ifndef JH_MK_INCLUDED
JH_MK_INCLUDED := 1

BUILD	?= build
NASM	?= nasm
OBJCOPY	?= objcopy
HOSTCC	?= cc

JH_BUILD	:= $(BUILD)/cells/jh
JH_BIN		:= $(JH_BUILD)/jhtest.bin
JH_ELF		:= $(JH_BUILD)/jhtest.elf
JH_GEN		:= $(JH_BUILD)/jhcellgen
# name:CPUs of each generated description
JH_CELL_SPECS	:= jhtest:1 jhsmp:2 jhrev:1
JH_CELLS	:= $(foreach s,$(JH_CELL_SPECS),$(JH_BUILD)/$(firstword $(subst :, ,$(s))).cell)

JH_CFLAGS := -m64 -std=gnu11 -ffreestanding -fno-pic -fno-pie -mno-red-zone \
	-mcmodel=small -mgeneral-regs-only -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fcf-protection=none -O2 -g -nostdlib \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wshadow \
	-Icells/jh -Iguest-abi/include -Ikernel -MMD -MP
JH_HOST_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -Icells/jh \
	-Iguest-abi/include
JH_NASMFLAGS := -f elf64 -g -Werror
JH_LDFLAGS := -m elf_x86_64 -n -nostdlib -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments

JH_OBJS := $(JH_BUILD)/obj/entry.asm.o $(JH_BUILD)/obj/inmate.o \
	$(JH_BUILD)/obj/jhtest.o $(JH_BUILD)/obj/klib.o $(JH_BUILD)/obj/printf.o

.PHONY: jh-cells

jh-cells: $(JH_BIN) $(JH_CELLS)

$(JH_BUILD)/obj/inmate.o $(JH_BUILD)/obj/jhtest.o: $(JH_BUILD)/obj/%.o: cells/jh/%.c
	@mkdir -p $(@D)
	$(CC) $(JH_CFLAGS) -c -o $@ $<

# The hypervisor's pure string and format helpers (as ros/ros.mk links them).
$(JH_BUILD)/obj/klib.o $(JH_BUILD)/obj/printf.o: $(JH_BUILD)/obj/%.o: kernel/lib/%.c
	@mkdir -p $(@D)
	$(CC) $(JH_CFLAGS) -c -o $@ $<

$(JH_BUILD)/obj/entry.asm.o: cells/jh/entry.asm
	@mkdir -p $(@D)
	$(NASM) $(JH_NASMFLAGS) -o $@ $<

$(JH_ELF): $(JH_OBJS) cells/jh/inmate.ld
	$(LD) $(JH_LDFLAGS) -T cells/jh/inmate.ld -o $@ $(JH_OBJS)

# The image must fit the cell's RAM with its .bss and stacks.
$(JH_BIN): $(JH_ELF)
	$(OBJCOPY) -O binary -j .boot -j .cmdline -j .text -j .rodata -j .data $< $@
	@end=$$(nm $< | awk '$$3 == "__image_end" { print $$1 }'); \
	if [ -z "$$end" ] || [ $$((0x$$end)) -gt 1048576 ]; then \
		echo "jh-cells: $< ends at $$end, beyond the cell's 1 MiB"; \
		rm -f $@; exit 1; fi

$(JH_GEN): cells/jh/jhcellgen.c cells/jh/jh_desc.c cells/jh/jh_desc.h cells/jh/jh_test.h \
		guest-abi/include/tandem/jailhouse.h
	@mkdir -p $(@D)
	$(HOSTCC) $(JH_HOST_CFLAGS) -o $@ cells/jh/jhcellgen.c cells/jh/jh_desc.c

$(JH_BUILD)/%.cell: $(JH_GEN)
	$(JH_GEN) $* $(patsubst $*:%,%,$(filter $*:%,$(JH_CELL_SPECS))) $@

-include $(JH_OBJS:.o=.d)

endif
