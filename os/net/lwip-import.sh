#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Import lwIP's sources through goa for the OS build (os/net/build.mk).
#
#   lwip-import.sh PROJECT-DIR
#
# Copies recipes/lwip/ into PROJECT-DIR (under build/, so nothing outside
# build/ is written), builds goa's release binary if it is missing (the top
# Makefile builds os before goa, so os builds the one binary it needs), and
# runs `goa import` there with goa's download cache in build/goa/debian-cache
# (the one goa's recipe tests use). goa fetches Debian's tarball from the
# archive apt's configuration names, verifies its SHA-256 and extracts it
# into PROJECT-DIR/src. On success it writes PROJECT-DIR/imported.
# LWIP_GOA_CACHE names another cache (the tests of this script use an
# empty one to see the unreachable case).
#
# Exit status: 0 imported; 3 the sources are unreachable (no route to
# Debian's archive, nothing cached): PROJECT-DIR/unavailable then holds the
# cause in one line, and the network parts of the build and tests are
# skipped with it; 1 anything else (a hash mismatch, a broken recipe, goa
# does not build), which fails the build.
set -uo pipefail

proj=${1:?usage: lwip-import.sh PROJECT-DIR}
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
goa=$BUILD/goa/rel/goa

rm -rf "$proj" && mkdir -p "$proj" || exit 1
cp -r "$TOP/recipes/lwip/goa.yaml" "$TOP/recipes/lwip/patches" "$proj/" || exit 1
if [ ! -x "$goa" ]; then
	echo "os/net: building goa to import lwIP (make -C goa all)"
	if ! make --no-print-directory -C "$TOP/goa" SANITIZE= TOP="$TOP" BUILD="$BUILD" all >"$proj/goa-build.log" 2>&1; then
		tail -20 "$proj/goa-build.log" >&2
		echo "os/net: goa does not build, so lwIP cannot be imported (log: $proj/goa-build.log)" >&2
		echo "hint: run 'make deps' for goa's libraries (goa/packages.txt)" >&2
		exit 1
	fi
fi
if GOA_CACHE=${LWIP_GOA_CACHE:-$BUILD/goa/debian-cache} "$goa" -q -C "$proj" import 2>"$proj/import.err"; then
	touch "$proj/imported"
	exit 0
fi
cat "$proj/import.err" >&2
if grep -Eq "Could not resolve|Couldn't connect|Failed to connect|Connection refused|timed out|no Debian archive|cannot download" "$proj/import.err"; then
	cause=$(grep -m1 '^  [a-z]*://' "$proj/import.err" | sed 's/^ *//')
	echo "lwIP's sources are unreachable (${cause:-goa import failed}) and not cached" >"$proj/unavailable"
	echo "os/net: skipped: $(cat "$proj/unavailable")" >&2
	echo "hint: Debian's archive (apt's configuration, or GOA_DEBIAN_ARCHIVE) must be reachable once; the tarball is then cached in $BUILD/goa/debian-cache" >&2
	exit 3
fi
echo "os/net: goa import of recipes/lwip failed (above)" >&2
exit 1
