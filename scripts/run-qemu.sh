#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup/fwd are called from traps
# Boot a Tandem ISO under QEMU (TCG; the AMD SVM + NPT path).
#
# usage: run-qemu.sh [--uefi] [--usb] [--smp N] [--mem MB] [--log FILE] [--gdb]
#                    [--cpu MODEL] [--kvm] ISO [-- extra qemu args]
#
#   --uefi       q35 + OVMF (pflash; a fresh copy of the VARS store per run)
#   --usb        the ISO as a USB stick (raw disk on an XHCI controller, the
#                boot device) instead of a CD-ROM: what a PC boots after
#                `make usb` wrote the hybrid ISO to a stick
#   --smp N      number of CPUs (default 4)
#   --mem MB     memory in MiB (default 512)
#   --log FILE   serial output to FILE (default: serial on this terminal);
#                with it, the second serial port (COM2, 0x2f8: the UART of
#                the test cells) goes to FILE.com2
#   --gdb        wait for gdb on :1234 (-s -S)
#   --cpu MODEL  QEMU CPU model (default EPYC: Tandem needs SVM in the guest)
#   --kvm        use KVM instead of TCG if /dev/kvm is usable (off by
#                default: the KVM on these machines cannot run Tandem)
#
# Exit status is QEMU's: isa-debug-exit gives (v << 1) | 1, a triple fault
# with -no-reboot gives 0. It never proves success: judge by serial output.
set -euo pipefail

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;/^# shellcheck/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}

uefi=0 usb=0 smp=4 mem=512 log='' gdb=0 cpu=EPYC kvm=0 iso=''
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--uefi) uefi=1 ;;
	--usb) usb=1 ;;
	--smp) smp=${2:?--smp needs N}; shift ;;
	--smp=*) smp=${1#*=} ;;
	--mem) mem=${2:?--mem needs MB}; shift ;;
	--mem=*) mem=${1#*=} ;;
	--log) log=${2:?--log needs FILE}; shift ;;
	--log=*) log=${1#*=} ;;
	--gdb) gdb=1 ;;
	--cpu) cpu=${2:?--cpu needs MODEL}; shift ;;
	--cpu=*) cpu=${1#*=} ;;
	--kvm) kvm=1 ;;
	-h|--help) usage ;;
	--) shift; extra=("$@"); break ;;
	-*) echo "run-qemu.sh: unknown option $1" >&2; usage ;;
	*)
		[ -z "$iso" ] || { echo "run-qemu.sh: more than one ISO given" >&2; usage; }
		iso=$1 ;;
	esac
	shift
done
[ -n "$iso" ] || { echo "run-qemu.sh: no ISO given" >&2; usage; }
[ -r "$iso" ] || { echo "run-qemu.sh: cannot read $iso" >&2; exit 2; }

QEMU=${QEMU:-qemu-system-x86_64}
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}

accel=tcg
if [ "$kvm" = 1 ]; then
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		accel=kvm
	else
		echo "run-qemu.sh: /dev/kvm not usable, using TCG" >&2
	fi
fi

# shellcheck disable=SC2054  # commas belong to QEMU option values
args=(
	-accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem"
	-display none -monitor none -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
)

if [ "$usb" = 1 ]; then
	# shellcheck disable=SC2054
	args+=(
		-drive "if=none,id=stick,format=raw,readonly=on,file=$iso"
		-device qemu-xhci,id=xhci
		-device usb-storage,bus=xhci.0,drive=stick,removable=on,bootindex=0
	)
else
	args+=(-cdrom "$iso")
fi

tmp=''
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT

if [ "$uefi" = 1 ]; then
	[ -r "$OVMF_CODE" ] || { echo "run-qemu.sh: $OVMF_CODE missing (apt-get install ovmf)" >&2; exit 2; }
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/tandem-qemu.XXXXXX")
	cp "$OVMF_VARS" "$tmp/OVMF_VARS.fd"
	args+=(
		-machine q35
		-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
		-drive "if=pflash,format=raw,file=$tmp/OVMF_VARS.fd"
	)
fi

if [ -n "$log" ]; then
	mkdir -p "$(dirname "$log")"
	: >"$log"
	: >"$log.com2"
	args+=(-serial "file:$log" -serial "file:$log.com2")
else
	# stdio without the monitor mux: Ctrl-C ends QEMU.
	args+=(-serial stdio)
fi

if [ "$gdb" = 1 ]; then
	args+=(-s -S)
	echo "run-qemu.sh: QEMU is waiting for gdb; attach with:" >&2
	echo "    gdb build/tandem.elf -ex 'target remote :1234'" >&2
fi

# Not exec: the EXIT trap must remove the VARS copy. QEMU (and the stderr
# filter) stay in this script's process group, so killing the group reaches
# them; TERM/INT/HUP sent to the script alone are forwarded to QEMU.
# QEMU repeats each "TCG doesn't support requested feature" warning once per
# vCPU: print each distinct stderr line once.
dedup() { awk '!seen[$0]++ { print; fflush() }'; }
qpid=''
fwd() { [ -z "$qpid" ] || kill -TERM "$qpid" 2>/dev/null || true; }
trap 'fwd; wait "$qpid" 2>/dev/null; exit 143' TERM
trap 'fwd; wait "$qpid" 2>/dev/null; exit 130' INT
trap 'fwd; wait "$qpid" 2>/dev/null; exit 129' HUP
if [ -z "$log" ]; then
	# Interactive: QEMU needs the terminal in the foreground (stdin).
	rc=0
	"$QEMU" "${args[@]}" "${extra[@]}" 2> >(dedup >&2) || rc=$?
	exit "$rc"
fi
"$QEMU" "${args[@]}" "${extra[@]}" </dev/null 2> >(dedup >&2) &
qpid=$!
rc=0
wait "$qpid" || rc=$?
exit "$rc"
