# SPDX-License-Identifier: MIT
# The admin CLI: help, errors, verify (tamper detection), gc, TLS, shutdown.
import json
import os
import signal
import subprocess
import threading

from conftest import BIN, wait_for

A = "/alice/src/zlib/1.0.tar.xz"


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=30)


def test_help_and_usage_errors(make_registry):
    r = run("--help")
    assert r.returncode == 0 and "token create" in r.stdout and "verify" in r.stdout
    for verb in [["serve"], ["user", "add"], ["key", "add"], ["key", "revoke"],
                 ["token", "create"], ["token", "revoke"], ["verify"], ["gc"], ["yank"]]:
        r = run(*verb, "--help")
        assert r.returncode == 0 and r.stdout.startswith("usage: kide-registry"), verb
    r = run("frobnicate")
    assert r.returncode == 2 and "unknown verb" in r.stderr and "hint:" in r.stderr
    r = run("verify")
    assert r.returncode == 2 and "--config" in r.stderr
    reg = make_registry()
    with open(reg.config, "a") as f:
        f.write("listn: 1.2.3.4:5\n")
    r = run("--config", reg.config, "verify")
    assert r.returncode == 2
    assert "kide-registry: bad configuration: line" in r.stderr and "hint:" in r.stderr


def test_admin_errors(make_registry):
    reg = make_registry()
    assert reg.admin("user", "add", "Bad!", check=False).returncode == 1
    reg.admin("user", "add", "alice")
    r = reg.admin("user", "add", "alice", check=False)
    assert r.returncode == 1 and "already exists" in r.stderr
    r = reg.admin("token", "create", "nobody", check=False)
    assert r.returncode == 1 and "no such user" in r.stderr
    # An RSA key is refused with a hint.
    rsa = os.path.join(reg.root, "rsa.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:1024",
                    "-out", rsa], check=True, capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", rsa, "-pubout", "-out", rsa + ".pub"], check=True)
    r = reg.admin("key", "add", "alice", rsa + ".pub", check=False)
    assert r.returncode == 1 and "not an Ed25519 key" in r.stderr and "hint:" in r.stderr
    r = reg.admin("key", "add", "alice", rsa, check=False)  # a private key file
    assert r.returncode == 1
    key = reg.keypair("alice")
    kid = reg.admin("key", "add", "alice", key + ".pub").stdout.strip()
    assert len(kid) == 16
    assert reg.admin("key", "add", "alice", key + ".pub", check=False).returncode == 1
    r = reg.admin("token", "create", "alice")
    assert r.stdout.count("\n") == 1 and r.stdout.startswith("kr_")
    assert reg.admin("token", "revoke", "alice", "zz", check=False).returncode == 1
    assert reg.admin("token", "revoke", "alice", "abcdef", check=False).returncode == 1
    assert reg.admin("key", "revoke", "alice", "0" * 16, check=False).returncode == 1


def test_verify_detects_tampering(reg):
    data = os.urandom(4000)
    r = reg.publish(reg.alice, A, data)
    assert r.publish if False else r.status == 201
    reg.publish(reg.alice, "/alice/src/zlib/2.0.tar.xz", b"fine")
    ok = reg.admin("verify")
    assert "2 ok, 0 failed" in ok.stdout
    sha = r.json()["sha256"]
    blob = os.path.join(reg.data, "blobs", sha[:2], sha)
    with open(blob, "r+b") as f:
        f.seek(1234)
        b = f.read(1)
        f.seek(1234)
        f.write(bytes([b[0] ^ 1]))
    bad = reg.admin("verify", check=False)
    assert bad.returncode == 1
    assert "/alice/src/zlib/1.0.tar.xz" in bad.stderr and "SHA-256" in bad.stderr
    assert "1 ok, 1 failed" in bad.stdout
    os.unlink(blob)
    bad = reg.admin("verify", check=False)
    assert bad.returncode == 1 and "missing" in bad.stderr
    assert reg.curl(A).status == 500
    assert reg.alive()


