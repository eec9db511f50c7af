#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot Debian's Linux kernel in the same QEMU configuration as Kide, with a
# busybox initramfs that runs one static program and powers off. This is the
# peer every OS benchmark measures against.
# Usage: linux-guest.sh --smp N --log FILE --timeout S PROGRAM [ARGS...]
set -euo pipefail
smp=2 log=/dev/stdout timeout=300
while [ $# -gt 0 ]; do
	case $1 in
	--smp) smp=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "linux-guest: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: linux-guest.sh [--smp N] [--log FILE] PROGRAM [ARGS]" >&2; exit 2; }
prog=$1; shift
vmlinuz=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1 || true)
[ -n "$vmlinuz" ] || { echo "linux-guest: no Debian kernel in /boot" >&2; echo "hint: run 'make deps' (package linux-image-amd64)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "linux-guest: /bin/busybox missing" >&2; echo "hint: run 'make deps' (package busybox-static)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev}
cp /bin/busybox "$root/bin/busybox"
for t in sh mount poweroff; do ln -s busybox "$root/bin/$t"; done
cp "$prog" "$root/bin/prog"
{
	echo '#!/bin/sh'
	echo 'mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev'
	echo "/bin/prog $*"
	echo 'echo "linux-guest: program exited with $?"'
	echo 'poweroff -f'
} >"$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

accel=$("$(dirname "$0")/qemu-accel.sh")
echo "linux-guest: $vmlinuz, -smp $smp, accel $accel" >&2
timeout "$timeout" qemu-system-x86_64 -accel "$accel" -m 256M -smp "$smp" -display none -no-reboot \
	-serial "file:$log" -kernel "$vmlinuz" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1 loglevel=1"
