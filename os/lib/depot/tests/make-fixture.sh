#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The archives os/lib/depot's tests read (test_depot.c), in DIR:
#
#   make-fixture.sh DIR
#
#   depot/tester/{src,bin/x86_64,pkg}/hello/1.0.tar.xz   goa export of a small
#        project (a long path that needs a pax header, an executable, a
#        runtime with lists and a config block), unsigned: the test signs
#        them with a key it makes
#   dotdot.tar.xz   a tar whose member is "../x" (Python's tarfile, xz)
#   bomb.tar.xz     a tar holding 64 MiB of zeros (about 10 KiB compressed)
#   done            written last
set -euo pipefail

out=${1:?usage: make-fixture.sh DIR}
TOP=${TOP:-$(cd "$(dirname "$0")/../../../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
goa=$BUILD/goa/rel/goa
[ -x "$goa" ] || make --no-print-directory -C "$TOP/goa" SANITIZE= TOP="$TOP" BUILD="$BUILD" all >/dev/null

rm -rf "$out" && mkdir -p "$out"
p=$out/proj
long=src/deep/$(printf 'a%.0s' {1..60})/$(printf 'b%.0s' {1..90})
mkdir -p "$p/$long" "$p/var/bin/x86_64"
cat >"$p/goa.yaml" <<'YAML'
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
  requires: [LOG, Timer]
  rom: [hello.cfg]
  config: |
    greeting: hi
    count: 3
YAML
echo hi >"$p/$long/file.txt"
printf '\177ELF not really a program\n' >"$p/var/bin/x86_64/hello"
chmod 755 "$p/var/bin/x86_64/hello"
echo "x: 1" >"$p/var/bin/x86_64/hello.cfg"
SOURCE_DATE_EPOCH= "$goa" -q -C "$p" export --depot "$out/depot"

python3 - "$out" <<'PY'
import io, lzma, sys, tarfile
out = sys.argv[1]
def write(name, members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for path, data in members:
            i = tarfile.TarInfo(path)
            i.size = len(data)
            t.addfile(i, io.BytesIO(data))
    with open(f"{out}/{name}", "wb") as f:
        f.write(lzma.compress(buf.getvalue(), preset=6))
write("dotdot.tar.xz", [("../x", b"escape\n")])
write("bomb.tar.xz", [("zeros", bytes(64 << 20))])
PY
touch "$out/done"
