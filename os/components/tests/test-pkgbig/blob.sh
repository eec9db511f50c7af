#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# blob.sh OUT: test-pkgbig's 1 MiB blob, incompressible and the same on every
# build (AES-128-CTR of zeros under a fixed key: a keystream, not a secret),
# so the package's archive stays about 1 MiB after xz.
set -euo pipefail
out=${1:?usage: blob.sh OUT}
openssl enc -aes-128-ctr -nosalt -K 6b6964652d706b676269670000000000 -iv 0 </dev/zero 2>/dev/null |
	head -c 1048576 >"$out.tmp" || true
[ "$(stat -c %s "$out.tmp")" -eq 1048576 ] || { echo "blob.sh: openssl gave no 1 MiB keystream" >&2; exit 1; }
mv "$out.tmp" "$out"
