#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian packages the build and the tests need, and only those that
# are missing. Each part lists its own in <part>/packages.txt (one name a line,
# '#' starts a comment); mk/packages.txt holds what every part needs.
set -euo pipefail
cd "$(dirname "$0")/.."

wanted=$(cat mk/packages.txt */packages.txt 2>/dev/null | sed 's/#.*//' | tr -s ' \t' '\n' | sort -u | grep -v '^$' || true)
missing=()
for p in $wanted; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = "installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
	echo "hint: run 'sudo make deps' once, or install them with apt-get" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || { echo "deps: apt-get update failed; check the network or the apt sources" >&2; exit 1; }
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
	echo "deps: apt-get install failed for: ${missing[*]}" >&2
	echo "hint: run 'apt-get install ${missing[*]}' by hand to see why" >&2
	exit 1
}
