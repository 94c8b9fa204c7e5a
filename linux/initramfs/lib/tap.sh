# shellcheck shell=sh
# TAP helpers for the initramfs's test scripts (busybox sh). /init sources
# this file into the shell that runs each /tests/*.sh; a script may source
# it again. One counter across all scripts (kept in $TAP_DIR, as each
# script runs in its own shell); /init prints the plan "1..N" after the
# last script.
#
#   tap_ok TEXT               ok N - TEXT
#   tap_not_ok TEXT           not ok N - TEXT
#   tap_check TEXT CMD...     ok if CMD succeeds, else not ok with its output
#   tap_is TEXT GOT WANT      ok if GOT = WANT (strings), else not ok + diag
#   tap_skip TEXT REASON      ok N - TEXT # SKIP REASON
#   tap_diag TEXT...          "# " before each line of TEXT (stdin if none)
#   tinit_opt NAME [DEFAULT]  the value of tinit.NAME=VALUE on the kernel
#                             command line, else DEFAULT
#
# TEXT must not start with a digit or "#", nor hold a newline.

TAP_DIR=${TAP_DIR:-/run/tap}

_tap_next() {
	mkdir -p "$TAP_DIR"
	_tap_n=$(($(cat "$TAP_DIR/count" 2>/dev/null || echo 0) + 1))
	echo "$_tap_n" >"$TAP_DIR/count"
}

tap_ok() {
	_tap_next
	echo "ok $_tap_n - $*"
}

tap_not_ok() {
	_tap_next
	echo "$(($(cat "$TAP_DIR/failed" 2>/dev/null || echo 0) + 1))" >"$TAP_DIR/failed"
	echo "not ok $_tap_n - $*"
}

tap_diag() {
	if [ $# -gt 0 ]; then
		printf '%s\n' "$*" | sed 's/^/# /'
	else
		sed 's/^/# /'
	fi
}

tap_check() {
	_tap_text=$1
	shift
	if _tap_out=$("$@" 2>&1); then
		tap_ok "$_tap_text"
	else
		tap_not_ok "$_tap_text"
		tap_diag "command: $*"
		[ -z "$_tap_out" ] || printf '%s\n' "$_tap_out" | tail -n 20 | tap_diag
	fi
}

tap_is() {
	if [ "$2" = "$3" ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1"
		tap_diag "got '$2', want '$3'"
	fi
}

tap_skip() {
	_tap_next
	echo "ok $_tap_n - $1 # SKIP $2"
}

# Checks so far, and how many failed (for /init).
tap_count() { cat "$TAP_DIR/count" 2>/dev/null || echo 0; }
tap_failed() { cat "$TAP_DIR/failed" 2>/dev/null || echo 0; }

tinit_opt() {
	read -r _cmdline </proc/cmdline
	for _w in $_cmdline; do
		case "$_w" in
		"tinit.$1="*)
			echo "${_w#*=}"
			return 0
			;;
		esac
	done
	echo "${2-}"
}
