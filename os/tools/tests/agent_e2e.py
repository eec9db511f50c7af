#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end test of kuori-agent: boot os/scenarios/tests/agent.yaml (an
agent in the root habitat and in tenant-a and tenant-b, each with its own
TCP/IP stack) and drive the agents from the host.

What it checks, from the host through QEMU's forwards and the router:
- every agent's /metrics (127.0.0.1:17910 root, :17911 tenant-a, :17912
  tenant-b) answers 200 with Prometheus' text format 0.0.4, which
  `promtool check metrics` (Debian package prometheus) accepts;
- the capability boundary as the metrics show it: the root agent sees the
  habitats tenant-a and tenant-b as its components; tenant-a's agent sees
  its own habitat (net, echo, kuori-agent) and nothing of tenant-b or of
  the root habitat, and tenant-b's the same the other way round;
- counters are cumulative: a second scrape of tenant-a never shows less CPU
  time for a component than the first;
- the agent port (TLS, the kuori protocol, os/tools/tests/kuori_client.py):
  enrol with the operator token the root agent printed on its console (the
  agent's certificate matches the token's pin), the token refused a second
  time, then with the issued certificate: hello (operator, the client's
  name), state, watch at 10 Hz for 2 s (at least 15 samples, cumulative
  counters never going back), set a habitat's CPU quota (seen in the next
  state), apply a partial configuration with one applied and one rejected
  part (both verdicts), the operator's certificate refused by tenant-a's
  agent and a self-signed one by the root agent (handshake fails), and the
  agent restarted through CONTROL and the same certificate accepted again.
  When the agent was built without the TLS library it says so on its
  console and this part counts as skipped, naming that cause.
The scenario's expectation gets the agents' "first metrics scrape" lines
added, in the order this script scrapes, so the guest runs until the host
is done, and scenario-run.sh's judgement must pass as well.

