#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regenerate (or, with --check, verify) the system-call sections of
# docs/kernel.md from os/kernel/syscalls.tab.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
doc=$top/docs/kernel.md
gen=$(mktemp)
trap 'rm -f "$gen" "$gen.new"' EXIT
awk -v out=doc -f "$top/os/tools/gen-syscalls.awk" "$top/os/kernel/syscalls.tab" >"$gen"
awk -v gen="$gen" '
/<!-- syscalls:begin -->/ { print; while ((getline l < gen) > 0) print l; skip = 1; next }
/<!-- syscalls:end -->/ { skip = 0 }
!skip { print }' "$doc" >"$gen.new"
if [ "${1:-}" = "--check" ]; then
	if ! cmp -s "$doc" "$gen.new"; then
		echo "docs/kernel.md: the system-call sections are out of date with os/kernel/syscalls.tab" >&2
		echo "hint: run 'make -C os docs' and commit docs/kernel.md" >&2
		exit 1
	fi
	echo "docs/kernel.md: system-call sections up to date"
	exit 0
fi
cp "$gen.new" "$doc"
