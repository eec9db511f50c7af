#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Write the per-verb command reference (docs/goa/commands.md) from the help
# table compiled into goa, so `--help` and the docs cannot drift apart.
# Usage: gen-commands-doc.sh GOA-BINARY > docs/goa/commands.md
# The e2e suite regenerates it and fails if the checked-in copy differs.
set -euo pipefail
goa=$1
echo "# goa command reference"
echo
echo "Generated from goa's built-in help (\`make -C goa docs\`); do not edit by hand."
echo "See [../goa.md](../goa.md) for the tutorial and the file formats."
echo
echo '```'
"$goa" help
echo '```'
for v in $("$goa" help | awk '/^verbs:/ {on=1; next} on && /^  [a-z]/ {print $1}'); do
	echo
	echo "## goa $v"
	echo
	echo '```'
	"$goa" help "$v"
	echo '```'
done
