#!/usr/bin/env bash
# Installs what Tandem needs to build, run and test on Debian 12.
# Called by `make` targets when a tool is missing, and by .ci/run.
set -euo pipefail

PKGS=(
	gcc make nasm binutils
	grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
	qemu-system-x86 ovmf
	bochs bochsbios vgabios bochs-term
	libcmocka-dev
	clang-format
	python3
	console-setup-linux tesseract-ocr
	# make bench's plot of the HRT experiment (build/bench/hrt.png)
	gnuplot-nox
	# Linux as the ROS (linux/): busybox for the initramfs; the headers
	# tandem.ko is built against (linux-headers-amd64 pulls in
	# linux-headers-6.1.0-NN-amd64, its kbuild and its compiler, gcc-12);
	# libc6-dev for the static tandemctl. The kernel image is not
	# installed: scripts/fetch-linux.sh extracts the matching one into
	# build/linux/.
	busybox-static linux-headers-amd64 libc6-dev
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
