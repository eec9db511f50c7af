#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The package the pkg-start scenario installs, in DIR:
#
#   make-pkg.sh PROGRAM DIR
#
# goa exports a project whose program is PROGRAM (test-pkghello, a native
# component built by this tree) as tester/hello/1.0, and the bin archive is
# signed the way goa signs (raw Ed25519 over the archive's bytes; OpenSSL, a
# key made here and thrown away):
#
#   archive.tar.xz  depot/tester/bin/x86_64/hello/1.0.tar.xz as goa wrote it
#   archive.sig     its 64-byte signature
#   pubkey.raw      the 32-byte public key
set -euo pipefail

prog=${1:?usage: make-pkg.sh PROGRAM DIR}
out=${2:?usage: make-pkg.sh PROGRAM DIR}
TOP=${TOP:-$(cd "$(dirname "$0")/../../../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
goa=$BUILD/goa/rel/goa
[ -x "$goa" ] || make --no-print-directory -C "$TOP/goa" SANITIZE= TOP="$TOP" BUILD="$BUILD" all >/dev/null

rm -rf "$out" && mkdir -p "$out/proj/var/bin/x86_64"
cat >"$out/proj/goa.yaml" <<'YAML'
name: hello
version: "1.0"
type: native
license: MIT
depot_user: tester
build:
  system: none
runtime:
  binary: hello
  ram: 2M
  caps: 64
  cpu_quota: 10
YAML
cp "$prog" "$out/proj/var/bin/x86_64/hello"
chmod 755 "$out/proj/var/bin/x86_64/hello"
SOURCE_DATE_EPOCH= "$goa" -q -C "$out/proj" export --depot "$out/depot"
cp "$out/depot/tester/bin/x86_64/hello/1.0.tar.xz" "$out/archive.tar.xz"
openssl genpkey -algorithm ed25519 -out "$out/key.pem" 2>/dev/null
openssl pkeyutl -sign -rawin -inkey "$out/key.pem" -in "$out/archive.tar.xz" -out "$out/archive.sig"
# SubjectPublicKeyInfo DER of Ed25519 is 12 fixed bytes, then the key.
openssl pkey -in "$out/key.pem" -pubout -outform DER | tail -c 32 >"$out/pubkey.raw"
rm -f "$out/key.pem"
[ "$(stat -c %s "$out/archive.sig")" -eq 64 ] && [ "$(stat -c %s "$out/pubkey.raw")" -eq 32 ]
