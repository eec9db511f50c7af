#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run each libFuzzer fuzzer for SECONDS and record the goa-fuzz suite.
# Usage: fuzz.sh SECONDS FUZZER... -- each fuzzer starts from the seed
# corpus in fuzz/corpus/<name without fuzz_> (copied, so seeds stay clean)
# and writes crashes to $BUILD/goa/fuzz/<fuzzer>.crash-*.
set -uo pipefail
secs=$1; shift
here=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0
for f in "$@"; do
	name=$(basename "$f")
	corpus=$BUILD/goa/fuzz/corpus-$name
	mkdir -p "$corpus"
	cp -n "$here/fuzz/corpus/${name#fuzz_}/"* "$corpus/" 2>/dev/null || true
	log=$BUILD/goa/fuzz/$name.log
	if "$f" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="$BUILD/goa/fuzz/$name." "$corpus" >"$log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $name: $(grep -o 'Done [0-9]* runs' "$log" | tail -1) in ${secs} s"
	else
		failed=$((failed + 1))
		echo "FAIL $name (see $log):"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
	fi
done
mkdir -p "$BUILD/results"
echo "$passed $failed 0" >"$BUILD/results/goa-fuzz"
[ $failed -eq 0 ]
