#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The QEMU arguments that boot a machine under UEFI firmware (OVMF).
#
# Usage: ovmf.sh DIR
#   Copies OVMF's variable store into DIR (a per-run scratch directory the
#   caller removes) and prints the QEMU arguments, one per line: OVMF's code
#   as read-only pflash unit 0, the copy as writable unit 1. So runs never
#   share variables, and the installed store is never written.
#   $KIDE_OVMF_CODE and $KIDE_OVMF_VARS pick other firmware files (both).
# Exit status: 0, 1 when the firmware is missing, 2 on usage errors.
set -euo pipefail
prog=ovmf.sh
[ $# -eq 1 ] && [ -d "$1" ] || {
	echo "$prog: usage: $prog DIR (an existing scratch directory)" >&2
	exit 2
}
code=${KIDE_OVMF_CODE:-} vars=${KIDE_OVMF_VARS:-}
if [ -z "$code" ]; then
	# Debian's ovmf: the 4 MiB build first, then the 2 MiB one; never the
	# secure-boot builds (they need SMM, which QEMU's pc machine lacks).
	for c in /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd; do
		[ -f "$c" ] && { code=$c vars=${vars:-${c/CODE/VARS}}; break; }
	done
fi
if [ -z "$code" ] || [ ! -f "$code" ] || [ -z "$vars" ] || [ ! -f "$vars" ]; then
	echo "$prog: OVMF firmware not found (code '${code:-/usr/share/OVMF/OVMF_CODE_4M.fd}', variables '${vars:-/usr/share/OVMF/OVMF_VARS_4M.fd}')" >&2
	echo "hint: apt-get install ovmf (make deps), or set KIDE_OVMF_CODE and KIDE_OVMF_VARS" >&2
	exit 1
fi
cp "$vars" "$1/ovmf-vars.fd"
echo "-drive"
echo "if=pflash,format=raw,unit=0,readonly=on,file=$code"
echo "-drive"
echo "if=pflash,format=raw,unit=1,file=$1/ovmf-vars.fd"
