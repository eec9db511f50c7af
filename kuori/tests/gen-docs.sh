#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Write docs/kuori/<verb>.md for every verb, from the verb table's --help text.
# Usage: gen-docs.sh KUORI-BINARY OUT-DIR
# The pages are generated so that --help and the documentation cannot drift;
# tests/e2e checks that the committed pages match (make -C kuori docs rewrites).
set -euo pipefail
bin=$1 out=$2
mkdir -p "$out"
verbs=$("$bin" --help | sed -n 's/^  \([a-z]*\)  .*/\1/p')
for v in $verbs; do
	help=$("$bin" "$v" --help)
	first=${help%%$'\n'*} # not "| head -1": under pipefail printf may die of SIGPIPE
	summary=${first#"kuori $v: "}
	{
		echo "# kuori $v"
		echo
		echo "${summary^}."
		echo
		echo '```'
		printf '%s\n' "$help" | tail -n +3
		echo '```'
		echo
		echo "Generated from \`kuori $v --help\` by kuori/tests/gen-docs.sh."
		echo "Exit codes, output formats and the configuration: [kuori](../kuori.md)."
	} >"$out/$v.md"
done
