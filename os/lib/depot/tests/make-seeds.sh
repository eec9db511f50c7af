#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Write the depot fuzzers' seed corpus into DIR/{runtime,tar,xz}: a pkg
# archive's runtime, the same as a ustar archive as goa writes it, that
# archive xz-compressed, and an xz-compressed tar whose one entry is '../x'.
# Made at test time (GNU tar and xz from Debian) so no archive is tracked.
#   make-seeds.sh DIR
set -euo pipefail
out=${1:?usage: make-seeds.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out/runtime" "$out/tar" "$out/xz" "$work/pkg" "$work/evil"
cp "$here/corpus/runtime/hello" "$out/runtime/hello"
cp "$here/corpus/runtime/hello" "$work/pkg/runtime"
printf 'tester/bin/x86_64/hello/1.0\n' >"$work/pkg/archives"
tarflags=(--format=ustar --sort=name --mtime=@315532800 --owner=0 --group=0 --numeric-owner)
tar "${tarflags[@]}" -C "$work/pkg" -cf "$out/tar/pkg.tar" archives runtime
xz -6 -c "$out/tar/pkg.tar" >"$out/xz/pkg.tar.xz"
printf 'escape\n' >"$work/evil/x"
tar "${tarflags[@]}" -C "$work/evil" --transform 's,^x$,../x,' -cf "$work/dotdot.tar" x
xz -6 -c "$work/dotdot.tar" >"$out/xz/dotdot.tar.xz"
