#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build a bootable GRUB ISO: the Kide kernel plus boot modules.
# Usage: mk-iso.sh OUT.iso KERNEL.bin 'module1 args' ['module2 args' ...]
# Module paths are copied into /boot of the image; their arguments are kept.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: mk-iso.sh OUT.iso KERNEL.bin 'MODULE [ARGS]'..." >&2; exit 2; }
out=$1 kernel=$2
shift 2
command -v grub-mkrescue >/dev/null || {
	echo "mk-iso: grub-mkrescue is missing" >&2
	echo "hint: run 'make deps' (Debian packages grub-pc-bin, grub-common, xorriso, mtools)" >&2
	exit 1
}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/kide.bin"
{
	echo 'set timeout=0'
	echo 'set default=0'
	echo 'serial --unit=0 --speed=115200'
	echo 'terminal_output serial'
	echo 'menuentry "Kide" {'
	echo '    multiboot /boot/kide.bin'
	for m in "$@"; do
		path=${m%% *}
		args=
		[ "$path" != "$m" ] && args=" ${m#* }"
		name=$(basename "$path")
		[ -f "$path" ] || { echo "mk-iso: module '$path' does not exist" >&2; exit 1; }
		cp "$path" "$dir/boot/$name"
		echo "    module /boot/$name $name$args"
	done
	echo '    boot'
	echo '}'
} >"$dir/boot/grub/grub.cfg"
grub-mkrescue -o "$out" "$dir" >/dev/null 2>&1 || {
	echo "mk-iso: grub-mkrescue failed" >&2
	grub-mkrescue -o "$out" "$dir"
	exit 1
}
echo "mk-iso: wrote $out"
