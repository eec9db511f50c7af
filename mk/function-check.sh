#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Check that no function of the product C code is longer or more complex than the limits.
# Usage: mk/function-check.sh [--report]
#   --report   also list the longest and most complex functions (the top 15 of each)
# Limits (docs/development.md, "Function size"): 100 lines and a cyclomatic
# complexity of 30 per function, measured by pmccabe (Debian package pmccabe;
# lines from the definition to the closing brace, "modified" McCabe, where a
# switch counts once however many cases it has). A function over a limit fails
# the check unless mk/function-allow.txt lists it with a reason; an entry whose
# function is no longer over any limit (or no longer exists) fails it too, so
# the list cannot keep exceptions nobody needs. Exits 1 on either, 0 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
MAX_LINES=100
MAX_CCN=30
ALLOW=mk/function-allow.txt
report=0
case ${1:-} in
--report) report=1 ;;
"") ;;
-h | --help) sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) echo "function-check: unknown argument '$1'" >&2; echo "hint: mk/function-check.sh --help" >&2; exit 2 ;;
esac
command -v pmccabe >/dev/null || {
	echo "function-check: pmccabe is missing" >&2
	echo "hint: run 'make deps' (Debian package pmccabe)" >&2
	exit 2
}
# Product code: the OS, goa, the registry and kuori, without test and fuzz harnesses
# (tests/ and fuzz/ directories) and goa's templates (C only once goa fills
# in their @NAME@ placeholders).
mapfile -t files < <(git ls-files -- 'os/*.[ch]' 'goa/*.[ch]' 'registry/*.[ch]' 'kuori/*.[ch]' \
	':!:*/tests/*' ':!:*/fuzz/*' ':!templates/')
[ ${#files[@]} -gt 0 ] || { echo "function-check: no C files found (run it in a git checkout)" >&2; exit 2; }
present=()
for f in "${files[@]}"; do [ -f "$f" ] && present+=("$f"); done

# One line per function: "file<TAB>function<TAB>lines<TAB>complexity".
# pmccabe prints its measurements (lines starting with a number) and its
# complaints about code it cannot parse on the same streams; split them.
out=$(pmccabe "${present[@]}" 2>&1)
errors=$(grep -Ev $'^[0-9]+\t' <<<"$out")
if [ -n "$errors" ]; then
	echo "function-check: pmccabe could not read some code:" >&2
	echo "$errors" >&2
	exit 2
fi
measured=$(awk -F'\t' '{ split($6, a, /\([0-9]+\): /); print a[1] "\t" a[2] "\t" $5 "\t" $1 }' <<<"$out")
[ -f "$ALLOW" ] || { echo "function-check: $ALLOW is missing" >&2; exit 2; }

# The allow-list: "file function reason...", '#' starts a comment line.
awk -v max_lines=$MAX_LINES -v max_ccn=$MAX_CCN -v allow="$ALLOW" -v nfiles=${#present[@]} -F'\t' '
BEGIN {
	while ((getline line < allow) > 0) {
		n++
		if (line ~ /^[ \t]*(#|$)/)
			continue
		split(line, w, /[ \t]+/)
		key = w[1] "\t" w[2]
		reason = line
		sub(/^[^ \t]+[ \t]+[^ \t]+[ \t]*/, "", reason)
		if (w[2] == "" || reason == "") {
			printf "function-check: %s:%d: an entry is \"file function reason\"; this one has no %s\n",
			    allow, n, w[2] == "" ? "function" : "reason"
			bad = 1
			continue
		}
		if (key in allowed) {
			printf "function-check: %s:%d: %s %s is listed twice\n", allow, n, w[1], w[2]
			bad = 1
		}
		allowed[key] = reason
		where[key] = n
	}
}
{
	funcs++
	key = $1 "\t" $2
	over = ($3 > max_lines) || ($4 > max_ccn)
	if (over && (key in allowed)) {
		used[key] = 1
		excused++
	} else if (over) {
		printf "function-check: %s: %s: %d lines, complexity %d (limits %d and %d)\n",
		    $1, $2, $3, $4, max_lines, max_ccn
		bad = 1
	}
}
END {
	for (key in allowed) {
		if (key in used)
			continue
		split(key, k, "\t")
		printf "function-check: %s:%d: %s %s is within the limits now (or gone): remove its entry\n",
		    allow, where[key], k[1], k[2]
		bad = 1
	}
	if (bad) {
		print "hint: split the function (docs/development.md, \"Function size\"), or list it in " \
		    allow " with the reason it must stay whole"
		exit 1
	}
	printf "function-check: %d functions in %d files within %d lines and complexity %d (%d listed exceptions)\n",
	    funcs, nfiles, max_lines, max_ccn, excused
}' <<<"$measured"
status=$?
if [ "$report" = 1 ]; then
	echo "longest functions (lines, complexity):"
	sort -t$'\t' -k3,3nr <<<"$measured" | head -15 | awk -F'\t' '{ printf "  %4d %3d  %s: %s\n", $3, $4, $1, $2 }'
	echo "most complex functions (complexity, lines):"
	sort -t$'\t' -k4,4nr <<<"$measured" | head -15 | awk -F'\t' '{ printf "  %4d %3d  %s: %s\n", $4, $3, $1, $2 }'
fi
exit $status
