#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Assemble a boot image from a scenario: what to boot, on which machine.
#
# Usage: mk-image.sh [--iso] --out DIR [--bin DIR] [--kernel FILE] [--tool FILE] SCENARIO
#   SCENARIO     a scenario file (docs/formats/scenario.md), or a directory holding
#                hand-written outputs (init.json, modules.txt, machine.txt, expect.txt)
#                for what kide-scenario refuses to write (e.g. an over-committed
#                init.json that hoitaja itself must reject)
#   --out DIR    image directory (created)
#   --bin DIR    where the boot modules are, one file per name (default $BUILD/os/bin)
#   --kernel F   the kernel (default $BUILD/os/kernel/kide.bin)
#   --tool F     kide-scenario (default $BUILD/os/tools/kide-scenario)
#   --iso        also write DIR/kide.iso, a GRUB ISO (os/tools/mk-iso.sh)
# Writes into DIR: init.json, modules.txt, expect.txt (test scenarios) as
# kide-scenario writes them; machine.txt ("cpus N", "ram_mib M" and "numa K" lines, from
# the scenario's machine); boot.txt, the resolved module list ("PATH [ARGS]"
# per line; core first, then modules.txt's modules, each argument that names
# a file of the image directory, e.g. init.json, packed as a module after
# its program). Exit 0 on success, 1 on errors, 2 on usage errors, 3 when a
# module is unavailable (NAME.unavailable in the --bin directory says why).
set -euo pipefail

prog=mk-image.sh
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$(cd "$here/../.." && pwd)/build}
usage() { sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'; }
die() {
	echo "$prog: $1" >&2
	echo "hint: $2" >&2
	exit 1
}

out="" bin=$BUILD/os/bin kernel=$BUILD/os/kernel/kide.bin tool=$BUILD/os/tools/kide-scenario iso=0
src=""
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=${2:?}; shift 2 ;;
	--bin) bin=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--tool) tool=${2:?}; shift 2 ;;
	--iso) iso=1; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "$prog: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) [ -z "$src" ] || { echo "$prog: one scenario only" >&2; exit 2; }; src=$1; shift ;;
	esac
done
[ -n "$src" ] && [ -n "$out" ] || { usage >&2; exit 2; }
[ -e "$src" ] || die "scenario '$src' does not exist" "scenarios live in os/scenarios/NAME.yaml and os/scenarios/tests/NAME.yaml"
mkdir -p "$out"

# Size (bytes or K/M/G, 1024-based) to whole MiB, rounded up: QEMU's -m reads
# a bare number as MiB.
to_mib() {
	awk -v s="$1" 'BEGIN {
		if (s !~ /^[0-9]+[KMG]?$/) exit 1
		n = s + 0; u = substr(s, length(s)); m = 1
		if (u == "K") m = 1024; else if (u == "M") m = 1048576; else if (u == "G") m = 1073741824
		b = n * m; printf "%d\n", int((b + 1048575) / 1048576) }'
}

# The machine mapping of a (validated) scenario, flow or block style.
machine_of() {
	awk '
	function val(s) { gsub(/^[ \t"'\'']+|[ \t"'\'',}]+$/, "", s); return s }
	/^machine:[ \t]*\{/ {
		line = $0; sub(/^machine:[ \t]*\{/, "", line); sub(/\}.*/, "", line)
		n = split(line, kv, ",")
		for (i = 1; i <= n; i++) { split(kv[i], p, ":"); k = val(p[1]); v = val(p[2]); m[k] = v }
		done = 1; next
	}
	/^machine:[ \t]*(#.*)?$/ { inm = 1; next }
	inm && /^[ \t]+[a-z]+:/ { split($0, p, ":"); m[val(p[1])] = val(p[2]); next }
	inm && /^[^ \t#]/ { inm = 0 }
	END { if (m["cpus"] == "" || m["ram"] == "") exit 1; print m["cpus"], m["ram"], (m["numa"] == "" ? 1 : m["numa"]) }' "$1"
}

if [ -d "$src" ]; then
	for f in init.json modules.txt machine.txt; do
		[ -f "$src/$f" ] || die "hand-written scenario '$src' lacks $f" "a scenario directory holds init.json, modules.txt, machine.txt and expect.txt"
	done
	cp "$src/init.json" "$src/modules.txt" "$src/machine.txt" "$out/"
	if [ -f "$src/expect.txt" ]; then cp "$src/expect.txt" "$out/"; else rm -f "$out/expect.txt"; fi
else
	[ -x "$tool" ] || die "kide-scenario not found at '$tool'" "build it with: make -C os scenario-tool"
	"$tool" -o "$out" "$src" || die "scenario '$src' was rejected (above)" "fix the scenario; its format is docs/formats/scenario.md"
	read -r cpus ram numa < <(machine_of "$src") || die "no machine {cpus, ram} in '$src'" "add e.g. 'machine: {cpus: 2, ram: 256M}'"
	mib=$(to_mib "$ram") || die "machine ram '$ram' in '$src' is not a size" "write it like 256M"
	printf 'cpus %s\nram_mib %s\nnuma %s\n' "$cpus" "$mib" "$numa" >"$out/machine.txt.tmp"
	# machine.type, devices and netdevs, as kide-scenario validated them
	cat "$out/qemu.txt" >>"$out/machine.txt.tmp"
	mv "$out/machine.txt.tmp" "$out/machine.txt"
fi

# Resolve modules.txt into boot.txt: core first (the kernel's root task).
# A module whose build could not be made here (its sources unreachable) leaves
# NAME.unavailable with the cause beside it: exit 3 naming it, so a test run
# records the scenario as skipped rather than failed (scenario-run.sh).
need() {
	if [ ! -f "$bin/$1" ] && [ -f "$bin/$1.unavailable" ]; then
		echo "$prog: boot module '$1' is unavailable: $(head -n 1 "$bin/$1.unavailable")" >&2
		exit 3
	fi
	[ -f "$bin/$1" ] || die "boot module '$1' is not built ($bin/$1 missing)" \
		"build the platform with: make -C os core hoitaja components"
}
need core
{
	echo "$bin/core"
	while read -r name args; do
		[ -n "$name" ] || continue
		need "$name"
		case "$name$args" in *,*) die "module line '$name $args' holds a comma" "QEMU's -initrd list cannot carry commas" ;; esac
		echo "$bin/$name${args:+ $args}"
		for a in $args; do
			if [ -f "$out/$a" ]; then echo "$out/$a"; fi
		done
	done <"$out/modules.txt"
} >"$out/boot.txt.tmp"
mv "$out/boot.txt.tmp" "$out/boot.txt"

if [ "$iso" = 1 ]; then
	[ -f "$kernel" ] || die "kernel '$kernel' not found" "build it with: make -C os kernel"
	"$here/../tools/mk-iso.sh" --list "$out/boot.txt" "$out/kide.iso" "$kernel"
fi
echo "$prog: image of $(basename "$src") in $out"
