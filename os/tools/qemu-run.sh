#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot the Kide kernel with boot modules in QEMU and judge the run.
#
# Usage: qemu-run.sh [options] ROOT-MODULE [MODULE...]
#   A module is "path [args]"; the first is the root task. Modules are passed
#   to the kernel by Multiboot (-initrd), under their file names.
# Options:
#   --name NAME      suite name: the result goes to $BUILD/results/NAME (default: qemu)
#   --kernel FILE    the kernel (default: $BUILD/os/kernel/kide.bin)
#   --cdrom ISO      boot this GRUB ISO instead (it carries kernel and modules)
#   --uefi           boot under UEFI firmware (OVMF) instead of SeaBIOS; needs
#                    --cdrom (QEMU's -kernel loads Multiboot under BIOS only).
#                    OVMF's code is read-only, its variables a per-run copy;
#                    $KIDE_OVMF_CODE/$KIDE_OVMF_VARS pick other files
#   --machine TYPE   QEMU machine type, e.g. q35 (default $KIDE_QEMU_MACHINE, else
#                    QEMU's default, pc)
#   --cpu MODEL      CPU model, e.g. Skylake-Server, EPYC, qemu64,+x2apic (default
#                    $KIDE_QEMU_CPU, else QEMU's default, qemu64)
#   --smp N          CPUs (default 1)
#   --mem SIZE       RAM, e.g. 8G (default 256M)
#   --qemu-arg ARG   one more QEMU argument, e.g. --qemu-arg -numa (repeatable, in order)
#   --timeout SECS   kill QEMU after this long; a hang is a failure (default 120)
#   --expect REGEX   a line matching REGEX (extended) must appear (repeatable)
#   --fail REGEX     no line may match REGEX (repeatable), e.g. 'kide: panic'
#   --log FILE       serial log (default: $BUILD/os/logs/NAME.log)
#   --quiet          do not copy the serial log to stdout while it runs
# Judgement: QEMU must exit with 33 (isa-debug-exit 0x10), every --expect must
# match and no --fail may. Lines 'ktest: <test>: ok|FAIL|skip' are counted;
# "<passed> <failed> <skipped>" goes to the result file, plus one failure for
# a hang, a bad exit status, a --fail match or a missing --expect (and one
# pass for a run that is judged good but prints no ktest lines).
# Exit status: 0 when the run is judged good, 1 otherwise, 2 on usage errors.
set -uo pipefail

prog=qemu-run.sh
die_usage() {
	echo "$prog: $1" >&2
	echo "hint: $prog --name NAME --kernel kide.bin --smp N ROOT.elf [MODULE...]" >&2
	exit 2
}

here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$(cd "$here/../.." && pwd)/build}
name=qemu kernel="" cdrom="" uefi=0 smp=1 mem=256M timeout_s=120 log="" quiet=0
machine=${KIDE_QEMU_MACHINE:-} cpu=${KIDE_QEMU_CPU:-}
expects=() fails=() modules=() qargs=()
while [ $# -gt 0 ]; do
	case $1 in
	--name) name=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--cdrom) cdrom=${2:?}; shift 2 ;;
	--uefi) uefi=1; shift ;;
	--machine) machine=${2:?}; shift 2 ;;
	--cpu) cpu=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--qemu-arg) qargs+=("${2:?}"); shift 2 ;;
	--timeout) timeout_s=${2:?}; shift 2 ;;
	--expect) expects+=("${2:?}"); shift 2 ;;
	--fail) fails+=("${2:?}"); shift 2 ;;
	--log) log=${2:?}; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--help | -h) awk 'NR < 3 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; exit 0 ;;
	--*) die_usage "unknown option '$1'" ;;
	*) modules+=("$1"); shift ;;
	esac