def test_gc_removes_only_orphans(reg):
    r = reg.publish(reg.alice, A, b"keep me")
    sha = r.json()["sha256"]
    orphan_dir = os.path.join(reg.data, "blobs", "ab")
    os.makedirs(orphan_dir, exist_ok=True)
    orphan = os.path.join(orphan_dir, "ab" + "0" * 62)
    with open(orphan, "wb") as f:
        f.write(b"nobody refers to me")
    # Within the grace period nothing goes.
    assert "removed 0" in reg.admin("gc").stdout
    out = reg.admin("gc", "--grace", "0").stdout
    assert "removed 1 unreferenced blob(s), 19 bytes" in out
    assert not os.path.exists(orphan)
    assert os.path.exists(os.path.join(reg.data, "blobs", sha[:2], sha))
    assert "1 ok" in reg.admin("verify").stdout


def test_tls(make_registry):
    reg = make_registry(tls_cert="cert.pem", tls_key="key.pem")
    cacert = reg.make_tls_cert()
    reg.alice = reg.user("alice")
    reg.start()
    assert reg.scheme == "https"
    reg.curl_extra = cacert
    assert reg.alive()
    assert reg.publish(reg.alice, A, b"over tls").status == 201
    assert reg.curl(A).body == b"over tls"
    reg.curl_extra = []
    assert reg.curl("/-/health").status == 0  # untrusted certificate: curl refuses


def test_graceful_shutdown_finishes_uploads(make_registry):
    reg = make_registry()
    reg.alice = reg.user("alice")
    reg.start()
    data = os.urandom(600 * 1024)
    path, sig = reg.archive(data, reg.alice["key"])
    result = {}

    def slow_upload():
        r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                            "--limit-rate", "300k", "-X", "PUT", "--data-binary", "@" + path,
                            "-H", f"X-Kide-Signature: {sig}",
                            "-H", f"Authorization: Bearer {reg.alice['token']}",
                            reg.url + A], capture_output=True, text=True, timeout=60)
        result["status"] = r.stdout
    t = threading.Thread(target=slow_upload)
    t.start()
    wait_for(lambda: reg.tmp_files() != [], what="upload to start")
    reg.proc.send_signal(signal.SIGTERM)
    t.join(60)
    assert result["status"] == "201"
    assert reg.proc.wait(30) == 0
    reg.proc = None
    reg.errf.close()
    assert "in-flight" in reg.stderr()
    reg.start()
    assert reg.curl(A).body == data
    assert "1 ok, 0 failed" in reg.admin("verify").stdout


def test_one_server_per_data_directory(reg):
    r = subprocess.run([BIN, "--config", reg.config, "serve"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1 and "another kide-registry" in r.stderr
    assert reg.alive()


def test_keys_index_json(reg):
    j = reg.curl("/-/keys/alice").json()
    assert j["user"] == "alice" and j["keys"][0]["id"] == reg.alice["key_id"]
    assert j["keys"][0]["revoked"] is None
    assert json.loads(reg.curl("/-/keys/nobody").body)["keys"] == []


def test_serve_startup_errors(make_registry):
    # A certificate file that is not PEM: serve refuses to start, with a hint.
    reg = make_registry(tls_cert="bad.pem", tls_key="bad.pem")
    with open(os.path.join(reg.root, "bad.pem"), "w") as f:
        f.write("not a certificate\n")
    r = subprocess.run([BIN, "--config", reg.config, "serve"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1 and "cannot start" in r.stderr and "hint:" in r.stderr
    # A missing key file.
    reg = make_registry(tls_cert="none.pem", tls_key="none.pem")
    r = subprocess.run([BIN, "--config", reg.config, "serve"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1 and "cannot read TLS" in r.stderr
    # A listen address that is not an IP address.
    reg = make_registry(listen="example.org:80")
    r = subprocess.run([BIN, "--config", reg.config, "serve"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1 and "not an IP address" in r.stderr
