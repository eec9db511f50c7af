#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run one check that is not a test runner of its own and record its result
# for mk/run-suites.sh: "1 0 0" when the command succeeds, "0 1 0" otherwise.
# Usage: mk/result.sh SUITE-NAME COMMAND [ARGS...]
set -uo pipefail
suite=$1
shift
"$@"
rc=$?
mkdir -p "${BUILD:-build}/results"
if [ "$rc" -eq 0 ]; then
	echo "1 0 0" >"${BUILD:-build}/results/$suite"
else
	echo "0 1 0" >"${BUILD:-build}/results/$suite"
	echo "$suite: FAILED (exit status $rc)"
fi
exit "$rc"
