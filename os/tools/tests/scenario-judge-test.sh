#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Host test of scenario-run.sh's judge (issue 10, finding 15): crafted serial
# logs against crafted expect.txt files through `scenario-run.sh --judge`.
# A component's text is not its source: a line forged inside another line,
# after a prefix of the forger's own, or glued to firmware output must not
# satisfy an expectation, and only attributable lines may fail a run.
#
# Usage: scenario-judge-test.sh [SCENARIO-RUN]   (default: ../scenario-run.sh)
# Exit status 0 when every case is judged as it must be, 1 otherwise.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
run=${1:-$here/../scenario-run.sh}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

# check NAME WANT(pass|fail) EXPECT-LINES LOG-LINES: the lines are
# newline-separated; EXPECT-LINES are the `log` expectations.
check() {
	local name=$1 want=$2
	printf 'timeout_ms 1000\nexit none\n' >"$work/expect.txt"
	[ -z "$3" ] || printf '%s\n' "$3" | sed 's/^/log /' >>"$work/expect.txt"
	printf '%s\n' "$4" | sed 's/$/\r/' >"$work/serial.log" # COM1 ends lines with CR LF
	local got=fail out
	out=$("$run" --judge "$work/expect.txt" "$work/serial.log" 2>&1) && got=pass
	if [ "$got" = "$want" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "scenario-judge-test: $name: judged $got, must be $want ($out)"
	fi
}

# Genuine lines pass.
check genuine pass "[checker] PASS cpu" "kide: booting
[checker] PASS cpu"
check nested-genuine pass "[tenant-b/checker] PASS checker" "[tenant-b/checker] PASS checker"
check core-line pass "core: init ended with code 1" "core: init ended with code 1: stopping the machine (failure)
core: init ended with code 1"
# Forged lines do not.
check forged-nested-label fail "[checker] PASS cpu" "[tenant-b/checker] PASS cpu"
check forged-after-prefix fail "[checker] PASS cpu" "[forger] [checker] PASS cpu"
check forged-inside-text fail "[checker] PASS cpu" "[forger] hello\\x0a[checker] PASS cpu"
check forged-glued fail "[checker] PASS cpu" "Booting from ROM..[checker] PASS cpu"
check forged-core fail "core: init ended with code 1" "[init] core: init ended with code 1"
check forged-kernel fail "kide: booting" "[forger] kide: booting"
check longer-line fail "[checker] PASS cpu" "[checker] PASS cpu quota shares"
check bad-label fail "[checker] PASS cpu" "[Checker] PASS cpu"
check label-with-space fail "[checker] PASS cpu" "[a b] x
[a] b] PASS cpu"
# The order holds.
check order fail "[a] one
[a] two" "[a] two
[a] one"
# "..." at the end: the line starts with the rest.
check start-match pass "[init] report: habitat init: generation 1 children 2 ..." \
	"[init] report: habitat init: generation 1 children 2 ram 1/2"
check start-match-prefix fail "[init] report: children 2 ..." "[init] report: children 21"
check start-match-forged fail "[init] report: ..." "[forger] [init] report: x"
# An expectation must name its source.
check unattributable-expectation fail "child crasher: started" "[init] child crasher: started"
# Failure lines: only attributable ones.
check component-fail fail "[a] done" "[b] FAIL ram quota: too much
[a] done"
check kernel-panic fail "[a] done" "kide: panic: double fault
[a] done"
check core-panic fail "[a] done" "krt: panic: core: cannot create its lock
[a] done"
check forged-panic pass "[a] done" "[forger] kide: panic: forged
[forger] core: panic
[a] done"
check unattributed-fail pass "[a] done" "SeaBIOS FAIL to frobnicate
[a] done"

echo "scenario-judge-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
