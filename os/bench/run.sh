#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Kernel benchmark: Kide and its Linux peer in the same QEMU configuration,
# in the same run; prints a table with the ratio and the conditions.
# Usage: run.sh KERNEL_BIN KBENCH_ELF SERVER_ELF IPCBENCH OUTDIR
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: run.sh KERNEL_BIN KBENCH_ELF SERVER_ELF IPCBENCH OUTDIR" >&2; exit 2; }
kernel=$1 kbench=$2 server=$3 peer=$4 out=$5
tools=$(cd "$(dirname "$0")/../tools" && pwd)
n=${BENCH_ITERATIONS:-100000}
smp=2
mkdir -p "$out"
accel=$("$tools/qemu-accel.sh")

echo "bench: Kide, $n iterations, -smp $smp, accel $accel"
set +e
timeout 900 qemu-system-x86_64 -accel "$accel" -m 256M -smp "$smp" -display none -no-reboot \
	-serial "file:$out/kide.log" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$kernel" -initrd "$kbench iterations=$n,$server"
status=$?
set -e
if [ "$status" -ne 33 ] || ! grep -q '^bench: done' "$out/kide.log"; then
	echo "bench: the Kide run failed (QEMU status $status); its log:" >&2
	cat "$out/kide.log" >&2
	exit 1
fi

echo "bench: Linux peer, same configuration"
"$tools/linux-guest.sh" --smp "$smp" --log "$out/linux.log" --timeout 900 "$peer" "$n"
grep -q '^bench: done' "$out/linux.log" || { echo "bench: the Linux run failed; its log:" >&2; cat "$out/linux.log" >&2; exit 1; }

field() { # file name key
	sed -n "s/^bench: $2 .*$3=\([0-9]*\).*/\1/p" "$1" | tr -d '\r' | head -1
}
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
qemu=$(qemu-system-x86_64 --version | head -1)
{
	nested=$(grep -qw hypervisor /proc/cpuinfo && echo "the host is itself a VM" || echo "bare-metal host")
	echo "Conditions: $(date -u +%Y-%m-%d), host CPU $cpu ($nested), $qemu, accel $accel, -smp $smp -m 256M,"
	echo "Linux peer $(basename "$(ls /boot/vmlinuz-* | sort -V | tail -1)"), $n iterations (cross-CPU: $((n / 10)))."
	[ "$accel" = tcg ] && echo "Under TCG the cycle counts are emulated-TSC ticks, not hardware cycles: compare ratios, not absolutes."
	echo
	echo "| measurement | Kide min | Kide median | Linux min | Linux median | Linux/Kide (median) |"
	echo "|---|---|---|---|---|---|"
	for name in null_syscall ipc_roundtrip xcpu_pingpong; do
		km=$(field "$out/kide.log" "$name" min) kd=$(field "$out/kide.log" "$name" median)
		lm=$(field "$out/linux.log" "$name" min) ld=$(field "$out/linux.log" "$name" median)
		[ -n "$kd" ] && [ -n "$ld" ] || continue
		ratio=$(awk -v a="$ld" -v b="$kd" 'BEGIN { printf "%.2f", a / b }')
		echo "| $name | $km | $kd | $lm | $ld | $ratio |"
	done
	# Kide only: a reflected POSIX system call (docs/kernel.md).
	for name in posix_reflect; do
		km=$(field "$out/kide.log" "$name" min) kd=$(field "$out/kide.log" "$name" median)
		[ -n "$kd" ] && echo "| $name (Kide only) | $km | $kd | - | - | - |"
	done
} | tee "$out/kernel.md"
echo "bench: table written to $out/kernel.md"
