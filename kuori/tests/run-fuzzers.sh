#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run kuori's libFuzzer targets for a bounded time and record one suite result.
# Usage: run-fuzzers.sh SUITE SECONDS FUZZ-DIR FUZZER...
# Each fuzzer starts from fuzz/corpus/<name without fuzz_> (read-only) plus its
# working corpus FUZZ-DIR/corpus-<name>; it passes if it runs its time without
# a crash, leak or timeout (crashes are written to FUZZ-DIR/<name>.crash-*).
set -uo pipefail
suite=$1 seconds=$2 dir=$3
shift 3
here=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0
for f in "$@"; do
	corpus="$dir/corpus-$f"
	seeds="$here/fuzz/corpus/${f#fuzz_}"
	mkdir -p "$corpus"
	log="$dir/$f.log"
	if "$dir/$f" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$dir/$f." "$corpus" "$seeds" >"$log" 2>&1; then
		echo "fuzz: $f: ok ($(grep -o 'Done [0-9]* runs' "$log" | tail -1) in ${seconds}s)"
		passed=$((passed + 1))
	else
		echo "fuzz: $f: FAILED, see $log"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
		failed=$((failed + 1))
	fi
done
mkdir -p "${BUILD:-build}/results"
echo "$passed $failed 0" >"${BUILD:-build}/results/$suite"
[ "$failed" -eq 0 ]
