#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Component benchmark: Kide's component start and idle memory against a Linux
# process in the same QEMU configuration, in the same run.
#
# Usage: component-run.sh PEER OUTDIR
#   PEER    the Linux peer (procstart, musl static: os/bench/component_peer.c)
#   OUTDIR  where the logs and the table (component.md) go
# Kide: boots os/bench/component.yaml (bench-start measures, see
# os/bench/component_start.c); Linux: os/tools/linux-guest.sh runs the peer.
# Environment: BENCH_ROUNDS (100) starts, BENCH_IDLE (10) idle components on Kide
# (core's counters are exact), BENCH_LINUX_IDLE (100) idle processes on Linux
# (MemFree moves in per-CPU page batches: more processes average that out).
set -euo pipefail
usage() { sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//'; }
case ${1:-} in -h | --help) usage; exit 0 ;; esac
[ $# -eq 2 ] || { usage >&2; exit 2; }
peer=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
tools=$here/../tools
BUILD=${BUILD:-$(cd "$here/../.." && pwd)/build}
rounds=${BENCH_ROUNDS:-100} idle=${BENCH_IDLE:-10} lidle=${BENCH_LINUX_IDLE:-100}
[[ $rounds =~ ^[0-9]+$ && $idle =~ ^[0-9]+$ && $lidle =~ ^[0-9]+$ ]] || {
	echo "component-run: BENCH_ROUNDS, BENCH_IDLE and BENCH_LINUX_IDLE must be numbers" >&2
	exit 2
}
[ -x "$peer" ] || { echo "component-run: peer '$peer' not found" >&2; echo "hint: make -C os component-bench builds it" >&2; exit 1; }
mkdir -p "$out"
scn=$out/component.yaml
sed "s/config: {rounds: 100, idle: 10}/config: {rounds: $rounds, idle: $idle}/" "$here/component.yaml" >"$scn"

echo "component-bench: Kide, $rounds starts, $idle idle components"
if ! "$tools/scenario-run.sh" --quiet --no-result --log "$out/component-kide.log" --scenario "$scn" \
	component-bench; then
	echo "component-bench: the Kide run failed (log $out/component-kide.log)" >&2
	exit 1
fi
echo "component-bench: Linux peer, same configuration"
"$tools/linux-guest.sh" --smp 2 --log "$out/component-linux.log" --timeout 600 "$peer" "$rounds" "$lidle"
grep -q '^bench: done' "$out/component-linux.log" || {
	echo "component-bench: the Linux run failed; its log:" >&2
	cat "$out/component-linux.log" >&2
	exit 1
}

field() { # file name key: the value of key=value on the first "bench: name" line
	tr -d '\r' <"$1" | awk -v n="$2" -v k="$3" '
		{ for (i = 1; i < NF; i++) if ($i == "bench:" && $(i + 1) == n) break }
		i < NF { for (j = i + 2; j <= NF; j++) if (index($j, k "=") == 1) { print substr($j, length(k) + 2); exit } }'
}
k=$out/component-kide.log l=$out/component-linux.log
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
accel=$("$tools/qemu-accel.sh")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
{
	echo "Conditions: $(date -u +%Y-%m-%d), host CPU $cpu, $(qemu-system-x86_64 --version | head -1),"
	echo "accel $accel, -smp 2 -m 256M; Linux peer $(basename "$(ls /boot/vmlinuz-* | sort -V | tail -1)");"
	echo "$rounds starts; $idle idle components on Kide, $lidle idle processes on Linux. Kide times with the kernel clock, Linux with CLOCK_MONOTONIC."
	[ "$accel" = tcg ] && echo "Under TCG both guests are emulated: compare ratios, not absolutes."
	echo
	echo "| measurement | Kide min | Kide median | Kide p90 | Linux min | Linux median | Linux p90 | Kide/Linux (median) |"
	echo "|---|---|---|---|---|---|---|---|"
	km=$(field "$k" component_start min) kd=$(field "$k" component_start median) kp=$(field "$k" component_start p90)
	lm=$(field "$l" component_start min) ld=$(field "$l" component_start median) lp=$(field "$l" component_start p90)
	echo "| start to first action (us) | $((km / 1000)) | $((kd / 1000)) | $((kp / 1000)) | $((lm / 1000)) | $((ld / 1000)) | $((lp / 1000)) | $(ratio "$kd" "$ld") |"
	echo
	echo "| idle component | Kide | Linux | Kide/Linux |"
	echo "|---|---|---|---|"
	kr=$(field "$k" idle_component core_ram_bytes) kk=$(field "$k" idle_component core_kpages)
	ku=$(field "$k" idle_component ram_used_bytes) kc=$(field "$k" idle_component caps_used_pages)
	lf=$(field "$l" idle_component memfree_bytes) lr=$(field "$l" idle_component pss_bytes)
	lt=$(field "$l" idle_component pte_bytes)
	kkern=$(((kc + kk) * 4096)) ktot=$((kr + (kc + kk) * 4096)) lkern=$((lf - lr))
	echo "| total, bytes (Kide: core's free RAM + kernel pages; Linux: MemFree) | $ktot | $lf | $(ratio "$ktot" "$lf") |"
	echo "| user memory, bytes (Kide: ram.used at core; Linux: Pss) | $ku | $lr | $(ratio "$ku" "$lr") |"
	echo "| kernel memory, bytes (Kide: caps.used + core's pages, x 4 KiB; Linux: MemFree - Pss, estimate) | $kkern | $lkern | $(ratio "$kkern" "$lkern") |"
	echo
	echo "Linux page tables alone (VmPTE): $lt bytes per process."
} | tee "$out/component.md"
echo "component-bench: table written to $out/component.md"
