#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup/fwd are called from traps
# Boot a Tandem ISO under Bochs (the Intel VMX + EPT path, or Bochs's SVM
# with --model ryzen).
#
# usage: run-bochs.sh [--cpus N] [--model MODEL] [--ips N] [--mem MB]
#                     [--log FILE] ISO
#
#   --cpus N      number of CPUs (default 2)
#   --model M     Bochs CPU model (default corei7_skylake_x: VMX, EPT, VPID,
#                 unrestricted guest; ryzen for AMD SVM + NPT + NRIPS)
#   --ips N       emulated instructions per emulated second (default 50000000;
#                 lower boots faster but leaves fewer instructions per tick)
#   --mem MB      memory in MiB (default 256)
#   --log FILE    serial output to FILE; Bochs's own log goes to
#                 FILE.bochs.log (VM-entry failures, panics, the shutdown
#                 port), and the second serial port (COM2, 0x2f8: the
#                 UART of the test cells) to FILE.com2. Without --log, serial is shown on this terminal
#                 (tail -f of a temporary file) and Bochs's log is kept in
#                 a temporary directory that is removed at exit.
#                 Bochs 2.7 flushes its serial file after every byte, so
#                 the file can be polled while Bochs runs.
#
# Bochs exits with status 1 both after the kernel writes "Shutdown" to port
# 0x8900 and after a panic (a triple fault, with reset_on_triple_fault=0).
# The status never proves success: judge by serial output.
#
# Display: Bochs here has only the rfb and term GUIs. rfb with timeout=0
# does not wait for a VNC client; it listens on the first free TCP port of
# 5900..5949. Bochs finds that port racily, so this script starts Bochs
# under a machine-wide lock (see "Parallel starts" below); any number of
# instances, from any worktree or user, may then run at the same time.
set -euo pipefail

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;/^# shellcheck/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}

cpus=2 model=corei7_skylake_x ips=50000000 mem=256 log='' iso=''
while [ $# -gt 0 ]; do
	case "$1" in
	--cpus) cpus=${2:?--cpus needs N}; shift ;;
	--cpus=*) cpus=${1#*=} ;;
	--model) model=${2:?--model needs MODEL}; shift ;;
	--model=*) model=${1#*=} ;;
	--ips) ips=${2:?--ips needs N}; shift ;;
	--ips=*) ips=${1#*=} ;;
	--mem) mem=${2:?--mem needs MB}; shift ;;
	--mem=*) mem=${1#*=} ;;
	--log) log=${2:?--log needs FILE}; shift ;;
	--log=*) log=${1#*=} ;;
	-h|--help) usage ;;
	-*) echo "run-bochs.sh: unknown option $1" >&2; usage ;;
	*)
		[ -z "$iso" ] || { echo "run-bochs.sh: more than one ISO given" >&2; usage; }
		iso=$1 ;;
	esac
	shift
done
[ -n "$iso" ] || { echo "run-bochs.sh: no ISO given" >&2; usage; }
[ -r "$iso" ] || { echo "run-bochs.sh: cannot read $iso" >&2; exit 2; }
command -v bochs >/dev/null || { echo "run-bochs.sh: bochs not installed" >&2; exit 2; }

BXROM=${BXROM:-/usr/share/bochs/BIOS-bochs-latest}
VGAROM=${VGAROM:-/usr/share/vgabios/vgabios.bin}

abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tandem-bochs.XXXXXX")
bpid='' tpid=''
cleanup() {
	[ -z "$tpid" ] || kill "$tpid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

iso=$(abspath "$iso")
if [ -n "$log" ]; then
	mkdir -p "$(dirname "$log")"
	log=$(abspath "$log")
	serial=$log
	bxlog=$log.bochs.log
else
	serial=$tmp/serial.log
	bxlog=$tmp/bochs.log
fi
com2=$serial.com2
: >"$serial"
: >"$bxlog"
: >"$com2"

# Bochs parses these paths unquoted: refuse the characters it would split on.
for p in "$iso" "$serial" "$bxlog" "$com2"; do
	case "$p" in *[[:space:],\"]*)
		echo "run-bochs.sh: path '$p' contains a space, comma or quote; Bochs cannot take it" >&2
		exit 2 ;;
	esac
done

cat >"$tmp/bochsrc" <<EOF
megs: $mem
romimage: file=$BXROM
vgaromimage: file=$VGAROM
cpu: model=$model, count=$cpus, ips=$ips, reset_on_triple_fault=0
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
clock: sync=none, time0=local
display_library: rfb, options="timeout=0"
com1: enabled=1, mode=file, dev=$serial
com2: enabled=1, mode=file, dev=$com2
log: $bxlog
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
mouse: enabled=0
speaker: enabled=0, mode=none
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
EOF
# Debian's Bochs has the internal debugger: without an rc file it stops at a
# prompt (even with stdin from /dev/null). "c" runs, "quit" ends it after the
# machine stops.
printf 'c\nquit\n' >"$tmp/rc"

# Forward TERM/INT/HUP to Bochs (bash runs the trap when `wait` or `sleep`
# returns).
fwd() { [ -z "$bpid" ] || kill -TERM "$bpid" 2>/dev/null || true; }
trap 'fwd; wait "$bpid" 2>/dev/null; exit 143' TERM
trap 'fwd; wait "$bpid" 2>/dev/null; exit 130' INT
trap 'fwd; wait "$bpid" 2>/dev/null; exit 129' HUP

# Parallel starts. Bochs's RFB server takes its port like this: socket()
# with SO_REUSEADDR, then for 5900, 5901, ... bind() and listen(), and it
# stops at the first port that binds. On Linux, SO_REUSEADDR lets two
# sockets bind the same port as long as neither listens yet: two Bochs
# starting at the same moment can both bind 5900, the second listen()
# fails, the already bound socket cannot bind the next port, and Bochs
# panics with "RFB could not bind any port between 5900 and 5949" (exit 1
# after 0.2 s). So the start is serialized machine-wide: Bochs is started
# under an exclusive flock(2) on one fixed file in /tmp (not $TMPDIR: every
# worktree and user must meet on the same file), and the lock is released
# once this Bochs has a listening TCP socket (its sockets in /proc/PID/fd,
# state LISTEN in /proc/PID/net/tcp*): later instances then find 5900 taken
# and bind the next port. Every wait is bounded: the lock for LOCK_WAIT
# seconds, the listening socket for LISTEN_WAIT (then the lock is released
# anyway); the kernel drops the lock when its holder dies.
#
# A network namespace per Bochs (`unshare -rn`: its own port 5900) would
# need unprivileged user namespaces, which CI containers often forbid
# (Docker's default seccomp profile, kernel.unprivileged_userns_clone=0,
# Ubuntu's AppArmor restriction); flock works wherever /tmp does, as root
# or not. It cannot serialize a Bochs started without this script.
LOCK=/tmp/tandem-bochs-start.lock
LOCK_WAIT=120
LISTEN_WAIT=30

# True once process $1 has a TCP socket in state LISTEN (0A).
listening() {
	local inodes
	inodes=$(find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null |
		 sed 's/^socket:\[\([0-9]*\)\]$/\1/' | tr '\n' ' ')
	[ -n "$inodes" ] || return 1
	awk -v want=" $inodes" '$4 == "0A" && index(want, " " $10 " ") { found = 1 }
		END { exit !found }' "/proc/$1/net/tcp" "/proc/$1/net/tcp6" 2>/dev/null
}

# Opened read-only: flock needs no write access, and the file may belong to
# another user (created mode 0666 by whoever came first; /tmp is sticky).
[ -e "$LOCK" ] || (umask 0 && : >>"$LOCK") 2>/dev/null || true
exec {lockfd}<"$LOCK"
if ! flock -w "$LOCK_WAIT" "$lockfd"; then
	echo "run-bochs.sh: $LOCK still locked after $LOCK_WAIT s; starting Bochs anyway" >&2
fi

# Run from the temp dir: Bochs may drop files (e.g. a debugger history) in
# its working directory. It must not inherit the lock's descriptor.
(exec {lockfd}<&- && cd "$tmp" && exec bochs -q -f "$tmp/bochsrc" -rc "$tmp/rc" </dev/null) &
bpid=$!
waited=0
until listening "$bpid"; do
	if ! kill -0 "$bpid" 2>/dev/null; then
		break		# Bochs ended before listening: judged by its serial log
	fi
	if [ "$waited" -ge $((LISTEN_WAIT * 20)) ]; then
		echo "run-bochs.sh: Bochs (pid $bpid) not listening after $LISTEN_WAIT s; releasing $LOCK" >&2
		break
	fi
	sleep 0.05
	waited=$((waited + 1))
done
flock -u "$lockfd"
exec {lockfd}<&-

if [ -z "$log" ]; then
	tail -n +1 -f --pid="$bpid" "$serial" &
	tpid=$!
fi
rc=0
wait "$bpid" || rc=$?
if [ -n "$tpid" ]; then
	wait "$tpid" 2>/dev/null || true
	tpid=
	echo
	# Why Bochs stopped (the shutdown port also logs as a PANIC).
	grep -a -E '>>PANIC<<|\[CPU[0-9]+ *\] .*(VMfail|VMentry|VMEXIT|triple)' "$bxlog" | tail -n 5 >&2 || true
fi
exit "$rc"
