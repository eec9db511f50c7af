#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot a scenario's image in QEMU and judge it by its expect.txt.
#
# Usage: scenario-run.sh [options] NAME
#   NAME             test scenario os/scenarios/tests/NAME.yaml, or the hand-written
#                    image directory os/scenarios/tests/NAME/ (see mk-image.sh)
# Options:
#   --scenario PATH  boot this scenario file or directory instead (NAME then only
#                    names the result and the log)
#   --interactive    boot with the console on this terminal and do not judge
#                    (make run); QEMU ends with Ctrl-a x
#   --no-build       use the image already in build/os/images/... as it is
#   --bin DIR        take the boot modules from DIR (default $BUILD/os/bin)
#   --timeout SECS   override expect.txt's timeout
#   --quiet          do not copy the serial log to stdout while it runs
#   --log FILE       keep the serial log here instead
#   --no-result      record no result (for benchmarks, which are not test suites)
#   --suite SUITE    record the result as $BUILD/results/SUITE and the log as
#                    $BUILD/os/logs/SUITE.log (default: scenario-NAME)
#   --judge EXPECT LOG  boot nothing: judge the serial log LOG by the expect.txt
#                    EXPECT as a run would (no NAME; for tests of the judge)
# The machine (default: the scenario's machine: cpus and ram, on QEMU's
# default machine type and CPU model):
#   --machine TYPE   QEMU machine type, e.g. q35 (default $KIDE_QEMU_MACHINE)
#   --cpu MODEL      CPU model, e.g. Skylake-Server, EPYC, qemu64,+x2apic (default
#                    $KIDE_QEMU_CPU, else the scenario's machine.cpu)
#   --smp N          CPUs instead of the scenario's machine.cpus
#   --mem SIZE       RAM instead of the scenario's machine.ram, e.g. 8G
#   --qemu-arg ARG   one more QEMU argument (repeatable, in order), e.g. -numa
#   --uefi           boot the image's GRUB ISO (mk-image.sh --iso) under UEFI
#                    firmware (OVMF, os/tools/ovmf.sh) instead of -kernel under SeaBIOS
# The image goes to $BUILD/os/images/tests/NAME (or images/NAME with --scenario),
# the serial log to $BUILD/os/logs/SUITE.log, and "<passed> <failed>
# <skipped>" (1 0 0 or 0 1 0) to $BUILD/results/SUITE; 0 0 1, with the line
# "SUITE: skipped: <why>", when a boot module could not be built here
# (mk-image.sh exit 3: a NAME.unavailable file beside the modules says why).
# Judgement (expect.txt, docs/formats/scenario.md): only attributable serial
# lines count: "[label] text" (core prints a component's LOG so, label
# [a-z0-9-] names joined by '/', text escaped) or "core: ", "kide: ", "krt: "
# (only core and the kernel print those); anything else (firmware, torn
# lines) is ignored. Every `log` line must appear, in order, each as a whole
# later line than the one before (one ending in "..." as its start); a
# component line with "FAIL " in its text, or a line starting "kide: panic",
# "core: panic" or "krt: panic" fails at once; `exit success|failure` needs
# QEMU's isa-debug-exit status 33|35, `exit none` stops QEMU as soon as the
# last line appeared; reaching the timeout fails.
# Exit status: 0 when judged good, 1 otherwise, 2 on usage errors.
set -euo pipefail

