#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The signed archive the depot-verify scenario's component (test-depot)
# carries, in DIR:
#
#   make-signed.sh FIXTURE-DIR DIR
#
#   archive.tar.xz  the pkg archive goa exported (make-fixture.sh)
#   archive.sig     its raw 64-byte Ed25519 signature, as goa signs
#                   (OpenSSL, a key made here and thrown away)
#   pubkey.raw      the 32-byte public key
set -euo pipefail

fx=${1:?usage: make-signed.sh FIXTURE-DIR DIR}
out=${2:?usage: make-signed.sh FIXTURE-DIR DIR}
mkdir -p "$out"
cp "$fx/depot/tester/pkg/hello/1.0.tar.xz" "$out/archive.tar.xz"
openssl genpkey -algorithm ed25519 -out "$out/key.pem" 2>/dev/null
openssl pkeyutl -sign -rawin -inkey "$out/key.pem" -in "$out/archive.tar.xz" -out "$out/archive.sig"
# SubjectPublicKeyInfo DER of Ed25519 is 12 fixed bytes, then the key.
openssl pkey -in "$out/key.pem" -pubout -outform DER | tail -c 32 >"$out/pubkey.raw"
rm -f "$out/key.pem"
[ "$(stat -c %s "$out/archive.sig")" -eq 64 ] && [ "$(stat -c %s "$out/pubkey.raw")" -eq 32 ]
