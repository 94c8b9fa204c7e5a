# tandem.ko and tandemctl (linux/driver/, linux/tool/): the cell life
# cycle (Tandem's configurations and a Jailhouse description), bad
# inputs, exit statistics, HRT calls from a user process, and Disable last. Sourced by /init with /lib/tap.sh; busybox sh.
#
# Needs Linux booted with memmap=16M$0x6000000 (the cells' memory,
# linux/cells/*.txt) and at least 2 CPUs (the highest one goes to the
# cells). Without Tandem (the native control) only the module's refusal
# is checked and the rest is skipped.
#
# Disable runs last and Tandem is gone afterwards: scripts named after this
# one run on native Linux.
#
# tinit.tandemctl=short (for slow emulators; the default under Bochs's BIOS,
# tinit.tandemctl=full overrides it): one life cycle
# round instead of three, 100 HRT calls in a row instead of 1000.

. /lib/tap.sh

T=/lib/tandem
CELLS=$T/cells
MEM_LINE=06000000-06ffffff
ROUNDS="1 2 3"
NCALLS=1000
# Short by default where Linux itself says it runs on Bochs's BIOS.
TANDEMCTL_DEFAULT=full
dmesg | grep -q 'BIOS Bochs' && TANDEMCTL_DEFAULT=short
if [ "$(tinit_opt tandemctl $TANDEMCTL_DEFAULT)" = short ]; then
	ROUNDS=1
	NCALLS=100
fi

# expect_fail TEXT PATTERN CMD...: CMD must fail with PATTERN in its output.
expect_fail() {
	_t=$1 _p=$2
	shift 2
	if _o=$("$@" 2>&1); then
		tap_not_ok "$_t"
		tap_diag "succeeded: $_o"
		return 1
	fi
	case "$_o" in
	*"$_p"*) tap_ok "$_t" ;;
	*)
		tap_not_ok "$_t"
		tap_diag "got: $_o"
		tap_diag "want: $_p"
		return 1
		;;
	esac
}

# expect_out TEXT PATTERN CMD...: CMD must succeed with PATTERN in its output.
expect_out() {
	_t=$1 _p=$2
	shift 2
	if ! _o=$("$@" 2>&1); then
		tap_not_ok "$_t"
		tap_diag "failed: $_o"
		return 1
	fi
	case "$_o" in
	*"$_p"*) tap_ok "$_t" ;;
	*)
		tap_not_ok "$_t"
		tap_diag "got: $_o"
		tap_diag "want: $_p"
		return 1
		;;
	esac
}

snapshot() { echo "$(tandemctl cell list 2>&1) / $(nproc) CPUs"; }

# unchanged TEXT: cell list and online CPUs are as in $BEFORE.
unchanged() {
	tap_is "$1: nothing changed (cell list, CPUs online)" "$(snapshot)" "$BEFORE"
}

# state_of NAME: the cell's state token in `cell list`.
state_of() { tandemctl cell list 2>/dev/null | awk -v n="$1" '$2 == n { print $3 }'; }

# wait_state NAME STATE: up to 20 s (Bochs is slow).
wait_state() {
	_i=0
	while [ "$_i" -lt 200 ]; do
		[ "$(state_of "$1")" = "$2" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

loc_irqs() { awk '/^ *LOC:/ { s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s }' /proc/interrupts; }

NATIVE_SKIPS="tandemctl info under Tandem
cell life cycle
bad inputs (unknown cell, busy CPU, malformed configurations)
exit statistics
HRT calls from user mode (single, parallel, many in a row)
hvmproc: merge, sum through virtual addresses, signals, unmerge
disable, then Linux runs on without Tandem"

# ---- no Tandem: the module must refuse, one clear line ----
if ! tandemctl info 2>/dev/null | grep -q '^tandem '; then
	tap_diag "$(tandemctl info 2>&1)"
	if insmod $T/tandem.ko 2>/dev/null; then
		tap_not_ok "tandem.ko refuses to load without Tandem"
		rmmod tandem
	else
		line=$(dmesg | grep 'tandem: ' | tail -n 1)
		case "$line" in
		*"tandem: no Tandem hypervisor (CPUID 0x40000000"*)
			tap_ok "tandem.ko refuses to load without Tandem, with one clear line"
			tap_diag "$line" ;;
		*)
			tap_not_ok "tandem.ko refuses to load without Tandem, with one clear line"
			tap_diag "dmesg: $line" ;;
		esac
	fi
	expect_fail "tandemctl info without Tandem: ENODEV" \
		"tandemctl: info: ENODEV: no Tandem hypervisor" tandemctl info
	expect_fail "tandemctl hrt call without Tandem: ENODEV" \
		"tandemctl: hrt call: ENODEV: no Tandem hypervisor" tandemctl hrt call 0
	echo "$NATIVE_SKIPS" | while read -r what; do
		tap_skip "$what" "no Tandem (native control)"
	done
	return 0 2>/dev/null || exit 0
