# SPDX-License-Identifier: MIT
# Shared by the registry's benchmark scripts (sourced, not run): the scratch
# directory's background processes and waiting for a condition.
# Needs: $out (the scratch directory) and $prog (the script's name for messages).
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_for() { # wait_for SECONDS CMD...: poll a condition with a deadline
	local deadline=$((SECONDS + $1)); shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || { echo "$prog: timed out waiting for: $*" >&2; return 1; }
		sleep 0.05
	done
}
