# shellcheck shell=sh
# Boot checks that need no hypervisor: the same on the native control
# (GRUB boots Linux) and with Linux as Tandem's ROS. Sourced by /init in a
# subshell, with /lib/tap.sh's functions. Options: tinit.cpus=N (the CPUs
# that must be online).

online=$(nproc)
want=$(tinit_opt cpus)
if [ -n "$want" ]; then
	tap_is "nproc: $online CPUs online, tinit.cpus=$want" "$online" "$want"
else
	tap_skip "nproc: $online CPUs online" "no tinit.cpus= on the command line"
fi

tap_is "every present CPU is online ($(cat /sys/devices/system/cpu/present))" \
	"$(cat /sys/devices/system/cpu/online)" "$(cat /sys/devices/system/cpu/present)"

tap_is "/proc/cpuinfo lists each online CPU" \
	"$(grep -c '^processor' /proc/cpuinfo)" "$online"

# A task pinned to each CPU runs there (scheduler IPIs, migration).
bad=
for c in $(seq 0 $((online - 1))); do
	got=$(taskset -c "$c" cat /proc/self/stat | awk '{ print $39 }')
	[ "$got" = "$c" ] || bad="$bad cpu$c:$got"
done
tap_is "a task pinned to each CPU runs on it" "${bad# }" ""

# Local timer interrupts (LOC) on every CPU while it is busy (an idle CPU
# may stop its tick: NO_HZ). Each CPU reads its own LOC count until it
# rose by 3, at most 5000 times: bounded by work, not by time (under
# Bochs the kernel's TSC-based clock runs far slower than its timers).
tick='BEGIN { for (n = 0; n < 5000; n++) {
		while ((getline l < "/proc/interrupts") > 0)
			if (l ~ /^ *LOC:/) { split(l, a, " "); v = a[c + 2] }
		close("/proc/interrupts")
		if (n == 0) v0 = v; else if (v - v0 >= 3) { print "cpu" c ": +" v - v0 " after " n " reads"; exit 0 }
	}
	print "cpu" c ": LOC " v0 " -> " v " in " n " reads"; exit 1 }'
# The monotonic clock in ns ("now at N nsecs"; /proc/uptime has 10 ms steps,
# and under Bochs the clock gains less than that in this test).
now() { sed -n 's/^now at \([0-9]*\) nsecs$/\1/p;/^now at/q' /proc/timer_list; }
ns0=$(now)
for c in $(seq 0 $((online - 1))); do
	taskset -c "$c" awk -v c="$c" "$tick" >"/tmp/tick.$c" 2>&1 || echo "stuck" >>"/tmp/tick.$c" &
done
wait
ns1=$(now)
cat /tmp/tick.* | tap_diag
tap_is "local timer ticks on every CPU while it is busy" "$(grep -l stuck /tmp/tick.* | tr '\n' ' ')" ""
tap_check "the monotonic clock advances (${ns0:-?} ns -> ${ns1:-?} ns)" \
	awk -v a="$ns0" -v b="$ns1" 'BEGIN { exit !(a != "" && b - a > 0) }'
tap_diag "uptime: $(cat /proc/uptime)"

cs=/sys/devices/system/clocksource/clocksource0
tap_diag "clocksource: $(cat $cs/current_clocksource) of: $(cat $cs/available_clocksource)"
tap_check "clocksource: the ACPI PM timer is registered" grep -qw acpi_pm $cs/available_clocksource

# A device interrupt through the IOAPIC: the serial port's, which user
# space's writes to the console (ttyS0) raise.
irq=$(awk '/ttyS0/ { s = 0; for (i = 2; i <= n + 1; i++) s += $i; print s }' n="$online" /proc/interrupts)
tap_diag "$(grep ttyS0 /proc/interrupts)"
tap_check "IOAPIC delivers the serial port's interrupt (${irq:-no} ttyS0 interrupts)" \
	test "${irq:-0}" -gt 0
tap_check "serial console: ttyS0 is a console" grep -q '^ttyS0' /proc/consoles

secs=$(cat /sys/class/rtc/rtc0/since_epoch 2>/dev/null)
tap_diag "RTC: $(hwclock -r -f /dev/rtc0 2>&1)"
tap_check "RTC: rtc0 reads a time after 2020 (${secs:-none})" test "${secs:-0}" -gt 1577836800

pci=0
for d in /sys/bus/pci/devices/*; do
	[ -e "$d" ] || continue
	pci=$((pci + 1))
	echo "${d##*/} $(cat "$d/vendor"):$(cat "$d/device") class $(cat "$d/class")"
done >/tmp/pci.txt
tap_diag </tmp/pci.txt
tap_check "PCI: $pci devices, host bridge 0000:00:00.0 among them" \
	test -e /sys/bus/pci/devices/0000:00:00.0

tap_check "ACPI: MADT and FADT tables present" \
	test -e /sys/firmware/acpi/tables/APIC -a -e /sys/firmware/acpi/tables/FACP

# The kernel's own complaints (the words are spelled with a class so this
# file's text, if ever printed, cannot match itself). Known flaws of an
# emulator's CPU model, the same natively and under Tandem, are left out
# whole (from "cut here" to "end trace") and named in a diagnostic:
# - Bochs's corei7_skylake_x gives XSAVE sizes in CPUID leaf 0xd that do
#   not add up ("XSAVE consistency problem"); Linux then does without
#   XSAVE. Only on Bochs's BIOS.
dmesg | awk -v known=/tmp/dmesg.known '
	/\[ cut here \]/ { inblk = 1; blk = $0; next }
	inblk {
		blk = blk "\n" $0
		if ($0 !~ /---\[ end trace/)
			next
		inblk = 0
		if (blk ~ /XSAVE consistency problem/ && blk ~ /BIOS Bochs/) {
			print "known Bochs CPUID flaw: XSAVE consistency problem (leaf 0xd sizes)" > known
			next
		}
		print blk
		next
	}
	{ print }
	END { if (inblk) print blk }' >/tmp/dmesg.rest
bad=$(grep -E '[B]UG:|[O]ops|soft [l]ockup|hard [L]OCKUP|unchecked [M]SR|[W]ARNING: CPU|[C]all Trace|general [p]rotection|failed to boot|[N]ot responding|[c]ut here' /tmp/dmesg.rest | head -n 20)
tap_is "dmesg: no kernel bug, oops, lockup, MSR error or WARN lines" "$(echo "$bad" | grep -c .)" 0
[ -z "$bad" ] || echo "$bad" | tap_diag
[ ! -s /tmp/dmesg.known ] || tap_diag </tmp/dmesg.known

tap_diag "$(grep MemTotal /proc/meminfo), $(uname -r), cmdline: $(cat /proc/cmdline)"
