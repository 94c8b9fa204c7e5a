#!/usr/bin/env bash
# Writes a Tandem ISO (hybrid: it boots as a USB disk) to a USB stick, after
# checks that keep it off the wrong disk.
#
# usage: write-usb.sh [--yes] [--dry-run] ISO DEV      (make usb DEV=/dev/sdX)
#
#   --yes       do not ask (for scripts; every check still applies)
#   --dry-run   every check, then say what would be written; write nothing
#
# Refuses: DEV not a whole block disk (a partition, a missing device), a
# disk that is not removable and not on USB, larger than 256 GiB
# (WRITE_USB_MAX_GIB) or without a medium, a disk with any partition
# mounted or used as swap; and asks before writing unless --yes.
# For tests: WRITE_USB_SYSFS (default /sys) and WRITE_USB_MOUNTS (default
# /proc/mounts, plus /proc/swaps) name fake ones; with either set, DEV need
# not exist and nothing is ever written (--dry-run is forced).
set -euo pipefail

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}
die() { echo "write-usb: $*; nothing written" >&2; exit 1; }

yes=0 dry=0 args=()
for a in "$@"; do
	case "$a" in
	--yes) yes=1 ;;
	--dry-run) dry=1 ;;
	-h|--help) usage ;;
	-*) echo "write-usb: unknown option $a" >&2; usage ;;
	*) args+=("$a") ;;
	esac
done
[ ${#args[@]} -eq 2 ] || usage
iso=${args[0]} dev=${args[1]}
max_gib=${WRITE_USB_MAX_GIB:-256}
sys=${WRITE_USB_SYSFS:-/sys}
mounts=${WRITE_USB_MOUNTS:-/proc/mounts}
swaps=/proc/swaps
fake=0
if [ -n "${WRITE_USB_SYSFS:-}${WRITE_USB_MOUNTS:-}" ]; then
	fake=1 dry=1
	swaps=${WRITE_USB_SWAPS:-/dev/null}
fi

[ -r "$iso" ] || die "cannot read $iso"
[ -n "$dev" ] || die "no device given (make usb DEV=/dev/sdX)"
real=$dev
if [ "$fake" = 0 ]; then
	real=$(readlink -f -- "$dev")
	[ -b "$real" ] || die "$dev is not a block device"
fi
name=$(basename -- "$real")
case "$name" in *[!A-Za-z0-9_.-]*|'') die "$dev: odd device name" ;; esac
[ -e "$sys/class/block/$name/partition" ] &&
	die "$dev is a partition; give the whole disk (e.g. /dev/sdb)"
[ -d "$sys/block/$name" ] || die "$dev is not a whole disk ($sys/block/$name missing)"

removable=$(cat "$sys/block/$name/removable" 2>/dev/null || echo 0)
path=$(readlink -f -- "$sys/block/$name" 2>/dev/null || true)
case "$path" in */usb[0-9]*) on_usb=1 ;; *) on_usb=0 ;; esac
[ "$removable" = 1 ] || [ "$on_usb" = 1 ] ||
	die "$dev is neither removable nor on USB: not a stick"

sectors=$(cat "$sys/block/$name/size" 2>/dev/null || echo 0)
case "$sectors" in ''|*[!0-9]*) die "$dev: unreadable size" ;; esac
bytes=$((sectors * 512))
[ "$bytes" -gt 0 ] || die "$dev has no medium (size 0)"
[ "$bytes" -le $((max_gib * 1024 * 1024 * 1024)) ] ||
	die "$dev holds $((bytes >> 30)) GiB, more than $max_gib GiB: not a stick (WRITE_USB_MAX_GIB)"
iso_bytes=$(stat -c %s -- "$iso")
[ "$iso_bytes" -le "$bytes" ] || die "$iso ($iso_bytes bytes) does not fit on $dev"

# The disk or any of its partitions (sdb1, nvme0n1p1, mmcblk0p1) in use.
busy=$(awk -v d="/dev/$name" '$1 == d || index($1, d) == 1 && substr($1, length(d) + 1) ~ /^p?[0-9]+$/ { print $1 " on " $2 }' "$mounts" "$swaps" | head -3)
[ -z "$busy" ] || die "$dev is in use: $(echo "$busy" | tr '\n' ' ')(unmount it first)"

model=$(tr -s " " 2>/dev/null <"$sys/block/$name/device/model" || true)
echo "write-usb: $iso ($((iso_bytes >> 20)) MiB) -> $dev: ${model:-unknown model}, $((bytes >> 20)) MiB, removable=$removable usb=$on_usb"
if [ "$dry" = 1 ]; then
	echo "write-usb: dry run; nothing written"
	exit 0
fi
if [ "$yes" = 0 ]; then
	[ -t 0 ] || die "not asked on a terminal (use --yes to skip the question)"
	printf 'write-usb: everything on %s will be lost. Type yes to write: ' "$dev"
	read -r answer
	[ "$answer" = yes ] || die "not confirmed"
fi
dd if="$iso" of="$real" bs=4M conv=fsync status=progress
sync
echo "write-usb: done; $dev boots Tandem (BIOS or UEFI)"
