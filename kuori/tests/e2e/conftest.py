# SPDX-License-Identifier: MIT
"""Fixtures for kuori's end-to-end tests: the binary, a config dir, fake agents."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "..", "fake_agent.py")
TOP = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
KUORI = os.environ.get("KUORI_BIN", os.path.join(TOP, "build", "kuori", "kuori"))


def wait_for(cond, timeout=30.0, what="condition"):
    """Poll cond() until it is true or the deadline passes (never a fixed sleep)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Agent:
    def __init__(self, d, habitat, role, evil=None):
        self.dir = d
        self.habitat = habitat
        extra = ["--evil", evil] if evil else []
        self.proc = subprocess.Popen([sys.executable, FAKE, "--dir", d, "--habitat", habitat,
                                      "--role", role, *extra], stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(d + ".log"), "w"))
        # port is written last, once the agent listens (pin and token before it)
        try:
            wait_for(lambda: os.path.exists(os.path.join(d, "port")), what=f"fake agent {d}")
        except AssertionError:
            self.stop()  # never leave a fake agent behind
            raise
        self.port = int(open(os.path.join(d, "port")).read())
        self.pin = open(os.path.join(d, "pin")).read().strip()
        self.token = open(os.path.join(d, "token")).read().strip()
        self.address = f"127.0.0.1:{self.port}"

    def requests(self):
        p = os.path.join(self.dir, "requests.jsonl")
        if not os.path.exists(p):
            return []
        return [json.loads(line) for line in open(p)]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


@pytest.fixture
def agents(tmp_path):
    made = []

    def make(name="a", habitat="init", role="operator", evil=None):
        a = Agent(str(tmp_path / f"agent-{name}"), habitat, role, evil)
        made.append(a)
        return a

    yield make
    for a in made:
        a.stop()


class Kuori:
    def __init__(self, home):
        self.home = home
        self.cfg = os.path.join(home, "kuori-config")
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
                    "KUORI_CONFIG_DIR": self.cfg, "USER": "tester",
                    "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "detect_leaks=1")}

    def run(self, *args, timeout=60, env=None, stdin=None):
        e = dict(self.env)
        e.update(env or {})
        return subprocess.run([KUORI, *args], capture_output=True, text=True, timeout=timeout,
                              env=e, input=stdin)

    def popen(self, *args, **kw):
        return subprocess.Popen([KUORI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=self.env, **kw)

    def enrol(self, name, agent, *extra):
        r = self.run("remote", "add", name, agent.address, "--token", agent.token, *extra)
        assert r.returncode == 0, r.stderr
        return r


@pytest.fixture
def kuori(tmp_path):
    return Kuori(str(tmp_path))


@pytest.fixture
def enrolled(kuori, agents):
    a = agents()
    kuori.enrol("a", a)
    return kuori, a


def interrupt(proc, timeout=30):
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err
