#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run the kernel suite and the platform scenario on every machine of the matrix.
#
# Usage: test-matrix.sh [--list] [--only NAME[,NAME...]] [--timeout SECS]
#   --list          print the configurations and exit
#   --only NAMES    run only these configurations (comma-separated)
#   --timeout SECS  per kernel-suite run (default 300; TCG with 16 CPUs is slow)
# Configurations (QEMU options as qemu-run.sh and scenario-run.sh take them):
#   pc           --smp 2                       QEMU's defaults: pc (i440FX), qemu64
#   q35          --machine q35 --smp 2         PCIe chipset, ECAM, its own MADT and IRQ overrides
#   skylake      --cpu Skylake-Server --smp 2  Intel server CPU model (x2APIC, if QEMU offers it)
#   epyc         --cpu EPYC --smp 2            AMD server CPU model
#   smp16        --smp 16                      KIDE_MAX_CPUS CPUs: trampoline, per-CPU stacks
#   mem8g        --mem 8G --smp 2              RAM above 4 GiB, the PCI hole at 3-4 GiB
#   q35-8g       --machine q35 --mem 8G --smp 2  q35's 2 GiB of low RAM, the rest above 4 GiB
#   x2apic       --cpu qemu64,+x2apic --smp 2  x2APIC where QEMU offers it (TCG in QEMU 7.2
#                                              does not: the kernel must then use xAPIC)
#   subset       --machine q35 --cpu Skylake-Server --smp 4 --mem 8G
#                                              all of it at once (make -C os matrix-subset)
#   uefi         --uefi --machine q35 --mem 8G --smp 4
#                UEFI firmware (OVMF): the kernel suite's ISO ($BUILD/os/kide-ktest.iso)
#                and the platform scenario's ISO, loaded by GRUB's multiboot2; the
#                kernel must get the ACPI 2.0 RSDP from the loader (no BIOS area)
#   numa         --smp 2 --mem 512M, two NUMA nodes (QEMU memory backends of 256M,
#                CPU n on node n): the kernel must read both from the ACPI SRAT
#                ("kide: numa: 2 nodes: ..."), core must report both (platform)
#   over-max     --smp 20: more CPUs than KIDE_MAX_CPUS; the kernel must say it uses
#                the first 16 (kernel suite only, its null test)
#   madt-x2      --smp 2 plus an extra MADT (-acpitable) of x2APIC entries (type 9):
#                duplicates of both CPUs, an id of 300, a disabled and an invalid one;
#                the kernel must count 3 CPUs, start 2 and name the one it cannot
#                reach in xAPIC mode (kernel suite only, its null test)
#   no-lm        -cpu qemu32, a CPU without long mode: the kernel must say so on
#                COM1 and stop with the panic status, not reset (kernel only)
#   bochs        the kernel suite's ISO under Bochs (a stricter emulator), its
#                configurable CPU with xAPIC, 1 CPU (make -C os bochs-test)
#   bochs-x2apic the same under Bochs's corei7_skylake_x with 4 CPUs, in x2APIC mode
#                (the only emulator here that has it); both skipped without bochs
# Each configuration runs the suites matrix-NAME-ktest (ktest-root.elf and
# ktest-helper.elf, judged by qemu-run.sh) and matrix-NAME-platform
# (os/scenarios/tests/platform.yaml by scenario-run.sh, with the
# configuration's CPUs and RAM instead of the scenario's); results go to
# $BUILD/results/<suite>, logs to $BUILD/os/logs/<suite>.log, both with
# $KIDE_RESULT_TAG appended (e.g. @tcg) as the runners do. Every kernel
# run must also report the local APIC mode CPUID implies: "x2APIC mode" when
# the boot log's cpu line lists x2apic, else "xAPIC mode".
# KIDE_QEMU_MACHINE / KIDE_QEMU_CPU do not apply: each configuration names its
# machine. Needs the build (make -C os test-matrix builds it first).
# Exit status: 0 when every suite passed, 1 otherwise, 2 on usage errors.
set -uo pipefail

prog=test-matrix.sh
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
export BUILD
usage() { awk 'NR < 3 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }
die_usage() {
	echo "$prog: $1" >&2
	echo "hint: $prog --list shows the configurations; $prog --help" >&2
	exit 2
}

# name|options (the platform scenario gets them too; empty: kernel suite only)
configs=(
	"pc|--smp 2"
	"q35|--machine q35 --smp 2"
	"skylake|--cpu Skylake-Server --smp 2"
	"epyc|--cpu EPYC --smp 2"
	"smp16|--smp 16"
	"mem8g|--mem 8G --smp 2"
	"q35-8g|--machine q35 --mem 8G --smp 2"
	"x2apic|--cpu qemu64,+x2apic --smp 2"
	"subset|--machine q35 --cpu Skylake-Server --smp 4 --mem 8G"
	"uefi|--uefi --machine q35 --mem 8G --smp 4"
	"numa|--smp 2 --mem 512M --qemu-arg -object --qemu-arg memory-backend-ram,id=m0,size=256M --qemu-arg -object --qemu-arg memory-backend-ram,id=m1,size=256M --qemu-arg -numa --qemu-arg node,nodeid=0,cpus=0,memdev=m0 --qemu-arg -numa --qemu-arg node,nodeid=1,cpus=1,memdev=m1"
	"over-max|special"
	"madt-x2|special"
	"no-lm|special"
	"bochs|special"
	"bochs-x2apic|special"
)

only="" timeout_s=300
while [ $# -gt 0 ]; do
	case $1 in
	--list) for c in "${configs[@]}"; do echo "${c%%|*}: ${c#*|}"; done; exit 0 ;;
	--only) only=${2:?}; shift 2 ;;
	--timeout) timeout_s=${2:?}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) die_usage "unknown argument '$1'" ;;
	esac
