#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot a GRUB ISO under Bochs (Debian's bochs, a second and stricter x86
# emulator than QEMU's TCG) and judge its serial log.
#
# Usage: bochs-run.sh --name SUITE --iso ISO --expect REGEX [--cpu MODEL]
#                     [--timeout SECS] [--fail REGEX]...
#   --cpu MODEL   a Bochs CPU model (e.g. ryzen, corei7_skylake_x, tigerlake);
#                 default: Bochs's configurable CPU with x86_64, NX and SSE2
# KIDE_BOCHS_CPUS in the environment: how many CPUs (default 1).
# Bochs has no isa-debug-exit: the run is judged good when a line matches
# --expect before the timeout (default 900 s) and no line matches a --fail
# pattern; then Bochs is stopped. "<passed> <failed> <skipped>" goes to
# $BUILD/results/SUITE (the ktest counts, plus one failure for a bad run).
# Debian's bochs is built with the RFB display only: it runs headless with
# no client (options "timeout=0") and the debugger's continue command (-rc).
set -uo pipefail
prog=bochs-run.sh
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$(cd "$here/../.." && pwd)/build}
name="" iso="" cpu="" timeout_s=900 expect="" fails=()
while [ $# -gt 0 ]; do
	case $1 in
	--name) name=${2:?}; shift 2 ;;
	--iso) iso=${2:?}; shift 2 ;;
	--cpu) cpu=${2:?}; shift 2 ;;
	--timeout) timeout_s=${2:?}; shift 2 ;;
	--expect) expect=${2:?}; shift 2 ;;
	--fail) fails+=("${2:?}"); shift 2 ;;
	-h | --help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "$prog: unknown argument '$1'" >&2; echo "hint: $prog --help" >&2; exit 2 ;;
	esac
done
[ -n "$name" ] && [ -n "$iso" ] && [ -n "$expect" ] || { echo "$prog: --name, --iso and --expect are needed" >&2; exit 2; }
[ -f "$iso" ] || { echo "$prog: ISO '$iso' not found (make -C os iso)" >&2; exit 2; }
command -v bochs >/dev/null || { echo "$prog: bochs is not installed (apt-get install bochs bochsbios vgabios)" >&2; exit 2; }
work=$(mktemp -d)
bpid=""
cleanup() {
	[ -n "$bpid" ] && kill "$bpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
log=$BUILD/os/logs/$name.log
mkdir -p "$(dirname "$log")" "$BUILD/results"
if [ -n "$cpu" ]; then
	cpuline="cpu: model=$cpu, count=${KIDE_BOCHS_CPUS:-1}, ips=50000000, reset_on_triple_fault=0"
else
	cpuline="cpu: count=${KIDE_BOCHS_CPUS:-1}, ips=50000000, reset_on_triple_fault=0
cpuid: x86_64=1, level=6, mmx=1, sep=1, simd=sse2, aes=0, movbe=0, xsave=0, apic=xapic"
fi
cat >"$work/bochsrc" <<EOF
megs: 256
$cpuline
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path=$(cd "$(dirname "$iso")" && pwd)/$(basename "$iso"), status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$work/serial.log
display_library: rfb, options="timeout=0"
sound: driver=dummy
speaker: enabled=0
log: $work/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
clock: sync=none, time0=local
EOF
echo c >"$work/rc"
: >"$work/serial.log"
echo "$prog: $name: booting $(basename "$iso") under Bochs ${cpu:-(configurable CPU)} (timeout ${timeout_s}s)"
(cd "$work" && exec bochs -q -f bochsrc -rc rc </dev/null >"$work/bochs.out" 2>&1) &
bpid=$!
verdict=timeout
deadline=$((SECONDS + timeout_s))
while [ $SECONDS -lt $deadline ]; do
	if grep -aqE -- "$expect" "$work/serial.log"; then verdict=good; break; fi
	for re in "${fails[@]}"; do
		grep -aqE -- "$re" "$work/serial.log" && verdict="forbidden line: $(grep -aE -m1 -- "$re" "$work/serial.log")"
	done
	[ "$verdict" = timeout ] || break
	kill -0 "$bpid" 2>/dev/null || { verdict="Bochs exited early: $(tail -n 2 "$work/bochs.out" | tr '\n' ' ')"; break; }
	sleep 1 # polling the log for the condition, bounded by the deadline
done
kill "$bpid" 2>/dev/null
wait "$bpid" 2>/dev/null
bpid=""
tr -d '\r' <"$work/serial.log" | grep -av '^DBG lo:' >"$log"
passed=$(grep -cE '^ktest: [^ ]+: ok$' "$log")
failed=$(grep -cE '^ktest: [^ ]+: FAIL' "$log")
skipped=$(grep -cE '^ktest: [^ ]+: skip' "$log")
[ "$verdict" = good ] || failed=$((failed + 1))
[ "$verdict" = good ] && [ "$passed" = 0 ] && passed=1
echo "$passed $failed $skipped" >"$BUILD/results/$name"
echo "$prog: $name: $passed passed, $failed failed, $skipped skipped ($verdict, log $log)"
[ "$verdict" = good ] && [ "$failed" = 0 ]
