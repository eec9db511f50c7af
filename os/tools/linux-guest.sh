#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot Debian's Linux kernel in the same QEMU configuration as Kide, with a
# busybox initramfs that runs one static program and powers off. This is the
# peer every OS benchmark measures against.
# Usage: linux-guest.sh [--smp N] [--mem SIZE] [--cpu MODEL] [--log FILE]
#                       [--timeout S] [--overlay DIR] PROGRAM [ARGS...]
#   --mem SIZE     guest RAM (QEMU -m, default 256M)
#   --cpu MODEL    QEMU CPU model (default: QEMU's), e.g. qemu64,+rdrand,+rdseed
#                  as a Kide scenario's machine.cpu, so both see the same CPU
#   --overlay DIR  copy DIR's files into the initramfs root as well (e.g. the
#                  programs and input files of tests/posix, whose PROGRAM is a
#                  /bin/sh script that runs them all)
set -euo pipefail
smp=2 mem=256M cpu="" log=/dev/stdout timeout=300 overlay=""
while [ $# -gt 0 ]; do
	case $1 in
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--overlay) overlay=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "linux-guest: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: linux-guest.sh [--smp N] [--mem SIZE] [--cpu MODEL] [--log FILE] [--timeout S] [--overlay DIR] PROGRAM [ARGS]" >&2; exit 2; }
[ -z "$overlay" ] || [ -d "$overlay" ] || { echo "linux-guest: --overlay '$overlay' is not a directory" >&2; exit 2; }
[[ $cpu =~ ^[A-Za-z0-9._,=+-]*$ ]] || { echo "linux-guest: --cpu: bad CPU model '$cpu' (try: qemu-system-x86_64 -cpu help)" >&2; exit 2; }
prog=$1; shift
vmlinuz=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1 || true)
[ -n "$vmlinuz" ] || { echo "linux-guest: no Debian kernel in /boot" >&2; echo "hint: run 'make deps' (package linux-image-amd64)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "linux-guest: /bin/busybox missing" >&2; echo "hint: run 'make deps' (package busybox-static)" >&2; exit 1; }
# No --cpu: $KIDE_QEMU_CPU, as qemu-run.sh and scenario-run.sh take it (so
# os/bench/posix-run.py gives both sides the same model).
[ -n "$cpu" ] || cpu=${KIDE_QEMU_CPU:-}
[[ $cpu =~ ^[A-Za-z0-9._,=+-]*$ ]] || { echo "linux-guest: \$KIDE_QEMU_CPU: bad CPU model '$cpu'" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev}
cp /bin/busybox "$root/bin/busybox"
for t in sh mount poweroff; do ln -s busybox "$root/bin/$t"; done
[ -z "$overlay" ] || cp -a "$overlay/." "$root/"
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
cpuarg=()
[ -z "$cpu" ] || cpuarg=(-cpu "$cpu")
echo "linux-guest: $vmlinuz, -smp $smp -m $mem${cpu:+ -cpu $cpu}, accel $accel" >&2
timeout "$timeout" qemu-system-x86_64 -accel "$accel" -m "$mem" -smp "$smp" "${cpuarg[@]}" -display none -no-reboot \
	-serial "file:$log" -kernel "$vmlinuz" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1 loglevel=1"