done
[[ $timeout_s =~ ^[0-9]+$ && $timeout_s -ge 1 ]] || die_usage "--timeout needs seconds, not '$timeout_s'"
for n in ${only//,/ }; do
	found=0
	for c in "${configs[@]}"; do [ "${c%%|*}" = "$n" ] && found=1; done
	[ "$found" = 1 ] || die_usage "no configuration '$n'"
done
# The configurations name their machine; an inherited default would mix in.
unset KIDE_QEMU_MACHINE KIDE_QEMU_CPU

kt=$BUILD/os/ktest
kernel=$BUILD/os/kernel/kide.bin
iso=$BUILD/os/kide-ktest.iso
for f in "$kernel" "$kt/ktest-root.elf" "$kt/ktest-helper.elf"; do
	[ -f "$f" ] || { echo "$prog: $f missing" >&2; echo "hint: make -C os test-matrix (builds first)" >&2; exit 2; }
done
mkdir -p "$BUILD/results" "$BUILD/os/logs"
tag=${KIDE_RESULT_TAG:-} # the runners append it to suite names (qemu-run.sh)
res() { echo "$BUILD/results/$1$tag"; }
logf() { echo "$BUILD/os/logs/$1$tag.log"; }
fail_args=(--fail 'kide: panic' --fail 'krt: panic' --fail 'KERNEL PANIC')
summary=()
rc=0

# Add one failure to a suite's result (a check made after its runner).
add_failure() { # suite why
	local r p=0 f=0 s=0
	r=$(res "$1")
	[ -f "$r" ] && read -r p f s <"$r"
	echo "$p $((f + 1)) $s" >"$r"
	echo "$prog: $1: FAILED: $2"
}

# The local APIC mode must follow CPUID (cpu_check's line lists x2apic).
check_apic_mode() { # suite log
	local want="xAPIC mode"
	grep -qE '^kide: cpu: .* x2apic( |$)' "$2" && want="x2APIC mode"
	grep -q "CPU(s) listed, $want" "$2" || add_failure "$1" "the kernel did not report '$want' (log $2)"
}

# The numa configuration: the kernel read two nodes from the SRAT, CPU n on
# node n; in the platform run core reports both too.
check_numa() { # suite
	local l
	l=$(logf "$1")
	grep -qE '^kide: numa: 2 nodes: node 0: CPUs 0, [0-9]+ MiB; node 1: CPUs 1, [0-9]+ MiB$' "$l" ||
		add_failure "$1" "the kernel did not report 2 NUMA nodes (log $l)"
	[[ $1 != *-platform ]] || grep -q '^core: numa: 2 nodes: node 0: .*; node 1: ' "$l" ||
		add_failure "$1" "core did not report 2 NUMA nodes (log $l)"
}

run_ktest() { # suite root-args qemu-run options...
	local suite=$1 root=$2 boot=()
	shift 2
	# Under UEFI the kernel suite boots from its ISO (the same two modules,
	# root-args cannot apply); the RSDP must then come from the loader.
	if [[ " $* " == *" --uefi "* ]]; then
		[ -f "$iso" ] || { echo "$prog: $iso missing (make -C os iso)"; echo "0 1 0" >"$(res "$suite")"; return 1; }
		boot=(--cdrom "$iso" --expect 'kide: Multiboot 2: .*, ACPI 2.0 RSDP')
	fi
	"$here/qemu-run.sh" --quiet --name "$suite" --kernel "$kernel" --timeout "$timeout_s" \
		--expect 'ktest: [0-9]+ passed, 0 failed' "${fail_args[@]}" "${boot[@]}" "$@" \
		"$kt/ktest-root.elf${root:+ $root}" "$kt/ktest-helper.elf"
	local st=$?
	[ -f "$(res "$suite")" ] || echo "0 1 0" >"$(res "$suite")"
	check_apic_mode "$suite" "$(logf "$suite")"
	return $st
}

run_platform() { # suite scenario-run options...
	local suite=$1
	shift
	"$top/os/tools/scenario-run.sh" --quiet --suite "$suite" "$@" platform
}

# An extra MADT of x2APIC (type 9) entries: id, flags. QEMU adds it to the
# XSDT beside its own MADT, so the kernel reads both.
madt_x2() { # out
	python3 - "$1" <<'PY'
import struct, sys
ents = b""
for xid, flags in [(0, 1), (1, 1), (300, 1), (301, 0), (0xFFFFFFFF, 1)]:
    ents += struct.pack("<BBHIII", 9, 16, 0, xid, flags, xid & 0xFFFF)
body = struct.pack("<II", 0xFEE00000, 1) + ents
hdr = struct.pack("<4sIBB6s8sI4sI", b"APIC", 36 + len(body), 4, 0, b"KIDE  ",
                  b"KIDEX2AP", 1, b"KIDE", 1)
t = bytearray(hdr + body)
t[9] = (-sum(t)) & 0xFF
open(sys.argv[1], "wb").write(t)
PY
}

run_special() { # name
	local s=matrix-$1-ktest
	case $1 in
	over-max)
		run_ktest "$s" only=null --smp 20 \
			--expect 'kide: the firmware lists 20 CPUs; Kide supports at most 16 \(KIDE_MAX_CPUS\): using the first 16' \
			--expect '^ktest: 16 cpu\(s\)'
		;;
	madt-x2)
		local t
		t=$(mktemp)
		madt_x2 "$t" || { rm -f "$t"; echo "0 1 0" >"$(res "$s")"; return 1; }
		run_ktest "$s" only=null --smp 2 --qemu-arg -acpitable --qemu-arg "file=$t" \
			--expect 'kide: CPU with APIC id 300 needs x2APIC mode, which this CPU lacks' \
			--expect 'kide: .* 3 CPU\(s\) listed, xAPIC mode' --expect '^ktest: 2 cpu\(s\)' \
			--fail 'APIC id 301' --fail 'APIC id 4294967295' --fail 'did not start'
		local st=$?
		rm -f "$t"
		return $st
		;;
	no-lm)
		local out st=0
		out=$("$here/qemu-run.sh" --quiet --name "$s" --kernel "$kernel" --cpu qemu32 --timeout 60 \
			"$kt/ktest-root.elf" "$kt/ktest-helper.elf")
		if [[ $out == *"(QEMU status 37,"* ]] &&
			grep -q '^kide: panic: boot: this CPU has no long mode' "$(logf "$s")"; then
			echo "$prog: $s: the kernel refused the CPU without long mode, as it must"
			echo "1 0 0" >"$(res "$s")"
		else
			echo "$prog: $s: FAILED: no 'no long mode' panic (QEMU status 37) under -cpu qemu32 (log $(logf "$s"))"
			echo "0 1 0" >"$(res "$s")"
			st=1
		fi
		return $st
		;;
	bochs | bochs-x2apic)
		if ! command -v bochs >/dev/null; then
			echo "$prog: $s: skipped: bochs is not installed (apt-get install bochs bochsbios vgabios)"
			echo "0 0 1" >"$(res "$s")"
			return 0
		fi
		[ -f "$iso" ] || { echo "$prog: $iso missing (make -C os iso)"; echo "0 1 0" >"$(res "$s")"; return 1; }
		local cpus=1 mode=xAPIC bargs=()
		[ "$1" = bochs ] || { cpus=4 mode=x2APIC bargs=(--cpu corei7_skylake_x); }
		KIDE_BOCHS_CPUS=$cpus "$here/bochs-run.sh" --name "$s$tag" --iso "$iso" "${bargs[@]}" \
			--timeout 900 --expect 'ktest: [0-9]+ passed, 0 failed' --fail 'kide: panic' \
			--fail 'ktest: [0-9]+ passed, [1-9][0-9]* failed'
		local st=$?
		grep -q "CPU(s) listed, $mode mode" "$(logf "$s")" ||
			{ add_failure "$s" "the kernel did not use $mode mode under Bochs"; st=1; }
		grep -q "^ktest: $cpus cpu(s)" "$(logf "$s")" ||
			{ add_failure "$s" "not all $cpus CPUs started"; st=1; }
		return $st
		;;
	esac
}

