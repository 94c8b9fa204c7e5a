#!/usr/bin/env bash
# The performance table of `make bench`: figures measured in one run, with
# ratios against baselines measured in the same run. Never pass/fail: the
# exit status is non-zero only when a figure could not be measured at all.
#
# usage: scripts/bench.sh [--repeat K] [--only qemu-svm,bochs-vmx,bochs-svm]
#                         [--no-linux | --linux-only]
#
#   --repeat K   boots per median (default 3)
#   --only LIST  only these platforms
#   --no-linux   without the Linux table (scripts/bench_linux.py)
#   --linux-only only the Linux table (then --only native,tandem,xen picks
#                its configurations, --machines pc,q35,bochs its machines)
#   env BENCH_N  calls of each kind the ROS times (default 5000: bench_n=)
#   env BENCH_HRT_N  HRT invokes of each kind (default 200: bench_hrt_n=)
#   env BENCH_BOCHS_IPS  Bochs ips (default 50000000, as scripts/run-bochs.sh)
#
# Has make build what is missing or stale: build/tests/check_header and the
# four ISOs of build/bench/ (Makefile, BENCH_ISOS: Tandem (exit_when_done) +
# "ros bench hrt_cores=2" + the HRT module "hrt", Tandem + "ros" (boot
# timing), the ROS alone with "bench" and without). The emulators run one
# at a time (scripts/bench_table.py); the table goes to the terminal and to
# build/bench/bench.txt, every value to bench.json, serial logs to
# build/bench/logs/.
#
# Then the Linux table (scripts/bench_linux.py --exits): boot time of the
# same Linux alone, as Tandem's ROS and as Xen 4.17's PVH dom0, and
# Tandem's exits while Linux idles and works; it goes to
# build/bench/linux.txt (values in linux.json, logs in build/bench/linux/).
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=build
B=$BUILD/bench
ELF=$BUILD/tandem.elf
N=${BENCH_N:-5000}
case "$N" in ''|*[!0-9]*) echo "bench.sh: BENCH_N must be a number" >&2; exit 2 ;; esac
HN=${BENCH_HRT_N:-200}
case "$HN" in ''|*[!0-9]*) echo "bench.sh: BENCH_HRT_N must be a number" >&2; exit 2 ;; esac

old=1 linux=1 args=()
for a in "$@"; do
	case "$a" in
	--no-linux) linux=0 ;;
	--linux-only) old=0 ;;
	*) args+=("$a") ;;
	esac
done
[ "$old" = 1 ] || [ "$linux" = 1 ] || { echo "bench.sh: nothing to do" >&2; exit 2; }

start=$(date +%s)
mkdir -p "$B"
rc=0
if [ "$linux" = 1 ]; then
	# The kernel and initramfs of the Linux ROS (linux/linux.mk): without
	# them bench_linux.py says what is missing (the initramfs it can make).
	make -k --no-print-directory "$ELF" "$BUILD/linux/vmlinuz" "$BUILD/linux/initrd.img" \
		>"$B/make-linux.log" 2>&1 || echo "bench.sh: Linux inputs incomplete (see $B/make-linux.log)" >&2
fi
[ "$old" = 1 ] || {
	python3 scripts/bench_linux.py --dir "$B" --exits "${args[@]}" || rc=$?
	echo "bench: table saved to $B/linux.txt; $(( $(date +%s) - start )) s in all"
	exit "$rc"
}
make --no-print-directory BENCH_N="$N" BENCH_HRT_N="$HN" \
	"$B/tandem-bench.iso" "$B/tandem-bench-hrt1.iso" "$B/tandem-bench-hrt3.iso" \
	"$B/tandem-boot.iso" "$B/ros-native-bench.iso" "$B/ros-native.iso" \
	"$BUILD/tests/check_header" >"$B/make.log" 2>&1 || {
	cat "$B/make.log" >&2; echo "bench.sh: build failed" >&2; exit 1
}

# Static figures: image sections, the header's core and per-CPU sizes.
read -r text data bss _ < <(size "$ELF" | awk 'NR == 2')
hdr=$("$BUILD/tests/check_header" "$ELF" || true)
core=$(sed -n 's/.*core size \([0-9]*\) bytes = .*/\1/p' <<<"$hdr" | head -n 1)
percpu=$(sed -n 's/.*per-CPU size \([0-9]*\) .*/\1/p' <<<"$hdr" | head -n 1)
if [ -z "$percpu" ]; then	# fall back to the source: PER_CPU_SIZE = 1 << PER_CPU_SHIFT
	shift_=$(awk '$1 == "#define" && $2 == "PER_CPU_SHIFT" { print $3 }' kernel/layout.h)
	[ -z "$shift_" ] || percpu=$((1 << shift_))
fi
j() { [ -n "$1" ] && echo "$1" || echo null; }
cat >"$B/static.json" <<EOF
{"text": $(j "$text"), "data": $(j "$data"), "bss": $(j "$bss"),
 "core_size": $(j "$core"), "per_cpu_size": $(j "$percpu")}
EOF

python3 scripts/bench_table.py --dir "$B" "${args[@]}" || rc=$?
if [ "$linux" = 1 ]; then
	# Only --repeat carries over (--only names the other table's platforms).
	rep=()
	for ((i = 0; i < ${#args[@]}; i++)); do
		case "${args[$i]}" in
		--repeat) rep=(--repeat "${args[$((i + 1))]}") ;;
		--repeat=*) rep=("${args[$i]}") ;;
		esac
	done
	python3 scripts/bench_linux.py --dir "$B" --exits "${rep[@]}" || rc=$?
fi
echo "bench: tables saved to $B/bench.txt and $B/linux.txt; $(( $(date +%s) - start )) s in all"
exit "$rc"
