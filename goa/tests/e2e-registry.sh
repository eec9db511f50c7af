#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# goa against a running kide-registry: export, publish, install, tamper.
#
# Needs $BUILD/registry/rel/kide-registry (the top-level `make all` builds
# the registry before goa). Without it every test here FAILS with a clear
# message instead of passing silently. The registry listens on a loopback
# port chosen at run time; its data directory is in the scratch area.
# Records "passed failed skipped" in $BUILD/results/goa-registry.
set -uo pipefail
WORK=$BUILD/goa/e2e-registry
rm -rf "$WORK"
mkdir -p "$WORK"
source "$(dirname "$0")/lib.sh"
REG=${KIDE_REGISTRY:-$BUILD/registry/rel/kide-registry}

# start_registry: configure users, key and token; serve; sets URL, TOKEN.
start_registry() {
	[ -x "$REG" ] || fail "kide-registry not found at $REG; build it first ('make -C registry all' or the top-level 'make all')"
	local port
	port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p data
	printf 'listen: 127.0.0.1:%s\ndata: %s\n' "$port" "$PWD/data" >reg.yaml
	"$REG" --config reg.yaml user add tester >/dev/null || fail "kide-registry user add failed"
	$GOA key create k.pem
	"$REG" --config reg.yaml key add tester k.pem.pub >/dev/null || fail "kide-registry key add failed"
	TOKEN=$("$REG" --config reg.yaml token create tester) || fail "kide-registry token create failed"
	"$REG" --config reg.yaml serve >reg.log 2>&1 &
	pids+=($!)
	URL=http://127.0.0.1:$port
	wait_for 20 curl -s -o /dev/null "$URL/" || { cat reg.log; fail "kide-registry did not start listening on $URL"; }
	mkdir -p users/tester
	cp k.pem.pub users/tester/pubkey
	echo "$URL" >users/tester/download
}

built_project() {
	$GOA new --template posix s
	$GOA -C s build
	$GOA -C s export --depot "$PWD/depot" --user tester
}

test_publish_install_and_skip() {
	start_registry
	built_project
	$GOA -C s publish --depot "$PWD/depot" --user tester --key k.pem --token "$TOKEN" --registry "$URL" 2>&1 | tee pub1
	grep -q "published tester/bin/x86_64/s/0.1.0" pub1
	$GOA -C s publish --depot "$PWD/depot" --user tester --key k.pem --token "$TOKEN" --registry "$URL" 2>&1 | tee pub2
	grep -q "already published" pub2
	$GOA -j 4 install --depot "$PWD/fresh" --depots "$PWD/users" tester/pkg/s/0.1.0
	[ -x fresh/tester/bin/x86_64/s/0.1.0/s ] || fail "binary not installed"
	cmp fresh/tester/src/s/0.1.0.tar.xz depot/tester/src/s/0.1.0.tar.xz
}

test_tampered_on_registry_disk() {
	start_registry
	built_project
	$GOA -C s publish --depot "$PWD/depot" --user tester --key k.pem --token "$TOKEN" --registry "$URL"
	orig=depot/tester/bin/x86_64/s/0.1.0.tar.xz
	stored=$(find data -type f -size "$(stat -c %s "$orig")c" -exec cmp -s {} "$orig" \; -print | head -1)
	[ -n "$stored" ] || fail "cannot find the stored archive under data/"
	$PY -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=1; open(p,'wb').write(b)" "$stored"
	expect_fail "signature check failed|cannot download" \
		$GOA install --depot "$PWD/fresh" --depots "$PWD/users" tester/bin/x86_64/s/0.1.0
	[ ! -e fresh/tester/bin ] || fail "a tampered archive was unpacked"
	[ ! -e fresh/.quarantine ] || fail "quarantine left behind"
}

test_publish_refusals() {
	start_registry
	built_project
	expect_fail "HTTP 40[13]" $GOA -C s publish --depot "$PWD/depot" --user tester --key k.pem --token wrong --registry "$URL"
	$GOA -C s publish --depot "$PWD/depot" --user tester --key k.pem --token "$TOKEN" --registry "$URL"
	echo '/* other */' >>s/src/main.c
	$GOA -C s build
	$GOA -C s export --depot "$PWD/other" --user tester
	expect_fail "HTTP 409" $GOA -C s publish --depot "$PWD/other" --user tester --key k.pem --token "$TOKEN" --registry "$URL"
	$GOA key create stranger.pem
	$GOA -C s bump-version
	$GOA -C s export --depot "$PWD/other" --user tester
	expect_fail "HTTP 4(22|03)" $GOA -C s publish --depot "$PWD/other" --user tester --key stranger.pem --token "$TOKEN" --registry "$URL"
}

run_tests "$@"
echo "goa-registry: $passed passed, $failed failed, $skipped skipped"
mkdir -p "$BUILD/results"
echo "$passed $failed $skipped" >"$BUILD/results/goa-registry"
[ $failed -eq 0 ]
