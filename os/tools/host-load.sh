#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run a command while the host is busy: N CPU-bound processes compete with it.
#
# Usage: host-load.sh [options] [--] COMMAND [ARGS...]
# Options:
#   -n N         busy processes (default $HOST_LOAD_N, else the number of cores);
#                0 runs COMMAND without load
#   -t SECS      upper bound on each busy process's life (default $HOST_LOAD_SECS,
#                else 300): a killed or forgotten run cannot leave load behind
# The busy processes start before COMMAND and are killed as soon as it ends
# (also on an error or a signal). The exit status is COMMAND's, or 2 on usage
# errors.
# Why: under QEMU's TCG the guest's clock is the host's, so a busy host shows
# up in the guest as late timer interrupts and lost time. Tests that measure
# CPU shares (os/scenarios/tests/cpu*.yaml) run under this to prove the
# kernel's budgets hold on a loaded machine too.
set -euo pipefail

prog=host-load.sh
usage() { sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'; }
die_usage() {
	echo "$prog: $1" >&2
	echo "hint: $prog -n 2 -- os/tools/scenario-run.sh cpu; see $prog --help" >&2
	exit 2
}

n=${HOST_LOAD_N:-$(nproc 2>/dev/null || echo 2)}
secs=${HOST_LOAD_SECS:-300}
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=${2:-}; shift 2 || die_usage "-n needs a number" ;;
	-t) secs=${2:-}; shift 2 || die_usage "-t needs seconds" ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die_usage "unknown option '$1'" ;;
	*) break ;;
	esac
done
[[ $n =~ ^[0-9]+$ ]] && [ "$n" -le 64 ] || die_usage "bad process count '$n' (0..64)"
[[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -gt 0 ] || die_usage "bad time bound '$secs' (seconds > 0)"
[ $# -gt 0 ] || die_usage "no command given"

pids=()
stop_load() {
	# timeout(1) passes the TERM on to its busy child.
	[ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
	[ ${#pids[@]} -eq 0 ] || wait "${pids[@]}" 2>/dev/null || true
	pids=()
}
trap stop_load EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for ((i = 0; i < n; i++)); do
	timeout "$secs" sh -c 'while :; do :; done' </dev/null >/dev/null 2>&1 &
	pids+=($!)
done
[ "$n" -eq 0 ] || echo "$prog: $n busy process(es) for at most ${secs}s while running: $*" >&2
status=0
"$@" || status=$?
exit "$status"