Result: build/results/kuori-agent-e2e ("passed failed skipped"). Skipped,
naming the cause, when the TCP/IP stack could not be built.
Usage: agent_e2e.py [--timeout SECONDS]
"""
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from guest_console import Console  # noqa: E402
import suite_result  # noqa: E402
from suite_result import port_free  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuori_client as kc  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
SUITE = "kuori-agent-e2e"
RESULT = SUITE + os.environ.get("KIDE_RESULT_TAG", "")
SCENARIO = os.path.join(TOP, "os", "scenarios", "tests", "agent.yaml")
# label prefix, habitat name in the metrics, metrics port, agent port
AGENTS = [("kuori-agent", "init", 17910, 17443),
          ("tenant-a/kuori-agent", "tenant-a", 17911, 17444),
          ("tenant-b/kuori-agent", "tenant-b", 17912, 17445)]
# What each agent must and must not show as components.
MUST = {"init": {"tenant-a", "tenant-b", "net", "router", "kuori-agent"},
        "tenant-a": {"net", "echo", "kuori-agent"},
        "tenant-b": {"net", "kuori-agent"}}
MUST_NOT = {"tenant-a": {"tenant-b", "router", "nic", "platform", "tenant-a"},
            "tenant-b": {"tenant-a", "echo", "router", "nic", "platform", "tenant-b"}}
SAMPLE = re.compile(r'^(\w+)\{([^}]*)\} (\S+)$')


def record(passed, failed, skipped):
    suite_result.record(BUILD, RESULT, passed, failed, skipped)


def scrape(port, deadline):
    """GET /metrics -> (status, content type, body). QEMU accepts a forwarded
    connection at once and resets it while the guest does not answer yet, so
    a failure is retried until the deadline."""
    url = f"http://127.0.0.1:{port}/metrics"
    last = None
    while time.monotonic() < deadline:
        r = subprocess.run(["curl", url, "-sS", "--max-time", "30", "-o", "-", "-w",
                            "\n%{http_code} %{content_type}"], capture_output=True)
        out = r.stdout.decode(errors="replace")
        if r.returncode == 0 and "\n" in out:
            body, _, tail = out.rpartition("\n")
            code, _, ctype = tail.partition(" ")
            return int(code), ctype, body
        last = r.stderr.decode(errors="replace").strip() or f"curl status {r.returncode}"
        time.sleep(0.5)  # a retry interval, not synchronisation: the deadline decides
    raise RuntimeError(f"{url}: no answer before the deadline ({last})")


def samples(body):
    """{(name, labels): value} of a metrics page."""
    out = {}
    for line in body.splitlines():
        m = SAMPLE.match(line)
        if m:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
            out[(m.group(1), tuple(sorted(labels.items())))] = float(m.group(3))
    return out


def check_page(habitat, port, body):
    """promtool, then the components the page shows. Raises naming what is wrong."""
    path = os.path.join(BUILD, "os", "tmp", f"agent-metrics-{port}.txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(body)
    r = subprocess.run(["promtool", "check", "metrics"], input=body.encode(),
                       capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("promtool check metrics: " +
                           (r.stdout + r.stderr).decode(errors="replace").strip())
    s = samples(body)
    habitats = {dict(k[1]).get("habitat") for k in s}
    comps = {dict(k[1]).get("component") for k in s} - {""}
    if habitats != {habitat}:
        raise RuntimeError(f"habitat labels {sorted(habitats)}, expected only {habitat!r}")
    if not MUST[habitat] <= comps:
        raise RuntimeError(f"components {sorted(comps)} lack {sorted(MUST[habitat] - comps)}")
    leaked = comps & MUST_NOT.get(habitat, set())
    if leaked:
        raise RuntimeError(f"the agent of {habitat} shows {sorted(leaked)}: beyond its habitat")
    return s


def second_scrape(before, port, deadline):
    """Scrape again: no CPU counter may be lower than in `before`. -> (passed, failed)."""
    if before is None:
        return 0, 0  # the first scrape failed and said so
    try:
        _, _, body = scrape(port, deadline)
        again = samples(body)
        cpu = "kide_component_cpu_seconds_total"
        back = [k for k, v in before.items() if k[0] == cpu and k in again and again[k] < v]
        if back:
            raise RuntimeError(f"CPU counters went back: {back}")
        print(f"{SUITE}: port {port}: a second scrape: counters cumulative")
        return 1, 0
    except RuntimeError as e:
        print(f"{SUITE}: FAIL port {port} second scrape: {e}")
        return 0, 1


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


def token_from_console(console, deadline):
    mark = "[kuori-agent] kuori-agent: operator token (one enrolment, valid 1 h): "
    if not console.wait_for([mark], deadline):
        raise RuntimeError("the root agent printed no operator token")
    line = next(line for line in console.lines if mark in line)
    return line.split(mark, 1)[1].strip()


def watch_for(conn, seconds):
    """Stream messages of the open watch for `seconds` -> list of samples."""
    samples_ = [m["data"] for m in getattr(conn, "pending", []) if m.get("stream") == "watch"]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        conn.s.settimeout(max(0.1, end - time.monotonic()))
        try:
            m = conn.recv()
        except (TimeoutError, socket.timeout):
            break
        if m.get("stream") == "watch":
            samples_.append(m["data"])
    conn.s.settimeout(60)
    return samples_


def refused(port, cert, key, deadline):
    """Whether a handshake with this certificate fails (or the first request does)."""
    try:
        c = kc.Conn(port, cert, key)
        try:
            c.hello()
        finally:
            c.close()
        return False
    except (OSError, ssl.SSLError, kc.ProtocolError):
        return True


def limits_checks(deadline, ck, crt, key, a):
    """A hostile client: a frame over the limit, then not-JSON; the 9th connection is busy.
    The connection `a` (open) must keep working throughout."""
    bad = kc.connect(17443, deadline, crt, key)
    bad.hello()
    bad.s.sendall(struct.pack(">I", 65537))
    try:
        m = bad.recv()
        closed = False
        try:
            bad.recv()
        except (OSError, kc.ProtocolError, ssl.SSLError):
            closed = True
        ck.ok("a frame over 64 KiB: too-large, then closed",
              m.get("error", {}).get("code") == "too-large" and closed, str(m))
    except (OSError, kc.ProtocolError, ssl.SSLError) as e:
        ck.ok("a frame over 64 KiB: too-large, then closed", False, str(e))
    bad.close()
    junk = kc.connect(17443, deadline, crt, key)
    junk.hello()
    junk.s.sendall(struct.pack(">I", 5) + b"{nope")
    m = junk.recv()
    r = junk.call("state")
    ck.ok("not JSON: bad-request, the connection stays usable",
          m.get("error", {}).get("code") == "bad-request" and r.get("ok"), f"{m} / {str(r)[:100]}")
    junk.close()
    extra = []
    try:
        for _ in range(7):  # with `a`, 8 connections: the agent's limit
            c = kc.connect(17443, deadline, crt, key)
            c.hello()
            extra.append(c)
        ninth = kc.connect(17443, deadline, crt, key)
        m = ninth.recv()
        ninth.close()
        ck.ok("the 9th connection: busy", m.get("id") == 0 and
              m.get("error", {}).get("code") == "busy", str(m))
    except (OSError, kc.ProtocolError, ssl.SSLError) as e:
        ck.ok("the 9th connection: busy", False, f"{type(e).__name__}: {e}")
    for c in extra:
        c.close()
    r = a.call("state")
    ck.ok("the first connection kept working", r.get("ok"), str(r)[:200])


def tenant_checks(console, deadline, ck, op, tmp, op_crt, op_key):
    """A tenant's enrolment through the authority, and what its certificate may reach."""
    mark = "[tenant-a/kuori-agent] kuori-agent: registered with the token authority"
    if not ck.ok("tenant-a's agent registered with the authority",
                 console.wait_for([mark], deadline), "no registration line"):
        return
    r = op.call("token-create", habitat="tenant-a", ttl_s=600)
    if not ck.ok("token-create for tenant-a", r.get("ok"), str(r)):
        return
    token = r["result"]["token"]
    e = kc.connect(17444, deadline)
    ck.ok("tenant-a's agent matches the token's pin", e.fingerprint.startswith(token.split(".")[3]),
          f"{e.fingerprint} vs {token}")
    e.hello()
    key, spki = kc.new_key(tmp, "bob")
    r = e.call("enrol", token=token, name="bob", csr_spki=spki)
    e.close()
    if not ck.ok("enrol at tenant-a's agent (consumed at the authority)", r.get("ok"), str(r)):
        return
    crt, x = kc.save_cert(tmp, "bob", r["result"]["certificate"])
    ck.ok("bob's certificate is of tenant-a", "O=tenant-a" in x.subject.rfc4514_string(),
          x.subject.rfc4514_string())
    t = kc.connect(17444, deadline, crt, key)
    h = t.hello()
    ck.ok("hello at tenant-a as bob: tenant", h["client"] == "bob" and h["role"] == "tenant" and
          "token-create" not in h["ops"], str(h))
    r = t.call("state")
    names = {c["name"] for c in r["result"]["report"]["children"]} if r.get("ok") else set()
    ck.ok("tenant-a's state: only its own components", names == {"net", "echo", "kuori-agent"},
          str(names))
    r = t.call("habitat-remove", name="tenant-b")
    ck.ok("an operator op from a tenant: denied", not r.get("ok") and
          r["error"]["code"] == "denied", str(r))
    t.close()
    ck.ok("bob's certificate at the root agent: refused", refused(17443, crt, key, deadline),
          "the handshake succeeded")
    ck.ok("bob's certificate at tenant-b's agent: refused", refused(17445, crt, key, deadline),
          "the handshake succeeded")
    ck.ok("the operator's certificate at tenant-b's agent: refused",
          refused(17445, op_crt, op_key, deadline), "the handshake succeeded")


