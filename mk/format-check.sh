#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Check that every tracked C source and header follows .clang-format.
# Usage: mk/format-check.sh [--fix]
#   --fix   reformat the files that do not follow it (clang-format -i)
# Lists each file that differs and exits 1; 0 when all follow it. The
# version is pinned by Debian 12's clang-format (14): another version may
# format differently, so the check uses the one mk/packages.txt installs.
set -uo pipefail
cd "$(dirname "$0")/.."
fix=0
case ${1:-} in
--fix) fix=1 ;;
"") ;;
-h | --help) sed -n '3,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) echo "format-check: unknown argument '$1'" >&2; echo "hint: mk/format-check.sh --help" >&2; exit 2 ;;
esac
cf=$(command -v clang-format-14 || command -v clang-format) || {
	echo "format-check: clang-format is missing" >&2
	echo "hint: run 'make deps' (Debian package clang-format-14)" >&2
	exit 2
}
# templates/ holds goa new's templates: @NAME@ placeholders, C only after goa fills them in.
mapfile -t files < <(git ls-files -- '*.c' '*.h' ':!templates/')
[ ${#files[@]} -gt 0 ] || { echo "format-check: no C files found (run it in a git checkout)" >&2; exit 2; }
bad=()
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	"$cf" --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -eq 0 ]; then
	echo "format-check: ${#files[@]} files follow .clang-format"
	exit 0
fi
if [ "$fix" = 1 ]; then
	"$cf" -i "${bad[@]}"
	echo "format-check: reformatted ${#bad[@]} file(s)"
	exit 0
fi
printf 'format-check: does not follow .clang-format: %s\n' "${bad[@]}"
echo "format-check: ${#bad[@]} of ${#files[@]} files differ"
echo "hint: mk/format-check.sh --fix reformats them (or clang-format -i FILE)"
exit 1
