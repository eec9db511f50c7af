# SPDX-License-Identifier: MIT
# Bad input gets a clean 4xx, stores nothing, and the server stays up.
import os
import socket
import subprocess
import time

from conftest import wait_for

A = "/alice/src/zlib/1.0.tar.xz"

TRAVERSALS = [
    "/alice/src/../../etc/passwd.tar.xz",
    "/alice/src/%2e%2e/%2e%2e/etc/passwd.tar.xz",
    "/alice/src/zlib/..%2f..%2f..%2fetc%2fpasswd.tar.xz",
    "/alice/src/zlib/%252e%252e.tar.xz",
    "/alice/src/zlib/..%5c..%5cwin.tar.xz",
    "/alice/src/zlib%00/1.0.tar.xz",
    "/alice/src/zlib/1.0%00.tar.xz",
    "/alice/src/zlib/%c0%ae%c0%ae.tar.xz",
    "/alice//src/zlib/1.0.tar.xz",
    "/%2e%2e/src/zlib/1.0.tar.xz",
    "/-/keys/alice/..%2f..%2fregistry.db.pem",
    "/-/index/..",
    "/" + "a" * 5000,
    "/alice/src/" + "n" * 200 + "/1.0.tar.xz",
]


def test_path_traversal_and_bad_names(reg):
    assert reg.publish(reg.alice, A, b"real").status == 201
    for path in TRAVERSALS:
        r = reg.curl(path)
        assert 400 <= r.status < 500, (path, r.status)
        r = reg.publish(reg.alice, path, b"evil")
        assert 400 <= r.status < 500, (path, r.status)
    for bad in ["/alice/src/.hidden/1.0.tar.xz", "/alice/src/zlib/-1.tar.xz",
                "/alice/exe/zlib/1.0.tar.xz", "/Alice/src/zlib/1.0.tar.xz",
                "/alice/bin/X86/zlib/1.0.tar.xz", "/alice/src/zlib/1.0~rc.tar.xz"]:
        r = reg.publish(reg.alice, bad, b"x")
        assert r.status == 400, (bad, r.status)
        assert "hint" in r.json()
    assert reg.curl("/-/index/alice").json()["total"] == 1
    assert reg.alive()
    assert reg.curl(A, "-X", "DELETE").status == 405
    assert reg.publish(reg.alice, A + ".sig", b"x").status == 405


def test_oversized_uploads(make_registry):
    reg = make_registry(max_archive_bytes=10000)
    reg.alice = reg.user("alice")
    reg.start()
    # Declared too large (Content-Length) and streamed too large (chunked).
    r = reg.publish(reg.alice, A, os.urandom(20000))
    assert r.status == 413, r.body
    r = reg.publish(reg.alice, A, os.urandom(20000), extra=["-H", "Transfer-Encoding: chunked"])
    assert r.status == 413
    # Large enough that curl waits for 100-continue: refused before the body is sent.
    r = reg.publish(reg.alice, A, os.urandom(3 << 20))
    assert r.status == 413
    assert reg.publish(reg.alice, A, os.urandom(10000)).status == 201
    assert reg.curl("/-/index/alice").json()["total"] == 1
    wait_for(lambda: reg.tmp_files() == [], what="tmp/ to be empty")
    assert reg.alive()


def test_header_too_large(make_registry):
    reg = make_registry(max_header_bytes=4096)
    reg.alice = reg.user("alice")
    reg.start()
    r = reg.curl("/-/health", "-H", "X-Big: " + "a" * 30000)
    assert r.status == 431
    assert reg.alive()


def raw_request(reg, data, read=True, timeout=10):
    s = socket.create_connection(("127.0.0.1", reg.port), timeout=timeout)
    s.sendall(data)
    out = b""
    if read:
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except socket.timeout:
            pass
    s.close()
    return out


