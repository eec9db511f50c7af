#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Write hostile archives for goa's extraction tests.
# Usage: mkevil.py KIND OUT.tar.gz, KIND one of:
#   dotdot    a member named pkg/../../escaped
#   absolute  a member named /tmp/goa-abs-escaped
#   symlink   pkg/link -> ../../outside, then pkg/link/escaped through it
#   hardlink  pkg/hl hard-linked to ../../etc/passwd
#   good      a harmless tree (control case)
import io
import sys
import tarfile

kind, out = sys.argv[1], sys.argv[2]


def add_file(t, name, data=b"x\n"):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))


with tarfile.open(out, "w:gz") as t:
    add_file(t, "pkg/README", b"hello\n")
    if kind == "dotdot":
        add_file(t, "pkg/../../escaped")
    elif kind == "absolute":
        add_file(t, "/tmp/goa-abs-escaped")
    elif kind == "symlink":
        ti = tarfile.TarInfo("pkg/link")
        ti.type = tarfile.SYMTYPE
        ti.linkname = "../../outside"
        t.addfile(ti)
        add_file(t, "pkg/link/escaped")
    elif kind == "hardlink":
        ti = tarfile.TarInfo("pkg/hl")
        ti.type = tarfile.LNKTYPE
        ti.linkname = "../../etc/passwd"
        t.addfile(ti)
    elif kind == "good":
        ti = tarfile.TarInfo("pkg/inside-link")
        ti.type = tarfile.SYMTYPE
        ti.linkname = "README"
        t.addfile(ti)
