#!/usr/bin/env bash
# Builds a GRUB ISO (BIOS i386-pc + x86_64-efi, hybrid: also boots written
# to a USB stick) that boots Tandem, or any Multiboot2 kernel, with modules;
# with --linux, a Linux bzImage with its initrd (no Tandem).
#
# usage: mkiso.sh OUT.iso TIMEOUT KERNEL "KERNEL OPTIONS" [MODULE "MODULE STRING"]...
#        mkiso.sh --linux OUT.iso TIMEOUT BZIMAGE "COMMAND LINE" [INITRD ""]
#   e.g. mkiso.sh build/tandem.iso 3 build/tandem.elf "" build/ros/ros.elf "ros"
#        mkiso.sh --linux build/linux-native.iso 0 build/linux/vmlinuz \
#                 "console=ttyS0" build/linux/initrd.img ""
set -euo pipefail

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}
linux=0
if [ "${1-}" = --linux ]; then
	linux=1
	shift
fi
if [ $# -lt 4 ] || [ $(( ($# - 4) % 2 )) -ne 0 ]; then
	usage
fi
if [ "$linux" = 1 ] && [ $# -gt 6 ]; then
	usage
fi
out=$1 timeout=$2 kernel=$3 opts=$4
shift 4
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub"
cp "$kernel" "$root/boot/$(basename "$kernel")"
{
	echo "# GRUB configuration written by scripts/mkiso.sh"
	echo "set timeout=$timeout"
	echo "set default=0"
	echo "serial --unit=0 --speed=115200"
	echo "terminal_input serial console"
	echo "terminal_output serial console"
	# UEFI video drivers, so a kernel asking for a framebuffer (Tandem
	# does) gets GOP's; without them GRUB refuses to boot it.
	echo "if [ \"\$grub_platform\" = efi ]; then insmod all_video; fi"
	echo
	echo "menuentry \"$(basename "$kernel")\" {"
	if [ "$linux" = 1 ]; then
		echo "	linux /boot/$(basename "$kernel") $opts"
	else
		echo "	multiboot2 /boot/$(basename "$kernel") $opts"
	fi
	while [ $# -gt 0 ]; do
		cp "$1" "$root/boot/$(basename "$1")"
		if [ "$linux" = 1 ]; then
			echo "	initrd /boot/$(basename "$1")"
		else
			echo "	module2 /boot/$(basename "$1") $2"
		fi
		shift 2
	done
	# Under BIOS keep VGA text: GRUB's `multiboot2` turns Tandem's
	# framebuffer wish into gfxpayload=auto (a VBE mode, which breaks
	# GRUB's heap under Bochs's BIOS); this comes after it and wins.
	echo "	if [ \"\$grub_platform\" = pc ]; then set gfxpayload=text; fi"
	echo "	boot"
	echo "}"
} > "$root/boot/grub/grub.cfg"
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out" "$root" > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
rm -f "$out.log"
