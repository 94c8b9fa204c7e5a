#!/usr/bin/env bash
# Start several scripts/run-bochs.sh at the same instant, again and again,
# and check that every Bochs really runs: its serial log must show GRUB's
# "Booting" line, and neither its output nor its log may hold the RFB
# error of a lost port race ("RFB could not bind any port"). Exit statuses
# are not looked at (Bochs's prove nothing). Not part of `make test`: it
# exists to prove that parallel Bochs starts are safe (see run-bochs.sh).
#
# usage: scripts/bochs-start-stress.sh [-n N] [-r ROUNDS] [-t SECONDS]
#                                      [-d MS] [-s SCRIPT] ISO
#
#   -n N        Bochs instances per round (default 4)
#   -r ROUNDS   rounds (default 3)
#   -t SECONDS  how long each instance may take to show GRUB's line
#               (default 180)
#   -d MS       widen the race: every listen() of the instances is delayed
#               by MS milliseconds (an LD_PRELOAD shim built with gcc), so
#               that Bochs's bind()-to-listen() window, microseconds
#               normally, is long enough to be hit every time
#   -s SCRIPT   the runner to stress (default scripts/run-bochs.sh), e.g.
#               an older version of it, to see the race
#
# Logs go to build/bochs-stress/ (round R, instance I: rR.I.log, its
# Bochs log rR.I.log.bochs.log, its output rR.I.out).
set -euo pipefail

n=4 rounds=3 limit=180 delay=0 runner=scripts/run-bochs.sh
while getopts n:r:t:d:s: opt; do
	case "$opt" in
	n) n=$OPTARG ;;
	r) rounds=$OPTARG ;;
	t) limit=$OPTARG ;;
	d) delay=$OPTARG ;;
	s) runner=$(realpath "$OPTARG") ;;
	*) sed -n '9,21{s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] && [ -r "$1" ] || { echo "bochs-start-stress.sh: give one readable ISO" >&2; exit 2; }
iso=$(realpath "$1")
cd "$(dirname "$0")/.."
dir=build/bochs-stress
mkdir -p "$dir"

if [ "$delay" -gt 0 ]; then
	cat >"$dir/delay-listen.c" <<'SHIM'
/* listen() after a delay of $STRESS_LISTEN_DELAY_MS milliseconds. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

int listen(int fd, int backlog)
{
	int (*real)(int, int) = (int (*)(int, int))dlsym(RTLD_NEXT, "listen");
	const char *env = getenv("STRESS_LISTEN_DELAY_MS");
	long ms = env ? atol(env) : 0;
	struct timespec t = { ms / 1000, ms % 1000 * 1000000 };

	nanosleep(&t, NULL);
	return real(fd, backlog);
}
SHIM
	gcc -shared -fPIC -O2 -Wall -o "$dir/delay-listen.so" "$dir/delay-listen.c" -ldl
	shim=$PWD/$dir/delay-listen.so
fi

barrier=$(mktemp "${TMPDIR:-/tmp}/tandem-stress-barrier.XXXXXX")
pids=()
stop_all() {
	for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
}
trap 'stop_all; rm -f "$barrier"' EXIT
trap 'exit 130' INT TERM

fails=0
for r in $(seq 1 "$rounds"); do
	# The instances wait for a shared lock while this script holds it
	# exclusively; releasing it lets them all go at once.
	exec {bfd}>"$barrier"
	flock -x "$bfd"
	for i in $(seq 1 "$n"); do
		log=$dir/r$r.$i.log
		rm -f "$log" "$log.bochs.log" "$dir/r$r.$i.out"
		# Its own process group (setsid), so that stopping it stops Bochs.
		setsid env ${shim:+LD_PRELOAD="$shim" STRESS_LISTEN_DELAY_MS="$delay"} \
			bash -c 'flock -s "$1" true && shift && exec "$@"' _ "$barrier" \
			"$runner" --cpus 2 --log "$log" "$iso" \
			>"$dir/r$r.$i.out" 2>&1 </dev/null {bfd}>&- &
		pids+=("$!")
	done
	sleep 1		# every instance waits on the lock by now
	flock -u "$bfd"
	exec {bfd}>&-
	t0=$SECONDS
	while :; do
		waiting=0
		for i in $(seq 1 "$n"); do
			# Still running and no GRUB line yet.
			if kill -0 "${pids[i - 1]}" 2>/dev/null &&
			   ! grep -aq "Booting " "$dir/r$r.$i.log" 2>/dev/null; then
				waiting=$((waiting + 1))
			fi
		done
		[ "$waiting" -gt 0 ] && [ $((SECONDS - t0)) -lt "$limit" ] || break
		sleep 1
	done
	stop_all
	for i in $(seq 1 "$n"); do
		log=$dir/r$r.$i.log
		if grep -aqs "RFB could not bind" "$log.bochs.log" "$dir/r$r.$i.out"; then
			echo "not ok - round $r instance $i: RFB could not bind ($log.bochs.log)"
			fails=$((fails + 1))
		elif ! grep -aq "Booting " "$log" 2>/dev/null; then
			echo "not ok - round $r instance $i: no GRUB line on serial within $limit s ($log)"
			fails=$((fails + 1))
		else
			echo "ok - round $r instance $i: GRUB booted"
		fi
	done
done
echo "$((rounds * n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