for c in "${configs[@]}"; do
	name=${c%%|*} opts=${c#*|}
	[ -z "$only" ] || [[ ",$only," == *",$name,"* ]] || continue
	echo "=== $prog: $name: $opts"
	suites=("matrix-$name-ktest")
	if [ "$opts" = special ]; then
		run_special "$name" || rc=1
	else
		# Word splitting is intended: the options hold no spaces.
		# shellcheck disable=SC2086
		run_ktest "matrix-$name-ktest" "" $opts || rc=1
		# shellcheck disable=SC2086
		run_platform "matrix-$name-platform" $opts || rc=1
		suites+=("matrix-$name-platform")
		if [ "$name" = numa ]; then
			check_numa "matrix-$name-ktest"
			check_numa "matrix-$name-platform"
		fi
	fi
	for s in "${suites[@]}"; do
		read -r p f k <"$(res "$s")" 2>/dev/null || { p=0 f=1 k=0; }
		[ "${f:-1}" = 0 ] || rc=1
		summary+=("$(printf '%-36s %4s passed %4s failed %4s skipped' "$s$tag" "$p" "$f" "$k")")
	done
done

echo
echo "=== $prog: summary ($("$here/qemu-accel.sh" --why 2>&1 | head -1))"
printf '%s\n' "${summary[@]}"
exit $rc
