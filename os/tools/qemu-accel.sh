#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Print the QEMU accelerator to use, "kvm" or "tcg", for every runner (kernel
# suites, scenarios, goa's QEMU backend, benchmarks).
#
# Usage: qemu-accel.sh            the accelerator (the probe's result is cached)
#        qemu-accel.sh --why      the accelerator and why, one line
#        qemu-accel.sh --probe    probe again, show the control's serial log
#        qemu-accel.sh --control ACCEL   run the control under ACCEL (kvm|tcg),
#                                 show its log; exit 0 when it passed
#        qemu-accel.sh --list     the accelerators a test run covers: "kvm tcg"
#                                 when KVM passes the probe, else the one in use
#        qemu-accel.sh --help
# KIDE_ACCEL=kvm|tcg forces one (KVM then is used even if the control fails,
# for whoever wants to see what it does); KIDE_ACCEL=auto or unset probes.
#
# KVM is used only when all of these hold: /dev/kvm opens read-write, QEMU
# starts with -accel kvm, and the control image (os/tools/kvm-control, a
# minimal long-mode kernel with a ring-3 task, SYSCALL/SYSRET and a user page
# fault, independent of Kide) passes under KVM. A /dev/kvm that is not a full
# x86 virtual machine (seen: the paravirtual kvm_pvm module, whose guests
# stay in ring 3 across SYSCALL) fails the control, and the tests fall back
# to TCG with the reason. Never -cpu host: it aborts under KVM on our machines.
# The result is cached per host boot, QEMU version and control source in
# $KIDE_ACCEL_CACHE (default $BUILD/os)/accel-probe; --probe refreshes it.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
cache_root=${KIDE_ACCEL_CACHE:-$BUILD/os}
cache_dir=$cache_root/kvm-control
cache=$cache_root/accel-probe
src=$here/kvm-control

case ${1:-} in
"" | --why | --probe | --list) mode=${1:-plain} ;;
--control)
	case ${2:-} in kvm | tcg) ;; *) echo "qemu-accel.sh: --control needs kvm or tcg" >&2; exit 2 ;; esac
	mode=--control
	;;
-h | --help) sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) echo "qemu-accel.sh: unknown argument '$1'" >&2; echo "hint: qemu-accel.sh --help" >&2; exit 2 ;;
esac

case ${KIDE_ACCEL:-auto} in
kvm | tcg)
	if [ "$mode" = --why ]; then
		echo "$KIDE_ACCEL (forced by KIDE_ACCEL=$KIDE_ACCEL)"
	else
		echo "$KIDE_ACCEL"
	fi
	[ "$mode" = --probe ] || exit 0
	;;
auto) ;;
*)
	echo "qemu-accel.sh: KIDE_ACCEL='$KIDE_ACCEL' is not kvm, tcg or auto" >&2
	echo "hint: unset KIDE_ACCEL to probe, or set KIDE_ACCEL=kvm or KIDE_ACCEL=tcg" >&2
	exit 2
	;;
esac

# What the kernel's KVM is made of: real hardware virtualization shows as
# kvm_intel or kvm_amd; anything else is named in the reason.
kvm_modules() {
	local m found=""
	for m in kvm_intel kvm_amd kvm_pvm; do
		[ -d /sys/module/$m ] && found+="${found:+ }$m"
	done
	echo "${found:-none}"
}

build_control() {
	mkdir -p "$cache_dir" || return 1
	local bin=$cache_dir/control.bin
	if [ ! -f "$bin" ] || [ "$src/control.S" -nt "$bin" ] || [ "$src/control.ld" -nt "$bin" ]; then
		gcc -c "$src/control.S" -o "$cache_dir/control.o" &&
			ld -T "$src/control.ld" -nostdlib -z noexecstack --no-warn-rwx-segments \
				"$cache_dir/control.o" -o "$cache_dir/control.elf" &&
			objcopy -O binary "$cache_dir/control.elf" "$bin" || return 1
	fi
	echo "$bin"
}