def tls_checks(console, deadline, ck):
    """The protocol over TLS against the root agent (and tenant-a's for a refusal)."""
    tmp = os.path.join(BUILD, "os", "tmp", "agent-e2e")
    os.makedirs(tmp, exist_ok=True)
    token = token_from_console(console, deadline)
    pin = token.split(".")[3]
    enrol = kc.connect(17443, deadline)
    ck.ok("the agent's certificate matches the token's pin", enrol.fingerprint.startswith(pin),
          f"{enrol.fingerprint} vs {pin}")
    h = enrol.hello()
    ck.ok("hello without a certificate: enrolment", h["client"] is None and
          h["role"] == "operator" and h["ops"] == ["hello", "enrol"], str(h))
    key, spki = kc.new_key(tmp, "alice")
    r = enrol.call("enrol", token=token, name="alice", csr_spki=spki)
    if not ck.ok("enrol with the console token", r.get("ok"), str(r)):
        return
    crt, x = kc.save_cert(tmp, "alice", r["result"]["certificate"])
    ck.ok("the issued certificate names alice of init",
          "CN=alice" in x.subject.rfc4514_string() and "O=init" in x.subject.rfc4514_string() and
          r["result"]["agent_fingerprint"] == "sha256:" + enrol.fingerprint, str(r["result"]))
    enrol.close()
    again = kc.connect(17443, deadline)
    again.hello()
    _, spki2 = kc.new_key(tmp, "mallory")
    r = again.call("enrol", token=token, name="mallory", csr_spki=spki2)
    ck.ok("the token a second time: refused", not r.get("ok") and
          r["error"]["code"] == "token", str(r))
    again.close()

    a = kc.connect(17443, deadline, crt, key)
    h = a.hello()
    ck.ok("hello with the certificate", h["client"] == "alice" and h["role"] == "operator" and
          "habitat-create" in h["ops"], str(h))
    limits_checks(deadline, ck, crt, key, a)
    r = a.call("state")
    names = [c["name"] for c in r["result"]["report"]["children"]] if r.get("ok") else []
    ck.ok("state", {"tenant-a", "tenant-b", "kuori-agent"} <= set(names), str(r)[:300])
    r = a.call("watch", hz=10)
    got = watch_for(a, 2.0) if r.get("ok") else []
    back = [(s0["seq"], c["name"]) for s0, s1 in zip(got, got[1:])
            for c in s1["components"]
            for c0 in s0["components"] if c0["name"] == c["name"] and c["cpu"]["ns"] < c0["cpu"]["ns"]]
    ck.ok("watch at 10 Hz for 2 s", len(got) >= 15 and not back,
          f"{len(got)} samples, counters back: {back}")
    r = a.call("cancel", target=r.get("id", 0) or 4)
    ck.ok("cancel the watch", r.get("ok"), str(r))
    r = a.call("set", component="tenant-b", cpu=14)
    st = a.call("state")
    quota = [c["cpu"]["quota"] for c in st["result"]["report"]["children"]
             if c["name"] == "tenant-b"] if st.get("ok") else []
    ck.ok("set tenant-b cpu=14, seen in the next state", r.get("ok") and quota == [14],
          f"{r} / quota {quota}")
    cfg = a.call("config")
    if ck.ok("config", cfg.get("ok"), str(cfg)[:300]):
        gen = cfg["result"]["generation"]
        kids = {c["name"]: c for c in cfg["result"]["config"]["children"]}
        tb, net = kids["tenant-b"], kids["net"]
        tb["cpu"]["quota"] = 13
        net["caps"] = 16  # below what the stack uses: rejected, the rest applies
        r = a.call("apply", generation=gen + 1, partial=True, config={"children": [tb, net]})
        res = {x["child"]: x["result"] for x in r["result"]["results"]} if r.get("ok") else {}
        ck.ok("apply with a rejected part: both verdicts",
              res.get("tenant-b") == "applied" and res.get("net", "").startswith("rejected"),
              str(r)[:400])
        r = a.call("apply", generation=gen + 1, partial=True, config={"children": [tb]})
        ck.ok("the same generation again: stale with the current one",
              not r.get("ok") and r["error"]["code"] == "stale" and
              r["error"].get("current") == gen + 1, str(r))
    ck.ok("the operator's certificate at tenant-a's agent: refused",
          refused(17444, crt, key, deadline), "the handshake succeeded")
    scrt, skey = kc.self_signed(tmp, "eve")
    ck.ok("a self-signed certificate at the root agent: refused",
          refused(17443, scrt, skey, deadline), "the handshake succeeded")
    tenant_checks(console, deadline, ck, a, tmp, crt, key)
    # Restart the agent. CONTROL refuses a child acting on itself, so the agent applies
    # a change of its own `args` (a change that restarts a child); the reply may be
    # lost with the old instance. The new instance proves itself by a new token line.
    mark = "[kuori-agent] kuori-agent: operator token"
    starts = sum(mark in line for line in console.lines)
    cfg = a.call("config")
    try:
        me = next(c for c in cfg["result"]["config"]["children"] if c["name"] == "kuori-agent")
        me["args"] = "restarted-by-agent-e2e"
        a.s.settimeout(30)
        a.call("apply", generation=cfg["result"]["generation"] + 1, partial=True,
               config={"children": [me]})
    except (OSError, kc.ProtocolError, ValueError, KeyError, StopIteration):
        pass
    a.close()
    restarted = console.wait_count(mark, starts + 1, min(deadline, time.monotonic() + 120))
    ck.ok("the agent restarted (a new start on the console)", restarted,
          "no second start of the root agent")
    ok = False
    end = min(deadline, time.monotonic() + 120)
    while restarted and time.monotonic() < end and not ok:
        try:
            b = kc.connect(17443, end, crt, key)
            ok = b.hello()["client"] == "alice"
            b.close()
        except (OSError, ssl.SSLError, kc.ProtocolError):
            time.sleep(1)  # a retry interval: the restarted agent listens again
    ck.ok("after a restart, the same certificate again", ok, "no hello before the deadline")
    # The restarted authority lost its pins in RAM; tenant-a's agent registers again
    # every 5 s (token_session.c), so a token for tenant-a can be made again.
    made = None
    end = min(deadline, time.monotonic() + 60)
    while ok and time.monotonic() < end and not made:
        try:
            b = kc.connect(17443, end, crt, key)
            b.hello()
            r = b.call("token-create", habitat="tenant-a", ttl_s=600)
            b.close()
            made = r if r.get("ok") else None
        except (OSError, ssl.SSLError, kc.ProtocolError):
            pass
        if not made:
            time.sleep(1)  # a retry interval: the tenant's agent registers every 5 s
    ck.ok("after the restart, tenant-a's agent registered again (token-create)", made,
          "token-create for tenant-a kept failing")


