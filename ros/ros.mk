# ROS build fragment, included by the top-level Makefile.
#
#   build/ros/ros.elf              the ROS (Multiboot2 ELF at 1 MiB)
#   build/ros-native.iso           GRUB + the ROS alone, ROS_NATIVE_CMDLINE
#   build/ros-native-suite.iso     the same with "force_suite": the suite
#                                  runs without Tandem (most checks fail;
#                                  SMP, CPL 3 round trip, fault recovery and
#                                  the MADT parse are proven natively)
#
#   make ros                 build/ros/ros.elf
#   make ros-iso             both native ISOs
#   make ros-run-native      boot build/ros-native.iso in QEMU (serial here)
#   make ros-run-suite       boot build/ros-native-suite.iso in QEMU
#
# Sources: ros/*.c ros/*.asm, the guest library guest-abi/lib/*.c, and the
# pure-C helpers kernel/lib/printf.c and kernel/lib/klib.c, all compiled with the
# ROS's own flags into build/ros/. ros/cell_images.asm embeds the test cell
# images of cells/cells.mk (build/cells/*.bin) for the cell checks, and
# ros/hrt_images.asm the second HRT image of hrt/hrt.mk (build/hrt/hrt2.elf)
# for the HRT checks.

BUILD	?= build
NASM	?= nasm

# The test cells and the HRT (guarded: the Makefile may include them too,
# before or after).
include cells/cells.mk
include cells/jh/jh.mk
include hrt/hrt.mk

ROS_BUILD	:= $(BUILD)/ros
ROS_ELF		:= $(ROS_BUILD)/ros.elf
ROS_NATIVE_ISO	:= $(BUILD)/ros-native.iso
ROS_SUITE_ISO	:= $(BUILD)/ros-native-suite.iso
ROS_NATIVE_CMDLINE ?=

ROS_CFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -mno-red-zone \
	-mgeneral-regs-only -mcmodel=small -fno-stack-protector \
	-fno-asynchronous-unwind-tables -O2 -g \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wshadow \
	-Iguest-abi/include -Iguest-abi/lib -MMD -MP
ROS_NASMFLAGS := -f elf64 -g -Werror
ROS_LDFLAGS := -n -nostdlib -z max-page-size=0x1000 -z noexecstack

ROS_CSRCS	:= $(wildcard ros/*.c)
ROS_ASRCS	:= $(wildcard ros/*.asm)
ROS_LIBSRCS	:= $(wildcard guest-abi/lib/*.c)
ROS_KSRCS	:= kernel/lib/printf.c kernel/lib/klib.c

ROS_COBJS	:= $(patsubst ros/%.c,$(ROS_BUILD)/%.o,$(ROS_CSRCS))
ROS_AOBJS	:= $(patsubst ros/%.asm,$(ROS_BUILD)/%.asm.o,$(ROS_ASRCS))
ROS_LIBOBJS	:= $(patsubst guest-abi/lib/%.c,$(ROS_BUILD)/lib/%.o,$(ROS_LIBSRCS))
ROS_KOBJS	:= $(patsubst kernel/%.c,$(ROS_BUILD)/kernel/%.o,$(ROS_KSRCS))
ROS_OBJS	:= $(ROS_AOBJS) $(ROS_COBJS) $(ROS_LIBOBJS) $(ROS_KOBJS)

.PHONY: ros ros-iso ros-run-native ros-run-suite

ros: $(ROS_ELF)

ros-iso: $(ROS_NATIVE_ISO) $(ROS_SUITE_ISO)

# Static pattern rules: they win over the top-level $(BUILD)/%.o rule.
$(ROS_COBJS): $(ROS_BUILD)/%.o: ros/%.c
	@mkdir -p $(@D)
	$(CC) $(ROS_CFLAGS) -c -o $@ $<

$(ROS_LIBOBJS): $(ROS_BUILD)/lib/%.o: guest-abi/lib/%.c
	@mkdir -p $(@D)
	$(CC) $(ROS_CFLAGS) -c -o $@ $<

# The shared kernel/lib sources name their headers by folder ("lib/klib.h").
$(ROS_KOBJS): $(ROS_BUILD)/kernel/%.o: kernel/%.c
	@mkdir -p $(@D)
	$(CC) $(ROS_CFLAGS) -Ikernel -c -o $@ $<

$(ROS_AOBJS): $(ROS_BUILD)/%.asm.o: ros/%.asm
	@mkdir -p $(@D)
	$(NASM) $(ROS_NASMFLAGS) -o $@ $<

# The cell images are incbin'd from $(CELLS_BUILD).
$(ROS_BUILD)/cell_images.asm.o: $(CELLS_BINS)
$(ROS_BUILD)/cell_images.asm.o: ROS_NASMFLAGS += -I$(CELLS_BUILD)/

# The Jailhouse-contract inmate and its descriptions, from $(JH_BUILD).
$(ROS_BUILD)/jh_cell_images.asm.o: $(JH_BIN) $(JH_CELLS)
$(ROS_BUILD)/jh_cell_images.asm.o: ROS_NASMFLAGS += -I$(JH_BUILD)/

# The HRT image "replace HRT image" installs is incbin'd from $(HRT_BUILD).
$(ROS_BUILD)/hrt_images.asm.o: $(HRT2_ELF)
$(ROS_BUILD)/hrt_images.asm.o: ROS_NASMFLAGS += -I$(HRT_BUILD)/

$(ROS_ELF): $(ROS_OBJS) ros/ros.ld
	$(LD) $(ROS_LDFLAGS) -T ros/ros.ld -o $@ $(ROS_OBJS)

# $(1): ISO directory name under $(BUILD), $(2): ROS command line.
define ros_make_iso
	rm -rf $(BUILD)/$(1) && mkdir -p $(BUILD)/$(1)/boot/grub
	cp $(ROS_ELF) $(BUILD)/$(1)/boot/ros.elf
	sed -e 's|@CMDLINE@|$(2)|' ros/grub-native.cfg.in > $(BUILD)/$(1)/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/$(1) 2> $(BUILD)/$(1).mkrescue.log || \
		{ cat $(BUILD)/$(1).mkrescue.log; exit 1; }
endef

$(ROS_NATIVE_ISO): $(ROS_ELF) ros/grub-native.cfg.in
	$(call ros_make_iso,ros-native-root,$(ROS_NATIVE_CMDLINE))

$(ROS_SUITE_ISO): $(ROS_ELF) ros/grub-native.cfg.in
	$(call ros_make_iso,ros-suite-root,force_suite $(ROS_NATIVE_CMDLINE))

ros-run-native: $(ROS_NATIVE_ISO)
	scripts/run-qemu.sh $(ROS_NATIVE_ISO)

ros-run-suite: $(ROS_SUITE_ISO)
	scripts/run-qemu.sh $(ROS_SUITE_ISO)

-include $(ROS_OBJS:.o=.d)
