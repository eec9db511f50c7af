# SPDX-License-Identifier: MIT
# Issue 12, point 7: a publish must be a .tar.xz (on the old code anything was stored).
import io
import lzma
import os
import tarfile

A = "/alice/src/zlib/1.0.tar.xz"


def tar_xz(files, preset=6):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in files.items():
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    return lzma.compress(b.getvalue(), preset=preset)


def test_only_tar_xz_is_accepted(make_registry):
    reg = make_registry(check_archive_format=1)
    reg.alice = reg.user("alice")
    reg.start()
    good = tar_xz({"zlib/README": b"hello\n", "zlib/data": os.urandom(30000)})
    r = reg.publish(reg.alice, A, good)
    assert r.status == 201, r.body
    assert reg.curl(A).body == good
    bad = {
        "random bytes": os.urandom(5000),
        "xz of not-a-tar": lzma.compress(b"just text, no tar header\n" * 40),
        "gzip tar": b"\x1f\x8b\x08\x00" + os.urandom(500),
        "truncated tar.xz": good[:-10],
        "tar without xz": io.BytesIO().getvalue() + tar_xz({"a": b"b"}, preset=0)[6:],
    }
    for i, (what, data) in enumerate(bad.items()):
        r = reg.publish(reg.alice, f"/alice/src/zlib/2.{i}.tar.xz", data)
        assert r.status == 422, (what, r.status)
        assert "hint" in r.json() and "signature" not in r.json()["error"], what
    assert reg.curl("/-/index/alice").json()["total"] == 1
    # An empty archive (only the end-of-archive blocks) is a valid tar.
    empty = lzma.compress(bytes(10240))
    assert reg.publish(reg.alice, "/alice/src/zlib/3.0.tar.xz", empty).status == 201


def test_format_check_is_on_by_default(make_registry):
    reg = make_registry()
    with open(reg.config) as f:
        text = f.read().replace("check_archive_format: 0\n", "")
    with open(reg.config, "w") as f:
        f.write(text)
    reg.alice = reg.user("alice")
    reg.start()
    assert reg.publish(reg.alice, A, os.urandom(3000)).status == 422
