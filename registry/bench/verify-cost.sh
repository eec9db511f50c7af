#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What checking blobs against their SHA-256 on download costs (issue 12, point 2).
#
# Usage: verify-cost.sh BASELINE-BINARY REGISTRY-BINARY OUT-DIR. Starts both
# registries (the baseline is a build without the check, e.g. of the commit before
# issue 12) on ephemeral loopback ports, each with its own data directory holding
# the same archive, and runs wrk against the same download on each, alternately,
# BENCH_ROUNDS times; prints the median requests/s of each and their ratio. The
# check is cached per blob file, so the steady state measures the cache lookup
# (one mutex and a compare per request), not hashing.
# Knobs: BENCH_SECONDS (2), BENCH_ROUNDS (5), BENCH_CONNECTIONS (32), BENCH_SIZE (65536).
set -euo pipefail
base=$(realpath "$1")
new=$(realpath "$2")
out=$3
secs=${BENCH_SECONDS:-2}
rounds=${BENCH_ROUNDS:-5}
conns=${BENCH_CONNECTIONS:-32}
size=${BENCH_SIZE:-65536}
rm -rf "$out"
mkdir -p "$out/payload"
out=$(realpath "$out")
prog=verify-cost
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
head -c "$size" /dev/urandom >"$out/payload/data"
tar -C "$out/payload" -cJf "$out/a.tar.xz" data
openssl genpkey -algorithm ed25519 -out "$out/key.pem"
openssl pkey -in "$out/key.pem" -pubout -out "$out/key.pub"
openssl pkeyutl -sign -rawin -inkey "$out/key.pem" -in "$out/a.tar.xz" -out "$out/a.sig"
path=/bench/src/bench/1.0.tar.xz
start() { # start NAME BINARY: sets URL_NAME
	local d=$out/$1
	mkdir -p "$d"
	printf 'listen: 127.0.0.1:0\ndata: %s/data\naccess_log: off\nrate_limit: 0\nmax_connections_per_ip: 1000\n' \
		"$d" >"$d/registry.yaml"
	"$2" --config "$d/registry.yaml" user add bench 2>/dev/null
	"$2" --config "$d/registry.yaml" key add bench "$out/key.pub" >/dev/null
	local token
	token=$("$2" --config "$d/registry.yaml" token create bench 2>/dev/null)
	"$2" --config "$d/registry.yaml" serve 2>"$d/err" &
	pids+=($!)
	wait_for 10 grep -q "listening on" "$d/err"
	local url
	url=http://127.0.0.1:$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$d/err")
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$out/a.tar.xz" \
		-H "X-Kide-Signature: $(base64 -w0 "$out/a.sig")" -H "Authorization: Bearer $token" \
		"$url$path")
	[ "$code" = 201 ] || { echo "verify-cost: publish to $1 failed with $code" >&2; exit 1; }
	cmp <(curl -s "$url$path") "$out/a.tar.xz"
	eval "URL_$1=\$url"
}
start base "$base"
start new "$new"
rps() { wrk -t2 -c"$conns" -d"${secs}s" "$1" | awk '/^Requests\/sec:/ {print $2}'; }
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
: >"$out/base.rps"
: >"$out/new.rps"
# ABBA order: which server runs first alternates, so load drift within a round
# does not favour one of them.
for i in $(seq 1 "$rounds"); do
	if [ $((i % 2)) -eq 1 ]; then
		rps "$URL_base$path" >>"$out/base.rps"
		rps "$URL_new$path" >>"$out/new.rps"
	else
		rps "$URL_new$path" >>"$out/new.rps"
		rps "$URL_base$path" >>"$out/base.rps"
	fi
done
# CPU time per download, the cost a loaded machine blurs least: 200 sequential
# downloads from each server, utime + stime of its process in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
cpu() { # cpu NAME URL PID
	local a b
	a=$(ticks "$3")
	for _ in $(seq 1 200); do curl -s -o /dev/null "$2"; done
	b=$(ticks "$3")
	echo "$1: $((b - a)) clock ticks for 200 downloads"
}
b=$(median <"$out/base.rps")
n=$(median <"$out/new.rps")
echo "download $size B, $rounds x ${secs}s rounds, wrk -t2 -c$conns, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "baseline: $b req/s  ($(tr '\n' ' ' <"$out/base.rps"))"
echo "checked:  $n req/s  ($(tr '\n' ' ' <"$out/new.rps"))"
awk -v b="$b" -v n="$n" 'BEGIN {printf "ratio checked/baseline: %.3f\n", n / b}'
cpu baseline "$URL_base$path" "${pids[0]}"
cpu checked "$URL_new$path" "${pids[1]}"
