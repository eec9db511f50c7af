#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A fake kuori-agent for kuori's end-to-end tests (docs/formats/kuori-protocol.md).

It speaks protocol version 1 faithfully: TLS (1.2, ECDHE-ECDSA, P-256) with a
self-signed agent certificate, client certificates issued by the agent key
at enrolment and required for everything but hello/enrol, length-prefixed
JSON messages with the documented limits, ids echoed, unknown fields and ops
refused, streams with cancel. Its habitat is canned: three children whose
cumulative CPU counters grow with time (demo uses ~20% of a CPU), a
configuration with a generation, events, log lines; apply, set, start/stop
and tokens change that state.

    fake_agent.py --dir DIR [--habitat NAME] [--role operator|tenant]
                  [--seed HEX] [--port N]

On start it writes DIR/pin (sha256:<hex> of its certificate), DIR/token (a
fresh enrolment token for its own habitat) and, last, once it listens,
DIR/port (the TCP port),
and appends every request it receives (op, and whether a token was in it)
to DIR/requests.jsonl, so tests can check what kuori sent and when.
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import secrets
import socket
import ssl
import struct
import sys
import threading
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

MAX_REQUEST = 65536
START = time.monotonic()


def now_ns():
    return int((time.monotonic() - START) * 1e9)


class ProtoError(Exception):
    def __init__(self, code, message, **extra):
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra


# Allowed fields per op (besides op and id); a set means optional ones too.
FIELDS = {
    "hello": {"versions", "client"}, "enrol": {"token", "name", "csr_spki"},
    "state": set(), "config": set(), "watch": {"hz", "components"},
    "events": {"after", "follow"}, "logs": {"component", "tail", "follow"},
    "apply": {"config", "generation", "partial", "dry_run"},
    "start": {"component"}, "stop": {"component"}, "restart": {"component"},
    "set": {"component", "ram", "cpu", "caps"},
    "install": {"registry", "package", "start"},
    "habitat-create": {"name", "ram", "caps", "cpu", "children"},
    "habitat-resize": {"name", "ram", "caps", "cpu"}, "habitat-remove": {"name"},
    "token-create": {"habitat", "ttl_s"}, "token-list": set(), "token-revoke": {"token_id"},
    "cancel": {"target"},
}
OPERATOR_OPS = {"habitat-create", "habitat-resize", "habitat-remove", "token-create",
                "token-list", "token-revoke"}
RAM_LIMIT = 32 << 20  # a child asking for more is rejected (the habitat's free RAM)


# Escape sequences as C0 (ESC, BEL) and as C1 controls in UTF-8 (U+009B is CSI, U+009D OSC).
HOSTILE_NAME = "x\x1b[2J\u009b2J"
HOSTILE_STATE = "run\x1b]0;owned\x07\u009d0;owned\u009c"


