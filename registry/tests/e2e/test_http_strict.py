# SPDX-License-Identifier: MIT
# Issue 12, point 7 and the operator-facing items: strict HTTP framing, whole-tag
# If-None-Match, quota reservations for uploads in flight, CLI help for verb groups,
# and admin verbs run as root leaving the files to the service user.
import os
import subprocess
import threading

import pytest

from conftest import BIN, wait_for
from test_robustness import raw_request

A = "/alice/src/zlib/1.0.tar.xz"


def status_of(reply):
    assert reply, "empty reply"
    return int(reply.split(b"\r\n")[0].split(b" ")[1])


def test_if_none_match_compares_whole_tags(reg):
    sha = reg.publish(reg.alice, A, b"tagged").json()["sha256"]
    etag = f'"{sha}"'
    assert reg.curl(A, "-H", f"If-None-Match: {etag}").status == 304
    assert reg.curl(A, "-H", f'If-None-Match: "x", W/{etag}').status == 304
    assert reg.curl(A, "-H", "If-None-Match: *").status == 304
    # Containing the tag is not matching it (the old code answered 304 to these).
    for inm in (f"{etag}junk", f'"x{sha}"', f"x{etag}", f'"{sha}'):
        r = reg.curl(A, "-H", f"If-None-Match: {inm}")
        assert r.status == 200 and r.body == b"tagged", (inm, r.status)


def test_content_length_with_chunked_is_refused(reg):
    _, sig = reg.archive(b"hello", reg.alice["key"])
    req = (f"PUT {A} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
           f"Transfer-Encoding: chunked\r\nAuthorization: Bearer {reg.alice['token']}\r\n"
           f"X-Kide-Signature: {sig}\r\n\r\n5\r\nhello\r\n0\r\n\r\n").encode()
    out = raw_request(reg, req, timeout=5)
    assert status_of(out) == 400, out[:200]
    assert b"Transfer-Encoding" in out
    assert reg.curl(A).status == 404
    assert reg.alive()


def test_http11_without_host_is_refused(reg):
    out = raw_request(reg, b"GET /-/health HTTP/1.1\r\n\r\n", timeout=5)
    assert status_of(out) == 400, out[:200]
    # HTTP/1.0 has no Host requirement.
    out = raw_request(reg, b"GET /-/health HTTP/1.0\r\n\r\n", timeout=5)
    assert status_of(out) == 200


def test_uploads_in_flight_count_against_the_quota(make_registry):
    """Six throttled 80 KiB uploads against a 300 KiB quota: on the old code all six were
    stored in tmp/ at once (480 KiB); now at most the quota is ever held."""
    quota = 300 * 1024
    reg = make_registry(user_quota_bytes=quota)
    reg.alice = reg.user("alice")
    reg.start()
    procs = []
    for i in range(6):
        data = os.urandom(80 * 1024)
        fpath, sig = reg.archive(data, reg.alice["key"])
        procs.append(subprocess.Popen(
            ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--limit-rate", "40k",
             "-X", "PUT", "--data-binary", "@" + fpath, "-H", f"X-Kide-Signature: {sig}",
             "-H", f"Authorization: Bearer {reg.alice['token']}",
             reg.url + f"/alice/raw/q/{i}.tar.xz"], stdout=subprocess.PIPE, text=True))
    peak = 0
    tmp = os.path.join(reg.data, "tmp")
    while any(p.poll() is None for p in procs):
        held = 0
        for f in os.listdir(tmp):
            try:
                held += os.path.getsize(os.path.join(tmp, f))
            except FileNotFoundError:
                pass
        peak = max(peak, held)
        wait_for(lambda: True)
    codes = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
    assert codes.count("201") == 3 and codes.count("413") == 3, codes
    assert peak <= quota, f"{peak} bytes in flight against a {quota}-byte quota"
    # Reservations are released: after yanking nothing, a fourth fits once space is free.
    assert reg.curl("/-/index/alice").json()["total"] == 3


def test_verb_group_help(make_registry):
    r = subprocess.run([BIN, "token", "--help"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "token create" in r.stdout and "token revoke" in r.stdout
    r = subprocess.run([BIN, "key"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "key add" in r.stderr and "hint:" in r.stderr
    r = subprocess.run([BIN, "frobnicate"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "unknown verb" in r.stderr


def test_search_with_plus_encoded(reg):
    assert reg.publish(reg.alice, "/alice/src/c++/1.0.tar.xz", b"cpp").status == 201
    r = reg.curl("/-/search?q=c%2B%2B")
    assert r.status == 200 and r.json()["items"][0]["name"] == "c++"
    r = reg.curl("/-/search?q=c++")
    assert r.status == 400 and "%2B" in r.json()["hint"]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to chown")
def test_admin_verbs_as_root_leave_files_to_the_service_user(make_registry):
    """Deployment steps 2 and 4: the data directory belongs to the service user, the
    admin verbs run as root. On the old code registry.db was left to root and every
    publish by the server (as the service user) failed with 500."""
    reg = make_registry(access_log="off")
    os.makedirs(reg.data)
    os.chown(reg.data, 65534, 65534)
    os.chmod(reg.data, 0o750)
    reg.alice = reg.user("alice")
    for name in ("registry.db", "blobs", "tmp", ".kide-registry-data"):
        st = os.stat(os.path.join(reg.data, name))
        assert (st.st_uid, st.st_gid) == (65534, 65534), name
    os.chmod(reg.root, 0o755)
    reg.start(preexec_fn=lambda: (os.setgroups([]), os.setgid(65534), os.setuid(65534)))
    assert reg.publish(reg.alice, A, b"as the service user").status == 201
