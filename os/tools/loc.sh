#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Count the kernel's lines of C and assembly, without comments and blank lines:
# os/kernel (without its tests) plus the ELF checker it shares with user space.
# Usage: loc.sh [--max N]   (fails when the count exceeds N)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
files() {
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
echo "kernel: $total lines of C and assembly (comments and blank lines excluded)"
if [ "${1:-}" = "--max" ] && [ "$total" -gt "$2" ]; then
	echo "kernel: over the limit of $2 lines" >&2
	exit 1
fi