prog=scenario-run.sh
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
usage() { awk 'NR < 3 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }
die_usage() {
	echo "$prog: $1" >&2
	echo "hint: $prog NAME runs os/scenarios/tests/NAME.yaml; see $prog --help" >&2
	exit 2
}

# The judge: reads the serial log on stdin, prints its verdict as the first
# line ("ok", "fail LINE", "missing WANT", "unattributable WANT") and may stop
# reading early. Variables: expect (expect.txt), exit_mode (none: "ok" as soon
# as every line appeared), quiet (0: copy the log to stderr).
# shellcheck disable=SC2016 # awk's $0, not the shell's
judge_prog='
	# Length of the source prefix of an attributable line, else 0.
	function source(s) {
		if (match(s, /^\[[a-z0-9-]+(\/[a-z0-9-]+)*\] /)) return RLENGTH
		if (match(s, /^(core|kide|krt): /)) return RLENGTH
		return 0
	}
	function matches(line, w,   p) {
		if (w ~ /\.\.\.$/) {
			p = substr(w, 1, length(w) - 3)
			return substr(line, 1, length(p)) == p
		}
		return line == w
	}
	BEGIN {
		n = 0
		while ((getline l < expect) > 0)
			if (l ~ /^log /) {
				want[n] = substr(l, 5)
				if (!source(want[n])) { print "unattributable " want[n]; fflush(); exit }
				n++
			}
		i = 0
		if (n == 0 && exit_mode == "none") { print "ok"; fflush(); exit }
	}
	{
		sub(/\r+$/, "")
		if (!quiet) { print "| " $0 > "/dev/stderr"; fflush("/dev/stderr") }
		k = source($0)
		if (!k) next
		if ((substr($0, 1, 1) == "[" && index(substr($0, k + 1), "FAIL ")) ||
		    $0 ~ /^(kide|core|krt): panic/) {
			print "fail " $0; fflush(); exit
		}
		if (i < n && matches($0, want[i])) {
			i++
			if (i == n && exit_mode == "none") { print "ok"; fflush(); exit }
		}
	}
	END { if (i < n) print "missing " want[i]; else print "ok" }'

log="" no_result=0 bin=$BUILD/os/bin name="" src="" interactive=0 build=1 timeout_s="" quiet=0
suite="" machine=${KIDE_QEMU_MACHINE:-} cpu=${KIDE_QEMU_CPU:-} smp="" mem="" qargs=() uefi=0
while [ $# -gt 0 ]; do
	case $1 in
	--scenario) src=${2:?}; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--no-build) build=0; shift ;;
	--bin) bin=${2:?}; shift 2 ;;
	--timeout) timeout_s=${2:?}; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--log) log=${2:?}; shift 2 ;;
	--no-result) no_result=1; shift ;;
	--suite) suite=${2:?}; shift 2 ;;
	--judge)
		[ $# -ge 3 ] || die_usage "--judge needs EXPECT and LOG"
		{ [ -f "$2" ] && [ -f "$3" ]; } || die_usage "--judge: '$2' or '$3' is not a file"
		verdict=$(awk -v expect="$2" -v exit_mode=whole -v quiet=1 "$judge_prog" <"$3" | head -1) || true
		echo "$prog: $3: $verdict"
		[ "$verdict" = ok ]
		exit
		;;
	--machine) machine=${2:?}; shift 2 ;;
	--cpu) cpu=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--qemu-arg) qargs+=("${2:?}"); shift 2 ;;
	--uefi) uefi=1; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) die_usage "unknown option '$1'" ;;
	*) [ -z "$name" ] || die_usage "one scenario at a time"; name=$1; shift ;;
	esac
done
[ -n "$name" ] || die_usage "no scenario named"
[[ $name =~ ^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$ ]] || die_usage "bad scenario name '$name'"
if [ -n "$src" ]; then
	img=$BUILD/os/images/$name
else
	src=$top/os/scenarios/tests/$name.yaml
	[ -e "$src" ] || src=$top/os/scenarios/tests/$name
	[ -e "$src" ] || die_usage "no scenario os/scenarios/tests/$name.yaml (or directory $name/)"
	img=$BUILD/os/images/tests/$name
