# SPDX-License-Identifier: MIT
# Publishing: round trip, signatures, immutability, tokens, yank.
import hashlib
import os
import subprocess

A = "/alice/src/zlib/1.0.tar.xz"


def test_publish_and_download_round_trip(reg):
    data = os.urandom(5000)
    r = reg.publish(reg.alice, A, data)
    assert r.status == 201, r.body
    j = r.json()
    assert j["sha256"] == hashlib.sha256(data).hexdigest()
    assert j["key_id"] == reg.alice["key_id"]
    got = reg.curl(A)
    assert got.status == 200 and got.body == data
    sig = reg.curl(A + ".sig")
    assert sig.status == 200 and len(sig.body) == 64
    # The downloaded signature verifies with the published key, as goa does it.
    p = os.path.join(reg.root, "dl.tar.xz")
    with open(p, "wb") as f:
        f.write(got.body)
    with open(p + ".sig", "wb") as f:
        f.write(sig.body)
    v = subprocess.run(["openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey",
                        reg.alice["key"] + ".pub", "-in", p, "-sigfile", p + ".sig"],
                       capture_output=True)
    assert v.returncode == 0, v.stdout + v.stderr


def test_bin_type_and_all_types(reg):
    for t in ["src", "bin/x86_64", "pkg", "raw", "api"]:
        path = f"/alice/{t}/thing/2024-01-02.tar.xz"
        assert reg.publish(reg.alice, path, t.encode() * 100).status == 201
        assert reg.curl(path).body == t.encode() * 100


def test_immutable_versions(reg):
    data = os.urandom(3000)
    assert reg.publish(reg.alice, A, data).status == 201
    again = reg.publish(reg.alice, A, data)
    assert again.status == 200 and again.json()["status"] == "exists"
    other = reg.publish(reg.alice, A, data + b"x")
    assert other.status == 409
    assert "immutable" in other.json()["hint"]
    assert reg.curl(A).body == data


def test_token_failures(reg):
    data = b"payload"
    assert reg.publish(reg.alice, A, data, token=False).status == 401
    r = reg.publish(reg.alice, A, data, token="kr_000000000000_" + "0" * 64)
    assert r.status == 401 and "error" in r.json() and "hint" in r.json()
    assert reg.publish(reg.alice, A, data, token="garbage").status == 401
    bob = reg.user("bob")
    assert reg.publish(reg.alice, A, data, token=bob["token"]).status == 403
    # A revoked token stops working; a new one works.
    tid = reg.alice["token"].split("_")[1]
    reg.admin("token", "revoke", "alice", tid[:6])
    assert reg.publish(reg.alice, A, data).status == 401
    reg.alice["token"] = reg.admin("token", "create", "alice").stdout.strip()
    assert reg.publish(reg.alice, A, data).status == 201
    assert reg.curl("/-/index/alice").json()["total"] == 1


def test_signature_failures_store_nothing(reg):
    data = os.urandom(2000)
    assert reg.publish(reg.alice, A, data, sig=False).status == 400
    assert reg.publish(reg.alice, A, data, sig="not base64!").status == 400
    assert reg.publish(reg.alice, A, data, sig="AAAA").status == 400
    r = reg.publish(reg.alice, A, data, sig="A" * 86 + "==")
    assert r.status == 422, r.body
    stranger = reg.keypair("stranger")
    assert reg.publish(reg.alice, A, data, key=stranger).status == 422
    # A signature over other bytes does not verify either.
    _, sig_other = reg.archive(b"other bytes", reg.alice["key"])
    assert reg.publish(reg.alice, A, data, sig=sig_other).status == 422
    assert reg.curl(A).status == 404
    assert reg.curl("/-/index/alice").json()["total"] == 0
    assert reg.tmp_files() == []
    blobs = os.path.join(reg.data, "blobs")
    assert sum(len(files) for _, _, files in os.walk(blobs)) == 0


