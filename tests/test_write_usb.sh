#!/usr/bin/env bash
# Host test of scripts/write-usb.sh: its refusals, on a fake sysfs and fake
# mounts. The script is only ever run with WRITE_USB_SYSFS set, which makes
# it a dry run: nothing is written, whatever it decides.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
t=$(mktemp -d "${TMPDIR:-/tmp}/write-usb-test.XXXXXX")
trap 'rm -rf "$t"' EXIT
iso=$t/tandem.iso
head -c 4096 /dev/zero >"$iso"
pass=0 fail=0

# disk NAME SECTORS REMOVABLE [usb]: a whole disk in the fake sysfs.
disk() {
	local where=$t/devices/pci0000:00/0000:00:1d.0/ata1/$1
	[ "${4:-}" = usb ] && where=$t/devices/pci0000:00/0000:00:14.0/usb2/2-1/$1
	mkdir -p "$where/device" "$t/sys/block" "$t/sys/class/block/$1"
	echo "$2" >"$where/size"
	echo "$3" >"$where/removable"
	echo "Fake Stick" >"$where/device/model"
	ln -sfn "$where" "$t/sys/block/$1"
}
part() { mkdir -p "$t/sys/class/block/$1"; echo 1 >"$t/sys/class/block/$1/partition"; }

# check NAME EXPECTED_STATUS REGEX DEV [MOUNTS_LINE]
check() {
	local name=$1 want=$2 re=$3 dev=$4 out rc
	printf '%s\n' "${5:-proc /proc proc rw 0 0}" >"$t/mounts"
	out=$(WRITE_USB_SYSFS=$t/sys WRITE_USB_MOUNTS=$t/mounts \
		scripts/write-usb.sh --yes "$iso" "$dev" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && [[ $out =~ $re ]]; then
		echo "ok - write-usb: $name"
		pass=$((pass + 1))
	else
		echo "not ok - write-usb: $name (status $rc, output: $out)"
		fail=$((fail + 1))
	fi
}

GiB=$((2 * 1024 * 1024))
disk sdb $((16 * GiB)) 1
disk sdc $((16 * GiB)) 0
disk sdd $((16 * GiB)) 0 usb
disk sde $((512 * GiB)) 1
disk sdf 0 1
disk nvme0n1 $((16 * GiB)) 1
disk sdg 4 1
part sdb1

check "a removable 16 GiB stick passes every check (dry run)" 0 "dry run; nothing written" /dev/sdb
check "refuses a disk neither removable nor on USB" 1 "neither removable nor on USB" /dev/sdc
check "takes a USB disk that says it is fixed" 0 "usb=1" /dev/sdd
check "refuses a disk over 256 GiB" 1 "512 GiB, more than 256 GiB" /dev/sde
check "refuses a drive without a medium" 1 "no medium" /dev/sdf
check "refuses a partition" 1 "is a partition" /dev/sdb1
check "refuses a missing device" 1 "not a whole disk" /dev/sdx
check "refuses a disk whose partition is mounted" 1 "in use: /dev/sdb1 on /media/stick" /dev/sdb \
	"/dev/sdb1 /media/stick vfat rw 0 0"
check "refuses a mounted whole disk" 1 "in use: /dev/sdb on /mnt" /dev/sdb "/dev/sdb /mnt ext4 rw 0 0"
check "refuses an NVMe disk with a mounted partition" 1 "in use: /dev/nvme0n1p2" /dev/nvme0n1 \
	"/dev/nvme0n1p2 / ext4 rw 0 0"
check "a mount of another disk with a longer name does not count" 0 "dry run" /dev/sdb \
	"/dev/sdba1 /x ext4 rw 0 0"
check "refuses an ISO larger than the disk" 1 "does not fit" /dev/sdg
iso=$t/missing.iso check "refuses a missing ISO" 1 "cannot read" /dev/sdb
# Without the fake sysfs: a plain file is no block device (and --dry-run).
if out=$(scripts/write-usb.sh --dry-run "$iso" "$iso" 2>&1) || [[ ! $out =~ "not a block device" ]]; then
	echo "not ok - write-usb: refuses a file that is no block device ($out)"
	fail=$((fail + 1))
else
	echo "ok - write-usb: refuses a file that is no block device"
	pass=$((pass + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
