#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run each libFuzzer target for a bounded time and record one suite result.
# Usage: run-fuzzers.sh SUITE SECONDS FUZZ-DIR FUZZER...
# A fuzzer passes if it runs its time without a crash, leak or timeout. The
# working corpus lives in FUZZ-DIR/corpus-<name>, seeded from fuzz/corpus/ and
# by fuzz/seeds/<name>.sh where one exists.
set -uo pipefail
suite=$1 seconds=$2 dir=$3
shift 3
here=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0
for f in "$@"; do
	corpus="$dir/corpus-$f"
	mkdir -p "$corpus"
	# Seeds that are made, not committed (archives): fuzz/seeds/<name>.sh DIR.
	seeds="$here/fuzz/seeds/$f.sh"
	[ ! -x "$seeds" ] || "$seeds" "$corpus" || echo "fuzz: $f: cannot make its seeds ($seeds)"
	log="$dir/$f.log"
	committed="$here/fuzz/corpus/$f"
	[ -d "$committed" ] || committed=""
	if (cd "$dir" && "./$f" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$corpus" ${committed:+"$committed"} >"$log" 2>&1); then
		echo "fuzz: $f: ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
			grep -o '[0-9]*$') runs in ${seconds}s)"
		passed=$((passed + 1))
	else
		echo "fuzz: $f: FAILED, see $log"
		tail -30 "$log"
		failed=$((failed + 1))
	fi
done
mkdir -p "${BUILD:-build}/results"
echo "$passed $failed 0" >"${BUILD:-build}/results/$suite"
[ "$failed" -eq 0 ]
