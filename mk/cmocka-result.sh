#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run one cmocka test binary and record its result for mk/run-suites.sh.
# Usage: mk/cmocka-result.sh SUITE-NAME BINARY [ARGS...]
# cmocka prints its own summary; this adds the counts to build/results/.
set -uo pipefail
suite=$1; shift
out=$(mktemp)
"$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
skipped=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
rm -f "$out"
# A crash or sanitizer abort leaves no FAILED line: count it as a failure.
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
mkdir -p "${BUILD:-build}/results"
echo "$passed $failed $skipped" >"${BUILD:-build}/results/$suite"
exit "$rc"
