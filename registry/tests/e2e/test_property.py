# SPDX-License-Identifier: MIT
# Issue 12: the store's property, checked over random interleavings. For any sequence
# of publishes (new bytes, bytes already stored, bytes planted as an old orphan blob),
# yank/unyank, gc --grace 0, verify and kill -9 of the server that this driver draws
# (seeded, so a failure replays with the same seed), every acknowledged publish
# downloads byte-identical afterwards and nothing unacknowledged is visible.
import hashlib
import os
import random
import signal
import subprocess

import pytest

from conftest import BIN
from test_store_integrity import plant_orphan

SEEDS = [int(s) for s in os.environ.get("REGISTRY_PROPERTY_SEEDS", "1,2,3").split(",")]
STEPS = 40


class Model:
    """What the registry must show: acknowledged versions (status 200/201) and versions
    whose publish was cut off by a kill (they may or may not exist, but only intact)."""

    def __init__(self):
        self.acked = {}      # path -> bytes
        self.maybe = {}      # path -> bytes
        self.refused = set()
        self.yanked = set()


def start_publish(reg, path, data):
    fpath, sig = reg.archive(data, reg.alice["key"])
    return subprocess.Popen(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT",
         "--data-binary", "@" + fpath, "-H", f"X-Kide-Signature: {sig}",
         "-H", f"Authorization: Bearer {reg.alice['token']}", reg.url + path],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def settle(model, pending, killed):
    for path, data, p in pending:
        code = p.communicate(timeout=120)[0].strip()
        if code in ("200", "201"):
            model.acked[path] = data
            model.maybe.pop(path, None)
        elif killed and path not in model.acked:
            model.maybe[path] = data
        elif path not in model.acked:
            model.refused.add(path)
    pending.clear()


def check(reg, model):
    """The property, against a running server."""
    for path, data in model.acked.items():
        r = reg.curl(path)
        assert r.status == 200 and r.body == data, (path, r.status)
    for path in model.refused - set(model.acked) - set(model.maybe):
        assert reg.curl(path).status == 404, path
    items = reg.curl("/-/index/alice?per_page=1000").json()["items"]
    for it in items:
        p = it["path"]
        assert p in model.acked or p in model.maybe, f"unacknowledged {p} is listed"
        want = model.acked.get(p, model.maybe.get(p))
        assert it["sha256"] == hashlib.sha256(want).hexdigest()
        assert reg.curl(p).body == want
    v = reg.admin("verify", check=False)
    assert v.returncode == 0, v.stderr


@pytest.mark.parametrize("seed", SEEDS)
def test_random_interleavings_keep_every_acknowledged_publish(make_registry, seed):
    rnd = random.Random(seed)
    reg = make_registry(max_connections_per_ip=200)
    reg.alice = reg.user("alice")
    reg.start()
    model = Model()
    pending, gcs = [], []
    pool = [os.urandom(rnd.randrange(1, 60000)) for _ in range(6)]  # shared bytes
    n = 0
    for step in range(STEPS):
        op = rnd.choice(["publish", "publish", "publish", "orphan", "orphan", "yank", "gc",
                         "gc", "gc", "verify", "settle", "kill"])
        if op in ("publish", "orphan"):
            n += 1
            data = rnd.choice(pool) if rnd.random() < 0.5 else os.urandom(rnd.randrange(1, 90000))
            if op == "orphan":
                plant_orphan(reg, data)
            path = f"/alice/raw/p{n % 7}/{n}.tar.xz"
            pending.append((path, data, start_publish(reg, path, data)))
        elif op == "yank" and model.acked:
            path = rnd.choice(sorted(model.acked))
            spec = path[1:-len(".tar.xz")]
            verb = "unyank" if path in model.yanked else "yank"
            reg.admin(verb, spec)
            model.yanked ^= {path}
        elif op == "gc":
            gcs.append(subprocess.Popen([BIN, "--config", reg.config, "gc", "--grace", "0"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        elif op == "verify":
            settle(model, pending, killed=False)
            for g in gcs:
                assert g.wait(timeout=120) == 0
            gcs.clear()
            check(reg, model)
        elif op == "settle":
            settle(model, pending, killed=False)
        elif op == "kill":
            reg.proc.send_signal(signal.SIGKILL)
            reg.proc.wait(30)
            reg.proc = None
            reg.errf.close()
            settle(model, pending, killed=True)
            for g in gcs:
                assert g.wait(timeout=120) == 0
            gcs.clear()
            reg.start()
            check(reg, model)
    settle(model, pending, killed=False)
    for g in gcs:
        assert g.wait(timeout=120) == 0
    check(reg, model)
    reg.admin("gc", "--grace", "0")
    check(reg, model)
    assert model.acked, "the driver published nothing"
