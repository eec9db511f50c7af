#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Count the kernel's lines of C and assembly, without comments and blank lines:
# os/kernel (without its tests) plus the ELF checker it shares with user space.
# Usage: loc.sh [--max N]   (fails when the count exceeds N)
#        loc.sh --dir DIR [--max N]   the same count for DIR (below the checkout,
#                without its tests/), e.g. os/net/router
#        loc.sh --tcb [--max N]   the code every tenant of a networked Kide must
#                trust (docs/network.md, "The trusted base"): kernel, core,
#                hoitaja, the platform and virtio-net drivers, the router and
#                the libraries and ABI headers they are built from, one line per
#                part and the total (each directory counted once)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
what=kernel
# The trusted base: what runs with authority over every habitat (kernel,
# core, hoitaja as init and as each habitat's manager), what every tenant's
# packets pass through (platform driver, NIC driver, router) and the
# libraries those link. A habitat's own lwIP stack is not in it: its state
# and bugs stay in its own quota.
TCB_DIRS="os/kernel os/core os/hoitaja os/drivers/platform os/drivers/virtio-net os/net/router
os/lib/base os/lib/component os/lib/json os/lib/elf os/lib/nic os/lib/platform os/abi"
if [ "${1:-}" = "--tcb" ]; then
	shift
	sum=0
	for d in $TCB_DIRS; do
		line=$("$0" --dir "$d")
		echo "$line"
		n=${line#*: }
		sum=$((sum + ${n%% *}))
	done
	echo "trusted base: $sum lines of C and assembly (comments and blank lines excluded)"
	if [ "${1:-}" = "--max" ] && [ "$sum" -gt "$2" ]; then
		echo "trusted base: over the limit of $2 lines" >&2
		exit 1
	fi
	exit 0
fi
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