fi

# ---- under Tandem ----
tap_check "tandem.ko loads" insmod $T/tandem.ko
tap_check "/dev/tandem exists" test -c /dev/tandem
expect_out "tandemctl info" "hv_mem 0x" tandemctl info
tandemctl info | tap_diag

NCPU=$(nproc)
K=$((NCPU - 1))
HAVE_HRT=1
tandemctl info | grep -q '^hrt_mem 0x0 ' && HAVE_HRT=0

if ! grep -q "^$MEM_LINE : Reserved" /proc/iomem; then
	tap_not_ok "the cells' memory is reserved (memmap=16M\$0x6000000 on Linux's command line)"
	grep -i -e reserved -e 'System RAM' /proc/iomem | tap_diag
	CELLS_OK=0
elif [ "$K" -lt 1 ]; then
	tap_not_ok "Linux has a CPU to give a cell ($NCPU online)"
	CELLS_OK=0
else
	tap_ok "the cells' memory is reserved, CPU $K goes to the cells"
	CELLS_OK=1
fi

if [ "$CELLS_OK" = 1 ]; then
	BEFORE=$(snapshot)
	tap_diag "before: $BEFORE"

	# -- life cycle, three times: CPU K leaves Linux and comes back --
	for round in $ROUNDS; do
		id=$(tandemctl cell create $CELLS/tiny-cpu$K.cell $CELLS/tiny.bin 2>&1)
		case "$id" in
		[0-9]*) tap_ok "round $round: cell create tiny (id $id)" ;;
		*) tap_not_ok "round $round: cell create tiny"; tap_diag "$id"; break ;;
		esac
		tap_is "round $round: CPU $K is offline in Linux" \
			"$(cat /sys/devices/system/cpu/cpu$K/online)" 0
		expect_out "round $round: cell list shows tiny on CPU $K, shut down until started" \
			"$id tiny shut-down $K" tandemctl cell list
		tap_check "round $round: cell start tiny" tandemctl cell start tiny
		if wait_state tiny shut-down; then
			tap_ok "round $round: tiny ran and shut itself down"
		else
			tap_not_ok "round $round: tiny ran and shut itself down"
			tandemctl cell list | tap_diag
		fi
		if [ "$round" = 1 ]; then
			st=$(tandemctl cell stats tiny 2>&1)
			tap_diag "$st"
			hc=$(echo "$st" | awk '$1 == "cpu" { for (i = 1; i < NF; i++) if ($i == "hypercall") print $(i + 1) }')
			if [ -n "$hc" ] && [ "$hc" -gt 0 ]; then
				tap_ok "cell stats tiny: CPU $K counted $hc hypercalls"
			else
				tap_not_ok "cell stats tiny: CPU $K counted hypercalls"
			fi
			st=$(tandemctl cell stats ROS 2>&1)
			echo "$st" | sed 's/^/# ROS /' # exits since boot, for the log
			n=$(echo "$st" | awk '$1 == "cpu" && $6 > 0' | wc -l)
			tap_is "cell stats ROS: every Linux CPU has exits" "$n" "$((NCPU - 1))"
			expect_out "cell stats by id" "cpu $K state running exits" \
				tandemctl cell stats "$id"
			tap_check "cell restart tiny at its restart entry with 3 values" \
				tandemctl cell restart tiny 0x1010 1 2 3
			if wait_state tiny shut-down; then
				tap_ok "tiny ran again after the restart"
			else
				tap_not_ok "tiny ran again after the restart"
			fi
			tap_check "cell restart by id at reset_entry" tandemctl cell restart "$id"
		fi
		tap_check "round $round: cell destroy tiny" tandemctl cell destroy tiny
		tap_is "round $round: CPU $K is back online in Linux" \
			"$(cat /sys/devices/system/cpu/cpu$K/online 2>&1)" 1
		unchanged "round $round: after destroy"
	done

	# -- a CPU Linux has offline already: INIT only, it stays offline --
	if echo 0 >/sys/devices/system/cpu/cpu$K/online; then
		tap_check "CPU $K offline in Linux: cell create tiny on it" \
			tandemctl cell create $CELLS/tiny-cpu$K.cell $CELLS/tiny.bin
		tap_check "cell start tiny" tandemctl cell start tiny
		wait_state tiny shut-down
		tap_check "cell destroy tiny" tandemctl cell destroy tiny
		tap_is "CPU $K stays offline after destroy" \
			"$(cat /sys/devices/system/cpu/cpu$K/online)" 0
		echo 1 >/sys/devices/system/cpu/cpu$K/online
		tap_is "CPU $K comes online again when Linux asks" \
			"$(cat /sys/devices/system/cpu/cpu$K/online)" 1
	else
		tap_not_ok "Linux can take CPU $K offline itself"
	fi
	unchanged "CPU offline in Linux before create"

	# -- bad inputs: each with its error, nothing changed --
	expect_fail "cell start of an unknown name: ENOENT" \
		"tandemctl: cell start: ENOENT: no cell 'nosuch'" tandemctl cell start nosuch
	unchanged "unknown name"
	expect_fail "cell destroy of an unknown id: Tandem's ENOENT" \
		"tandemctl: cell destroy: ENOENT: no cell with id 9" tandemctl cell destroy 9
	expect_fail "cell stats of an unknown cell: ENOENT" \
		"tandemctl: cell stats: ENOENT" tandemctl cell stats nosuch
	expect_fail "cell destroy of the root cell: EINVAL" \
		"tandemctl: cell destroy: EINVAL: the root cell cannot be destroyed" \
		tandemctl cell destroy 0
	unchanged "unknown id, root cell"

	expect_fail "a cell on CPU 0, which Linux keeps: refused" \
		"tandemctl: cell create: EPERM: Linux cannot take CPU 0 offline" \
		tandemctl cell create $CELLS/tiny-cpu0.cell $CELLS/tiny.bin
	unchanged "CPU 0"

	expect_fail "malformed configuration (signature): Tandem's EINVAL" \
		"tandemctl: cell create: EINVAL: not a cell configuration" \
		tandemctl cell create $CELLS/bad-signature-cpu$K.cell $CELLS/tiny.bin
	unchanged "bad signature"
	expect_fail "malformed configuration (memory flag): Tandem's EINVAL, CPU given back" \
		"tandemctl: cell create: EINVAL: Tandem refused the configuration of cell 'badflags'" \
		tandemctl cell create $CELLS/bad-flags-cpu$K.cell $CELLS/tiny.bin
	unchanged "bad memory flag"
	expect_fail "malformed configuration (truncated): EINVAL" \
		"tandemctl: cell create: EINVAL: the configuration is 100 bytes, its header says 144" \
		tandemctl cell create $CELLS/truncated-cpu$K.cell $CELLS/tiny.bin
	unchanged "truncated configuration"
	expect_fail "cell memory that is Linux's RAM: EINVAL" \
		"tandemctl: cell create: EINVAL: memory 0x1000000-0x10fffff (region 0) is Linux's RAM" \
		tandemctl cell create $CELLS/linux-ram-cpu$K.cell $CELLS/tiny.bin
	unchanged "Linux's RAM"
	expect_fail "image outside the cell's RAM: EINVAL" \
		"tandemctl: cell create: EINVAL: image 1" \
		tandemctl cell create $CELLS/tiny-cpu$K.cell $CELLS/tiny.bin@0x200000
	unchanged "image outside the cell"

	if tandemctl cell create $CELLS/spinner-cpu$K.cell $CELLS/spinner.bin >/dev/null &&
		tandemctl cell start spinner; then
		tap_ok "spinner created and started on CPU $K"
		BUSY=$(snapshot)
		expect_fail "a CPU another cell holds: Tandem's EBUSY naming the cell" \
			"tandemctl: cell create: EBUSY: CPU $K is in use by cell 'spinner'" \
			tandemctl cell create $CELLS/tiny-cpu$K.cell $CELLS/tiny.bin
		tap_is "busy CPU: nothing changed" "$(snapshot)" "$BUSY"
		tap_is "spinner runs" "$(state_of spinner)" running
		tap_check "cell destroy spinner (it approves)" tandemctl cell destroy spinner
	else
		tap_not_ok "spinner created and started on CPU $K"
		tandemctl cell destroy spinner >/dev/null 2>&1
	fi
	unchanged "busy CPU, spinner gone"

	if tandemctl cell create $CELLS/deny-cpu$K.cell $CELLS/deny.bin >/dev/null &&
		tandemctl cell start deny; then
		sleep 0.2
		expect_fail "a cell that denies its destruction: EPERM" \
			"tandemctl: cell destroy: EPERM: cell 'deny' denied the request" \
			tandemctl cell destroy deny
		tap_is "denied destroy: deny still runs" "$(state_of deny)" running
		tap_check "the second destroy is approved" tandemctl cell destroy deny
	else
		tap_not_ok "deny created and started on CPU $K"
		tandemctl cell destroy deny >/dev/null 2>&1
	fi
	unchanged "denied destroy"

	# -- a Jailhouse description (guest-abi/ABI.md 12): jhtiny starts in
	# real mode at cpu_reset_address 0, where its image loads by default,
	# finds the JHCOMM region, writes JHOK, its CPU count and the region's
	# flags into its ROOTSHARED page, prints a line (Tandem's log: "cell
	# 'jhtiny': hello from jhtiny in real mode") and writes Jailhouse's
	# shut down (2), which `cell list` must call shut-down, not failed --
	# jh_shared OFFSET: the 32-bit word there, in hex (busybox devmem).
	jh_shared() {
		_v=$(devmem $((JH_SHARED + $1)) 32 2>&1)
		case "$_v" in
		0x*) printf '0x%x\n' "$_v" ;;
		*) echo "devmem: $_v" ;;
		esac
	}
	jh_clear() { devmem $JH_SHARED 32 0 && devmem $((JH_SHARED + 4)) 32 0 &&
		devmem $((JH_SHARED + 8)) 32 0; }
	jh_ran() {
		_m=$(jh_shared 0) _n=$(jh_shared 4) _f=$(jh_shared 8)
		if [ "$_m $_n $_f" = "0x4b4f484a 0x1 0x1" ]; then
			tap_ok "$1"
		else
			tap_not_ok "$1"
			tap_diag "shared page: $_m $_n $_f (want 0x4b4f484a JHOK, 1 CPU, flags 0x1 putc permitted)"
		fi
	}
	JH_SHARED=0x6310000
	if ! jh_clear; then
		tap_not_ok "jhtiny's ROOTSHARED page (0x6310000) is writable through /dev/mem"
	fi
	id=$(tandemctl cell create $CELLS/jh-tiny-cpu$K.cell $CELLS/jhtiny.bin 2>&1)
	case "$id" in
	[0-9]*)
		tap_ok "cell create from a Jailhouse description: jhtiny (id $id), image at cell address 0"
		tap_is "jhtiny: CPU $K is offline in Linux" \
			"$(cat /sys/devices/system/cpu/cpu$K/online)" 0
		expect_out "jhtiny: cell list says shut-down before the start (Jailhouse's 2)" \
			"$id jhtiny shut-down $K" tandemctl cell list
		tap_is "jhtiny: nothing ran before the start" "$(jh_shared 0)" 0x0
		tap_check "cell start jhtiny" tandemctl cell start jhtiny
		if wait_state jhtiny shut-down; then
			tap_ok "jhtiny ran and wrote Jailhouse's shut down (2): cell list says shut-down"
		else
			tap_not_ok "jhtiny ran and wrote Jailhouse's shut down (2): cell list says shut-down"
			tandemctl cell list | tap_diag
		fi
		jh_ran "jhtiny ran in real mode from cpu_reset_address: JHCOMM revision 2, num_cpus 1, putc permitted"
		st=$(tandemctl cell stats jhtiny 2>&1)
		tap_diag "$st"
		hc=$(echo "$st" | awk '$1 == "cpu" { for (i = 1; i < NF; i++) if ($i == "hypercall") print $(i + 1) }')
		if [ -n "$hc" ] && [ "$hc" -ge 31 ]; then
			tap_ok "cell stats jhtiny: its 31 Debug Console Putc calls counted ($hc)"
		else
			tap_not_ok "cell stats jhtiny: its 31 Debug Console Putc calls counted ($hc)"
		fi
		jh_clear
		tap_check "cell restart jhtiny (real mode at cpu_reset_address again)" \
			tandemctl cell restart jhtiny
		wait_state jhtiny shut-down
		jh_ran "jhtiny ran again after the restart"
		tap_check "cell destroy jhtiny" tandemctl cell destroy jhtiny
		tap_is "jhtiny: CPU $K is back online in Linux" \
			"$(cat /sys/devices/system/cpu/cpu$K/online 2>&1)" 1
		;;
	*)
		tap_not_ok "cell create from a Jailhouse description: jhtiny"
		tap_diag "$id"
		;;
	esac
	unchanged "Jailhouse-format cell destroyed"

	# jhtiny where its JHCOMM region is not: it fails at 0x100000 and
	# Cell Get State reads Jailhouse's failed (3; in Tandem's numbering 3
	# is no state at all)
	if tandemctl cell create $CELLS/jh-nocomm-cpu$K.cell $CELLS/jhtiny.bin >/dev/null &&
		tandemctl cell start jhnocomm; then
		if wait_state jhnocomm failed; then
			tap_ok "a Jailhouse-format cell that fails: cell list says failed (Jailhouse's 3)"
		else
			tap_not_ok "a Jailhouse-format cell that fails: cell list says failed (Jailhouse's 3)"
			tandemctl cell list | tap_diag
		fi
		tap_check "cell destroy jhnocomm (failed: not asked)" tandemctl cell destroy jhnocomm
	else
		tap_not_ok "jhnocomm created and started on CPU $K"
		tandemctl cell destroy jhnocomm >/dev/null 2>&1
	fi
	unchanged "failed Jailhouse-format cell destroyed"

	expect_fail "Jailhouse description with a DMA region: Tandem's EINVAL, the translator's reason" \
		"tandemctl: cell create: EINVAL: Tandem refused the Jailhouse description: Jailhouse memory region flag DMA (no IOMMU) (0)" \
		tandemctl cell create $CELLS/jh-bad-dma-cpu$K.cell $CELLS/jhtiny.bin
	unchanged "Jailhouse DMA region"
	expect_fail "Jailhouse description truncated: EINVAL" \
		"tandemctl: cell create: EINVAL: the configuration is 200 bytes, its header says 236" \
		tandemctl cell create $CELLS/jh-truncated-cpu$K.cell $CELLS/jhtiny.bin
	unchanged "truncated Jailhouse description"
	expect_fail "Jailhouse image outside a loadable region (the ROOTSHARED page): EINVAL" \
		"is not inside one loadable, writable region of the Jailhouse description" \
		tandemctl cell create $CELLS/jh-tiny-cpu$K.cell $CELLS/jhtiny.bin@0x10000
	unchanged "Jailhouse image outside a loadable region"
