#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Count the kernel's lines of C and assembly, without comments and blank lines:
# os/kernel (without its tests) plus the ELF checker it shares with user space.
# Usage: loc.sh [--max N]   (fails when the count exceeds N)
#        loc.sh --dir DIR [--max N]   the same count for DIR (below the checkout,
#                without its tests/), e.g. os/net/router for the trusted base
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
what=kernel
if [ "${1:-}" = "--dir" ]; then
	what=${2:?loc.sh: --dir needs a directory}
	shift 2
	[ -d "$top/$what" ] || { echo "loc.sh: no directory $what" >&2; exit 2; }
fi
files() {
	if [ "$what" != kernel ]; then
		find "$top/$what" -path "$top/$what/tests" -prune -o \
			\( -name '*.c' -o -name '*.h' -o -name '*.S' \) -print
		return
	fi
	find "$top/os/kernel" -path "$top/os/kernel/tests" -prune -o \
		\( -name '*.c' -o -name '*.h' -o -name '*.S' \) -print
	echo "$top/os/lib/elf/elf.c"
	echo "$top/os/lib/elf/elf.h"
	echo "$top/os/lib/base/string.c"
}
total=0
while IFS= read -r f; do
	n=$(gcc -fpreprocessed -dD -E -P -x c "$f" 2>/dev/null | grep -cv '^[[:space:]]*$' || true)
	total=$((total + n))
done < <(files | sort)
echo "$what: $total lines of C and assembly (comments and blank lines excluded)"
if [ "${1:-}" = "--max" ] && [ "$total" -gt "$2" ]; then
	echo "$what: over the limit of $2 lines" >&2
	exit 1
fi
