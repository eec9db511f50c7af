#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build a bootable GRUB ISO: the Kide kernel plus boot modules. The image is
# hybrid: it boots under BIOS (SeaBIOS) and UEFI (OVMF); GRUB loads the kernel
# with multiboot2, which works on both and hands over the ACPI RSDP.
# Usage: mk-iso.sh [--list FILE] OUT.iso KERNEL.bin ['MODULE [ARGS]'...]
#   MODULE       a file copied into /boot of the image under its file name, which is
#                also the module's name; ARGS follow it on the module's command line
#   --list FILE  read further modules from FILE, one 'MODULE [ARGS]' per line, after
#                those given as arguments (os/scenarios/mk-image.sh writes boot.txt so)
# The first module is the kernel's root task. At least one module is needed.
set -euo pipefail
usage() { sed -n '5,11p' "$0" | sed 's/^# \{0,1\}//'; }
list=""
while [ $# -gt 0 ]; do
	case $1 in
	--list) list=${2:?}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || { usage >&2; exit 2; }
out=$1 kernel=$2
shift 2
mods=("$@")
if [ -n "$list" ]; then
	[ -f "$list" ] || { echo "mk-iso: module list '$list' does not exist" >&2; exit 1; }
	while IFS= read -r line; do
		[ -n "$line" ] && mods+=("$line")
	done <"$list"
fi
[ ${#mods[@]} -ge 1 ] || { echo "mk-iso: no modules (the first is the root task)" >&2; usage >&2; exit 2; }
command -v grub-mkrescue >/dev/null || {
	echo "mk-iso: grub-mkrescue is missing" >&2
	echo "hint: run 'make deps' (Debian packages grub-pc-bin, grub-efi-amd64-bin, grub-common, xorriso, mtools)" >&2
	exit 1
}
# grub-mkrescue puts in every platform it finds; both must be there, or the
# image would silently boot under only one firmware.
grub_lib=/usr/lib/grub
for p in i386-pc:grub-pc-bin x86_64-efi:grub-efi-amd64-bin; do
	[ -f "$grub_lib/${p%%:*}/modinfo.sh" ] || {
		echo "mk-iso: GRUB's ${p%%:*} modules are missing ($grub_lib/${p%%:*}): the image would not boot under $([ "${p%%:*}" = i386-pc ] && echo BIOS || echo UEFI)" >&2
		echo "hint: run 'make deps' (Debian package ${p#*:})" >&2
		exit 1
	}
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/kide.bin"
{
	echo 'set timeout=0'
	echo 'set default=0'
	echo 'serial --unit=0 --speed=115200'
	echo 'terminal_output serial'
	# Under UEFI there is no VGA text mode: without a video driver GRUB's
	# multiboot2 says "error: no suitable video mode found" (and boots anyway).
	# With the GOP driver it sets a graphics mode instead and warns "no console
	# will be available to OS": true, and fine, the kernel writes to COM1 only.
	echo 'if [ "$grub_platform" = efi ]; then insmod efi_gop; fi'
	echo 'menuentry "Kide" {'
	echo '    multiboot2 /boot/kide.bin'
	for m in "${mods[@]}"; do
		path=${m%% *}
		args=
		[ "$path" != "$m" ] && args=" ${m#* }"
		name=$(basename "$path")
		[ -f "$path" ] || { echo "mk-iso: module '$path' does not exist" >&2; exit 1; }
		[ ! -e "$dir/boot/$name" ] || { echo "mk-iso: two modules are named '$name'" >&2; exit 1; }
		cp "$path" "$dir/boot/$name"
		echo "    module2 /boot/$name $name$args"
	done
	echo '    boot'
	echo '}'
} >"$dir/boot/grub/grub.cfg"
mkrescue=(grub-mkrescue -o "$out" "$dir")
"${mkrescue[@]}" >/dev/null 2>&1 || {
	echo "mk-iso: grub-mkrescue failed" >&2
	"${mkrescue[@]}"
	exit 1
}
echo "mk-iso: wrote $out"