else
	tap_skip "cell life cycle" "no CPU or no reserved memory for cells"
fi

# ---- HRT calls from this user process (0xf00d at CPL 3, no driver) ----
if [ "$HAVE_HRT" = 1 ]; then
	expect_out "hrt state (event copied to a virtual address)" "state IDLE event " \
		tandemctl hrt state
	expect_out "hrt call: CORE on core 0" "result 7" tandemctl hrt call 2 7
	par=$(tandemctl hrt parallel 2 7 2>&1)
	tap_diag "$par"
	bad=$(echo "$par" | awk '$1 == "core" { n++; if ($4 != $2 * 1000 + 7) b++ } END { if (!n || b) print "bad" }')
	if [ -z "$bad" ] && echo "$par" | grep -q '^core 0 result 7$'; then
		tap_ok "hrt parallel: every HRT core answered index * 1000 + 7"
	else
		tap_not_ok "hrt parallel: every HRT core answered index * 1000 + 7"
	fi
	out=$(tandemctl hrt call -n $NCALLS 2 5 2>&1)
	tap_diag "$out"
	case "$out" in
	*"calls $NCALLS ms "*"result 5"*) tap_ok "hrt call: $NCALLS calls in a row, each checked" ;;
	*) tap_not_ok "hrt call: $NCALLS calls in a row, each checked" ;;
	esac
	if [ -f $T/hrt2.elf ]; then
		tap_check "hrt replace with hrt2.elf (image at a virtual address)" \
			tandemctl hrt replace $T/hrt2.elf
		expect_out "the replaced HRT answers VERSION 2" "result 2" tandemctl hrt call 3
	fi
	tap_check "hrt reboot" tandemctl hrt reboot
	expect_out "the rebooted HRT answers" "result 7" tandemctl hrt call 2 7

	# The merge + invoke + signal sequence of a Palacios ROS process
	# (linux/tool/hvmproc.c): one run, one check per step it prints.
	HVMOUT=$(hvmproc 2>&1)
	HVMRC=$?
	echo "$HVMOUT" | tap_diag
	hvm_step() {
		case "$HVMOUT" in
		*"$2"*) tap_ok "hvmproc: $1" ;;
		*) tap_not_ok "hvmproc: $1" ;;
		esac
	}
	hvm_step "signal handler and stack installed from a Linux process (0x40), second install and code 0 refused" \
		"signal handler installed; a second install -1, code 0 -1"
	hvm_step "merge with RDX = 1 refused, state unchanged; merge of this process, polled until IDLE" \
		"merge: RDX = 1 refused (-1, state IDLE); RDX = 0 merged (state IDLE)"
	hvm_step "the HRT sums a buffer through the process's virtual addresses" \
		"sum through this process's virtual addresses: 2098176 (want 2098176"
	hvm_step "a signal the HRT raises runs the process's handler on its stack, with the code" \
		"signal from the HRT: code 0x7171 in this process"
	hvm_step "a signal the process raises itself" "signal from this process: code 0x5151 in this process"
	hvm_step "handler removed, a raise then refused" "signal handler removed; a raise then -1"
	hvm_step "after unmerge the sum fails cleanly (HRT_FN_BAD), the call completes" \
		"unmerged: SUM_VIRTUAL now 0xbad (not merged), state IDLE"
	tap_is "hvmproc: exit status" "$HVMRC" 0
	# Palacios's return, iretq at CPL 3, where it works: Bochs reads an
	# IRET's frame at the CPL; QEMU's TCG reads it as the supervisor,
	# which Linux's SMAP faults (linux/README.md).
	if dmesg | grep -q 'BIOS Bochs'; then
		expect_out "hvmproc iret (Bochs): the same sequence, the handler returns with iretq" \
			"unmerged: SUM_VIRTUAL now 0xbad" hvmproc iret
	fi
