#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end test of kuori-agent's `install` (docs/kuori-agent.md,
"Installing packages"): a package published with goa to a kide-registry on
the host is installed into tenant-a through its agent and started.

On the host: a goa key made for the run, a kide-registry on 127.0.0.1:17660
(10.0.2.2:17660 from the guest) with user tester and that key, and two goa
projects whose program is test-pkghello (a native component of this tree):
tester/hello/1.0 and tester/evil/1.0, exported (src, bin, pkg archives) and
published with goa; a mirror (a plain HTTP server of this script on
127.0.0.1:17661) serves evil's archives signed with the run's key and then
one byte of the bin archive flipped (kide-registry itself refuses to serve a
changed blob). os/scenarios/tests/install.yaml.in is rendered with the
key's PEM as the tenant agent's only trusted key and booted.

Checks: enrol with the operator token (root agent, 127.0.0.1:17650), make a
token for tenant-a, enrol at tenant-a's agent (17651); `install
tester/pkg/hello/1.0 --start` succeeds with hoitaja's verdict, and the
component's first log line ("[tenant-a/hello] pkghello: hello from
pkg:tester/hello/1.0") appears (the time from the request to that line is
printed); the tampered tester/pkg/evil/1.0 is refused naming the signature
and no component `evil` appears in the state; a package the registry does
not have is not-found; kuori's own `install` verb (build/kuori/kuori) when
it was built. Result: build/results/kuori-agent-install-e2e.
Usage: install_e2e.py [--timeout SECONDS]
"""
import functools
import http.server
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from guest_console import Console  # noqa: E402
import suite_result  # noqa: E402
from suite_result import port_free  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuori_client as kc  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
SUITE = "kuori-agent-install-e2e"
RESULT = SUITE + os.environ.get("KIDE_RESULT_TAG", "")
TEMPLATE = os.path.join(TOP, "os", "scenarios", "tests", "install.yaml.in")
ROOT_PORT, TENANT_PORT, REG_PORT, MIRROR_PORT = 17650, 17651, 17660, 17661
REGISTRY = f"http://10.0.2.2:{REG_PORT}"
MIRROR = f"http://10.0.2.2:{MIRROR_PORT}"
GOA = os.path.join(BUILD, "goa", "rel", "goa")
REG = os.path.join(BUILD, "registry", "rel", "kide-registry")
PROGRAM = os.path.join(BUILD, "os", "bin", "test-pkghello")
HELLO_LINE = "[tenant-a/hello] pkghello: hello from pkg:tester/hello/1.0"

GOA_YAML = """name: {name}
version: "1.0"
type: native
license: MIT
depot_user: tester
build:
  system: none
runtime:
  binary: {name}
  ram: 2M
  caps: 64
  cpu_quota: 10
"""


class Checks:
    """Named checks: each passes or fails with a line."""

    def __init__(self):
        self.passed = self.failed = 0

    def ok(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print(f"{SUITE}: {name}: ok")
        else:
            self.failed += 1
            print(f"{SUITE}: FAIL {name}: {detail}")
        return cond


def record(passed, failed, skipped):
    suite_result.record(BUILD, RESULT, passed, failed, skipped)


def run(*cmd, cwd=None):
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: status {r.returncode}: {r.stdout.strip()[-400:]}")
    return r.stdout.strip()


def wait_listening(port, deadline):
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.2)  # a retry interval while the registry starts
    return False


def publish(tmp, token):
    """Export and publish tester/hello/1.0 and tester/evil/1.0; a mirror with evil's
    bin archive tampered -> the mirror's directory."""
    depot = os.path.join(tmp, "depot")
    for name in ("hello", "evil"):
        proj = os.path.join(tmp, name)
        os.makedirs(os.path.join(proj, "var", "bin", "x86_64"), exist_ok=True)
        with open(os.path.join(proj, "goa.yaml"), "w") as f:
            f.write(GOA_YAML.format(name=name))
        prog = os.path.join(proj, "var", "bin", "x86_64", name)
        shutil.copyfile(PROGRAM, prog)
        os.chmod(prog, 0o755)
        run(GOA, "-q", "-C", proj, "export", "--depot", depot)
        run(GOA, "-C", proj, "publish", "--depot", depot, "--user", "tester", "--key",
            os.path.join(tmp, "k.pem"), "--token", token, "--registry",
            f"http://127.0.0.1:{REG_PORT}")
    # A kide-registry checks what it serves (a changed blob is a 500), so the
    # tampered copy comes from a mirror: evil's archives with signatures made
    # with the run's key over the original bytes, then one byte of the bin
    # archive flipped.
    mirror = os.path.join(tmp, "mirror")
    for kind in ("pkg", "bin/x86_64"):
        src = os.path.join(depot, "tester", kind, "evil", "1.0.tar.xz")
        dst = os.path.join(mirror, "tester", kind, "evil", "1.0.tar.xz")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src, dst)
        run("openssl", "pkeyutl", "-sign", "-rawin", "-inkey", os.path.join(tmp, "k.pem"),
            "-in", dst, "-out", dst + ".sig")
        if kind != "pkg":
            with open(dst, "r+b") as f:
                b = bytearray(f.read())
                b[len(b) // 2] ^= 1
                f.seek(0)
                f.write(b)
    return mirror


def serve_mirror(mirror):
    """A plain HTTP server of the mirror on MIRROR_PORT (a thread of this script)."""
    handler = functools.partial(QuietHandler, directory=mirror)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", MIRROR_PORT), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def start_registry(tmp):
    """A kide-registry on REG_PORT with user tester and the run's key -> (process, token)."""
    data = os.path.join(tmp, "data")
    os.makedirs(data, exist_ok=True)
    cfg = os.path.join(tmp, "reg.yaml")
    with open(cfg, "w") as f:
        f.write(f"listen: 127.0.0.1:{REG_PORT}\ndata: {data}\n")
    run(GOA, "key", "create", os.path.join(tmp, "k.pem"))
    run(REG, "--config", cfg, "user", "add", "tester")
    run(REG, "--config", cfg, "key", "add", "tester", os.path.join(tmp, "k.pem.pub"))
    token = run(REG, "--config", cfg, "token", "create", "tester").splitlines()[-1].strip()
    log = open(os.path.join(tmp, "reg.log"), "w")
    proc = subprocess.Popen([REG, "--config", cfg, "serve"], stdout=log, stderr=subprocess.STDOUT)
    if not wait_listening(REG_PORT, time.monotonic() + 30):
        proc.kill()
        raise RuntimeError("kide-registry did not listen on 127.0.0.1:17660 (reg.log)")
    return proc, token


def render(tmp):
    with open(os.path.join(tmp, "k.pem.pub")) as f:
        pem = f.read().strip().replace("\n", "\\n")
    with open(TEMPLATE) as f:
        text = f.read()
    # A line the guest never prints: the run lasts until this script ends it.
    marker = "  exit: none\n"
    if marker not in text:
        raise RuntimeError(f"{TEMPLATE}: no '{marker.strip()}' line")
    text = text.replace(marker, '    - "[tenant-a/kuori-agent] install_e2e: the host ends this run (never printed)"\n' + marker, 1)
    out = os.path.join(BUILD, "os", "tmp", "install.yaml")
    with open(out, "w") as f:
        f.write(text.replace("KEYS_PEM", pem))
    return out


def enrol(console, deadline, tmp, ck):
    """Enrol at the root agent with the console token, then at tenant-a's -> its connection."""
    mark = "[kuori-agent] kuori-agent: operator token (one enrolment, valid 1 h): "
    if not console.wait_for([mark], deadline):
        raise RuntimeError("the root agent printed no operator token")
    token = next(l for l in console.lines if mark in l).split(mark, 1)[1].strip()
    e = kc.connect(ROOT_PORT, deadline)
    e.hello()
    key, spki = kc.new_key(tmp, "alice")
    r = e.call("enrol", token=token, name="alice", csr_spki=spki)
    if not ck.ok("enrol at the root agent", r.get("ok"), str(r)):
        raise RuntimeError("no operator certificate")
    crt, _ = kc.save_cert(tmp, "alice", r["result"]["certificate"])
    e.close()
    op = kc.connect(ROOT_PORT, deadline, crt, key)
    op.hello()
    if not console.wait_for(["[tenant-a/kuori-agent] kuori-agent: registered with the token authority"],
                            deadline):
        raise RuntimeError("tenant-a's agent did not register with the token authority")
    r = op.call("token-create", habitat="tenant-a", ttl_s=600)
    if not ck.ok("token-create for tenant-a", r.get("ok"), str(r)):
        raise RuntimeError("no tenant token")
    ttoken = r["result"]["token"]
    r = op.call("token-create", habitat="tenant-a", ttl_s=600)  # for kuori's remote add
    ttoken2 = r["result"]["token"] if r.get("ok") else ""
    op.close()
    e = kc.connect(TENANT_PORT, deadline)
    e.hello()
    tkey, tspki = kc.new_key(tmp, "bob")
    r = e.call("enrol", token=ttoken, name="bob", csr_spki=tspki)
    if not ck.ok("enrol at tenant-a's agent", r.get("ok"), str(r)):
        raise RuntimeError("no tenant certificate")
    tcrt, _ = kc.save_cert(tmp, "bob", r["result"]["certificate"])
    e.close()
    t = kc.connect(TENANT_PORT, deadline, tcrt, tkey)
    t.hello()
    return t, ttoken2


def install_checks(console, deadline, tmp, ck):
    t, ttoken2 = enrol(console, deadline, tmp, ck)
    t.s.settimeout(max(60, deadline - time.monotonic()))
    start = time.monotonic()
    r = t.call("install", registry=REGISTRY, package="tester/pkg/hello/1.0", start=True)
    replied = time.monotonic()
    res = r.get("result", {})
    ck.ok("install tester/pkg/hello/1.0 --start", r.get("ok") and res.get("component") == "hello"
          and len(res.get("sha256", "")) == 64 and not res.get("result", "").startswith("rejected"),
          str(r)[:400])
    # Only when the install succeeded is its line awaited (else the run would idle to the end).
    line_by = deadline if r.get("ok") else time.monotonic()
    if ck.ok("its first log line", console.wait_for([HELLO_LINE], line_by),
             f"no '{HELLO_LINE}'"):
        seen = time.monotonic()
        print(f"{SUITE}: install time (request to the reply): {replied - start:.2f} s")
        print(f"{SUITE}: install time (request to the first log line, at most): "
              f"{seen - start:.2f} s")
    r = t.call("install", registry=MIRROR, package="tester/pkg/evil/1.0", start=True)
    msg = r.get("error", {}).get("message", "")
    ck.ok("a tampered bin archive: refused, naming the signature",
          not r.get("ok") and r["error"]["code"] == "rejected" and "signature" in msg, str(r))
    r = t.call("state")
    names = [c["name"] for c in r["result"]["report"]["children"]] if r.get("ok") else ["?"]
    ck.ok("nothing of it started", "evil" not in names and "hello" in names, str(names))
    r = t.call("install", registry=REGISTRY, package="tester/pkg/nope/1.0", start=True)
    ck.ok("a package the registry does not have: not-found",
          not r.get("ok") and r["error"]["code"] == "not-found", str(r))
    t.close()
    return kuori_check(console, deadline, tmp, ck, ttoken2)


def kuori_check(console, deadline, tmp, ck, token):
    """kuori's own verb: a remote enrolled with a second tenant token, then install -o json."""
    kuori = os.path.join(BUILD, "kuori", "kuori")
    if not os.path.exists(kuori):
        print(f"{SUITE}: kuori install: skipped: {kuori} was not built (make -C kuori)")
        return 1
    env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=os.path.join(tmp, "kuori-config"),
               NO_COLOR="1")
    os.makedirs(os.path.join(tmp, "kuori-config", "kuori"), mode=0o700, exist_ok=True)
    r = subprocess.run([kuori, "remote", "add", "t", f"127.0.0.1:{TENANT_PORT}", "--token", token],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=max(30, deadline - time.monotonic()))
    if not ck.ok("kuori remote add (tenant-a)", r.returncode == 0, r.stdout[-300:]):
        return 0
    r = subprocess.run([kuori, "install", "tester/pkg/hello/1.0", "--registry", REGISTRY,
                        "--start", "-o", "json"], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True,
                       timeout=max(30, deadline - time.monotonic()))
    try:
        res = json.loads(r.stdout)
    except ValueError:
        res = {}
    ck.ok("kuori install tester/pkg/hello/1.0 --start -o json",
          r.returncode == 0 and res.get("package") == "tester/pkg/hello/1.0" and
          res.get("component") == "hello", f"status {r.returncode}: {r.stdout[-200:]} "
          f"{r.stderr[-300:]}")
    return 0


def main():
    sys.stdout.reconfigure(line_buffering=True)
    timeout = 600
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--timeout":
        timeout = int(args[1])
    elif args:
        print(__doc__)
        return 2
    net = os.path.join(BUILD, "os", "bin", "net")
    agent = os.path.join(BUILD, "os", "bin", "kuori-agent")
    for path, why in ((net, "the TCP/IP stack"), (agent, "kuori-agent (TLS)")):
        if os.path.exists(path + ".unavailable") or not os.path.exists(path):
            print(f"{SUITE}: skipped: {why} was not built")
            record(0, 0, 1)
            return 0
    for path in (GOA, REG, PROGRAM):
        if not os.path.exists(path):
            print(f"{SUITE}: FAIL {path} is missing; hint: make -C os all, make -C registry all")
            record(0, 1, 0)
            return 1
    busy = [p for p in (ROOT_PORT, TENANT_PORT, REG_PORT, MIRROR_PORT) if not port_free(p)]
    if busy:
        print(f"{SUITE}: FAIL host port(s) {busy} already in use; hint: stop what holds them")
        record(0, 1, 0)
        return 1
    tmp = os.path.join(BUILD, "os", "tmp", "install-e2e")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    ck = Checks()
    skipped = 0
    reg = None
    try:
        reg, token = start_registry(tmp)
        mirror_srv = serve_mirror(publish(tmp, token))
        ck.ok("published tester/pkg/hello/1.0 and a tampered tester/pkg/evil/1.0", True)
        scenario = render(tmp)
    except (RuntimeError, OSError) as e:
        ck.ok("the registry and the packages", False, str(e))
        if reg:
            reg.kill()
        record(ck.passed, ck.failed, 0)
        return 1
    cmd = [os.path.join(TOP, "os", "tools", "scenario-run.sh"), "--no-result", "--suite", SUITE,
           "--timeout", str(timeout), "--scenario", scenario, "install"]
    # Its own process group: the end of the run stops scenario-run.sh and its QEMU together.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    console = Console(proc)
    deadline = time.monotonic() + timeout
    try:
        skipped += install_checks(console, deadline, tmp, ck)
    except (OSError, ssl.SSLError, kc.ProtocolError, RuntimeError, KeyError, TypeError) as e:
        ck.ok("install through tenant-a's agent", False, f"{type(e).__name__}: {e}")
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    reg.terminate()
    reg.wait(timeout=30)
    mirror_srv.shutdown()
    record(ck.passed, ck.failed, skipped)
    return 0 if ck.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