done
[ ${#modules[@]} -gt 0 ] || [ -n "$cdrom" ] || die_usage "no modules given (the first is the root task)"
[ -z "$cdrom" ] || [ -f "$cdrom" ] || die_usage "ISO '$cdrom' not found (build it with: make -C os iso)"
[ "$uefi" = 0 ] || [ -n "$cdrom" ] ||
	die_usage "--uefi needs --cdrom ISO (QEMU's -kernel loads Multiboot kernels under BIOS only; build one with: make -C os iso)"
[[ $smp =~ ^[0-9]+$ && $smp -ge 1 ]] || die_usage "--smp needs a positive number, not '$smp'"
[[ $mem =~ ^[0-9]+[MGmg]?$ ]] || die_usage "--mem needs a size such as 256M or 8G, not '$mem'"
[[ $machine =~ ^[A-Za-z0-9._,=-]*$ ]] || die_usage "--machine: bad machine type '$machine' (try: qemu-system-x86_64 -machine help)"
[[ $cpu =~ ^[A-Za-z0-9._,=+-]*$ ]] || die_usage "--cpu: bad CPU model '$cpu' (try: qemu-system-x86_64 -cpu help)"
[[ $timeout_s =~ ^[0-9]+$ && $timeout_s -ge 1 ]] || die_usage "--timeout needs seconds, not '$timeout_s'"
[[ $name =~ ^[A-Za-z0-9._-]+$ ]] || die_usage "--name may hold letters, digits, . _ - only"
kernel=${kernel:-$BUILD/os/kernel/kide.bin}
[ -f "$kernel" ] || die_usage "kernel '$kernel' not found (build it with: make -C os kernel)"
kernel=$(cd "$(dirname "$kernel")" && pwd)/$(basename "$kernel")
# KIDE_RESULT_TAG (e.g. @kvm) keeps the runs of one suite under each
# accelerator apart (os/Makefile test).
log=${log:-$BUILD/os/logs/$name${KIDE_RESULT_TAG:-}.log}
mkdir -p "$(dirname "$log")" "$BUILD/results"
result=$BUILD/results/$name${KIDE_RESULT_TAG:-}

qemu=$(command -v qemu-system-x86_64) || die_usage "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"

# Modules go in under their file names, from a scratch directory: short names
# fit the boot info's command-line field, and odd characters in build paths
# cannot break QEMU's comma-separated -initrd list.
work=$(mktemp -d)
qpid=""
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
initrd=""
for m in "${modules[@]}"; do
	path=${m%% *}
	args=""
	[ "$path" != "$m" ] && args=" ${m#* }"
	[ -f "$path" ] || die_usage "module '$path' not found"
	case $m in *,*) die_usage "module '$m': commas cannot be passed through -initrd" ;; esac
	base=$(basename "$path")
	ln -sf "$(cd "$(dirname "$path")" && pwd)/$base" "$work/$base"
	initrd+="${initrd:+,}$base$args"
done

# UEFI: OVMF's code as read-only flash, a copy of its variable store in the
# scratch directory (removed at exit), so runs never share or keep state.
fw=()
if [ "$uefi" = 1 ]; then
	fwargs=$("$here/ovmf.sh" "$work") || exit 2
	mapfile -t fw <<<"$fwargs"
fi

accel=$("$here/qemu-accel.sh")
if [ -n "$cdrom" ]; then
	boot=(-cdrom "$(cd "$(dirname "$cdrom")" && pwd)/$(basename "$cdrom")")
	what="$(basename "$cdrom") (GRUB$([ "$uefi" = 1 ] && echo ", UEFI"))"
else
	boot=(-kernel "$kernel" -initrd "$initrd")
	what="$(basename "$kernel"): $initrd"
fi
# The machine: QEMU's defaults (pc, qemu64) unless asked for another.
hw=()
[ -z "$machine" ] || hw+=(-machine "$machine")
[ -z "$cpu" ] || hw+=(-cpu "$cpu")
hw+=("${fw[@]}" "${qargs[@]}")
conf="-smp $smp -m $mem${fw[*]:+ uefi}${machine:+ -machine $machine}${cpu:+ -cpu $cpu}${qargs[*]:+ ${qargs[*]}}"
echo "$prog: $name: booting $what with $conf under $accel (timeout ${timeout_s}s)"

raw=$work/serial.raw
mon=$work/monitor.sock
(
	cd "$work" &&
		exec "$qemu" -accel "$accel" "${hw[@]}" -m "$mem" -smp "$smp" -nographic -no-reboot \
			-monitor "unix:$mon,server,nowait" \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
			"${boot[@]}" </dev/null
) >"$raw" 2>&1 &
qpid=$!
if [ "$quiet" = 0 ]; then
	tail -n +1 -f --pid="$qpid" "$raw" 2>/dev/null | tr -d '\r' &
	tailpid=$!
fi
# Wait for QEMU to end, at most timeout_s (tail --pid is the waiting primitive).
if timeout "$timeout_s" tail --pid="$qpid" -f /dev/null; then
	wait "$qpid"
	status=$?
else
	status=124
	# A hang: record where every CPU is before QEMU goes (kernel RIPs can be
	# looked up with addr2line -e kide.elf).
	python3 - "$mon" >"$work/regs.txt" 2>&1 <<'PY' || true
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
def rd():
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if data.endswith(b"(qemu) "):
                break
    except socket.timeout:
        pass
    return data.decode(errors="replace")
rd()
s.sendall(b"info registers -a\n")
out = rd()
for line in out.splitlines():
    if line.startswith(("CPU#", "RAX", "RSI", "R8", "R12", "RIP", "CS ", "CR0")):
        print(line)
PY
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
fi
qpid=""
[ -n "${tailpid:-}" ] && wait "$tailpid" 2>/dev/null
tr -d '\r' <"$raw" >"$log"
if [ -s "$work/regs.txt" ]; then
	{ echo "=== qemu-run.sh: CPU state at the timeout"; cat "$work/regs.txt"; } >>"$log"
	echo "$prog: $name: CPU state at the timeout:"; grep -E '^(CPU#|RIP)' "$work/regs.txt"
fi

# ---- judge ----
passed=$(grep -cE '^ktest: [^ ]+: ok$' "$log")
failed=$(grep -cE '^ktest: [^ ]+: FAIL' "$log")
skipped=$(grep -cE '^ktest: [^ ]+: skip' "$log")
problems=()
case $status in
33) ;;
124) problems+=("hang: QEMU killed after ${timeout_s}s (CPU state at the end of the log)") ;;
35) problems+=("the root reported failure (QEMU exit 35)") ;;
37) problems+=("kernel panic (QEMU exit 37)") ;;
0) problems+=("QEMU exited with status 0: the machine reset (a triple fault?) before isa-debug-exit") ;;
*) problems+=("QEMU exited with status $status (expected 33)") ;;
esac
for re in "${fails[@]}"; do
	if hit=$(grep -m1 -E -- "$re" "$log"); then
		problems+=("forbidden line: $hit")
	fi
