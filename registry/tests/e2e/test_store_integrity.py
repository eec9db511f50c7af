# SPDX-License-Identifier: MIT
# Issue 12, points 1 and 2: maintenance cannot lose acknowledged data, and a
# damaged blob is never served as good and is repaired by publishing the bytes.
import hashlib
import os
import subprocess
import threading
import time

from conftest import BIN

A = "/alice/src/zlib/1.0.tar.xz"


def blob_path(reg, sha):
    return os.path.join(reg.data, "blobs", sha[:2], sha)


def plant_orphan(reg, data, age=7200):
    """An unreferenced blob older than gc's grace, as a kill -9 between rename and insert
    leaves behind."""
    sha = hashlib.sha256(data).hexdigest()
    p = blob_path(reg, sha)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
    old = time.time() - age
    os.utime(p, (old, old))
    return p


def flip_byte(path, at=100):
    with open(path, "r+b") as f:
        f.seek(at)
        b = f.read(1)
        f.seek(at)
        f.write(bytes([b[0] ^ 0x55]))


def test_gc_while_publishing_never_loses_an_acknowledged_archive(reg):
    """Point 1: gc racing publishes that reuse old unreferenced blobs. Two gc loops run
    back to back while 60 archives are published, each just after its bytes were planted
    as an old orphan. On the old code some of these 201s later downloaded as 500 and
    verify said 'blob is missing'."""
    stop = threading.Event()
    runs = []

    def gc_loop():
        while not stop.is_set() and len(runs) < 2000:
            runs.append(subprocess.run([BIN, "--config", reg.config, "gc", "--grace", "60"],
                                       capture_output=True, timeout=60).returncode)
    loops = [threading.Thread(target=gc_loop) for _ in range(2)]
    for t in loops:
        t.start()
    created = {}
    try:
        for i in range(60):
            data = b"race-%d-" % i + os.urandom(20000)
            plant_orphan(reg, data)
            path = f"/alice/raw/race/{i}.tar.xz"
            r = reg.publish(reg.alice, path, data)
            assert r.status == 201, (i, r.status)
            created[path] = data
    finally:
        stop.set()
        for t in loops:
            t.join(timeout=120)
    assert runs and set(runs) == {0}, runs
    reg.admin("gc", "--grace", "60")
    lost = [p for p, d in created.items() if reg.curl(p).body != d]
    assert lost == [], f"{len(lost)} acknowledged publishes lost: {lost}"
    v = reg.admin("verify", check=False)
    assert v.returncode == 0, v.stderr


def test_reused_blob_is_refreshed_for_gc(reg):
    """Publishing bytes that match an old orphan blob makes the blob young again, so a gc
    with a grace period never sees it as old and unreferenced in between."""
    data = os.urandom(5000)
    p = plant_orphan(reg, data)
    assert reg.publish(reg.alice, A, data).status == 201
    assert time.time() - os.stat(p).st_mtime < 600


def test_damaged_blob_is_not_served(reg):
    """Point 2: download checks the hash, not only the size; a damaged blob answers 500,
    never 200 with the original ETag and an immutable Cache-Control."""
    data = os.urandom(50000)
    r = reg.publish(reg.alice, A, data)
    assert r.status == 201
    sha = r.json()["sha256"]
    assert reg.curl(A).body == data  # cached as verified
    flip_byte(blob_path(reg, sha))
    for args in ([], ["-r", "0-99"], ["-I"]):
        got = reg.curl(A, *args)
        assert got.status == 500, (args, got.status)
        assert "immutable" not in got.headers.get("cache-control", "")
    assert "damaged" in reg.curl(A).json()["error"]
    assert reg.alive()


def test_republish_repairs_a_damaged_blob(reg):
    """Point 2: publishing the genuine bytes again (same version or a new one) replaces the
    damaged blob instead of keeping it."""
    data = os.urandom(30000)
    sha = reg.publish(reg.alice, A, data).json()["sha256"]
    flip_byte(blob_path(reg, sha))
    r = reg.publish(reg.alice, "/alice/src/zlib/2.0.tar.xz", data)
    assert r.status == 201 and r.json()["sha256"] == sha
    for v in ("1.0", "2.0"):
        got = reg.curl(f"/alice/src/zlib/{v}.tar.xz")
        assert got.status == 200 and got.body == data, v
    assert reg.admin("verify").returncode == 0
    # The same version again: 200, and the blob is repaired too.
    flip_byte(blob_path(reg, sha), at=7)
    assert reg.publish(reg.alice, A, data).status == 200
    got = reg.curl(A)
    assert got.status == 200 and got.body == data
    assert reg.admin("verify").returncode == 0
    # A damaged blob of a different size is replaced as well.
    with open(blob_path(reg, sha), "ab") as f:
        f.write(b"junk")
    assert reg.publish(reg.alice, "/alice/src/zlib/3.0.tar.xz", data).status == 201
    assert reg.curl(A).body == data