else
	tap_skip "HRT calls from user mode (single, parallel, many in a row)" "no HRT (Get Info: hrt_mem 0)"
	tap_skip "hvmproc: merge, sum through virtual addresses, signals, unmerge" "no HRT (Get Info: hrt_mem 0)"
fi

# ---- Disable last: a running cell is destroyed, Linux runs on ----
if [ "$CELLS_OK" = 1 ] &&
	tandemctl cell create $CELLS/spinner-cpu$K.cell $CELLS/spinner.bin >/dev/null &&
	tandemctl cell start spinner; then
	tap_ok "a spinner cell runs on CPU $K before Disable"
fi
expect_out "tandemctl disable" "disabled" tandemctl disable
loc0=$(loc_irqs)
sleep 2
loc1=$(loc_irqs)
if [ -n "$loc0" ] && [ "$loc1" -gt "$loc0" ]; then
	tap_ok "after Disable: timer interrupts go on ($loc0 -> $loc1)"
else
	tap_not_ok "after Disable: timer interrupts go on ($loc0 -> $loc1)"
fi
tap_check "after Disable: a command runs" ls /
tap_is "after Disable: every CPU is Linux's again" "$(nproc)" "$NCPU"
expect_fail "after Disable: the hypervisor CPUID leaves are gone" \
	"tandemctl: info: ENODEV: no Tandem hypervisor" tandemctl info
expect_fail "after Disable: the driver says Tandem is gone" \
	"ENODEV: Tandem was disabled" tandemctl cell list
if dmesg | grep -q -e 'BUG:' -e 'Oops' -e 'soft lockup'; then
	tap_not_ok "after Disable: no BUG, Oops or soft lockup in dmesg"
	dmesg | grep -e 'BUG:' -e 'Oops' -e 'soft lockup' | head -n 5 | tap_diag
else
	tap_ok "after Disable: no BUG, Oops or soft lockup in dmesg"
fi
