#!/usr/bin/env bash
# Extracts Debian 12's kernel into OUTDIR (default build/linux): the
# linux-image-6.1.0-NN-amd64 that matches the installed linux-headers-amd64
# (tandem.ko is built against those headers, so the kernel must be the same
# version). Nothing is installed: `apt-get download` fetches the package
# into a temporary directory and `dpkg -x` unpacks it there.
#
# usage: fetch-linux.sh [OUTDIR]
#        fetch-linux.sh --kver     only print the version (6.1.0-NN-amd64)
#
# Writes OUTDIR/vmlinuz (the bzImage) and OUTDIR/KVER (e.g. 6.1.0-57-amd64,
# one line). Prints one line starting "fetch-linux: " and exits 1 when
# something is missing or apt cannot fetch the image.
set -euo pipefail

kver_only=0
if [ "${1-}" = --kver ]; then
	kver_only=1
	shift
fi
out=${1:-build/linux}

die() {
	echo "fetch-linux: $*" >&2
	exit 1
}

# linux-headers-amd64 (the meta-package) depends on exactly one
# linux-headers-<KVER> (= version); KVER is what the image is named by.
deps=$(dpkg-query -W -f='${Status}|${Depends}' linux-headers-amd64 2>/dev/null) ||
	die "linux-headers-amd64 is not installed (run scripts/install-deps.sh)"
case "$deps" in
*"ok installed|"*) ;;
*) die "linux-headers-amd64 is not installed (run scripts/install-deps.sh)" ;;
esac
kver=$(printf '%s\n' "${deps#*|}" | tr ',' '\n' |
	sed -n 's/^ *linux-headers-\([0-9][^ ]*-amd64\).*/\1/p' | head -n 1)
[ -n "$kver" ] || die "cannot find the kernel version in linux-headers-amd64's dependencies: ${deps#*|}"
if [ "$kver_only" = 1 ]; then
	echo "$kver"
	exit 0
fi
[ -d "/usr/src/linux-headers-$kver" ] ||
	die "/usr/src/linux-headers-$kver missing (run scripts/install-deps.sh)"
# The exact package version of the headers, so the image is the same build.
pver=$(dpkg-query -W -f='${Version}' "linux-headers-$kver" 2>/dev/null) ||
	die "linux-headers-$kver is not installed"

pkg=linux-image-$kver
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fetch-linux.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt-get download as root warns that the _apt user cannot write into the
# directory (it then downloads unsandboxed): harmless, filtered out.
if ! (cd "$tmp" && apt-get download -q "$pkg=$pver" 2>&1 |
	{ grep -v -e 'unsandboxed as root' -e '^W: Download is performed' || true; } >"$tmp/apt.log"
	[ "${PIPESTATUS[0]}" -eq 0 ]); then
	cat "$tmp/apt.log" >&2
	die "apt-get download $pkg=$pver failed (no network or the version left the archive? try apt-get update)"
fi
deb=$(find "$tmp" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
[ -n "$deb" ] || die "apt-get download $pkg=$pver left no .deb"
dpkg -x "$deb" "$tmp/root" || die "dpkg -x $deb failed"
[ -f "$tmp/root/boot/vmlinuz-$kver" ] || die "$pkg has no /boot/vmlinuz-$kver"

mkdir -p "$out"
cp "$tmp/root/boot/vmlinuz-$kver" "$out/vmlinuz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
echo "$kver" >"$out/KVER"
echo "fetch-linux: $out/vmlinuz is $pkg $pver"
