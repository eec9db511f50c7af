#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark kide-registry against nginx serving the same files, on loopback.
#
# Usage: bench.sh REGISTRY-BINARY OUT-DIR. Both servers run as children of this
# script on ephemeral loopback ports with configs and data under OUT-DIR (never
# the system nginx service). wrk measures requests/s and p99 latency for one
# archive download and one index request on each; then N concurrent publishes
# measure publish throughput. Results go to OUT-DIR/results.md and stdout.
# Knobs: BENCH_SECONDS (2 per round), BENCH_ROUNDS (5), BENCH_CONNECTIONS (32), BENCH_THREADS (2),
# BENCH_SIZE (archive bytes, 65536), BENCH_PUBLISHES (200), BENCH_WORKERS (0).
set -euo pipefail
bin=$(realpath "$1")
out=$2
secs=${BENCH_SECONDS:-2}
conns=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
size=${BENCH_SIZE:-65536}
npub=${BENCH_PUBLISHES:-200}
workers=${BENCH_WORKERS:-0}
rounds=${BENCH_ROUNDS:-5}

rm -rf "$out"
mkdir -p "$out"/www "$out"/nginx/tmp "$out"/pub
out=$(realpath "$out")
prog=bench
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- the registry ---------------------------------------------------------
cat >"$out/registry.yaml" <<CFG
listen: 127.0.0.1:0
data: $out/data
access_log: off
rate_limit: 0
max_connections_per_ip: 1000
workers: $workers
CFG
reg() { "$bin" --config "$out/registry.yaml" "$@"; }
reg user add bench 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$out/key.pem"
openssl pkey -in "$out/key.pem" -pubout -out "$out/key.pub"
reg key add bench "$out/key.pub" >/dev/null
token=$(reg token create bench 2>/dev/null)
"$bin" --config "$out/registry.yaml" serve 2>"$out/registry.err" &
pids+=($!)
wait_for 10 grep -q "listening on" "$out/registry.err"
rport=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$out/registry.err")
R=http://127.0.0.1:$rport

# Real .tar.xz archives (the registry checks the format): random payloads, so the
# archive is BENCH_SIZE plus a few hundred bytes of tar and xz framing.
mkdir -p "$out/payload"
head -c "$size" /dev/urandom >"$out/payload/data"
tar -C "$out/payload" -cJf "$out/bench.tar.xz" data
openssl pkeyutl -sign -rawin -inkey "$out/key.pem" -in "$out/bench.tar.xz" -out "$out/bench.sig"
path=/bench/src/bench/1.0.tar.xz
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$out/bench.tar.xz" \
	-H "X-Kide-Signature: $(base64 -w0 "$out/bench.sig")" -H "Authorization: Bearer $token" "$R$path")
[ "$code" = 201 ] || { echo "bench: publish failed with $code" >&2; exit 1; }

# --- nginx with the same files ---------------------------------------------
mkdir -p "$out/www/bench/src/bench" "$out/www/-/index"
cp "$out/bench.tar.xz" "$out/www$path"
curl -s "$R/-/index/bench" >"$out/www/-/index/bench"
nport=$(free_port)
cat >"$out/nginx/nginx.conf" <<CFG
daemon off;
worker_processes 2;
pid $out/nginx/nginx.pid;
error_log $out/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $out/nginx/tmp/body;
    proxy_temp_path $out/nginx/tmp/proxy;
    fastcgi_temp_path $out/nginx/tmp/fastcgi;
    uwsgi_temp_path $out/nginx/tmp/uwsgi;
    scgi_temp_path $out/nginx/tmp/scgi;
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$nport;
        root $out/www;
        location /-/index/ { default_type application/json; }
    }
}
CFG
chmod -R a+rX "$out/www"
nginx -p "$out/nginx" -c "$out/nginx/nginx.conf" -e "$out/nginx/error.log" &
pids+=($!)
N=http://127.0.0.1:$nport
wait_for 10 curl -sf -o /dev/null "$N$path"
cmp <(curl -s "$N$path") "$out/bench.tar.xz"

