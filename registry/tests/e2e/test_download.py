# SPDX-License-Identifier: MIT
# Downloads and the index: ranges, HEAD, ETag, pagination, search, latest.
import hashlib
import os

A = "/alice/src/zlib/1.0.tar.xz"


def test_head_range_etag(reg):
    data = os.urandom(10000)
    assert reg.publish(reg.alice, A, data).status == 201
    etag = '"' + hashlib.sha256(data).hexdigest() + '"'
    h = reg.curl(A, "-I")
    assert h.status == 200
    assert h.headers["content-length"] == "10000"
    assert h.headers["etag"] == etag
    assert h.headers["accept-ranges"] == "bytes"
    r = reg.curl(A, "-H", "Range: bytes=10-19")
    assert r.status == 206 and r.body == data[10:20]
    assert r.headers["content-range"] == "bytes 10-19/10000"
    assert reg.curl(A, "-H", "Range: bytes=-5").body == data[-5:]
    assert reg.curl(A, "-H", "Range: bytes=9990-").body == data[9990:]
    bad = reg.curl(A, "-H", "Range: bytes=10000-")
    assert bad.status == 416 and bad.headers["content-range"] == "bytes */10000"
    assert reg.curl(A, "-H", "Range: bytes=0-1,5-6").status == 200
    nm = reg.curl(A, "-H", f"If-None-Match: {etag}")
    assert nm.status == 304 and nm.body == b""
    assert reg.curl(A, "-H", 'If-None-Match: "other"').status == 200
    assert reg.curl(A + ".sig", "-H", f"If-None-Match: {etag}").status == 200
    assert reg.curl("/alice/src/zlib/2.0.tar.xz").status == 404
    assert reg.curl("/alice/src/zlib/2.0.tar.xz.sig").status == 404


def test_resume_download_with_curl(reg):
    data = os.urandom(200000)
    assert reg.publish(reg.alice, A, data).status == 201
    part = os.path.join(reg.root, "partial")
    with open(part, "wb") as f:
        f.write(data[:12345])
    import subprocess
    r = subprocess.run(["curl", "-sS", "-C", "-", "-o", part, "-w", "%{http_code}", reg.url + A],
                       capture_output=True, text=True, timeout=60)
    assert r.stdout == "206"
    assert open(part, "rb").read() == data


def test_index_pagination_and_order(reg):
    versions = ["1.0", "1.2", "1.9", "1.10", "2.0"]
    for v in versions:
        assert reg.publish(reg.alice, f"/alice/pkg/app/{v}.tar.xz", v.encode()).status == 201
    assert reg.publish(reg.alice, "/alice/src/lib/0.1.tar.xz", b"lib").status == 201
    p1 = reg.curl("/-/index/alice/pkg/app?per_page=2").json()
    assert p1["total"] == 5 and [i["version"] for i in p1["items"]] == ["2.0", "1.10"]
    p2 = reg.curl(p1["next"]).json()
    assert [i["version"] for i in p2["items"]] == ["1.9", "1.2"]
    p3 = reg.curl(p2["next"]).json()
    assert [i["version"] for i in p3["items"]] == ["1.0"] and p3["next"] is None
    item = p3["items"][0]
    assert item["path"] == "/alice/pkg/app/1.0.tar.xz" and item["size"] == 3
    user = reg.curl("/-/index/alice").json()
    assert user["total"] == 6
    assert reg.curl("/-/index/alice?page=0").status == 400
    assert reg.curl("/-/index/alice?per_page=5000").status == 400
    assert reg.curl("/-/index/alice?page=x").status == 400
    assert reg.curl("/-/index/nobody").json()["total"] == 0
    assert reg.curl("/-/latest/alice/pkg/app").json()["version"] == "2.0"
    assert reg.curl("/-/latest/alice/pkg/none").status == 404


def test_search(reg):
    bob = reg.user("bob")
    for u, name in [(reg.alice, "zlib"), (reg.alice, "zlib-ng"), (bob, "libpng")]:
        for v in ["1.0", "1.10", "1.9"]:
            path = f"/{u['name']}/src/{name}/{v}.tar.xz"
            assert reg.publish(u, path, (name + v).encode()).status == 201
    s = reg.curl("/-/search?q=lib").json()
    found = {(i["user"], i["name"], i["version"]) for i in s["items"]}
    assert found == {("alice", "zlib", "1.10"), ("alice", "zlib-ng", "1.10"),
                     ("bob", "libpng", "1.10")}
    assert reg.curl("/-/search?q=png").json()["total"] == 1
    assert reg.curl("/-/search?q=nothing").json()["total"] == 0
    assert reg.curl("/-/search").status == 400
    assert reg.curl("/-/search?q=%25").status == 400


def test_access_log_is_json(reg):
    import json
    assert reg.publish(reg.alice, A, b"x").status == 201
    reg.curl(A)
    reg.curl("/nope")

    def lines():
        with open(reg.log) as f:
            return [json.loads(line) for line in f if line.strip()]
    entries = lines()
    assert {e["status"] for e in entries} >= {201, 200, 404}
    put = [e for e in entries if e["method"] == "PUT"][0]
    assert put["user"] == "alice" and put["path"] == A and put["client"] == "127.0.0.1"
    for e in entries:
        assert set(e) >= {"ts", "client", "method", "path", "status", "bytes", "ms", "user"}
    # logrotate: move the file away, SIGHUP, and new lines go to a fresh file.
    import signal
    from conftest import wait_for
    os.rename(reg.log, reg.log + ".1")
    reg.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: os.path.exists(reg.log), what="access log to be reopened")
    reg.curl("/-/health")
    wait_for(lambda: "/-/health" in open(reg.log).read(), what="a line in the new log")
    assert reg.alive()