def test_truncated_upload_stores_nothing(reg):
    head = (f"PUT {A} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
            f"Authorization: Bearer {reg.alice['token']}\r\n"
            f"X-Kide-Signature: {'A' * 86}==\r\n\r\n").encode()
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", reg.port), timeout=10)
        s.sendall(head + os.urandom(5000))
        wait_for(lambda: reg.tmp_files() != [], what="upload to start")
        s.close()
        wait_for(lambda: reg.tmp_files() == [], what="aborted upload to be removed")
    assert reg.curl(A).status == 404
    assert reg.curl("/-/index/alice").json()["total"] == 0
    assert reg.alive()
    assert reg.publish(reg.alice, A, b"fine").status == 201


def test_slow_clients_are_cut_off(make_registry):
    reg = make_registry(idle_timeout=1, request_timeout=2)
    reg.alice = reg.user("alice")
    reg.start()
    # Slowloris: half a request line, then silence. The server closes the connection.
    s = socket.create_connection(("127.0.0.1", reg.port), timeout=10)
    s.sendall(b"GET /-/hea")
    t0 = time.monotonic()
    assert s.recv(100) == b""
    assert time.monotonic() - t0 < 8
    s.close()
    # A trickling upload hits request_timeout: 408.
    head = (f"PUT {A} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
            f"Authorization: Bearer {reg.alice['token']}\r\n"
            f"X-Kide-Signature: {'A' * 86}==\r\n\r\n").encode()
    s = socket.create_connection(("127.0.0.1", reg.port), timeout=10)
    s.sendall(head)
    got = b""
    deadline = time.monotonic() + 10
    try:
        while time.monotonic() < deadline:
            s.sendall(b"x" * 10)
            s.settimeout(0.5)
            try:
                chunk = s.recv(1000)
            except socket.timeout:
                continue
            if not chunk:
                break
            got += chunk
    except (BrokenPipeError, ConnectionResetError):
        pass
    s.close()
    # The client must receive the 408 (issue 12, point 4), never an empty reply.
    assert got.split(b"\r\n")[0] == b"HTTP/1.1 408 Request Timeout", got[:200]
    wait_for(lambda: reg.tmp_files() == [], what="tmp/ to be empty")
    assert reg.curl("/-/index/alice").json()["total"] == 0
    assert reg.alive()


def test_rate_limit(make_registry):
    reg = make_registry(rate_limit=1, rate_burst=3)
    reg.start()
    # One curl process, 20 requests on one connection: fast enough to exceed the rate.
    urls = []
    for _ in range(20):
        urls += ["-o", "/dev/null", reg.url + "/-/health"]
    r = subprocess.run(["curl", "-s", "-w", "%{http_code}\n", *urls], capture_output=True,
                       text=True, timeout=60)
    codes = r.stdout.split()
    assert codes.count("429") >= 5 and codes[:3] == ["200"] * 3, codes
    limited = reg.curl("/-/health")
    assert limited.status == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"] == "rate limit exceeded"
    # The bucket refills.
    wait_for(lambda: reg.curl("/-/health").status == 200, what="rate limit to lift")


def test_user_quota(make_registry):
    reg = make_registry(user_quota_bytes=12000)
    reg.alice = reg.user("alice")
    reg.start()
    assert reg.publish(reg.alice, "/alice/raw/a/1.tar.xz", os.urandom(5000)).status == 201
    assert reg.publish(reg.alice, "/alice/raw/a/2.tar.xz", os.urandom(5000)).status == 201
    r = reg.publish(reg.alice, "/alice/raw/a/3.tar.xz", os.urandom(5000))
    assert r.status == 413 and "quota" in r.json()["error"]
    assert reg.curl("/-/index/alice").json()["total"] == 2


def test_garbage_requests(reg):
    cases = [
        (b"GET / HTTP/9.9\r\n\r\n", b"505"),
        (b"GET /-/health HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", b"400"),
        (b"PUT " + A.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
         b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", b"400"),
        (b"GET /-/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n", b"431"),
    ]
    for junk, status in cases:
        out = raw_request(reg, junk, timeout=5)
        assert out.split(b"\r\n")[0].split(b" ")[1] == status, (junk[:40], out[:80])
        assert reg.alive()
    # Binary noise without a request line: the server waits (idle timeout) and stays up.
    s = socket.create_connection(("127.0.0.1", reg.port), timeout=5)
    s.sendall(b"\x00\x01\x02garbage\r\n\r\n")
    assert reg.alive()
    s.close()
