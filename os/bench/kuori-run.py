#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Management-plane benchmark (make -C os kuori-bench; part of make bench, not
of make test): kuori and kuori-agent against os/bench/kuori.yaml (the agent
scenario's layout on host ports 17701-17707, with http-status in tenant-a).

1. The tenant agent's own CPU while streaming: 0, 1 and 4 clients each
   `watch` tenant-a's agent at 10 Hz for SECONDS; the agent's cpu.ns and the
   guest clock (time_ns) come from a one-sample watch on a separate, already
   open probe connection before and after, so the figure is the agent's
   accounted CPU time over guest time, in percent of one CPU (target < 1 %;
   reported as pass/fail, never failing the run). tenant-a's TCP/IP stack's
   share is shown beside it (the stack carries the TLS records).
2. Round trips from the host: `kuori ps` and `kuori set` (the real binary,
   process start to exit; ps includes its two watch samples 100 ms apart),
   a TLS connection (TCP + handshake) alone, and one `state` request on an
   open connection (os/tools/tests/kuori_client.py); median and p90 of
   ROUNDS each.
3. The peer, through the same QEMU forward and router: http-status's GET /
   in tenant-a, on a new connection each time and on one kept-alive
   connection; ratios kuori ps / GET (new connection) and state / GET
   (kept alive).
4. Install of a 1 MiB package (test-pkgbig: a program carrying a 1 MiB
   incompressible blob, exported and signed with goa, published to a
   kide-registry on 127.0.0.1:17710): `kuori install ... --start` from the
   command to the component's first log line on the console. The goa key is
   made before the boot; when this build's kuori-agent takes install's
   configuration (`keys`, `store_bytes`), tenant-a's agent gets that key as
   user tester's, a 4 MiB store, 12M of RAM and `provides: [Pkg]`. Skipped,
   with the agent's reason, while the agent does not offer install.

Prints the figures with the conditions (host CPU model, cores, load average
before and after, QEMU and its accelerator) and writes them to OUT/kuori.md.
A prerequisite missing (no TCP/IP stack, no TLS) skips with the reason; a
guest or tool that fails makes the exit status 1.
Usage: kuori-run.py --kuori BIN --registry BIN --goa BIN --pkgbig ELF --out DIR
                    [--seconds N] [--rounds N]
"""
import argparse
import datetime
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "tools")
sys.path.insert(0, TOOLS)
sys.path.insert(0, os.path.join(TOOLS, "tests"))
from guest_console import Console  # noqa: E402
from suite_result import port_free  # noqa: E402
import kuori_client as kc  # noqa: E402

TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
NAME = "kuori-bench"
SCENARIO = os.path.join(HERE, "kuori.yaml")
OP_PORT, TA_PORT, TB_METRICS, HTTP_PORT, REG_PORT = 17701, 17702, 17706, 17707, 17710
PORTS = [17701, 17702, 17703, 17704, 17705, 17706, 17707]
TARGET_PCT = 1.0
BOOT_S = 900  # how long the guest may take to say its agents listen (TCG)


def say(line):
    print(f"{NAME}: {line}", flush=True)


def pct(xs, q):
    """The q-quantile (nearest rank) of xs."""
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]


def stats_ms(xs):
    return {"median_ms": pct(xs, 0.5) * 1e3, "p90_ms": pct(xs, 0.9) * 1e3, "n": len(xs)}


def conditions():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), "unknown")
    accel = subprocess.run([os.path.join(TOOLS, "qemu-accel.sh")], capture_output=True,
                           text=True).stdout.strip() or "tcg"
    qv = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                        text=True).stdout.splitlines()[0]
    return {"date": str(datetime.date.today()), "cpu": cpu, "cores": os.cpu_count(),
            "accel": accel, "qemu": qv}


def loadavg():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def agent_installs():
    """Whether this build's kuori-agent takes install's configuration (`keys`,
    `store_bytes`): an agent without it refuses those fields and ends, so the
    scenario gains them only then. Read from the binary's strings, since the
    agent tells nothing about itself before it runs."""
    try:
        with open(os.path.join(BUILD, "os", "bin", "kuori-agent"), "rb") as f:
            return b"store_bytes" in f.read()
    except OSError:
        return False


def with_install_keys(text, pem):
    """tenant-a's agent trusts the benchmark's goa key (user tester), keeps a
    4 MiB store and provides `Pkg` (kuori-agent/main.c, install's config)."""
    a, b = text.index("    - name: tenant-a\n"), text.index("    - name: tenant-b\n")
    part = text[a:b]
    agent = part.index("          - name: kuori-agent\n")
    head, tail = part[:agent], part[agent:]
    cfg = "config: {port: 7443, metrics_port: 9110, key_seed: generate}"
    quoted = json.dumps(pem)  # a JSON string is a YAML double-quoted scalar
    tail = tail.replace("            ram: 4M\n", "            ram: 12M\n            provides: [Pkg]\n", 1)
    tail = tail.replace(cfg, cfg[:-1] + f", store_bytes: 4194304, keys: [{{user: tester, "
                        f"pem: {quoted}}}]}}", 1)
    return text[:a] + head + tail + text[b:]


def with_host_line(path, out_dir, pem=None):
    """A copy of the scenario whose expectation ends with tenant-b's first metrics
    scrape, which this script makes last, so the guest runs until the host is done;
    with pem, tenant-a's agent is configured for install."""
    text = open(path).read()
    if pem:
        text = with_install_keys(text, pem)
    marker = "  exit: none\n"
    if marker not in text:
        raise RuntimeError(f"{path}: no '{marker.strip()}' line")
    extra = '    - "[tenant-b/kuori-agent] kuori-agent: first metrics scrape served"\n'
    out = os.path.join(out_dir, os.path.basename(path))
    with open(out, "w") as f:
        f.write(text.replace(marker, extra + marker, 1))
    return out


class Kuori:
    """The kuori binary with its own configuration directory."""

    def __init__(self, binary, confdir):
        self.binary = binary
        self.env = dict(os.environ, KUORI_CONFIG_DIR=confdir, NO_COLOR="1")

    def run(self, *args, timeout=120):
        t0 = time.perf_counter()
        r = subprocess.run([self.binary, *args], capture_output=True, text=True,
                           env=self.env, timeout=timeout)
        return r, time.perf_counter() - t0

    def must(self, *args):
        r, _ = self.run(*args)
        if r.returncode != 0:
            raise RuntimeError(f"kuori {' '.join(args[:3])}: status {r.returncode}: "
                               f"{r.stderr.strip()}")
        return r.stdout


def enrol(kuori, console, deadline, confdir):
    """Enrol kuori at the root agent (console token) and at tenant-a's (a token
    the operator creates) -> (cert, key) of the tenant remote for Python."""
    mark = "[kuori-agent] kuori-agent: operator token (one enrolment, valid 1 h): "
    if not console.wait_for([mark], deadline):
        raise RuntimeError("the root agent printed no operator token")
    token = next(line for line in console.lines if mark in line).split(mark, 1)[1].strip()
    kuori.must("remote", "add", "op", f"127.0.0.1:{OP_PORT}", "--token", token, "--name", "bench")
    reg = "[tenant-a/kuori-agent] kuori-agent: registered with the token authority"
    if not console.wait_for([reg], deadline):
        raise RuntimeError("tenant-a's agent did not register with the token authority")
    out = json.loads(kuori.must("-r", "op", "token", "create", "--habitat", "tenant-a",
                                "--ttl", "1h", "-o", "json"))
    kuori.must("remote", "add", "ta", f"127.0.0.1:{TA_PORT}", "--token", out["token"],
               "--name", "bench")
    d = os.path.join(confdir, "remotes", "ta")
    return os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")


def one_sample(conn):
    """A one-sample watch on an open connection -> (guest time_ns, {name: cpu ns})."""
    r = conn.call("watch", hz=10)
    if not r.get("ok"):
        raise RuntimeError(f"watch: {r}")
    early = [m for m in conn.pending if m.get("id") == r["id"] and "data" in m]
    m = early[0] if early else conn.recv()
    while not (m.get("id") == r["id"] and "data" in m):
        m = conn.recv()
    d = m["data"]
    c = conn.call("cancel", target=r["id"])
    if not c.get("ok"):
        raise RuntimeError(f"cancel: {c}")
    return d["time_ns"], {x["name"]: x["cpu"]["ns"] for x in d["components"]}


def watcher(cert, key, deadline, stop, counts, i, errors):
    """Client i: a 10 Hz watch of tenant-a's agent until stop; counts[i] is 0 before
    the watch is answered, -1 while streaming before the first sample, then the
    samples received. A failure goes to errors."""
    try:
        c = kc.connect(TA_PORT, deadline, cert, key)
        c.hello()
        r = c.call("watch", hz=10)
        if not r.get("ok"):
            raise RuntimeError(f"watch: {r}")
        counts[i] = -1  # streaming; the first sample sets it to 1
        c.s.settimeout(5)
        while not stop.is_set():
            try:
                m = c.recv()
            except (TimeoutError, socket.timeout):
                continue
            if "data" in m:
                counts[i] = max(counts[i], 0) + 1
        c.close()
    except (OSError, kc.ProtocolError, RuntimeError) as e:
        errors.append(f"client {i}: {type(e).__name__}: {e}")


def cpu_phase(probe, cert, key, clients, seconds, deadline):
    """The agent's CPU while `clients` clients watch at 10 Hz for `seconds`."""
    stop, counts, errors, threads = threading.Event(), [0] * clients, [], []
    for i in range(clients):
        t = threading.Thread(target=watcher, args=(cert, key, deadline, stop, counts, i, errors))
        t.start()
        threads.append(t)
    while not errors and any(n == 0 for n in counts) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling the threads' state, not waiting out the guest
    t0, c0 = one_sample(probe)
    counts_at_start = list(counts)
    time.sleep(seconds)  # the measurement window itself
    t1, c1 = one_sample(probe)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    if errors:
        raise RuntimeError("; ".join(errors))
    dt = t1 - t0
    agent = (c1["kuori-agent"] - c0["kuori-agent"]) * 100.0 / dt
    net = (c1["net"] - c0["net"]) * 100.0 / dt
    got = [n - max(s, 0) for n, s in zip(counts, counts_at_start)]
    # The agent's CPU per streamed sample above its idle cost is filled in by report().
    return {"clients": clients, "guest_s": dt / 1e9, "agent_pct": agent, "net_pct": net,
            "samples": got, "agent_ns": c1["kuori-agent"] - c0["kuori-agent"]}


def round_trips(kuori, cert, key, rounds, deadline):
    res = {}
    ps, sets = [], []
    for i in range(rounds):
        r, t = kuori.run("-r", "ta", "ps")
        if r.returncode != 0:
            raise RuntimeError(f"kuori ps: status {r.returncode}: {r.stderr.strip()}")
        ps.append(t)
        r, t = kuori.run("-r", "ta", "set", "http", f"cpu={9 + i % 2}%")
        if r.returncode != 0:
            raise RuntimeError(f"kuori set: status {r.returncode}: {r.stderr.strip()}")
        sets.append(t)
    res["kuori ps"], res["kuori set"] = stats_ms(ps), stats_ms(sets)
    hs = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        c = kc.Conn(TA_PORT, cert, key)
        hs.append(time.perf_counter() - t0)
        c.close()
    res["TLS connect (TCP + handshake)"] = stats_ms(hs)
    c = kc.connect(TA_PORT, deadline, cert, key)
    c.hello()
    st = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        r = c.call("state")
        st.append(time.perf_counter() - t0)
        if not r.get("ok"):
            raise RuntimeError(f"state: {r}")
    c.close()
    res["state on an open connection"] = stats_ms(st)
    return res


def http_peer(rounds):
    new, kept = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        h = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=60)
        h.request("GET", "/", headers={"Connection": "close"})
        r = h.getresponse()
        r.read()
        new.append(time.perf_counter() - t0)
        h.close()
        if r.status != 200:
            raise RuntimeError(f"http-status GET /: {r.status}")
    h = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=60)
    for _ in range(rounds):
        t0 = time.perf_counter()
        h.request("GET", "/")
        r = h.getresponse()
        r.read()
        kept.append(time.perf_counter() - t0)
    h.close()
    return {"http GET / (new connection)": stats_ms(new),
            "http GET / (kept alive)": stats_ms(kept)}


