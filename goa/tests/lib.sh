# SPDX-License-Identifier: MIT
# Shared helpers of goa's shell test suites (e2e.sh, e2e-registry.sh, bench.sh).
#
# A suite defines test_* functions and calls run_tests; each test runs in a
# subshell in its own scratch directory under $WORK, with its output kept
# in $WORK/<test>.log and shown only on failure. Helpers never sleep to
# synchronise: wait_for polls a condition with a deadline.

: "${GOA:?GOA must name the goa binary under test}"
: "${BUILD:?BUILD must be set}"
: "${TOP:?TOP must be set}"
GOA_REL=${GOA_REL:-$GOA}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
passed=0 failed=0 skipped=0
pids=()

# Isolate goa from the user's environment: cache, depot users, templates.
export GOA_CACHE=$WORK/cache GOA_DEPOTS=$WORK/depots-users
unset GOA_MIRRORS GOA_DEPOT GOA_USER GOA_KEY GOA_TOKEN GOA_REGISTRY
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds or time is up.
wait_for() {
	local limit=$1; shift
	local end=$((SECONDS + limit))
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		read -r -t 0.05 <> <(:) || true
	done
}

# start_httpd ROOT [ARGS]: serve ROOT on loopback; sets $PORT.
start_httpd() {
	local root=$1; shift
	local pf; pf=$(mktemp -u "$WORK/port.XXXXXX")
	$PY "$HERE/httpd.py" "$root" "$pf" "$@" &
	pids+=($!)
	wait_for 10 test -s "$pf" || fail "the test HTTP server did not start"
	PORT=$(cat "$pf")
}

# serve_depot_as_tester: serve ./served over HTTP and make depot user 'tester'
# in ./users point at it, trusting the key k.pem (made with goa key create).
serve_depot_as_tester() {
	mkdir -p users/tester && cp k.pem.pub users/tester/pubkey
	start_httpd "$PWD/served"
	echo "http://127.0.0.1:$PORT" >users/tester/download
}

cleanup() { set +e; for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; true; }
trap cleanup EXIT

# expect_fail PATTERN CMD...: CMD must fail and its stderr match PATTERN.
expect_fail() {
	local pat=$1; shift
	local err; err=$(mktemp "$WORK/err.XXXXXX")
	if "$@" 2>"$err" >/dev/null; then cat "$err" >&2; fail "expected failure: $*"; fi
	grep -Eq -- "$pat" "$err" || { cat "$err" >&2; fail "stderr of '$*' does not match /$pat/"; }
	cat "$err" >&2
}

# Run every function named test_* (or those given as arguments).
run_tests() {
	local names=("$@") n rc
	[ ${#names[@]} -gt 0 ] || mapfile -t names < <(declare -F | awk '{print $3}' | grep '^test_')
	for n in "${names[@]}"; do
		mkdir -p "$WORK/t/$n"
		(cd "$WORK/t/$n" || exit 1; export GOA_CACHE=$WORK/t/$n/.cache; trap cleanup EXIT; set -e; "$n") >"$WORK/$n.log" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then
			passed=$((passed + 1)); echo "ok   $n"
		elif [ $rc -eq 77 ]; then
			skipped=$((skipped + 1)); echo "skip $n: $(grep '^SKIP:' "$WORK/$n.log" | tail -1)"
		else
			failed=$((failed + 1)); echo "FAIL $n (exit $rc), log:"; sed 's/^/    /' "$WORK/$n.log" | tail -40
		fi
	done
}
