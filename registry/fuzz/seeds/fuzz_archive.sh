#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Seed fuzz_archive's corpus with a small valid .tar.xz (made here rather than
# committed: the repository carries no archives). Usage: fuzz_archive.sh DIR
set -euo pipefail
dir=$1
[ -e "$dir/hello.tar.xz" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo hello >"$tmp/hello"
tar -C "$tmp" --owner=0 --group=0 --mtime=@0 -cJf "$dir/hello.tar.xz" hello
