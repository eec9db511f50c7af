# SPDX-License-Identifier: MIT
# Issue 12, point 4: errors found while the body arrives (408, 413, 507) reach the
# client. On the old code they were queued mid-body, libmicrohttpd refused them and
# closed the connection: curl said "Send failure: Broken pipe" (status 000) while the
# access log claimed the status was sent. Every assertion here is on the status curl
# received; an empty reply fails.
import json
import os
import resource
import shutil
import subprocess

from conftest import wait_for

A = "/alice/src/zlib/1.0.tar.xz"


def put(reg, data, *extra, path=A):
    """Publish with curl; returns (status, body, curl's stderr)."""
    fpath, sig = reg.archive(data, reg.alice["key"])
    out = os.path.join(reg.root, f"put-{reg.n}.out")
    r = subprocess.run(["curl", "-sS", "-o", out, "-w", "%{http_code}", "-X", "PUT",
                        "--data-binary", "@" + fpath, "-H", f"X-Kide-Signature: {sig}",
                        "-H", f"Authorization: Bearer {reg.alice['token']}", *extra,
                        reg.url + path], capture_output=True, text=True, timeout=120)
    body = open(out, "rb").read() if os.path.exists(out) else b""
    return int(r.stdout.strip() or 0), body, r.stderr


def logged(reg, status):
    with open(reg.log) as f:
        return [json.loads(line) for line in f if json.loads(line)["status"] == status]


def test_streamed_413_reaches_the_client(make_registry):
    reg = make_registry(max_archive_bytes=10000)
    reg.alice = reg.user("alice")
    reg.start()
    big = os.urandom(3 << 20)
    # Chunked, with and without waiting for 100 Continue; and a Content-Length the client
    # sends without waiting: all get the 413 with its JSON body.
    for extra in (["-H", "Transfer-Encoding: chunked"],
                  ["-H", "Transfer-Encoding: chunked", "-H", "Expect:"],
                  ["-H", "Expect:"]):
        status, body, err = put(reg, big, *extra)
        assert status == 413, (extra, status, err)
        assert "max_archive_bytes" in json.loads(body)["error"]
    assert reg.curl("/-/index/alice").json()["total"] == 0
    assert reg.alive()


def test_request_timeout_408_reaches_the_client(make_registry):
    reg = make_registry(request_timeout=1, idle_timeout=10)
    reg.alice = reg.user("alice")
    reg.start()
    status, body, err = put(reg, os.urandom(400000), "--limit-rate", "50k", "-H", "Expect:")
    assert status == 408, (status, err)
    assert json.loads(body)["error"] == "upload took too long"
    # The access log line is written when the server is done with the connection
    # (after the client saw the answer): wait for it.
    wait_for(lambda: logged(reg, 408), what="the 408 in the access log")
    wait_for(lambda: reg.tmp_files() == [], what="the upload file to be removed")
    assert reg.curl("/-/index/alice").json()["total"] == 0
    assert reg.alive()


def limit_file_size():
    """Fault injection for a full disk: writes past 256 KiB fail (EFBIG)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 << 10, 256 << 10))


def test_disk_full_507_reaches_the_client(make_registry):
    reg = make_registry()
    reg.alice = reg.user("alice")
    reg.start(preexec_fn=limit_file_size)
    for extra in ([], ["-H", "Expect:"], ["-H", "Transfer-Encoding: chunked"]):
        status, body, err = put(reg, os.urandom(2 << 20), *extra)
        assert status == 507, (extra, status, err)
        assert json.loads(body)["error"] == "cannot store the upload"
    assert reg.publish(reg.alice, A, os.urandom(1000)).status == 201
    assert reg.alive()


def test_no_room_for_the_upload_file_507(make_registry):
    """A data directory where no upload file can be created (as on a completely full
    disk): every client gets 507, small or large body, waiting for 100 Continue or not."""
    reg = make_registry()
    reg.alice = reg.user("alice")
    reg.start()
    tmp = os.path.join(reg.data, "tmp")
    shutil.rmtree(tmp)
    with open(tmp, "w") as f:
        f.write("not a directory\n")
    for size, extra in ((1000, []), (3 << 20, []), (3 << 20, ["-H", "Expect:"])):
        status, body, err = put(reg, os.urandom(size), *extra)
        assert status == 507, (size, extra, status, err)
    assert reg.alive()


def test_https_errors_mid_body_reach_the_client(make_registry):
    """On HTTPS the answer cannot be written around the TLS session: a body up to 1 MiB
    past the error is drained and the answer follows it."""
    reg = make_registry(tls_cert="cert.pem", tls_key="key.pem", max_archive_bytes=10000)
    cacert = reg.make_tls_cert()
    reg.alice = reg.user("alice")
    reg.start()
    assert reg.scheme == "https"
    for extra in (["-H", "Transfer-Encoding: chunked", "-H", "Expect:"], ["-H", "Expect:"]):
        status, body, err = put(reg, os.urandom(300000), *cacert, *extra)
        assert status == 413, (extra, status, err)
        assert "max_archive_bytes" in json.loads(body)["error"]
    reg.curl_extra = cacert
    assert reg.alive()