def wait_http(deadline):
    while time.monotonic() < deadline:
        try:
            http_peer(1)
            return
        except (OSError, http.client.HTTPException, RuntimeError):
            time.sleep(0.5)  # a retry interval while the forward resets; the deadline decides
    raise RuntimeError("http-status did not answer through the forward")


def publish_pkgbig(args, work):
    """Export test-pkgbig as tester/pkgbig/1.0 with goa, sign and publish it to a
    kide-registry on 127.0.0.1:REG_PORT -> (the registry process, archive bytes)."""
    proj = os.path.join(work, "proj")
    os.makedirs(os.path.join(proj, "var", "bin", "x86_64"))
    with open(os.path.join(proj, "goa.yaml"), "w") as f:
        f.write('name: pkgbig\nversion: "1.0"\ntype: native\nlicense: MIT\n'
                'depot_user: tester\nbuild:\n  system: none\nruntime:\n  binary: pkgbig\n'
                '  ram: 4M\n  caps: 64\n  cpu_quota: 10\n')
    shutil.copy(args.pkgbig, os.path.join(proj, "var", "bin", "x86_64", "pkgbig"))
    os.chmod(os.path.join(proj, "var", "bin", "x86_64", "pkgbig"), 0o755)
    run = lambda *a: subprocess.run(a, cwd=work, check=True, capture_output=True, text=True)
    run(args.goa, "-q", "-C", proj, "export", "--depot", os.path.join(work, "depot"))
    data = os.path.join(work, "data")
    os.makedirs(data)
    with open(os.path.join(work, "reg.yaml"), "w") as f:
        f.write(f"listen: 127.0.0.1:{REG_PORT}\ndata: {data}\n")
    cfg = os.path.join(work, "reg.yaml")
    run(args.registry, "--config", cfg, "user", "add", "tester")
    run(args.registry, "--config", cfg, "key", "add", "tester", os.path.join(work, "k.pem.pub"))
    token = run(args.registry, "--config", cfg, "token", "create", "tester").stdout.strip()
    reg = subprocess.Popen([args.registry, "--config", cfg, "serve"], cwd=work,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 30
    while time.monotonic() < end and reg.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", REG_PORT), timeout=5).close()
            break
        except OSError:
            time.sleep(0.1)  # the registry binds its port; the deadline decides
    try:
        run(args.goa, "-C", proj, "publish", "--depot", os.path.join(work, "depot"), "--user",
            "tester", "--key", os.path.join(work, "k.pem"), "--token", token, "--registry",
            f"http://127.0.0.1:{REG_PORT}")
    except subprocess.CalledProcessError as e:
        reg.terminate()
        raise RuntimeError(f"goa publish: {e.stderr.strip()}")
    arc = os.path.join(work, "depot", "tester", "bin", "x86_64", "pkgbig", "1.0.tar.xz")
    return reg, os.path.getsize(arc)


def install_phase(args, kuori, cert, key, console, deadline, work):
    """-> a result line (skipped with the agent's reason, or the time)."""
    c = kc.connect(TA_PORT, deadline, cert, key)
    ops = c.hello().get("ops", [])
    c.close()
    if "install" not in ops:
        return "skipped: install not available (the agent's hello lists no install op)"
    reg, size = publish_pkgbig(args, work)
    try:
        before = len(console.lines)
        t0 = time.perf_counter()
        r, t_cmd = kuori.run("-r", "ta", "install", "tester/pkg/pkgbig/1.0", "--registry",
                             f"http://10.0.2.2:{REG_PORT}", "--start", "-o", "json",
                             "--timeout", "600s", timeout=900)
        if r.returncode != 0:
            why = r.stderr.strip().splitlines()[0] if r.stderr.strip() else f"status {r.returncode}"
            return (f"skipped: install not available ({why}); the package was published "
                    f"({size} bytes of bin archive)")
        mark = "pkgbig: started from pkg:"
        end = min(deadline, time.monotonic() + 600)
        while time.monotonic() < end and not any(mark in ln for ln in console.lines[before:]):
            time.sleep(0.05)  # polling the console reader's lines; the deadline decides
        if not any(mark in ln for ln in console.lines[before:]):
            return f"not measured: no '{mark}' line after the install ({r.stdout.strip()[:200]})"
        total = time.perf_counter() - t0
        return (f"install of tester/pkgbig/1.0 (archive {size} bytes) to its first log line: "
                f"{total * 1e3:.0f} ms (kuori install returned after {t_cmd * 1e3:.0f} ms)")
    finally:
        reg.terminate()
        reg.wait(timeout=30)


def report(cond, load0, load1, cpu, rts, peer, install, args):
    t = [f"Management-plane benchmark (os/bench/kuori-run.py), {cond['date']}",
         f"Conditions: host CPU {cond['cpu']}, {cond['cores']} cores, {cond['qemu']}, "
         f"accel {cond['accel']}, guest q35 -smp 1 -m 256M (os/bench/kuori.yaml), "
         f"host load average {load0} before, {load1} after", ""]
    t.append(f"Agent CPU (tenant-a's kuori-agent, accounted cpu.ns over guest time, "
             f"% of one CPU; target < {TARGET_PCT:g} % at 4 clients):")
    idle = next((p for p in cpu if p["clients"] == 0), None)
    for p in cpu:
        verdict, per = "", ""
        if idle and p["clients"] and sum(p["samples"]):
            extra = p["agent_ns"] - idle["agent_ns"] * p["guest_s"] / idle["guest_s"]
            per = f", {extra / sum(p['samples']) / 1e3:.0f} us of agent CPU per sample sent"
        if p["clients"] == 4:
            verdict = "  PASS (< 1 %)" if p["agent_pct"] < TARGET_PCT else "  MISS (>= 1 %)"
        t.append(f"  {p['clients']} clients x 10 Hz, {p['guest_s']:.1f} s: agent "
                 f"{p['agent_pct']:.2f} %, tenant-a's net {p['net_pct']:.2f} %, samples per "
                 f"client {p['samples']}{per}{verdict}")
    t += ["", f"Round trips from the host ({args.rounds} each; ms):",
          f"  {'what':<36} {'median':>8} {'p90':>8}"]
    rows = dict(rts)
    rows.update(peer)
    for k, v in rows.items():
        t.append(f"  {k:<36} {v['median_ms']:>8.1f} {v['p90_ms']:>8.1f}")
    new = peer["http GET / (new connection)"]["median_ms"]
    kept = peer["http GET / (kept alive)"]["median_ms"]
    t += ["", "Ratios (medians) against the peer, http-status through the same forward:",
          f"  kuori ps / http GET (new connection):     {rts['kuori ps']['median_ms'] / new:.2f}",
          f"  kuori set / http GET (new connection):    {rts['kuori set']['median_ms'] / new:.2f}",
          f"  TLS connect / http GET (new connection):  "
          f"{rts['TLS connect (TCP + handshake)']['median_ms'] / new:.2f}",
          f"  state (open) / http GET (kept alive):     "
          f"{rts['state on an open connection']['median_ms'] / kept:.2f}",
          "", f"Install: {install}"]
    return t


def measure(args, console, deadline, work):
    kuori = Kuori(args.kuori, os.path.join(work, "kuori"))
    os.makedirs(os.path.join(work, "kuori"), mode=0o700)
    cert, key = enrol(kuori, console, deadline, os.path.join(work, "kuori"))
    wait_http(deadline)
    probe = kc.connect(TA_PORT, deadline, cert, key)
    probe.hello()
    cpu = [cpu_phase(probe, cert, key, n, args.seconds, deadline) for n in (0, 1, 4)]
    probe.close()
    rts = round_trips(kuori, cert, key, args.rounds, deadline)
    peer = http_peer(args.rounds)
    install = install_phase(args, kuori, cert, key, console, deadline, work)
    return cpu, rts, peer, install


def main():
    ap = argparse.ArgumentParser()
    for a in ("--kuori", "--registry", "--goa", "--pkgbig", "--out"):
        ap.add_argument(a, required=True)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    net = os.path.join(BUILD, "os", "bin", "net")
    if os.path.exists(net + ".unavailable") or not os.path.exists(net):
        say("skipped: the TCP/IP stack was not built")
        return 0
    busy = [p for p in PORTS + [REG_PORT] if not port_free(p)]
    if busy:
        say(f"not measured: host port(s) {busy} in use; hint: stop what holds them")
        return 1
    work = os.path.join(BUILD, "bench", "kuori-work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    cond, load0 = conditions(), loadavg()
    # The package's signing key exists before the boot: the agent trusts it by config.
    subprocess.run([args.goa, "key", "create", os.path.join(work, "k.pem")], check=True,
                   capture_output=True)
    pem = open(os.path.join(work, "k.pem.pub")).read() if agent_installs() else None
    say("this kuori-agent takes install's configuration: tenant-a's agent trusts the "
        "benchmark's key" if pem else "this kuori-agent has no install configuration")
    scenario = with_host_line(SCENARIO, work, pem)
    proc = subprocess.Popen([os.path.join(TOOLS, "scenario-run.sh"), "--no-result",
                             "--suite", NAME, "--timeout", "3000", "--scenario", scenario, NAME],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    # The serial console goes to a file, this script's figures to stdout.
    console_log = open(os.path.join(work, "console.log"), "w", buffering=1)
    say(f"booting os/bench/kuori.yaml (console: {console_log.name})")
    console = Console(proc, console_log)
    deadline = time.monotonic() + 3000
    rc = 0
    listening = [f"[{p}kuori-agent] kuori-agent: metrics on TCP port 9110 (GET /metrics)"
                 for p in ("", "tenant-a/", "tenant-b/")]
    if not console.wait_for(listening, min(deadline, time.monotonic() + BOOT_S)):
        say("not measured: the agents did not all say they listen")
        rc = 1
    elif any("agent port 7443 not served" in ln for ln in console.lines):
        why = next(ln for ln in console.lines if "agent port 7443 not served" in ln)
        say(f"skipped: the agent has no TLS port ({why.strip()})")
    else:
        try:
            cpu, rts, peer, install = measure(args, console, deadline, work)
            text = report(cond, load0, loadavg(), cpu, rts, peer, install, args)
            print("\n".join(text), flush=True)
            with open(os.path.join(args.out, "kuori.md"), "w") as f:
                f.write("\n".join(text) + "\n")
        except (OSError, RuntimeError, KeyError, ValueError, kc.ProtocolError,
                subprocess.SubprocessError, http.client.HTTPException) as e:
            say(f"not measured: {type(e).__name__}: {e}")
            rc = 1
    # The expectation's last line: tenant-b's first metrics scrape ends the guest.
    subprocess.run(["curl", "-sS", "--max-time", "60", "-o", "/dev/null",
                    f"http://127.0.0.1:{TB_METRICS}/metrics"], capture_output=True)
    try:
        if proc.wait(timeout=120) != 0:
            say("the guest's run was not judged good (build/os/logs/kuori-bench.log)")
            rc = 1
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 15)  # scenario-run.sh and the QEMU it started
        proc.wait(timeout=60)
        say("the guest did not end after the host was done")
        rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
