# SPDX-License-Identifier: MIT
# Issue 12, points 3, 5 and 6: strict path decoding, key files reduced to the public
# key, and a data directory the server only treats as its own when it carries its marker.
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import BIN, WORK

A = "/alice/src/zlib/1.0.tar.xz"

CONTROL_PATHS = [
    A + "%00.evil",
    "/alice/src/zlib/1.0.tar.xz%00",
    "/alice/src/zlib%00x/1.0.tar.xz",
    A + "%0a",
    "/alice/src/zlib/1.0%0d%0aX-Evil:%201.tar.xz",
    A + "%01",
    A + "%1f",
    A + "%7f",
    "/-/index/alice%00/x",
    "/-/health%00",
    A + "%zz",
    A + "%",
    A + "%2",
]


def test_encoded_control_characters_are_rejected(reg):
    """Point 3: on the old code GET .tar.xz%00.evil answered 200 and PUT 201."""
    assert reg.publish(reg.alice, A, b"real").status == 201
    for path in CONTROL_PATHS:
        r = reg.curl(path)
        assert r.status == 400, (path, r.status)
        assert "hint" in r.json()
        r = reg.publish(reg.alice, path, b"evil")
        assert r.status == 400, (path, r.status)
    assert reg.curl("/-/index/alice").json()["total"] == 1
    # The access log records what was sent, not a shortened path.
    with open(reg.log) as f:
        paths = [json.loads(line)["path"] for line in f]
    assert A + "%00.evil" in paths
    assert reg.alive()


def test_key_add_refuses_private_key_material(make_registry):
    """Point 5: a key file holding a private key was stored verbatim and served to
    anyone by GET /-/keys/<user>."""
    reg = make_registry()
    reg.admin("user", "add", "alice")
    key = reg.keypair("alice")
    both = key + ".both"
    with open(both, "w") as f:
        f.write(open(key).read() + open(key + ".pub").read())
    r = reg.admin("key", "add", "alice", both, check=False)
    assert r.returncode == 1 and "private key" in r.stderr and "hint:" in r.stderr
    # A private key alone is refused too (it is not silently reduced).
    r = reg.admin("key", "add", "alice", key, check=False)
    assert r.returncode == 1 and "private key" in r.stderr
    # Text around the public key is not stored: only the canonical PEM is.
    noisy = key + ".noisy"
    with open(noisy, "w") as f:
        f.write("comment: mine\n" + open(key + ".pub").read() + "trailing secret words\n")
    kid = reg.admin("key", "add", "alice", noisy).stdout.strip()
    reg.start()
    body = reg.curl("/-/keys/alice").body.decode()
    assert "PRIVATE" not in body and "secret" not in body and "comment" not in body
    pem = reg.curl(f"/-/keys/alice/{kid}.pem").body.decode()
    assert pem == open(key + ".pub").read()


def test_foreign_data_directory_is_not_touched(make_registry):
    """Point 6: serve (and gc) emptied <data>/tmp of a directory that was not theirs."""
    reg = make_registry()
    os.makedirs(os.path.join(reg.data, "tmp"))
    victim = os.path.join(reg.data, "tmp", "precious.txt")
    with open(victim, "w") as f:
        f.write("someone else's file\n")
    r = subprocess.run([BIN, "--config", reg.config, "serve"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1 and "not a kide-registry data directory" in r.stderr, r.stderr
    assert "hint:" in r.stderr
    r = reg.admin("gc", "--grace", "0", check=False)
    assert r.returncode == 1 and "not a kide-registry data directory" in r.stderr
    r = reg.admin("user", "add", "alice", check=False)
    assert r.returncode == 1
    assert os.path.exists(victim)
    # An empty or new directory becomes ours; our own leftovers are cleaned at start.
    reg2 = make_registry()
    reg2.admin("user", "add", "alice")
    assert os.path.exists(os.path.join(reg2.data, ".kide-registry-data"))
    leftover = os.path.join(reg2.data, "tmp", "upload-abc123")
    other = os.path.join(reg2.data, "tmp", "notes.txt")
    for p in (leftover, other):
        with open(p, "w") as f:
            f.write("x")
    reg2.start()
    assert not os.path.exists(leftover) and os.path.exists(other)


def test_tmp_and_blobs_on_different_filesystems_refuse_to_start(make_registry):
    """Docs item: with tmp/ on another filesystem every publish failed with 507 (the
    rename from tmp/ into blobs/ cannot cross filesystems); now serve says so at start."""
    other = "/dev/shm"
    if not os.path.isdir(other) or os.stat(other).st_dev == os.stat(WORK).st_dev:
        pytest.skip("no second filesystem to put tmp/ on")
    reg = make_registry()
    reg.admin("user", "add", "alice")
    elsewhere = tempfile.mkdtemp(dir=other)
    try:
        os.rmdir(os.path.join(reg.data, "tmp"))
        os.symlink(elsewhere, os.path.join(reg.data, "tmp"))
        p = subprocess.Popen([BIN, "--config", reg.config, "serve"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        try:
            rc = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise AssertionError("serve started with tmp/ and blobs/ on different filesystems")
        err = p.stderr.read()
        assert rc == 1 and "different filesystems" in err and "hint:" in err, err
    finally:
        shutil.rmtree(elsewhere)