fi
[ -z "$timeout_s" ] || [[ $timeout_s =~ ^[0-9]+$ ]] || die_usage "--timeout needs seconds, not '$timeout_s'"
[ -z "$smp" ] || [[ $smp =~ ^[0-9]+$ && $smp -ge 1 ]] || die_usage "--smp needs a positive number, not '$smp'"
[ -z "$mem" ] || [[ $mem =~ ^[0-9]+[MGmg]?$ ]] || die_usage "--mem needs a size such as 256M or 8G, not '$mem'"
[[ $machine =~ ^[A-Za-z0-9._,=-]*$ ]] || die_usage "--machine: bad machine type '$machine' (try: qemu-system-x86_64 -machine help)"
[[ $cpu =~ ^[A-Za-z0-9._,=+-]*$ ]] || die_usage "--cpu: bad CPU model '$cpu' (try: qemu-system-x86_64 -cpu help)"
[ -z "$suite" ] || [[ $suite =~ ^[A-Za-z0-9._-]+$ ]] || die_usage "--suite may hold letters, digits, . _ - only"
suite=${suite:-scenario-${name//\//-}}${KIDE_RESULT_TAG:-} # the tag: see qemu-run.sh
log=${log:-$BUILD/os/logs/$suite.log}
result=$BUILD/results/$suite
mkdir -p "$(dirname "$log")" "$BUILD/results"

record() { # passed failed
	[ "$interactive" = 1 ] || [ "$no_result" = 1 ] || echo "$1 $2 0" >"$result"
}
# Until the run is judged, any exit (a missing image, a QEMU that cannot
# start) counts as a failure.
record 0 1

# A module that could not be built here (mk-image.sh exit 3, e.g. net when
# lwIP's sources are unreachable) makes the scenario skipped, naming why.
if [ "$build" = 1 ]; then
	rc=0
	why=$("$top/os/scenarios/mk-image.sh" --bin "$bin" --out "$img" $([ "$uefi" = 0 ] || echo --iso) "$src" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" = 3 ]; then
		echo "$suite: skipped: ${why#mk-image.sh: }"
		[ "$interactive" = 1 ] || [ "$no_result" = 1 ] || echo "0 0 1" >"$result"
		exit 0
	fi
	[ -z "$why" ] || echo "$why" >&2
	[ "$rc" = 0 ] || exit "$rc"
fi
for f in boot.txt machine.txt; do
	[ -f "$img/$f" ] || { echo "$prog: $img/$f missing" >&2; echo "hint: build the image: $prog $name (without --no-build)" >&2; exit 1; }
done
kernel=$BUILD/os/kernel/kide.bin
[ -f "$kernel" ] || { echo "$prog: kernel '$kernel' not found" >&2; echo "hint: make -C os kernel" >&2; exit 1; }
cpus=$(awk '$1 == "cpus" { print $2 }' "$img/machine.txt")
mib=$(awk '$1 == "ram_mib" { print $2 }' "$img/machine.txt")
# The overrides; QEMU reads a bare -m number as MiB.
cpus=${smp:-$cpus}
ram=${mem:-${mib}M}
hw=()
# machine.type, devices and netdevs of the scenario (kide-scenario checked
# that each is one argument); --machine overrides the type.
[ -n "$machine" ] || machine=$(awk '$1 == "type" { print $2 }' "$img/machine.txt")
[ -z "$machine" ] || hw+=(-machine "$machine")
while read -r key arg; do
	case $key in
	device) hw+=(-device "$arg") ;;
	netdev) hw+=(-netdev "$arg") ;;
	esac
done <"$img/machine.txt"
# machine.cpu of the scenario (e.g. a model with RDRAND for ktls); --cpu
# and $KIDE_QEMU_CPU override it.
[ -n "$cpu" ] || cpu=$(awk '$1 == "cpu" { print $2 }' "$img/machine.txt")
[ -z "$cpu" ] || hw+=(-cpu "$cpu")
hw+=("${qargs[@]}")
# NUMA nodes (machine.numa): the RAM split evenly, CPU c on node c mod numa,
# unless the caller's --qemu-arg already describes the nodes.
numa=$(awk '$1 == "numa" { print $2 }' "$img/machine.txt")
if [ "${numa:-1}" -gt 1 ] && [[ " ${qargs[*]} " != *" -numa "* ]]; then
	[ -z "$mem" ] || [[ $mem =~ ^[0-9]+M?$ ]] || { echo "$prog: --mem '$mem' with machine.numa: give it in MiB (e.g. 512M)" >&2; exit 2; }
	total=${mem:-$mib}
	node_mib=$((${total%M} / numa))
	for ((k = 0; k < numa; k++)); do
		node="node,nodeid=$k,memdev=kide-m$k"
		for ((c = k; c < cpus; c += numa)); do node+=",cpus=$c"; done
		hw+=(-object "memory-backend-ram,id=kide-m$k,size=${node_mib}M" -numa "$node")
	done
fi
conf="-smp $cpus -m $ram${machine:+ -machine $machine}${cpu:+ -cpu $cpu}${qargs[*]:+ ${qargs[*]}}"
[ "${numa:-1}" -le 1 ] || conf+=" numa $numa"

# Modules go in under their file names from a scratch directory (as in
# qemu-run.sh): short names fit the boot info, build paths stay out of the
# comma-separated -initrd list.
work=$(mktemp -d)
qpid="" jpid=""
cleanup() {
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || true
	[ -z "$jpid" ] || kill "$jpid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
initrd=""
while IFS= read -r m; do
	[ -n "$m" ] || continue
	path=${m%% *}
	args=""
	[ "$path" != "$m" ] && args=" ${m#* }"
	base=$(basename "$path")
	ln -sf "$path" "$work/$base"
	initrd+="${initrd:+,}$base$args"
done <"$img/boot.txt"
accel=$("$here/qemu-accel.sh")
qemu=(qemu-system-x86_64 -accel "$accel" "${hw[@]}" -m "$ram" -smp "$cpus" -nographic -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$kernel" -initrd "$initrd")
if [ "$uefi" = 1 ]; then # QEMU's -kernel loads Multiboot under BIOS only: GRUB does it
	[ -f "$img/kide.iso" ] || { echo "$prog: $img/kide.iso missing" >&2; echo "hint: build it: $prog --uefi $name (without --no-build)" >&2; exit 1; }
	fwargs=$("$here/ovmf.sh" "$work") || exit 1
	mapfile -t fw <<<"$fwargs"
	qemu=(qemu-system-x86_64 -accel "$accel" "${hw[@]}" "${fw[@]}" -m "$ram" -smp "$cpus" -nographic
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$img/kide.iso")
	conf+=" uefi"
fi

if [ "$interactive" = 1 ]; then
	echo "Booting scenario $name: $conf under $accel (quit QEMU with Ctrl-a x)"
	cd "$work"
	"${qemu[@]}" || true
	exit 0
fi

[ -f "$img/expect.txt" ] || { echo "$prog: scenario $name has no expect: section" >&2; echo "hint: add 'expect: {log: [...]}' to the scenario" >&2; exit 1; }
exp_timeout=$(awk '$1 == "timeout_ms" { print int(($2 + 999) / 1000) }' "$img/expect.txt")
exp_exit=$(awk '$1 == "exit" { print $2 }' "$img/expect.txt")
timeout_s=${timeout_s:-${exp_timeout:-60}}
exp_exit=${exp_exit:-none}

echo "$prog: $name: booting $initrd with $conf under $accel (timeout ${timeout_s}s)"
raw=$work/serial.raw
: >"$raw"
(cd "$work" && exec "${qemu[@]}" </dev/null) >"$raw" 2>&1 &
qpid=$!

# The judge reads the serial log as it grows and writes its verdict; once
# it has one (all lines seen with exit none, or a failure line), it stops
# QEMU. Otherwise QEMU's own exit or the timeout ends the run.
judge() {
	# tail ends by SIGPIPE once awk has a verdict: not an error here, and the
	# kill below must run whatever happened.
	set +e
	# CRs are stripped in awk: a filter in between (tr) would buffer the stream.
	tail -n +1 -s 0.1 -F --pid="$qpid" "$raw" 2>/dev/null |
		awk -v expect="$img/expect.txt" -v exit_mode="$exp_exit" -v quiet="$quiet" "$judge_prog" \
			>"$work/verdict"
	kill "$qpid" 2>/dev/null || true
}
judge &
jpid=$!
status=0
if timeout "$timeout_s" tail --pid="$qpid" -s 0.1 -f /dev/null; then
	wait "$qpid" || status=$?
else
	status=timeout
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
fi
qpid=""
wait "$jpid" 2>/dev/null || true
jpid=""
tr -d '\r' <"$raw" >"$log"
verdict=$(head -1 "$work/verdict" 2>/dev/null || true)

problems=()
case $verdict in
ok) ;;
fail*) problems+=("failure line: ${verdict#fail }") ;;
missing*) problems+=("missing line (in order): '${verdict#missing }'") ;;
unattributable*) problems+=("expected line '${verdict#unattributable }' names no source: start it with '[label] ' or 'core: ' (docs/formats/scenario.md)") ;;
*) problems+=("no verdict from the log judge") ;;
esac
# With `exit none` the log alone decides: the judge stopped QEMU (or the
# guest ended by itself after every line appeared).
case $exp_exit:$status in
*:timeout) problems+=("hang: no verdict within ${timeout_s}s") ;;
none:* | success:33 | failure:35) ;;
success:*) problems+=("expected exit success (QEMU status 33), got status $status") ;;
failure:*) problems+=("expected exit failure (QEMU status 35), got status $status") ;;
esac
if [ ${#problems[@]} -eq 0 ]; then
	record 1 0
	echo "$prog: $name: passed ($accel, $conf, log $log)"
	exit 0
fi
record 0 1
{
	for p in "${problems[@]}"; do echo "$prog: $name: FAILED: $p"; done
	echo "--- last lines of $log:"
	tail -n 30 "$log"
	rerun=()
	[ -z "$smp" ] || rerun+=(--smp "$smp")
	[ -z "$mem" ] || rerun+=(--mem "$mem")
	[ -z "$machine" ] || rerun+=(--machine "$machine")
	[ -z "$cpu" ] || rerun+=(--cpu "$cpu")
	for a in "${qargs[@]}"; do rerun+=(--qemu-arg "$a"); done
	[ "$uefi" = 0 ] || rerun+=(--uefi)
	echo "hint: read the serial log $log; rerun with: $0 ${rerun[*]:+${rerun[*]} }$name"
} >&2
exit 1