load0=$(cut -d' ' -f1-3 /proc/loadavg)
# --- wrk -------------------------------------------------------------------
run_wrk() { # run_wrk URL -> "rps p99ms"
	local log
	log=$(wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "$1")
	local rps p99
	rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$log")
	p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' <<<"$log")
	echo "$rps $p99"
}
# The two servers run alternately, ROUNDS times each, and the medians are
# reported: on a shared machine the load drifts, and interleaving keeps that drift
# from favouring whichever server happened to run in a quiet moment.
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
measure() { # measure NAME URL-REGISTRY URL-NGINX: sets NAME_{reg,ngx}_{rps,p99}
	local i rr rp nr np
	: >"$out/$1.reg" && : >"$out/$1.ngx"
	for i in $(seq 1 "$rounds"); do
		run_wrk "$2" >>"$out/$1.reg"
		run_wrk "$3" >>"$out/$1.ngx"
	done
	rr=$(cut -d' ' -f1 "$out/$1.reg" | median); rp=$(cut -d' ' -f2 "$out/$1.reg" | median)
	nr=$(cut -d' ' -f1 "$out/$1.ngx" | median); np=$(cut -d' ' -f2 "$out/$1.ngx" | median)
	eval "$1_reg_rps=$rr $1_reg_p99=$rp $1_ngx_rps=$nr $1_ngx_p99=$np"
}
measure dl "$R$path" "$N$path"
measure ix "$R/-/index/bench" "$N/-/index/bench"
reg_dl_rps=$dl_reg_rps reg_dl_p99=$dl_reg_p99 ngx_dl_rps=$dl_ngx_rps ngx_dl_p99=$dl_ngx_p99
reg_ix_rps=$ix_reg_rps reg_ix_p99=$ix_reg_p99 ngx_ix_rps=$ix_ngx_rps ngx_ix_p99=$ix_ngx_p99

# --- concurrent publishes -----------------------------------------------------
for i in $(seq 1 "$npub"); do
	head -c 16384 /dev/urandom >"$out/payload/data"
	tar -C "$out/payload" -cJf "$out/pub/$i.tar.xz" data
	openssl pkeyutl -sign -rawin -inkey "$out/key.pem" -in "$out/pub/$i.tar.xz" \
		-out "$out/pub/$i.sig"
	base64 -w0 "$out/pub/$i.sig" >"$out/pub/$i.b64"
done
export R token out
t0=$(date +%s.%N)
seq 1 "$npub" | xargs -P 16 -I{} sh -c 'curl -s -o /dev/null -w "%{http_code}\n" -X PUT \
	--data-binary @"$out/pub/{}.tar.xz" -H "X-Kide-Signature: $(cat "$out/pub/{}.b64")" \
	-H "Authorization: Bearer $token" "$R/bench/raw/pub/{}.tar.xz"' >"$out/pub/codes"
t1=$(date +%s.%N)
ok=$(grep -c '^201$' "$out/pub/codes" || true)
pub_rate=$(awk -v n="$ok" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", n / (b - a)}')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
{
	echo "## kide-registry vs nginx, loopback ($(nproc) cores, $(date -u +%F))"
	echo
	echo "wrk -t$threads -c$conns -d${secs}s, median of $rounds interleaved rounds; archive $size bytes;"
	echo "registry workers=$workers; load average before: $load0"
	echo "(workers 0 = thread per connection); nginx $(nginx -v 2>&1 | sed 's/.*\///') worker_processes 2."
	echo
	echo "| request | registry req/s | registry p99 ms | nginx req/s | nginx p99 ms | ratio |"
	echo "|---|---|---|---|---|---|"
	echo "| archive download | $reg_dl_rps | $reg_dl_p99 | $ngx_dl_rps | $ngx_dl_p99 | $(ratio "$reg_dl_rps" "$ngx_dl_rps") |"
	echo "| index (JSON) | $reg_ix_rps | $reg_ix_p99 | $ngx_ix_rps | $ngx_ix_p99 | $(ratio "$reg_ix_rps" "$ngx_ix_rps") |"
	echo
	echo "Concurrent publish (16 clients, 16 KiB archives, fsync on): $ok/$npub created, $pub_rate publishes/s"
} | tee "$out/results.md"
