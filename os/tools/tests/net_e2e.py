#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end network test: boot os/scenarios/net.yaml (make run SCENARIO=net)
and run the README's tour commands against it from the host.

The scenario runs the platform driver, the virtio-net driver and the router
in the root habitat and, in each of two tenant habitats, its own TCP/IP stack
and a TCP echo server; tenant-a also runs http-status. QEMU forwards
127.0.0.1:17007 and :17008 to the router, which forwards them to tenant-a's
and tenant-b's echo, and :17080 to tenant-a's HTTP server. The commands come
from README.md's tour ("Reach it over the network"): the test fails if they
are not there or name other ports, so the README and this test cannot drift
apart. This script starts os/tools/scenario-run.sh (what `make run
SCENARIO=net` runs; it boots QEMU and judges the serial log), waits until the
servers say they listen, runs each `curl` line as written (with -sS and a
time limit added; Python's HTTP client where curl is missing) and checks GET
/healthz (200, "ok") and GET / (200, application/json, the status fields),
then does what each `nc` line does (nc is not assumed on the host: a socket
to the same address) with messages of 1 byte to 64 KiB, checking every
echoed byte. The scenario's own expectation is that each echo server logs
the host's connection, in the order this script connects. Both must hold.

With --restart-driver it boots os/scenarios/tests/net-restart-driver.yaml
instead (suite os-net-restart-e2e): one tenant habitat on host port 17207,
and a component that restarts the virtio-net driver once the router serves.
The host waits until the router says it re-opened its uplink after the
driver was restarted, and only then sends the messages: host connections
work again after a driver restart.

Result: build/results/os-net-e2e ("passed failed skipped"). Skipped, naming
the cause, when the stack could not be built (lwIP's sources unavailable:
build/os/bin/net.unavailable).
Usage: net_e2e.py [--restart-driver] [--timeout SECONDS]
"""
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from guest_console import Console  # noqa: E402
import suite_result  # noqa: E402
from suite_result import port_free  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
SUITE = "os-net-e2e"
# KIDE_RESULT_TAG (@tcg or @kvm: make test runs the QEMU suites under each)
# names this run's result; scenario-run.sh adds it to --suite itself.
RESULT = SUITE + os.environ.get("KIDE_RESULT_TAG", "")
PORTS = {"tenant-a": 17007, "tenant-b": 17008}
HTTP_PORT = 17080
SIZES = [1, 7, 100, 1460, 4096, 20000, 65536]
README_SECTION = "Reach it over the network"


def readme_commands():
    """The tour's commands: (nc lines as (host, port), curl lines as URLs), or
    raise naming what is missing."""
    with open(os.path.join(TOP, "README.md")) as f:
        text = f.read()
    start = text.find(README_SECTION)
    if start < 0:
        raise RuntimeError(f"README.md has no tour step '{README_SECTION}'")
    end = text.find("\n3. ", start)
    step = text[start:end if end > 0 else len(text)]
    if "make run SCENARIO=net" not in step:
        raise RuntimeError("README.md's tour step does not say 'make run SCENARIO=net'")
    nc = [(h, int(p)) for h, p in re.findall(r"^\s*nc (\S+) (\d+)", step, re.M)]
    curl = re.findall(r"^\s*curl (\S+)", step, re.M)
    want_nc = [("127.0.0.1", p) for p in PORTS.values()]
    want_curl = [f"http://127.0.0.1:{HTTP_PORT}/healthz", f"http://127.0.0.1:{HTTP_PORT}/"]
    if sorted(nc) != sorted(want_nc) or sorted(curl) != sorted(want_curl):
        raise RuntimeError(f"README.md's tour commands (nc {nc}, curl {curl}) are not the "
                           f"scenario's (nc {want_nc}, curl {want_curl})")
    return nc, curl


def http_get(url, deadline):
    """GET url as the README's curl line does: -> (status, content type, body).
    QEMU accepts a forwarded connection at once and resets it if the guest does
    not answer yet, so a failure is retried until the deadline."""
    last = None
    while time.monotonic() < deadline:
        if shutil.which("curl"):
            r = subprocess.run(["curl", url, "-sS", "--max-time", "30", "-o", "-", "-w",
                                "\n%{http_code} %{content_type}"], capture_output=True)
            out = r.stdout.decode(errors="replace")
            if r.returncode == 0 and "\n" in out:
                body, _, tail = out.rpartition("\n")
                code, _, ctype = tail.partition(" ")
                return int(code), ctype, body
            last = r.stderr.decode(errors="replace").strip() or f"curl status {r.returncode}"
        else:
            import urllib.request
            try:
                with urllib.request.urlopen(url, timeout=30) as resp:
                    return (resp.status, resp.headers.get("Content-Type", ""),
                            resp.read().decode(errors="replace"))
            except OSError as e:
                last = str(e)
        time.sleep(0.5)  # a retry interval, not synchronisation: the deadline decides
    raise RuntimeError(f"{url}: no answer before the deadline ({last})")


def http_checks(urls, deadline):
    """GET /healthz and / as the README does; returns (passed, failed)."""
    passed = failed = 0
    for url in urls:
        try:
            code, ctype, body = http_get(url, deadline)
            if code != 200:
                raise RuntimeError(f"status {code}, expected 200")
            if url.endswith("/healthz"):
                if body.strip() != "ok":
                    raise RuntimeError(f"body {body.strip()!r}, expected 'ok'")
            else:
                if not ctype.startswith("application/json"):
                    raise RuntimeError(f"content type {ctype!r}, expected application/json")
                doc = json.loads(body)
                missing = [k for k in ("component", "uptime_ms", "ram_quota", "ram_used",
                                       "caps_quota", "caps_used", "requests") if k not in doc]
                if missing:
                    raise RuntimeError(f"status page lacks {missing}: {body.strip()}")
                if not str(doc["component"]).endswith("http") or \
                        not 0 < doc["ram_used"] <= doc["ram_quota"]:
                    raise RuntimeError(f"status page does not describe tenant-a/http: {body}")
            print(f"{SUITE}: curl {url}: 200 {ctype} {body.strip()[:80]}")
            passed += 1
        except (RuntimeError, ValueError) as e:
            print(f"{SUITE}: FAIL curl {url}: {e}")
            failed += 1
    return passed, failed


def record(passed, failed, skipped):
    suite_result.record(BUILD, RESULT, passed, failed, skipped)


def connect(port, deadline):
    """Connect to the forwarded port; QEMU accepts at once and resets the
    connection if the guest does not answer yet, so retry until the deadline."""
    last = None
    while time.monotonic() < deadline:
        s = socket.socket()
        s.settimeout(10)
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(b"x")
            if s.recv(1) == b"x":
                return s
            last = "no echo of the first byte"
        except OSError as e:
            last = str(e)
        s.close()
        time.sleep(0.5)  # a retry interval, not synchronisation: the deadline decides
    raise RuntimeError(f"port {port}: no echo connection before the deadline ({last})")


def recv_exact(s, n):
    out = bytearray()
    while len(out) < n:
        chunk = s.recv(min(65536, n - len(out)))
        if not chunk:
            raise RuntimeError(f"connection closed after {len(out)} of {n} bytes")
        out += chunk
    return bytes(out)


def echo_checks(name, port, deadline, rnd):
    """One connection, every message size; returns (passed, failed)."""
    passed = failed = 0
    try:
        s = connect(port, deadline)
    except RuntimeError as e:
        print(f"{SUITE}: FAIL {name}: {e}")
        return 0, 1
    with s:
        s.settimeout(30)
        for n in SIZES:
            msg = bytes(rnd.getrandbits(8) for _ in range(n))
            try:
                s.sendall(msg)
                got = recv_exact(s, n)
            except (OSError, RuntimeError) as e:
                print(f"{SUITE}: FAIL {name}: {n}-byte message: {e}")
                failed += 1
                break
            if got != msg:
                first = next(i for i in range(n) if got[i] != msg[i])
                print(f"{SUITE}: FAIL {name}: {n}-byte echo differs at byte {first}")
                failed += 1
            else:
                passed += 1
    print(f"{SUITE}: {name} (127.0.0.1:{port}): {passed} of {len(SIZES)} messages echoed intact")
    return passed, failed


# --restart-driver: the scenario, the suite, the ports and what must have
# happened before the host connects.
RESTART_SCENARIO = os.path.join(TOP, "os", "scenarios", "tests", "net-restart-driver.yaml")
RESTART_PORTS = {"tenant-a": 17207}
RESTART_LINES = ["[router] router: uplink NIC session lost (the driver went away)",
                 "[router] router: uplink NIC session re-opened"]


def with_host_lines(path, ports):
    """A copy of scenario `path` whose expectation also waits for each echo
    server to log the host's connection and its close after every byte, so
    the guest runs until the host's checks are done (the scenario alone is
    judged without a host). -> its path."""
    with open(path) as f:
        text = f.read()
    echoed = 1 + sum(SIZES)  # connect()'s first byte, then every message
    extra = "".join(f'    - "[{h}/echo] echo: connection from ..."\n'
                    f'    - "[{h}/echo] echo: connection closed after {echoed} bytes echoed"\n'
                    for h in ports)
    marker = "  exit: none\n"
    if marker not in text:
        raise RuntimeError(f"{path}: no '{marker.strip()}' line to put the host's lines before")
    out = os.path.join(BUILD, "os", "tmp", os.path.basename(path))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write(text.replace(marker, extra + marker, 1))
    return out


def main():
    global SUITE, RESULT, PORTS
    timeout = 240
    args = sys.argv[1:]
    scenario, name, after = os.path.join(TOP, "os", "scenarios", "net.yaml"), "net", []
    restart = args[:1] == ["--restart-driver"]
    if restart:
        args = args[1:]
        SUITE = "os-net-restart-e2e"
        RESULT = SUITE + os.environ.get("KIDE_RESULT_TAG", "")
        PORTS = RESTART_PORTS
        scenario, name, after, timeout = RESTART_SCENARIO, "net-restart-driver", RESTART_LINES, 300
    if len(args) == 2 and args[0] == "--timeout":
        timeout = int(args[1])
    elif args:
        print(__doc__)
        return 2
    net = os.path.join(BUILD, "os", "bin", "net")
    if os.path.exists(net + ".unavailable") or not os.path.exists(net):
        why = "no stack binary"
        if os.path.exists(net + ".unavailable"):
            with open(net + ".unavailable") as f:
                why = f.read().strip() or why
        print(f"{SUITE}: skipped: the TCP/IP stack was not built ({why})")
        record(0, 0, 1)
        return 0
    # The tour's commands (README.md) drive the plain run; the restart run
    # has its own layout (one habitat, no HTTP server).
    nc, urls = [(n, p) for n, p in PORTS.items()], []
    if not restart:
        try:
            nc, urls = readme_commands()
        except (OSError, RuntimeError) as e:
            print(f"{SUITE}: FAIL {e}; hint: keep README.md's tour and this test in step")
            record(0, 1, 0)
            return 1
    busy = [p for p in list(PORTS.values()) + ([] if restart else [HTTP_PORT]) if not port_free(p)]
    if busy:
        print(f"{SUITE}: FAIL host port(s) {busy} already in use; "
              "hint: stop the other QEMU or program holding them")
        record(0, 1, 0)
        return 1
    if after:
        scenario = with_host_lines(scenario, PORTS)
    run = [os.path.join(TOP, "os", "tools", "scenario-run.sh"), "--no-result", "--suite", SUITE,
           "--timeout", str(timeout), "--scenario", scenario, name]
    proc = subprocess.Popen(run, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    console = Console(proc)
    deadline = time.monotonic() + timeout
    passed = failed = 0
    listening = [f"[{h}/echo] echo: listening" for h in PORTS]
    if not restart:
        listening.append("[tenant-a/http] http-status: listening")
    if not console.wait_for(listening + after, deadline):
        print(f"{SUITE}: FAIL the servers did not all say they listen"
              + (" or the driver's restart was not seen" if after else ""))
        failed += 1
    else:
        passed += 1
        # HTTP first: the scenario's expectation (and so the run) ends with
        # tenant-b's echo closing, and http-status logs no requests.
        if urls:
            p, f = http_checks(urls, deadline)
            passed += p
            failed += f
        rnd = random.Random(7)
        by_port = {port: name for name, port in PORTS.items()}
        for _, port in nc:
            p, f = echo_checks(by_port[port], port, deadline, rnd)
            passed += p
            failed += f
    try:
        rc = proc.wait(timeout=max(1, deadline - time.monotonic()) + 30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = "timeout"
    if rc == 0:
        passed += 1
    else:
        print(f"{SUITE}: FAIL scenario-run.sh judged the guest's log: status {rc}")
        failed += 1
    record(passed, failed, 0)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
