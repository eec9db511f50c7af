#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Import a goa recipe's sources for the OS build (os/net/build.mk: lwIP,
# os/lib/tls/build.mk: BearSSL, os/lib/depot/build.mk: libsodium, xz-utils).
#
#   recipe-import.sh RECIPE PROJECT-DIR
#
# Copies recipes/RECIPE/ (goa.yaml and patches/, if any) into PROJECT-DIR
# (under build/, so nothing outside build/ is written), builds goa's release
# binary if it is missing (the top Makefile builds os before goa, so os
# builds the one binary it needs), and runs `goa import` there with goa's
# download cache in build/goa/debian-cache (the one goa's recipe tests use).
# goa fetches Debian's tarball from the archive apt's configuration names,
# verifies its SHA-256 and extracts it into PROJECT-DIR/src. On success it
# writes PROJECT-DIR/imported. RECIPE_GOA_CACHE (or, for lwIP as before,
# LWIP_GOA_CACHE) names another cache (a test of the unreachable case uses
# an empty one).
#
# Exit status: 0 imported; 3 the sources are unreachable (no route to
# Debian's archive, nothing cached): PROJECT-DIR/unavailable then holds the
# cause in one line, and the parts of the build and tests that need them
# are skipped with it; 1 anything else (a hash mismatch, a broken recipe,
# goa does not build), which fails the build.
set -uo pipefail

recipe=${1:?usage: recipe-import.sh RECIPE PROJECT-DIR}
proj=${2:?usage: recipe-import.sh RECIPE PROJECT-DIR}
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
goa=$BUILD/goa/rel/goa
rdir=$TOP/recipes/$recipe
# The name in messages: lwIP keeps the one its users know.
case $recipe in lwip) what=lwIP ;; bearssl) what=BearSSL ;; *) what=$recipe ;; esac

case $recipe in */* | .* | '') echo "recipe-import.sh: '$recipe' is not a recipe name (a directory of recipes/)" >&2; exit 1 ;; esac
[ -f "$rdir/goa.yaml" ] || { echo "recipe-import.sh: no recipe $rdir/goa.yaml" >&2; exit 1; }
rm -rf "$proj" && mkdir -p "$proj" || exit 1
cp "$rdir/goa.yaml" "$proj/" || exit 1
if [ -d "$rdir/patches" ]; then cp -r "$rdir/patches" "$proj/" || exit 1; fi
# One import at a time per build tree: make -j runs the imports of lwIP,
# BearSSL, libsodium and xz-utils at once, and two of them building goa's
# binary together fail with "Text file busy" (or share a half-written
# download in the cache). The lock is released when this script exits.
mkdir -p "$BUILD/goa" || exit 1
exec 9>"$BUILD/goa/.recipe-import.lock" && flock 9 || { echo "recipe-import: cannot lock $BUILD/goa/.recipe-import.lock" >&2; exit 1; }
if [ ! -x "$goa" ]; then
	echo "recipe-import: building goa to import $what (make -C goa all)"
	if ! make --no-print-directory -C "$TOP/goa" SANITIZE= TOP="$TOP" BUILD="$BUILD" all >"$proj/goa-build.log" 2>&1; then
		tail -20 "$proj/goa-build.log" >&2
		echo "recipe-import: goa does not build, so $what cannot be imported (log: $proj/goa-build.log)" >&2
		echo "hint: run 'make deps' for goa's libraries (goa/packages.txt)" >&2
		exit 1
	fi
fi
cache=${RECIPE_GOA_CACHE:-}
[ -n "$cache" ] || { [ "$recipe" = lwip ] && cache=${LWIP_GOA_CACHE:-}; }
if GOA_CACHE=${cache:-$BUILD/goa/debian-cache} "$goa" -q -C "$proj" import 2>"$proj/import.err"; then
	touch "$proj/imported"
	exit 0
fi
cat "$proj/import.err" >&2
if grep -Eq "Could not resolve|Couldn't connect|Failed to connect|Connection refused|timed out|no Debian archive|cannot download" "$proj/import.err"; then
	cause=$(grep -m1 '^  [a-z]*://' "$proj/import.err" | sed 's/^ *//')
	echo "$what's sources are unreachable (${cause:-goa import failed}) and not cached" >"$proj/unavailable"
	echo "recipe-import: skipped: $(cat "$proj/unavailable")" >&2
	echo "hint: Debian's archive (apt's configuration, or GOA_DEBIAN_ARCHIVE) must be reachable once; the tarball is then cached in $BUILD/goa/debian-cache" >&2
	exit 3
fi
echo "recipe-import: goa import of recipes/$recipe failed (above)" >&2
exit 1