done
for re in "${expects[@]}"; do
	grep -qE -- "$re" "$log" || problems+=("missing line matching '$re'")
done
# the test that was running when the machine died or hung
last=$(grep -E '^ktest: run [^ ]+$' "$log" | tail -1 | sed 's/^ktest: run //')
if [ -n "$last" ] && [ "$status" != 33 ] && [ "$status" != 35 ] &&
	! grep -qE "^ktest: $last: (ok|FAIL|skip)" "$log"; then
	problems+=("test '$last' was running when the machine stopped")
fi
extra=0
[ ${#problems[@]} -gt 0 ] && extra=1
if [ "$extra" = 0 ] && [ "$passed" = 0 ] && [ "$failed" = 0 ]; then
	passed=1 # a run judged good that counts no tests of its own (e.g. the fuzzer)
fi
failed=$((failed + extra))
echo "$passed $failed $skipped" >"$result"
echo "$prog: $name: $passed passed, $failed failed, $skipped skipped (QEMU status $status, $accel, $conf, log $log)"
if [ ${#problems[@]} -gt 0 ]; then
	for p in "${problems[@]}"; do echo "$prog: $name: FAILED: $p"; done
	rerun=(--smp "$smp" --mem "$mem")
	[ -z "$machine" ] || rerun+=(--machine "$machine")
	[ -z "$cpu" ] || rerun+=(--cpu "$cpu")
	for a in "${qargs[@]}"; do rerun+=(--qemu-arg "$a"); done
	[ -z "$cdrom" ] || rerun+=(--cdrom "$cdrom")
	[ "$uefi" = 0 ] || rerun+=(--uefi)
	mods=""
	[ ${#modules[@]} -eq 0 ] || mods=$(printf ' %q' "${modules[@]}")
	echo "hint: read the serial log $log; rerun with: $0 --name $name --kernel $kernel ${rerun[*]}$mods"
	exit 1
fi
[ "$failed" -eq 0 ] || exit 1
exit 0
