#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot benchmark: the time from QEMU's start to the default platform's first
# state report (hoitaja's "[init] report:" line), against the time from QEMU's
# start to the first user-space output of Debian's Linux kernel (a static
# program in a busybox initramfs, os/tools/linux-guest.sh), in the same QEMU
# configuration (-smp and -m of the default platform), in the same run.
# Both are host wall-clock times measured by this script, so they include
# QEMU's and the firmware's start: compare the ratio. Each is the median of
# RUNS boots (default 5).
# Usage: boot-run.sh IMAGE-DIR PEER-PROGRAM OUTDIR
#   IMAGE-DIR     build/os/images/default (make -C os image SCENARIO=default)
#   PEER-PROGRAM  a static program that prints one line (the Linux peer)
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: boot-run.sh IMAGE-DIR PEER-PROGRAM OUTDIR" >&2; exit 2; }
img=$1 peer=$2 out=$3
tools=$(cd "$(dirname "$0")/../tools" && pwd)
runs=${RUNS:-5}
[ -f "$img/boot.txt" ] && [ -f "$img/machine.txt" ] ||
	{ echo "boot-run: $img is not a scenario image (make -C os image SCENARIO=default)" >&2; exit 2; }
mkdir -p "$out"
accel=$("$tools/qemu-accel.sh")
cpus=$(awk '$1 == "cpus" { print $2 }' "$img/machine.txt")
mib=$(awk '$1 == "ram_mib" { print $2 }' "$img/machine.txt")
kernel=$(cd "$(dirname "$0")/../.." && pwd)/build/os/kernel/kide.bin
kernel=${KERNEL_BIN:-$kernel}

work=$(mktemp -d)
qpid=""
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
initrd=""
while IFS= read -r m; do
	[ -n "$m" ] || continue
	path=${m%% *} args=""
	[ "$path" != "$m" ] && args=" ${m#* }"
	ln -sf "$path" "$work/$(basename "$path")"
	initrd+="${initrd:+,}$(basename "$path")$args"
done <"$img/boot.txt"

# Start a guest with "$@", wait (at most 120 s) for a line matching $1 in its
# serial output, print the milliseconds from the start to that line.
time_to_line() {
	local pattern=$1 log=$2
	shift 2
	: >"$log"
	local t0 t1
	t0=$(date +%s%N)
	(cd "$work" && exec "$@" </dev/null) >"$log" 2>&1 &
	qpid=$!
	local deadline=$((t0 + 120000000000))
	while ! grep -aq -- "$pattern" "$log"; do
		if ! kill -0 "$qpid" 2>/dev/null || [ "$(date +%s%N)" -gt "$deadline" ]; then
			echo "boot-run: no line matching '$pattern' (log $log)" >&2
			kill "$qpid" 2>/dev/null
			qpid=""
			return 1
		fi
		sleep 0.002 # polling the log: the measured event is the line, not the sleep
	done
	t1=$(date +%s%N)
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null || true
	qpid=""
	echo $(((t1 - t0) / 1000000))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The Linux peer: the same initramfs linux-guest.sh builds, booted directly.
vmlinuz=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1 || true)
[ -n "$vmlinuz" ] || { echo "boot-run: no Debian kernel in /boot (make deps)" >&2; exit 1; }
root=$work/root
mkdir -p "$root"/bin
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$peer" "$root/bin/prog"
printf '#!/bin/sh\n/bin/prog\nexec /bin/sh -c "while :; do :; done"\n' >"$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

kide_ms=() linux_ms=()
for i in $(seq "$runs"); do
	kide_ms+=("$(time_to_line '\[init\] report:' "$out/boot-kide.log" \
		qemu-system-x86_64 -accel "$accel" -m "$mib" -smp "$cpus" -display none -nographic \
		-no-reboot -kernel "$kernel" -initrd "$initrd")")
	linux_ms+=("$(time_to_line 'boot-peer: first output' "$out/boot-linux.log" \
		qemu-system-x86_64 -accel "$accel" -m "$mib" -smp "$cpus" -display none -nographic \
		-no-reboot -kernel "$vmlinuz" -initrd "$work/initrd.gz" \
		-append "console=ttyS0 quiet loglevel=1 panic=-1")")
done
k=$(printf '%s\n' "${kide_ms[@]}" | median)
l=$(printf '%s\n' "${linux_ms[@]}" | median)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
nested=$(grep -qw hypervisor /proc/cpuinfo && echo "the host is itself a VM" || echo "bare-metal host")
{
	echo "Conditions: $(date -u +%Y-%m-%d), host CPU $cpu ($nested), $(qemu-system-x86_64 --version | head -1),"
	echo "accel $accel ($("$tools/qemu-accel.sh" --why | sed 's/^[a-z]* (//; s/: kvm-control.*//; s/)$//')), -smp $cpus -m ${mib}M, median of $runs boots each;"
	echo "Linux peer $(basename "$vmlinuz") with a busybox initramfs. Host wall-clock from QEMU's start."
	echo
	echo "| measurement | Kide (ms) | Linux (ms) | Linux/Kide |"
	echo "|---|---|---|---|"
	echo "| QEMU start to first state report / first user-space line | $k | $l | $(awk -v a="$l" -v b="$k" 'BEGIN { printf "%.2f", a / b }') |"
	echo "| every run (ms) | ${kide_ms[*]} | ${linux_ms[*]} | |"
} | tee "$out/boot.md"
echo "boot-run: table written to $out/boot.md"
