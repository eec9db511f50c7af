#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Rewrite the verb table of docs/goa.md (between the markers
# "<!-- verbs: generated -->" and "<!-- end of verbs -->") from the help
# table compiled into goa, so the user guide and `goa --help` cannot drift.
# Usage: gen-goa-md.sh GOA-BINARY docs/goa.md > new-goa.md
# The e2e suite regenerates it and fails if the checked-in copy differs.
set -euo pipefail
goa=$1 md=$2
grep -q '^<!-- verbs: generated -->$' "$md" && grep -q '^<!-- end of verbs -->$' "$md" || {
	echo "gen-goa-md: $md lacks the verb table markers" >&2
	exit 1
}
table() {
	echo '| verb | usage | does |'
	echo '|---|---|---|'
	for v in $("$goa" help | awk '/^verbs:/ {on=1; next} on && /^  [a-z]/ {print $1}'); do
		summary=$("$goa" help | awk -v v="$v" '$1 == v {$1 = ""; sub(/^ +/, ""); print}')
		usage=$("$goa" help "$v" | sed -n 's/^usage: //p' | head -1 | sed 's/|/\\|/g')
		echo "| \`$v\` | \`$usage\` | $summary |"
	done
}
TABLE=$(table) awk '
	/^<!-- verbs: generated -->$/ { print; print ENVIRON["TABLE"]; skip = 1; next }
	/^<!-- end of verbs -->$/ { skip = 0 }
	!skip { print }
' "$md"
