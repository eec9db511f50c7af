#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Import a recipe's sources through goa for os/lib/depot (libsodium,
# xz-utils), the way os/net/lwip-import.sh imports lwIP.
#
#   recipe-import.sh RECIPE PROJECT-DIR
#
# Copies recipes/RECIPE/ into PROJECT-DIR (under build/), builds goa's
# release binary if it is missing and runs `goa import` there with goa's
# download cache in build/goa/debian-cache. goa fetches Debian's tarball,
# verifies its SHA-256 and extracts it into PROJECT-DIR/src; on success
# PROJECT-DIR/imported is written.
#
# Exit status: 0 imported; 3 the sources are unreachable (PROJECT-DIR/
# unavailable holds the cause; depot's build and tests are then skipped);
# 1 anything else (hash mismatch, broken recipe, goa does not build).
set -uo pipefail

recipe=${1:?usage: recipe-import.sh RECIPE PROJECT-DIR}
proj=${2:?usage: recipe-import.sh RECIPE PROJECT-DIR}
TOP=${TOP:-$(cd "$(dirname "$0")/../../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
goa=$BUILD/goa/rel/goa

rm -rf "$proj" && mkdir -p "$proj" || exit 1
cp -r "$TOP/recipes/$recipe/." "$proj/" || exit 1
if [ ! -x "$goa" ]; then
	echo "os/lib/depot: building goa to import $recipe (make -C goa all)"
	if ! make --no-print-directory -C "$TOP/goa" SANITIZE= TOP="$TOP" BUILD="$BUILD" all >"$proj/goa-build.log" 2>&1; then
		tail -20 "$proj/goa-build.log" >&2
		echo "os/lib/depot: goa does not build, so $recipe cannot be imported (log: $proj/goa-build.log)" >&2
		echo "hint: run 'make deps' for goa's libraries (goa/packages.txt)" >&2
		exit 1
	fi
fi
if GOA_CACHE=${DEPOT_GOA_CACHE:-$BUILD/goa/debian-cache} "$goa" -q -C "$proj" import 2>"$proj/import.err"; then
	touch "$proj/imported"
	exit 0
fi
cat "$proj/import.err" >&2
if grep -Eq "Could not resolve|Couldn't connect|Failed to connect|Connection refused|timed out|no Debian archive|cannot download" "$proj/import.err"; then
	cause=$(grep -m1 '^  [a-z]*://' "$proj/import.err" | sed 's/^ *//')
	echo "$recipe's sources are unreachable (${cause:-goa import failed}) and not cached" >"$proj/unavailable"
	echo "os/lib/depot: skipped: $(cat "$proj/unavailable")" >&2
	echo "hint: Debian's archive (apt's configuration, or GOA_DEBIAN_ARCHIVE) must be reachable once; the tarball is then cached in $BUILD/goa/debian-cache" >&2
	exit 3
fi
echo "os/lib/depot: goa import of recipes/$recipe failed (above)" >&2
exit 1