class Habitat:
    """The canned habitat state, shared by all connections (one lock)."""

    def __init__(self, name, hostile_names=False):
        self.lock = threading.Lock()
        self.name = name
        self.generation = 1
        self.children = [
            {"name": "demo", "binary": "demo", "ram": 4194304, "caps": 64,
             "cpu": {"quota": 50, "priority": 64}},
            {"name": "timer", "binary": "timer", "ram": 2097152, "caps": 64,
             "cpu": {"quota": 10, "priority": 100}},
            {"name": "bad", "binary": "crash", "ram": 2097152, "caps": 64,
             "cpu": {"quota": 10, "priority": 64}},
        ]
        self.state = {"demo": "running", "timer": "running", "bad": "faulted"}
        if hostile_names:  # --evil names: a component whose name and state drive a terminal
            self.children.append({"name": HOSTILE_NAME, "binary": "demo", "ram": 2097152,
                                  "caps": 64, "cpu": {"quota": 10, "priority": 64}})
            self.state[HOSTILE_NAME] = HOSTILE_STATE
        self.share = {"demo": 0.20, "timer": 0.01, "bad": 0.0}  # of one CPU
        self.cpu_base = {}  # name -> (ns at t0, t0 ns)
        self.restarts = {"bad": 2}
        self.started_ns = {}
        self.events = []
        self.event_cv = threading.Condition(self.lock)
        self.logs = {"demo": [], "timer": [], "bad": []}
        with self.lock:
            for c in self.children:
                self.cpu_base[c["name"]] = (0, 0)
                self.started_ns[c["name"]] = 0
                self.event("started", c["name"])
            for i in range(5):
                self.log("demo", f"demo: line {i}")

    # Callers hold self.lock.
    def event(self, typ, comp, **extra):
        ev = {"seq": len(self.events) + 1, "time_ns": now_ns(), "type": typ, "component": comp}
        ev.update(extra)
        self.events.append(ev)
        self.event_cv.notify_all()

    def log(self, comp, text):
        lines = self.logs.setdefault(comp, [])
        lines.append({"seq": len(lines) + 1, "time_ns": now_ns(), "text": text})
        self.event_cv.notify_all()

    def cpu_ns(self, name, t):
        base, t0 = self.cpu_base.get(name, (0, 0))
        share = self.share.get(name, 0.0) if self.state.get(name) == "running" else 0.0
        return int(base + (t - t0) * share)

    def sample(self, seq):
        t = now_ns()
        comps = []
        for c in self.children:
            n = c["name"]
            running = self.state.get(n) == "running"
            comps.append({"name": n, "state": self.state.get(n, "stopped"),
                          "cpu": {"ns": self.cpu_ns(n, t), "quota": c["cpu"]["quota"]},
                          "ram": {"used": c["ram"] // 10 if running else 0, "quota": c["ram"]},
                          "caps": {"used": 30 if running else 0, "quota": c["caps"]},
                          "restarts": self.restarts.get(n, 0),
                          "uptime_ns": t - self.started_ns.get(n, 0) if running else 0})
        return {"seq": seq, "time_ns": t, "generation": self.generation,
                "habitat": {"ram": {"used": sum(c["ram"]["used"] for c in comps),
                                    "quota": 67108864},
                            "caps": {"used": sum(c["caps"]["used"] for c in comps), "quota": 512},
                            "cpu": {"ns": sum(c["cpu"]["ns"] for c in comps), "quota": 60},
                            "restarts": sum(c["restarts"] for c in comps)},
                "components": comps}

    def report(self):
        s = self.sample(0)
        children = []
        for c in s["components"]:
            d = dict(c)
            d.pop("name")
            children.append({"name": c["name"], "binary": self.child(c["name"])["binary"],
                             "devices": False, **d})
        return {"habitat": self.name, "generation": self.generation, "seq": 1,
                "time_ns": s["time_ns"], "ram": {"quota": 67108864, "used": 9134080},
                "caps": {"quota": 512, "used": 194}, "children": children}

    def child(self, name):
        for c in self.children:
            if c["name"] == name:
                return c
        return None

    def config(self):
        return {"generation": self.generation, "children": json.loads(json.dumps(self.children))}

    def verdicts(self, new_children, partial):
        """hoitaja's per-child verdicts for a new children list (by name)."""
        old = {c["name"]: c for c in self.children}
        results, merged = [], {c["name"]: c for c in self.children} if partial else {}
        for c in new_children:
            if not isinstance(c, dict) or not isinstance(c.get("name"), str):
                raise ProtoError("rejected", "every child needs a name")
            n = c["name"]
            if c.get("remove"):
                results.append({"child": n, "result": "removed"})
                merged.pop(n, None)
                continue
            if not isinstance(c.get("ram"), int) or c["ram"] > RAM_LIMIT:
                results.append({"child": n, "result":
                                f"rejected: ram {c.get('ram')} exceeds the habitat's free "
                                f"{RAM_LIMIT} bytes"})
                if n in old:
                    merged[n] = old[n]
                continue
            merged[n] = c
            if n not in old:
                results.append({"child": n, "result": "added"})
            elif old[n] != c:
                restart = old[n].get("binary") != c.get("binary")
                results.append({"child": n, "result": "restarted" if restart else "applied"})
        if not partial:
            for n in old:
                if n not in merged and not any(r["child"] == n for r in results):
                    results.append({"child": n, "result": "removed"})
        return results, list(merged.values())

    def commit(self, children, results):
        for r in results:
            n = r["child"]
            if r["result"] == "added":
                self.state[n] = "running"
                self.started_ns[n] = now_ns()
                self.cpu_base[n] = (0, now_ns())
                self.event("started", n)
            elif r["result"] == "removed":
                self.state.pop(n, None)
                self.event("removed", n)
        self.children = children
        self.generation += 1
        self.event("applied", None, generation=self.generation)


class Agent:
    def __init__(self, args):
        self.args = args
        self.habitat = Habitat(args.habitat, hostile_names=args.evil == "names")
        self.key = (ec.derive_private_key(int(args.seed, 16), ec.SECP256R1()) if args.seed
                    else ec.generate_private_key(ec.SECP256R1()))
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"kuori-agent {args.habitat}"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, args.habitat)])
        day = datetime.datetime(2026, 1, 1)
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key()).serial_number(1)
                     .not_valid_before(day).not_valid_after(day + datetime.timedelta(days=3650))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                     .sign(self.key, hashes.SHA256()))
        der = self.cert.public_bytes(serialization.Encoding.DER)
        self.fingerprint = "sha256:" + hashlib.sha256(der).hexdigest()
        self.tokens = {}  # sha256(secret) -> dict
        self.log_lock = threading.Lock()
        os.makedirs(args.dir, exist_ok=True)
        self.certfile = os.path.join(args.dir, "agent-cert.pem")
        keyfile = os.path.join(args.dir, "agent-key.pem")
        with open(self.certfile, "wb") as f:
            f.write(self.cert.public_bytes(serialization.Encoding.PEM))
        with open(keyfile, "wb") as f:
            f.write(self.key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        self.ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        self.ctx.set_ciphers("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                             "ECDHE-ECDSA-CHACHA20-POLY1305")
        self.ctx.load_cert_chain(self.certfile, keyfile)
        self.ctx.verify_mode = ssl.CERT_OPTIONAL  # none: an enrolment connection
        self.ctx.load_verify_locations(self.certfile)  # trusts exactly its own key
        self.write("pin", self.fingerprint)
        self.write("token", self.new_token(args.habitat, 3600)["token"])

    def write(self, name, text):
        path = os.path.join(self.args.dir, name)
        with open(path + ".tmp", "w") as f:
            f.write(text + "\n")
        os.replace(path + ".tmp", path)

    def record(self, entry):
        with self.log_lock, open(os.path.join(self.args.dir, "requests.jsonl"), "a") as f:
            f.write(json.dumps(entry) + "\n")

    def new_token(self, habitat, ttl):
        secret = secrets.token_hex(16)
        tid = secrets.token_hex(4)
        pin = self.fingerprint[7:7 + 32]
        self.tokens[hashlib.sha256(secret.encode()).hexdigest()] = {
            "id": tid, "habitat": habitat, "expires": time.monotonic() + ttl, "state": "valid"}
        return {"token": f"kide1.{habitat}.{secret}.{pin}", "id": tid, "habitat": habitat,
                "expires_in_s": ttl}

    def serve(self):
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", self.args.port))
        srv.listen(16)
        self.write("port", str(srv.getsockname()[1]))
        while True:
            sock, _ = srv.accept()
            threading.Thread(target=self.connection, args=(sock,), daemon=True).start()

    def anon_ctx(self):
        """Test hook (a file "anon" in --dir): TLS 1.2 with an anonymous suite, no
        certificate at all, as a man in the middle would offer to a client whose OpenSSL
        configuration allows aNULL."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("aNULL:@SECLEVEL=0")
        return ctx

    def connection(self, raw):
        raw.settimeout(10)
        anon = os.path.exists(os.path.join(self.args.dir, "anon"))
        try:
            tls = (self.anon_ctx() if anon else self.ctx).wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.record({"handshake": "failed", "why": str(e)})
            raw.close()
            return
        tls.settimeout(None)
        Session(self, tls).run()


class Session:
    """One client connection: reads requests, writes replies and stream messages."""

    def __init__(self, agent, tls):
        self.agent, self.tls = agent, tls
        self.wlock = threading.Lock()
        self.hello = False
        self.streams = {}  # id -> threading.Event (set = cancelled)
        cert = tls.getpeercert()
        self.client = None
        if cert:
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        self.client = v
        self.alive = True

    def send(self, obj):
        data = json.dumps(obj).encode()
        assert len(data) <= 1 << 20
        with self.wlock:
            try:
                self.tls.sendall(struct.pack(">I", len(data)) + data)
            except OSError:
                self.alive = False

    def read_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.tls.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf

    def run(self):
        try:
            while self.alive:
                hdr = self.read_exact(4)
                if hdr is None:
                    break
                n = struct.unpack(">I", hdr)[0]
                if n < 1 or n > MAX_REQUEST:
                    # the request's id is unknown: 1, like any unattributable error here
                    self.send({"id": 1, "ok": False, "error": {
                        "code": "too-large", "message": f"request of {n} bytes (1..65536)"}})
                    break  # the stream can no longer be trusted: close
                body = self.read_exact(n)
                if body is None:
                    break
                self.request(body)
        except (OSError, ssl.SSLError):
            pass
        finally:
            self.alive = False
            for ev in self.streams.values():
                ev.set()
            try:
                self.tls.close()
            except OSError:
                pass

    def request(self, body):
        try:
            req = json.loads(body)
        except ValueError:
            self.send({"id": 1, "ok": False, "error": {"code": "bad-request",
                                                       "message": "not JSON"}})
            self.alive = False
            return
        rid = req.get("id") if isinstance(req, dict) else None
        if not isinstance(rid, int) or isinstance(rid, bool) or not 1 <= rid <= 2**53 - 1:
            self.send({"id": 1, "ok": False, "error": {"code": "bad-request",
                                                       "message": "id must be 1..2^53-1"}})
            return
        op = req.get("op")
        self.agent.record({"op": op, "id": rid, "has_token": "token" in req,
                           "client": self.client, "fields": sorted(req)})
        try:
            if op not in FIELDS:
                raise ProtoError("bad-request", f"unknown op {op!r}")
            extra = set(req) - FIELDS[op] - {"op", "id"}
            if extra:
                raise ProtoError("bad-request", f"unknown field {sorted(extra)[0]!r} in {op}")
            if op != "hello" and not self.hello:
                raise ProtoError("hello-first", "send hello first")
            if self.client is None and op not in ("hello", "enrol"):
                raise ProtoError("denied", "an enrolment connection may only send hello and "
                                 "enrol; connect with your client certificate")
            if op in OPERATOR_OPS and self.agent.args.role != "operator":
                raise ProtoError("denied", f"{op} is an operator operation; this agent serves "
                                 f"the tenant habitat {self.agent.args.habitat}")
            if self.agent.args.evil not in (None, "names") and op not in ("hello", "enrol"):
                return self.misbehave(rid)
            result = getattr(self, "op_" + op.replace("-", "_"))(req)
            if result is not None:
                self.send({"id": rid, "ok": True, "result": result})
        except ProtoError as e:
            err = {"code": e.code, "message": e.message}
            err.update(e.extra)
            self.send({"id": rid, "ok": False, "error": err})

    def misbehave(self, rid):
        """--evil: answer like a broken or hostile agent (kuori must fail cleanly)."""
        mode = self.agent.args.evil
        with self.wlock:
            if mode == "huge":  # a length beyond 1 MiB
                self.tls.sendall(struct.pack(">I", (1 << 20) + 1) + b"{")
            elif mode == "junk":  # a frame that is not JSON
                self.tls.sendall(struct.pack(">I", 5) + b"\x1b[2J!")
            elif mode == "wrongtype":  # JSON, but "result" is not an object
                body = json.dumps({"id": rid, "ok": True, "result": [1]}).encode()
                self.tls.sendall(struct.pack(">I", len(body)) + body)
            elif mode == "silent":  # never answers
                pass
            elif mode == "escape":  # an error whose text tries to drive the terminal
                body = json.dumps({"id": rid, "ok": False, "error": {
                    "code": "internal", "message": "boom\x1b[2J\x07"}}).encode()
                self.tls.sendall(struct.pack(">I", len(body)) + body)

    # Operations -----------------------------------------------------------
    def op_hello(self, req):
        if 1 not in req.get("versions", []):
            raise ProtoError("version", "this agent speaks version 1", versions=[1])
        self.hello = True
        return {"version": 1, "agent": "fake-agent/1.0", "habitat": self.agent.args.habitat,
                "role": self.agent.args.role, "client": self.client, "ops": sorted(FIELDS)}

    def op_enrol(self, req):
        if self.client is not None:
            raise ProtoError("bad-request", "enrol only on an enrolment connection")
        tok = req.get("token")
        name = req.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 32 or \
                any(c not in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in name):
            raise ProtoError("bad-request", "name must be 1..32 of [a-z0-9-]")
        bad = ProtoError("token", "the token is unknown, expired, already used or for another "
                         "habitat; ask the operator for a new one")
        parts = tok.split(".") if isinstance(tok, str) else []
        if len(parts) != 4:
            raise bad
        with self.agent.habitat.lock:
            t = self.agent.tokens.get(hashlib.sha256(parts[2].encode()).hexdigest())
            if (not t or t["state"] != "valid" or t["expires"] < time.monotonic()
                    or t["habitat"] != self.agent.args.habitat or parts[1] != t["habitat"]):
                raise bad
            try:
                pub = serialization.load_der_public_key(base64.b64decode(req["csr_spki"],
                                                                         validate=True))
            except (ValueError, TypeError, KeyError):
                raise ProtoError("bad-request", "csr_spki is not a base64 DER P-256 key")
            if not isinstance(pub, ec.EllipticCurvePublicKey) or pub.curve.name != "secp256r1":
                raise ProtoError("bad-request", "csr_spki must be a P-256 key")
            t["state"] = "used"
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                                self.agent.args.habitat)])
        day = datetime.datetime(2026, 1, 1)
        cert = (x509.CertificateBuilder().subject_name(subject)
                .issuer_name(self.agent.cert.subject).public_key(pub)
                .serial_number(x509.random_serial_number()).not_valid_before(day)
                .not_valid_after(day + datetime.timedelta(days=3650))
                .sign(self.agent.key, hashes.SHA256()))
        der = cert.public_bytes(serialization.Encoding.DER)
        return {"certificate": base64.b64encode(der).decode(), "habitat":
                self.agent.args.habitat, "agent_fingerprint": self.agent.fingerprint}

    def op_state(self, req):
        with self.agent.habitat.lock:
            return {"report": self.agent.habitat.report()}

    def op_config(self, req):
        with self.agent.habitat.lock:
            return {"generation": self.agent.habitat.generation,
                    "config": self.agent.habitat.config()}

    def start_stream(self, rid, target, *args):
        cancel = threading.Event()
        if len(self.streams) >= 4:
            raise ProtoError("busy", "at most 4 streams per connection")
        self.streams[rid] = cancel
        threading.Thread(target=target, args=(rid, cancel) + args, daemon=True).start()

    def end(self, rid, why):
        self.streams.pop(rid, None)
        self.send({"id": rid, "end": why})

    def op_watch(self, req):
        hz = req.get("hz", 1)
        if not isinstance(hz, int) or not 1 <= hz <= 20:
            raise ProtoError("bad-request", "hz must be 1..20")
        self.send({"id": req["id"], "ok": True, "result": {}})
        self.start_stream(req["id"], self.watch_loop, hz)

    def watch_loop(self, rid, cancel, hz):
        seq = 0
        while self.alive and not cancel.wait(1.0 / hz if seq else 0):
            seq += 1
            with self.agent.habitat.lock:
                s = self.agent.habitat.sample(seq)
            self.send({"id": rid, "stream": "watch", "data": s})
        if self.alive:
            self.end(rid, "cancelled")

    def op_events(self, req):
        after = req.get("after", 0)
        h = self.agent.habitat
        with h.lock:
            evs = [e for e in h.events if e["seq"] > after]
            nxt = len(h.events) + 1
        self.send({"id": req["id"], "ok": True,
                   "result": {"events": evs, "lost": 0, "next": nxt}})
        if req.get("follow"):
            self.start_stream(req["id"], self.events_loop, nxt)

    def events_loop(self, rid, cancel, nxt):
        h = self.agent.habitat
        while self.alive and not cancel.is_set():
            with h.lock:
                h.event_cv.wait(0.2)
                new = h.events[nxt - 1:]
                nxt += len(new)
            for e in new:
                self.send({"id": rid, "stream": "events", "data": e})
        if self.alive:
            self.end(rid, "cancelled")

    def op_logs(self, req):
        comp = req.get("component")
        tail = req.get("tail", 100)
        h = self.agent.habitat
        with h.lock:
            if comp not in h.logs:
                raise ProtoError("not-found", f"no component {comp!r}")
            lines = h.logs[comp][-tail:] if tail else []
            done = len(h.logs[comp])
        self.send({"id": req["id"], "ok": True, "result": {"lines": lines, "lost": 0}})
        if req.get("follow"):
            self.start_stream(req["id"], self.logs_loop, comp, done)

    def logs_loop(self, rid, cancel, comp, done):
        h = self.agent.habitat
        tick = 0
        while self.alive and not cancel.wait(0.2):
            with h.lock:
                tick += 1
                h.log(comp, f"{comp}: tick {tick}")
                new = h.logs[comp][done:]
                done += len(new)
            for line in new:
                self.send({"id": rid, "stream": "logs", "data": line})
        if self.alive:
            self.end(rid, "cancelled")

    def op_cancel(self, req):
        ev = self.streams.get(req.get("target"))
        if ev is None:
            raise ProtoError("not-found", "no such stream")
        self.send({"id": req["id"], "ok": True, "result": {}})
        ev.set()

    def op_apply(self, req):
        h = self.agent.habitat
        cfg, gen = req.get("config"), req.get("generation")
        if not isinstance(cfg, dict) or not isinstance(cfg.get("children"), list):
            raise ProtoError("bad-request", "config must be an object with children")
        unknown = set(cfg) - {"generation", "children", "exit_with"}
        if unknown:
            raise ProtoError("rejected", f"unknown field {sorted(unknown)[0]!r}")
        with h.lock:
            hook = os.path.join(self.agent.args.dir, "stale-next")
            if os.path.exists(hook):  # test hook: another admin applied just before
                os.unlink(hook)
                h.generation += 1
            if gen != h.generation + 1:
                raise ProtoError("stale", f"generation {gen} is stale: generation "
                                 f"{h.generation} is in force", current=h.generation)
            results, children = h.verdicts(cfg["children"], bool(req.get("partial")))
            if not req.get("dry_run") and any(not r["result"].startswith("rejected")
                                              for r in results):
                h.commit(children, results)
            status = "done\x1b[2J\u009b2J" if self.agent.args.evil == "names" else "done"
            return {"generation": h.generation, "status": status, "results": results}

    def lifecycle(self, req, verb, state):
        h = self.agent.habitat
        comp = req.get("component")
        with h.lock:
            if not h.child(comp):
                raise ProtoError("not-found", f"no component {comp!r}; 'kuori ps' lists them")
            t = now_ns()
            h.cpu_base[comp] = (h.cpu_ns(comp, t), t)
            h.state[comp] = state
            if state == "running":
                h.started_ns[comp] = t
            h.event(verb, comp)
        return {"component": comp, "result": verb}

    def op_start(self, req):
        return self.lifecycle(req, "started", "running")

    def op_stop(self, req):
        return self.lifecycle(req, "stopped", "stopped")

    def op_restart(self, req):
        r = self.lifecycle(req, "restarted", "running")
        with self.agent.habitat.lock:
            h = self.agent.habitat
            h.restarts[req["component"]] = h.restarts.get(req["component"], 0) + 1
        return r

    def op_set(self, req):
        h = self.agent.habitat
        comp = req.get("component")
        with h.lock:
            c = h.child(comp)
            if not c:
                raise ProtoError("not-found", f"no component {comp!r}")
            if not any(k in req for k in ("ram", "cpu", "caps")):
                raise ProtoError("bad-request", "set needs ram, cpu or caps")
            new = json.loads(json.dumps(c))
            if "ram" in req:
                new["ram"] = req["ram"]
            if "caps" in req:
                new["caps"] = req["caps"]
            if "cpu" in req:
                new["cpu"]["quota"] = req["cpu"]
            results, children = h.verdicts([new], True)
            if not results[0]["result"].startswith("rejected"):
                h.commit(children, results)
                if "cpu" in req:
                    h.event("quota", comp, cpu=req["cpu"])
            return {"generation": h.generation, "status": "done", "results": results}

    def op_install(self, req):
        pkg = req.get("package", "")
        parts = pkg.split("/") if isinstance(pkg, str) else []
        if len(parts) != 4 or parts[1] != "pkg":
            raise ProtoError("bad-request", "package must be user/pkg/name/version")
        h = self.agent.habitat
        with h.lock:
            if not h.child(parts[2]):
                h.children.append({"name": parts[2], "binary": parts[2], "ram": 1048576,
                                   "caps": 64, "cpu": {"quota": 10, "priority": 64}})
                h.state[parts[2]] = "running" if req.get("start") else "stopped"
                h.cpu_base[parts[2]] = (0, now_ns())
                h.started_ns[parts[2]] = now_ns()
                h.logs[parts[2]] = [{"seq": 1, "time_ns": now_ns(), "text": "hello"}]
                h.generation += 1
        return {"package": pkg, "sha256": hashlib.sha256(pkg.encode()).hexdigest(),
                "component": parts[2], "result": "added"}

    def habitat_op(self, name, verdict):
        h = self.agent.habitat
        with h.lock:
            h.generation += 1
            return {"generation": h.generation, "status": "done",
                    "results": [{"child": name, "result": verdict}]}

    def op_habitat_create(self, req):
        return self.habitat_op(req.get("name"), "added")

    def op_habitat_resize(self, req):
        return self.habitat_op(req.get("name"), "applied")

    def op_habitat_remove(self, req):
        return self.habitat_op(req.get("name"), "removed")

    def op_token_create(self, req):
        ttl = req.get("ttl_s")
        if not isinstance(ttl, int) or not 60 <= ttl <= 86400:
            raise ProtoError("bad-request", "ttl_s must be 60..86400")
        with self.agent.habitat.lock:
            return self.agent.new_token(req.get("habitat"), ttl)

    def op_token_list(self, req):
        out = []
        with self.agent.habitat.lock:
            for t in self.agent.tokens.values():
                left = int(t["expires"] - time.monotonic())
                state = t["state"] if t["state"] != "valid" or left > 0 else "expired"
                out.append({"id": t["id"], "habitat": t["habitat"],
                            "expires_in_s": max(left, 0), "state": state})
        return {"tokens": out}

    def op_token_revoke(self, req):
        with self.agent.habitat.lock:
            for t in self.agent.tokens.values():
                if t["id"] == req.get("token_id"):
                    t["state"] = "revoked"
                    return {"id": t["id"], "state": "revoked"}
        raise ProtoError("not-found", "no such token; 'kuori token list' shows them")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--habitat", default="init")
    ap.add_argument("--role", default="operator", choices=["operator", "tenant"])
    ap.add_argument("--seed", default=None, help="hex private key scalar (stable identity)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--evil", choices=["huge", "junk", "wrongtype", "silent", "escape", "names"],
                    help="misbehave on every op after hello (for kuori's robustness tests); "
                    "names: answer normally, with a component named with escape sequences")
    args = ap.parse_args()
    agent = Agent(args)
    try:
        agent.serve()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