def with_host_lines(path):
    """A copy of the scenario whose expectation also waits for each agent's first
    scrape, in this script's order. -> its path."""
    with open(path) as f:
        text = f.read()
    extra = "".join(f'    - "[{label}] kuori-agent: first metrics scrape served"\n'
                    for label, _, _, _ in AGENTS)
    marker = "  exit: none\n"
    if marker not in text:
        raise RuntimeError(f"{path}: no '{marker.strip()}' line to put the host's lines before")
    out = os.path.join(BUILD, "os", "tmp", os.path.basename(path))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write(text.replace(marker, extra + marker, 1))
    return out


def main():
    sys.stdout.reconfigure(line_buffering=True)  # the guest's and our lines in order
    timeout = 420
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--timeout":
        timeout = int(args[1])
    elif args:
        print(__doc__)
        return 2
    net = os.path.join(BUILD, "os", "bin", "net")
    if os.path.exists(net + ".unavailable") or not os.path.exists(net):
        print(f"{SUITE}: skipped: the TCP/IP stack was not built")
        record(0, 0, 1)
        return 0
    for tool in ("curl", "promtool"):
        if not shutil.which(tool):
            print(f"{SUITE}: FAIL {tool} is missing; hint: make deps")
            record(0, 1, 0)
            return 1
    busy = [p for _, _, m, a in AGENTS for p in (m, a) if not port_free(p)]
    if busy:
        print(f"{SUITE}: FAIL host port(s) {busy} already in use; "
              "hint: stop the other QEMU or program holding them")
        record(0, 1, 0)
        return 1
    scenario = with_host_lines(SCENARIO)
    run = [os.path.join(TOP, "os", "tools", "scenario-run.sh"), "--no-result", "--suite", SUITE,
           "--timeout", str(timeout), "--scenario", scenario, "agent"]
    proc = subprocess.Popen(run, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    console = Console(proc)
    deadline = time.monotonic() + timeout
    passed = failed = skipped = 0
    listening = [f"[{label}] kuori-agent: metrics on TCP port 9110 (GET /metrics)"
                 for label, _, _, _ in AGENTS]
    if not console.wait_for(listening, deadline):
        print(f"{SUITE}: FAIL the agents did not all say they serve metrics")
        failed += 1
    else:
        passed += 1
        first = {}
        no_tls = [line for line in console.lines if "agent port 7443 not served" in line]
        for label, habitat, port, _ in AGENTS:
            if habitat == "tenant-b":
                # The protocol first: tenant-b's scrape line ends the run.
                if no_tls:
                    print(f"{SUITE}: skipped: the protocol over TLS: {no_tls[0].lstrip('| ')}")
                    skipped += 1
                else:
                    ck = Checks()
                    try:
                        tls_checks(console, deadline, ck)
                    except (OSError, ssl.SSLError, kc.ProtocolError, RuntimeError,
                            KeyError, TypeError) as e:
                        ck.ok("the protocol over TLS", False, f"{type(e).__name__}: {e}")
                    passed += ck.passed
                    failed += ck.failed
            try:
                code, ctype, body = scrape(port, deadline)
                if code != 200 or not ctype.startswith("text/plain; version=0.0.4"):
                    raise RuntimeError(f"status {code}, content type {ctype!r}")
                first[habitat] = check_page(habitat, port, body)
                print(f"{SUITE}: {habitat}: /metrics ok ({len(first[habitat])} samples, "
                      "promtool ok, only its own habitat)")
                passed += 1
            except RuntimeError as e:
                print(f"{SUITE}: FAIL {habitat} /metrics: {e}")
                failed += 1
            if habitat == "tenant-a":
                p, f = second_scrape(first.get(habitat), port, deadline)
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
    record(passed, failed, skipped)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
