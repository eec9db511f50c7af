#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run every part's test suites and add up their results.
#
# Each part's 'make test' writes one file per suite into build/results/, named
# after the suite and holding "<passed> <failed> <skipped>". A part whose make
# fails without writing a result counts as one failed suite, so a crash can
# never look like success. The last line is the plain total.
set -uo pipefail
cd "$(dirname "$0")/.."
results=${BUILD:-build}/results
rm -rf "$results"
mkdir -p "$results"

status=0
# Repository-wide checks first: the house style (make check-style): the
# formatting (.clang-format) and the size of functions (mk/function-allow.txt).
echo "=== format: mk/format-check.sh"
mk/result.sh format mk/format-check.sh || status=1
echo "=== function-size: mk/function-check.sh"
mk/result.sh function-size mk/function-check.sh || status=1
# A part's suites are the result files its make test added (named after the
# suite: os-ktest-smp1, posix-diff, ...; each name is recorded once per run).
for part in "$@"; do
	echo "=== $part: make test"
	before=$(ls "$results")
	if ! make --no-print-directory -C "$part" test; then
		echo "=== $part: FAILED (make test exited non-zero)"
		status=1
		[ "$(ls "$results")" != "$before" ] || echo "0 1 0" >"$results/$part.make"
	fi
done

passed=0 failed=0 skipped=0
echo
echo "=== summary"
for f in "$results"/*; do
	[ -f "$f" ] || continue
	read -r p fl s <"$f" || true
	p=${p:-0} fl=${fl:-1} s=${s:-0}
	printf '%-40s %5d passed %5d failed %5d skipped\n' "$(basename "$f")" "$p" "$fl" "$s"
	passed=$((passed + p)) failed=$((failed + fl)) skipped=$((skipped + s))
done
[ "$failed" -eq 0 ] || status=1
[ "$passed" -gt 0 ] || { echo "no test ran"; status=1; }
# Which accelerator the QEMU suites ran under, and why (os/tools/qemu-accel.sh).
echo "QEMU accelerator: $(os/tools/qemu-accel.sh --why 2>&1)"
echo "total: $passed passed, $failed failed, $skipped skipped"
exit $status