def test_key_rotation_and_revocation(reg):
    assert reg.publish(reg.alice, A, b"one").status == 201
    new = reg.keypair("alice")
    new_id = reg.admin("key", "add", "alice", new + ".pub").stdout.strip()
    assert reg.publish(reg.alice, "/alice/src/zlib/2.0.tar.xz", b"two", key=new).status == 201
    keys = reg.curl("/-/keys/alice").json()["keys"]
    assert {k["id"] for k in keys} == {reg.alice["key_id"], new_id}
    pem = reg.curl(f"/-/keys/alice/{new_id}.pem")
    assert pem.status == 200 and pem.body == open(new + ".pub", "rb").read()
    # Revoking the old key withdraws what it signed (no --keep-archives).
    reg.admin("key", "revoke", "alice", reg.alice["key_id"])
    assert reg.curl(A).status == 410
    assert reg.curl("/-/latest/alice/src/zlib").json()["version"] == "2.0"
    assert reg.publish(reg.alice, "/alice/src/zlib/3.0.tar.xz", b"3").status == 422
    # With --keep-archives what the key signed stays valid.
    reg.admin("key", "revoke", "alice", new_id, "--keep-archives")
    assert reg.curl("/alice/src/zlib/2.0.tar.xz").body == b"two"
    assert reg.curl(f"/-/keys/alice/{'0' * 16}.pem").status == 404


def test_yank_and_unyank(reg):
    for v in ["1.0", "1.9", "1.10"]:
        assert reg.publish(reg.alice, f"/alice/src/zlib/{v}.tar.xz", v.encode()).status == 201
    latest = reg.curl("/-/latest/alice/src/zlib").json()
    assert latest["version"] == "1.10"
    auth = ["-H", f"Authorization: Bearer {reg.alice['token']}"]
    assert reg.curl("/alice/src/zlib/1.10/yank", "-X", "POST").status == 401
    bob = reg.user("bob")
    assert reg.curl("/alice/src/zlib/1.10/yank", "-X", "POST", "-H",
                    f"Authorization: Bearer {bob['token']}").status == 403
    assert reg.curl("/alice/src/zlib/1.10/yank", "-X", "POST", *auth).status == 200
    assert reg.curl("/-/latest/alice/src/zlib").json()["version"] == "1.9"
    versions = [i["version"] for i in reg.curl("/-/index/alice/src/zlib").json()["items"]]
    assert versions == ["1.9", "1.0"]
    # Still downloadable by exact path.
    y = reg.curl("/alice/src/zlib/1.10.tar.xz")
    assert y.status == 200 and y.body == b"1.10" and y.headers.get("x-kide-yanked") == "true"
    assert reg.curl("/alice/src/zlib/1.10/unyank", "-X", "POST", *auth).status == 200
    assert reg.curl("/-/latest/alice/src/zlib").json()["version"] == "1.10"
    # The CLI does the same.
    reg.admin("yank", "alice/src/zlib/1.10")
    assert reg.curl("/-/latest/alice/src/zlib").json()["version"] == "1.9"
    reg.admin("unyank", "alice/src/zlib/1.10")
    assert reg.curl("/-/latest/alice/src/zlib").json()["version"] == "1.10"
    assert reg.curl("/alice/src/zlib/9.9/yank", "-X", "POST", *auth).status == 404
    assert reg.admin("yank", "alice/src/zlib/9.9", check=False).returncode == 1
    assert reg.curl("/alice/src/zlib/1.0/yank").status == 405


def test_concurrent_publishes_of_one_version(reg):
    """Racing publishes of one version: exactly one 201; identical bytes 200, others 409."""
    import subprocess
    same = os.urandom(20000)
    procs = []
    for i in range(12):
        data = same if i % 2 == 0 else same + bytes([i])
        path, sig = reg.archive(data, reg.alice["key"])
        procs.append((i, subprocess.Popen(
            ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT",
             "--data-binary", "@" + path, "-H", f"X-Kide-Signature: {sig}",
             "-H", f"Authorization: Bearer {reg.alice['token']}", reg.url + A],
            stdout=subprocess.PIPE, text=True)))
    codes = {i: p.communicate(timeout=60)[0] for i, p in procs}
    assert list(codes.values()).count("201") == 1, codes
    winner = [i for i, c in codes.items() if c == "201"][0]
    for i, c in codes.items():
        if i != winner:
            same_bytes = (i % 2 == 0) == (winner % 2 == 0) and (i % 2 == 0)
            assert c == ("200" if same_bytes else "409"), (i, c, codes)
    stored = reg.curl(A).body
    assert stored == (same if winner % 2 == 0 else same + bytes([winner]))
    assert "1 ok, 0 failed" in reg.admin("verify").stdout


def test_large_archive_with_expect_continue(reg):
    data = os.urandom(3 << 20)
    r = reg.publish(reg.alice, A, data)
    assert r.status == 201
    assert reg.curl(A).body == data
    assert reg.curl(A, "-H", "Range: bytes=-10").body == data[-10:]
