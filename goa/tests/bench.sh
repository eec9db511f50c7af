#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# goa's benchmarks, each against a peer measured in the same run:
#  1. `goa import && goa build` of recipes/sqlite (SQLite 3.40.1 from Debian's
#     source archive, through a local mirror) versus the same configure, make
#     and make install run by hand with the same compiler, flags and -j;
#  2. downloading N source archives from a loopback HTTP server that models
#     a distant mirror (per-request latency, per-connection rate limit)
#     with -j 1 versus -j 8.
# Prints the conditions and results and keeps them in $BUILD/goa/bench.txt.
set -uo pipefail
WORK=$BUILD/goa/bench
rm -rf "$WORK"
mkdir -p "$WORK"
source "$(dirname "$0")/lib.sh"
out=$BUILD/goa/bench.txt
jobs=${BENCH_JOBS:-2}
now() { date +%s.%N; }
say() { echo "$*" | tee -a "$out"; }
: >"$out"

say "goa bench, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r), -j$jobs"
# The recipe's own source: Debian's sqlite3_3.40.1.orig.tar.xz, fetched once
# into goa's Debian cache (the one goa's recipe tests use), which then
# serves as a content-addressed mirror (<mirror>/sha256/<hex>) for a cold run.
dcache=$BUILD/goa/debian-cache
sqlite_sha=$(sed -n 's/^ *sha256: //p' "$TOP/recipes/sqlite/goa.yaml")
tarball=$dcache/sha256/$sqlite_sha
if [ ! -s "$tarball" ]; then
	rm -rf "$WORK/fetch" && cp -a "$TOP/recipes/sqlite" "$WORK/fetch"
	GOA_CACHE=$dcache $GOA -C "$WORK/fetch" -q import >"$WORK/fetch.log" 2>&1
fi
if [ ! -s "$tarball" ]; then
	say "sqlite: skipped (Debian's archive is unreachable and $tarball is not cached; see $WORK/fetch.log)"
else
	# By hand: extract, configure, make, install into a staging tree --
	# exactly what goa runs for the recipe. Each side runs BENCH_REPS times,
	# alternating, and the fastest run counts.
	reps=${BENCH_REPS:-1}
	args=$(sed -n '/^build:/,/^[^ ]/s/^  args: \[\(.*\)\]$/\1/p' "$TOP/recipes/sqlite/goa.yaml" | tr -d ,)
	cat >"$WORK/by-hand.sh" <<-H
	set -e
	rm -rf "$WORK/hand" && mkdir -p "$WORK/hand/src" && cd "$WORK/hand/src"
	tar -xJf "$tarball" --strip-components=1
	CC=musl-gcc CFLAGS=-O2 LDFLAGS="-static --static" ./configure --prefix=/usr --disable-shared \\
		--enable-static $args >/dev/null
	make -j$jobs >/dev/null 2>&1
	make install DESTDIR="$WORK/hand/stage" >/dev/null 2>&1
	H
	cat >"$WORK/with-goa.sh" <<-H
	set -e
	rm -rf "$WORK/goa-sqlite" "$GOA_CACHE" && cp -a "$TOP/recipes/sqlite" "$WORK/goa-sqlite"
	$GOA -C "$WORK/goa-sqlite" -q import --mirror "file://$dcache"
	$GOA -C "$WORK/goa-sqlite" -q -j $jobs build
	H
	best() { sort -n | head -1; }
	: >"$WORK/hand.t"; : >"$WORK/goa.t"
	for r in $(seq 1 "$reps"); do
		$PY "$HERE/timeit.py" bash "$WORK/by-hand.sh" 2>>"$WORK/hand.t" || fail "the by-hand build failed"
		$PY "$HERE/timeit.py" bash "$WORK/with-goa.sh" 2>>"$WORK/goa.t" || fail "goa import && goa build failed"
	done
	hw=$(cut -d' ' -f1 "$WORK/hand.t" | best) hc=$(cut -d' ' -f2 "$WORK/hand.t" | best)
	gw=$(cut -d' ' -f1 "$WORK/goa.t" | best) gc=$(cut -d' ' -f2 "$WORK/goa.t" | best)
	pct() { printf %.1f "$(echo "($1 / $2 - 1) * 100" | bc -l)"; }
	say "sqlite 3.40.1 (recipes/sqlite), best of $reps, cold goa cache, -j$jobs (wall s / CPU s):"
	say "  by hand (tar, configure, make):   $hw / $hc"
	say "  goa import && goa build:          $gw / $gc"
	say "  goa overhead: wall $(pct "$gw" "$hw") %, CPU $(pct "$gc" "$hc") % (wall time is noisy on a shared machine; CPU time is the fairer figure)"
fi

# Parallel downloads from a modelled distant mirror on loopback.
n=${BENCH_FILES:-16} kb=${BENCH_KB:-256} delay=${BENCH_DELAY_MS:-100} rate=${BENCH_RATE_KBPS:-1024}
mkdir -p "$WORK/www" "$WORK/dl"
{
	printf 'name: dl\nversion: "1"\ntype: posix\nbuild:\n  system: none\nsources:\n'
	for i in $(seq 1 "$n"); do
		mkdir -p "$WORK/tmp/f$i-1.0"
		head -c $((kb * 1024)) /dev/urandom >"$WORK/tmp/f$i-1.0/data"
		tar -cf "$WORK/www/f$i-1.0.tar" -C "$WORK/tmp" "f$i-1.0"
		printf '  - url: http://127.0.0.1:PORT/f%s-1.0.tar\n    sha256: %s\n    dir: f%s\n' \
			"$i" "$(sha256sum "$WORK/www/f$i-1.0.tar" | cut -d' ' -f1)" "$i"
	done
} >"$WORK/dl/goa.yaml.in"
start_httpd "$WORK/www" --delay "$delay" --rate "$rate"
sed "s/PORT/$PORT/" "$WORK/dl/goa.yaml.in" >"$WORK/dl/goa.yaml"
declare -A took
for j in 1 8; do
	rm -rf "$GOA_CACHE" "$WORK/dl/src" "$WORK/dl/var"
	t0=$(now)
	$GOA -C "$WORK/dl" -q -j "$j" import || fail "import -j $j failed"
	t1=$(now)
	took[$j]=$(echo "$t1 - $t0" | bc)
done
say "downloads: $n archives of $kb KiB from a loopback server adding ${delay} ms per request and limiting each connection to $rate KiB/s"
say "  -j 1: $(printf %.2f "${took[1]}") s   -j 8: $(printf %.2f "${took[8]}") s   speed-up: $(printf %.2f "$(echo "${took[1]} / ${took[8]}" | bc -l)")x"