# Run the control under an accelerator; prints its log to $2, returns 0 when
# it passed (isa-debug-exit status 33 and the "passed" line).
run_control() {
	local accel=$1 log=$2 bin status
	bin=$(build_control) || { echo "kvm-control: could not be built (gcc, ld, objcopy)" >"$log"; return 1; }
	timeout 30 qemu-system-x86_64 -accel "$accel" -m 64M -display none -nographic -no-reboot \
		-nodefaults -no-user-config -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$bin" </dev/null 2>&1 |
		tr -d '\r' | grep -a -v '^$' >"$log"
	status=${PIPESTATUS[0]}
	[ "$status" = 33 ] && grep -q '^kvm-control: passed' "$log"
}

probe() {
	local log=$cache_dir/control-kvm.log
	mkdir -p "$cache_dir"
	if ! [ -c /dev/kvm ]; then
		echo "tcg|no /dev/kvm on this machine"
		return
	fi
	if ! (exec 3<>/dev/kvm) 2>/dev/null; then
		echo "tcg|/dev/kvm exists but does not open read-write (permissions? add yourself to group kvm)"
		return
	fi
	if ! echo quit | timeout 20 qemu-system-x86_64 -accel kvm -machine none -display none \
		-nodefaults -no-user-config -monitor stdio >/dev/null 2>&1; then
		echo "tcg|QEMU does not start with -accel kvm (kernel modules: $(kvm_modules))"
		return
	fi
	if ! run_control kvm "$log"; then
		local what
		what=$(grep -a -m1 'FAIL' "$log" || tail -n 1 "$log")
		echo "tcg|KVM fails the control image, so it is not a faithful x86_64 machine (kernel modules: $(kvm_modules)): ${what:-no output}; log $log"
		return
	fi
	echo "kvm|KVM passes the control image (kernel modules: $(kvm_modules))"
}

if [ "$mode" = --control ]; then
	log=$cache_dir/control-$2.log
	mkdir -p "$cache_dir"
	run_control "$2" "$log"
	rc=$?
	grep -a -o 'kvm-control:.*' "$log"
	exit $rc
fi

key="$(cat /proc/sys/kernel/random/boot_id 2>/dev/null) $(qemu-system-x86_64 --version 2>/dev/null | head -1) $(cksum <"$src/control.S")"
result=""
if [ "$mode" != --probe ] && [ -f "$cache" ] && [ "$(head -n 1 "$cache")" = "$key" ]; then
	result=$(sed -n 2p "$cache")
fi
if [ -z "$result" ]; then
	result=$(probe)
	mkdir -p "$(dirname "$cache")"
	printf '%s\n%s\n' "$key" "$result" >"$cache.tmp" && mv "$cache.tmp" "$cache"
	if [ "${result%%|*}" = tcg ] && [ "$mode" = plain ]; then
		echo "qemu-accel.sh: using TCG: ${result#*|}" >&2
	fi
fi
accel=${result%%|*}
case $mode in
plain) echo "$accel" ;;
--list) [ "$accel" = kvm ] && echo "kvm tcg" || echo tcg ;;
--why) echo "$accel (${result#*|})" ;;
--probe)
	echo "${KIDE_ACCEL:+(KIDE_ACCEL=$KIDE_ACCEL is set: the tests use it) }probe: $accel (${result#*|})"
	if [ -f "$cache_dir/control-kvm.log" ]; then
		echo "--- the control under KVM:"
		cat "$cache_dir/control-kvm.log"
	fi
	if run_control tcg "$cache_dir/control-tcg.log"; then
		echo "--- the control under TCG: passed"
	else
		echo "--- the control under TCG FAILED (the control itself is broken):"
		cat "$cache_dir/control-tcg.log"
		exit 1
	fi
	;;
esac
exit 0
