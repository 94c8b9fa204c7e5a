#!/bin/sh
# Tandem's exit counters of the ROS's CPUs (CPU Get State 1000+, ABI.md 4.7)
# while Linux idles and while it works: the "exits" bench of `make bench`
# (scripts/bench_linux.py --exits).
#
# Run by the initramfs's init instead of /tests/*.sh when the kernel
# command line holds "tinit.mode=bench tinit.bench=exits" (init: after
# printing its first line, with /proc, /sys and /dev mounted and the
# busybox applets installed, runs /bench/$(tinit_opt bench).sh; it powers
# off afterwards). Prints, on the console:
#   bench: exits: PHASE begin uptime=SECONDS
#   bench: exits: PHASE begin cpu N state S exits X hypercall X ... other X
#   ... (one line per ROS CPU: `tandemctl cell stats 0`, prefixed)
#   bench: exits: PHASE end uptime=SECONDS
#   bench: exits: PHASE end cpu N ...
# for PHASE idle (sleep) and load (several processes compressing a file in
# tmpfs and starting short-lived processes, as a kernel build does), then
# "bench: exits: done". On trouble: "bench: exits: error: TEXT" and stop.
# tinit.bench_secs=S on the command line: seconds per phase (default 10).

say() { echo "bench: exits: $*"; }
die() { say "error: $*"; exit 1; }

secs=$(sed -n 's/.*tinit\.bench_secs=\([0-9]*\).*/\1/p' /proc/cmdline)
secs=${secs:-10}
command -v tandemctl >/dev/null 2>&1 || die "no tandemctl in the initramfs"
if [ ! -e /dev/tandem ]; then
	ko=$(find / -xdev -name tandem.ko 2>/dev/null | head -n 1)
	[ -n "$ko" ] || die "no /dev/tandem and no tandem.ko"
	msg=$(insmod "$ko" 2>&1) || die "insmod $ko: $msg"
fi
ROOT=0		# the root cell: the ROS's own CPUs

snap() {	# PHASE begin|end
	read -r up _ </proc/uptime
	say "$1 $2 uptime=$up"
	out=$(tandemctl cell stats $ROOT 2>&1) || die "tandemctl cell stats $ROOT: $out"
	echo "$out" | while read -r line; do say "$1 $2 $line"; done
}

# One worker of the load: compress and expand a file, start a process, for
# $secs seconds.
work() {
	end=$(($(date +%s) + secs))
	n=0
	while [ "$(date +%s)" -lt "$end" ]; do
		gzip -c /tmp/bench/src >"/tmp/bench/out.$1.gz"
		gzip -dc "/tmp/bench/out.$1.gz" | wc -c >/dev/null
		sh -c :
		n=$((n + 1))
	done
	echo "$n" >"/tmp/bench/n.$1"
}

mkdir -p /tmp/bench
grep -q " /tmp tmpfs " /proc/mounts || mount -t tmpfs tmpfs /tmp
mkdir -p /tmp/bench
seq 1 60000 >/tmp/bench/src	# ~350 KiB of text: compresses like source

snap idle begin
sleep "$secs"
snap idle end

workers=$(($(nproc) * 2))
snap load begin
i=0
while [ $i -lt $workers ]; do
	work $i &
	i=$((i + 1))
done
wait
snap load end
total=0
for f in /tmp/bench/n.*; do total=$((total + $(cat "$f"))); done
say "load: $workers workers, $total rounds"
say "done"
