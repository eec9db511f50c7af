# SPDX-License-Identifier: MIT
# Fixtures for the kide-registry end-to-end tests.
#
# Each test gets its own data directory under $REGISTRY_WORK and its own
# server process listening on 127.0.0.1 port 0 (the kernel picks a free port;
# the server prints it). Everything is driven with curl, the real client, and
# with the admin CLI. Nothing sleeps to synchronise: helpers poll a condition
# with a deadline.
import base64
import os
import re
import signal
import subprocess
import time

import pytest

BIN = os.environ.get("REGISTRY_BIN", "")
WORK = os.environ.get("REGISTRY_WORK", "")


def wait_for(cond, timeout=15.0, what="condition"):
    """Poll cond() until it returns a true value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        import json
        return json.loads(self.body)


class Registry:
    """One kide-registry data directory, its config and (when started) its server."""

    def __init__(self, root, **cfg):
        self.root = root
        os.makedirs(root, exist_ok=True)
        self.data = os.path.join(root, "data")
        self.config = os.path.join(root, "registry.yaml")
        self.log = os.path.join(root, "access.log")
        self.errlog = os.path.join(root, "serve.err")
        self.proc = None
        self.port = None
        self.scheme = "http"
        self.curl_extra = []
        # Most tests publish arbitrary bytes to test the store and the protocol; the
        # .tar.xz check (on by default) has its own tests in test_archive_format.py.
        settings = {"listen": "127.0.0.1:0", "data": self.data, "access_log": self.log,
                    "rate_limit": 0, "check_archive_format": 0}
        settings.update(cfg)
        with open(self.config, "w") as f:
            for k, v in settings.items():
                f.write(f"{k}: {v}\n")
        self.n = 0

    # --- admin CLI -------------------------------------------------------
    def admin(self, *args, check=True):
        r = subprocess.run([BIN, "--config", self.config, *args], capture_output=True,
                           text=True, timeout=60)
        if check and r.returncode != 0:
            raise AssertionError(f"{args} failed ({r.returncode}): {r.stderr}")
        return r

    def user(self, name):
        self.admin("user", "add", name)
        key = self.keypair(name)
        kid = self.admin("key", "add", name, key + ".pub").stdout.strip()
        token = self.admin("token", "create", name).stdout.strip()
        return {"name": name, "key": key, "key_id": kid, "token": token}

    def keypair(self, name):
        path = os.path.join(self.root, f"{name}-{self.n}.key")
        self.n += 1
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", path],
                       check=True, capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-out", path + ".pub"],
                       check=True, capture_output=True)
        return path

    # --- server ----------------------------------------------------------
    def make_tls_cert(self, cert="cert.pem", key="key.pem"):
        """A self-signed P-256 certificate for 127.0.0.1 in the registry's root
        (for configurations with tls_cert/tls_key); returns curl's --cacert args."""
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", os.path.join(self.root, key),
                        "-out", os.path.join(self.root, cert)], check=True, capture_output=True)
        return ["--cacert", os.path.join(self.root, cert)]

    def start(self, preexec_fn=None):
        self.errf = open(self.errlog, "ab")
        start = os.path.getsize(self.errlog)
        self.proc = subprocess.Popen([BIN, "--config", self.config, "serve"],
                                     stdout=subprocess.DEVNULL, stderr=self.errf,
                                     preexec_fn=preexec_fn)

        def listening():
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {self.stderr()}")
            with open(self.errlog) as f:
                f.seek(start)
                m = re.search(r"listening on (https?)://127\.0\.0\.1:(\d+)", f.read())
            return m
        m = wait_for(listening, what="server to listen")
        self.scheme, self.port = m.group(1), int(m.group(2))
        return self

    def stderr(self):
        with open(self.errlog, errors="replace") as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=timeout)
        self.proc = None
        self.errf.close()
        return rc

    @property
    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.port}"

    # --- HTTP through curl -------------------------------------------------
    def curl(self, path, *args, timeout=60):
        self.n += 1
        body = os.path.join(self.root, f"curl-{self.n}.body")
        hdr = os.path.join(self.root, f"curl-{self.n}.hdr")
        r = subprocess.run(["curl", "-sS", "--path-as-is", "-o", body, "-D", hdr,
                            "-w", "%{http_code}", *self.curl_extra, *args, self.url + path],
                           capture_output=True, text=True, timeout=timeout)
        status = int(r.stdout.strip() or 0)
        headers = {}
        if os.path.exists(hdr):
            with open(hdr, errors="replace") as f:
                for line in f:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
        data = b""
        if os.path.exists(body):
            with open(body, "rb") as f:
                data = f.read()
        return Response(status, headers, data)

    def archive(self, data, key):
        """Write data as an archive file and sign it; returns (path, base64 signature)."""
        self.n += 1
        path = os.path.join(self.root, f"archive-{self.n}.tar.xz")
        with open(path, "wb") as f:
            f.write(data)
        subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key, "-in", path,
                        "-out", path + ".sig"], check=True, capture_output=True)
        with open(path + ".sig", "rb") as f:
            sig = f.read()
        assert len(sig) == 64
        return path, base64.b64encode(sig).decode()

    def publish(self, user, path, data, key=None, token=None, sig=None, extra=()):
        fpath, good_sig = self.archive(data, key or user["key"])
        args = ["-X", "PUT", "--data-binary", "@" + fpath]
        if sig is None:
            sig = good_sig
        if sig is not False:
            args += ["-H", f"X-Kide-Signature: {sig}"]
        if token is None:
            token = user["token"]
        if token is not False:
            args += ["-H", f"Authorization: Bearer {token}"]
        return self.curl(path, *args, *extra)

    def alive(self):
        return self.curl("/-/health").status == 200

    def tmp_files(self):
        d = os.path.join(self.data, "tmp")
        return os.listdir(d) if os.path.isdir(d) else []


@pytest.fixture
def make_registry(request):
    assert BIN and WORK, "run through 'make -C registry test'"
    made = []

    def make(**cfg):
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name) + f"-{len(made)}"
        r = Registry(os.path.join(WORK, name), **cfg)
        made.append(r)
        return r
    yield make
    problems = []
    for r in made:
        if r.proc:
            rc = r.stop(signal.SIGTERM)
            if rc != 0:
                problems.append(f"{r.root}: server exited with {rc} on SIGTERM")
        if os.path.exists(r.errlog):
            err = r.stderr()
            for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
                if marker in err:
                    problems.append(f"{r.root}: sanitizer report in serve.err:\n{err[-3000:]}")
    assert not problems, "\n".join(problems)


@pytest.fixture
def reg(make_registry):
    """A running registry with one user, alice."""
    r = make_registry()
    r.alice = r.user("alice")
    return r.start()
