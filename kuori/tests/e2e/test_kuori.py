# SPDX-License-Identifier: MIT
"""kuori end to end: the real binary against tests/fake_agent.py."""
import json
import os
import pty
import re
import socket
import stat
import subprocess
import time

import yaml
import pytest

from conftest import KUORI, interrupt, wait_for


# Enrolment -----------------------------------------------------------------
def test_enrol_with_token(kuori, agents):
    a = agents()
    r = kuori.run("remote", "add", "a", a.address, "--token", a.token, "--name", "alice")
    assert r.returncode == 0, r.stderr
    assert "enrolled a: habitat init, client alice" in r.stdout
    cfg = json.load(open(os.path.join(kuori.cfg, "remotes.json")))
    assert cfg["current"] == "a"
    assert cfg["remotes"][0]["pin"] == a.pin and cfg["remotes"][0]["habitat"] == "init"
    key = os.path.join(kuori.cfg, "remotes", "a", "key.pem")
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert os.path.exists(os.path.join(kuori.cfg, "remotes", "a", "cert.pem"))
    assert [q["op"] for q in a.requests()] == ["hello", "enrol"]
    # the enrolled certificate works: the agent sees the client's name
    r = kuori.run("version", "-r", "a")
    assert r.returncode == 0 and "client alice" in r.stdout, r.stderr


def test_pin_mismatch_refused_before_token_is_sent(kuori, agents):
    a = agents()
    bad = a.token.rsplit(".", 1)[0] + "." + "0" * 32
    r = kuori.run("remote", "add", "a", a.address, "--token", bad)
    assert r.returncode == 4, r.stderr
    assert "does not match the pin" in r.stderr
    assert not any(q.get("has_token") for q in a.requests()), "the token reached the agent"
    assert not any(q.get("op") for q in a.requests()), "kuori sent a request to a wrong agent"
    assert not os.path.exists(os.path.join(kuori.cfg, "remotes.json"))


def test_token_reuse_refused(kuori, agents):
    a = agents()
    kuori.enrol("a", a)
    r = kuori.run("remote", "add", "again", a.address, "--token", a.token)
    assert r.returncode == 4
    assert "already used" in r.stderr and "(token)" in r.stderr
    assert not os.path.exists(os.path.join(kuori.cfg, "remotes", "again", "key.pem"))


def test_malformed_token_is_a_usage_error(kuori, agents):
    a = agents()
    r = kuori.run("remote", "add", "a", a.address, "--token", "kide1.nope")
    assert r.returncode == 2 and "malformed" in r.stderr
    assert a.requests() == []


def test_pinned_remote_refuses_another_agent(kuori, agents):
    """A remote pointed at another agent: refused on the pin; with that agent's pin, the
    agent refuses our certificate (issued by another habitat's agent)."""
    a, b = agents("a"), agents("b", habitat="tenant-b", role="tenant")
    kuori.enrol("a", a)
    p = os.path.join(kuori.cfg, "remotes.json")
    cfg = json.load(open(p))
    cfg["remotes"][0]["address"] = b.address
    json.dump(cfg, open(p, "w"))
    r = kuori.run("ps")
    assert r.returncode == 4 and "does not match the pin" in r.stderr
    cfg["remotes"][0]["pin"] = b.pin
    json.dump(cfg, open(p, "w"))
    r = kuori.run("ps")
    assert r.returncode == 4, (r.returncode, r.stderr)
    assert not any(q.get("op") == "watch" for q in b.requests())


# Reading -------------------------------------------------------------------
def test_ps_table_and_json(enrolled):
    kuori, _ = enrolled
    r = kuori.run("ps")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATE", "CPU%", "RAM", "CAPS", "RESTARTS", "UPTIME"]
    assert any(line.split()[:2] == ["demo", "running"] for line in lines)
    r = kuori.run("ps", "-o", "json")
    doc = json.loads(r.stdout)
    demo = [c for c in doc["components"] if c["name"] == "demo"][0]
    assert 5 <= demo["cpu_percent"] <= 60, demo  # the fake's demo uses ~20% of a CPU
    assert demo["ram"]["quota"] == 4194304
    r = kuori.run("ps", "-o", "yaml")
    assert yaml.safe_load(r.stdout)["components"][0]["name"] == "demo"


def test_top_without_tty_for_2s(enrolled):
    kuori, _ = enrolled
    t0 = time.monotonic()
    r = kuori.run("top", "--duration", "2s", "--hz", "4")
    took = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("kuori top") >= 2
    assert "\x1b[" not in r.stdout  # no screen control without a terminal
    assert took < 30
    r = kuori.run("top", "-n", "2", "--sort", "name", "-o", "json")
    samples = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(samples) == 2 and "cpu_percent" in samples[0]["components"][0]


def test_top_on_a_terminal_quits_with_q(enrolled):
    kuori, _ = enrolled
    master, slave = pty.openpty()
    p = subprocess.Popen([KUORI, "top", "--hz", "5"], stdin=slave, stdout=slave, stderr=slave,
                         env=kuori.env, close_fds=True)
    os.close(slave)
    buf = b""

    def screen():
        nonlocal buf
        try:
            buf += os.read(master, 65536)
        except OSError:
            pass
        return b"demo" in buf

    wait_for(screen, what="top's first screen")
    assert b"\x1b[?1049h" in buf  # the alternate screen
    os.write(master, b"q")
    assert p.wait(timeout=30) == 0
    os.close(master)


def test_set_cpu_then_next_stats(enrolled):
    kuori, _ = enrolled
    r = kuori.run("set", "demo", "cpu=30%", "ram=8M")
    assert r.returncode == 0, r.stderr
    assert "demo" in r.stdout and "applied" in r.stdout
    r = kuori.run("stats", "-o", "json")
    s = json.loads(r.stdout.splitlines()[0])
    demo = [c for c in s["components"] if c["name"] == "demo"][0]
    assert demo["cpu"]["quota"] == 30 and demo["ram"]["quota"] == 8 << 20
    r = kuori.run("stats", "--watch", "-n", "2", "--hz", "5")
    rows = [line.split() for line in r.stdout.splitlines()[1:]]
    assert sum(1 for x in rows if x[1] == "demo") == 2 and all(x[4] == "30%" for x in rows
                                                             if x[1] == "demo")


def test_events_and_follow(enrolled):
    kuori, _ = enrolled
    r = kuori.run("events", "-o", "json")
    doc = json.loads(r.stdout)
    assert [e["type"] for e in doc["events"]][:3] == ["started"] * 3
    p = kuori.popen("events", "-f", "--after", "3", "-o", "json")
    assert kuori.run("stop", "timer").returncode == 0
    line = wait_for(lambda: p.stdout.readline(), what="a followed event")
    assert json.loads(line)["type"] == "stopped"
    rc, _, err = interrupt(p)
    assert rc == 0, err


def test_logs_tail_and_follow(enrolled):
    kuori, _ = enrolled
    r = kuori.run("logs", "--tail", "2", "demo")
    assert r.stdout.splitlines() == ["demo: line 3", "demo: line 4"]
    p = kuori.popen("logs", "-f", "demo")
    seen = []
    wait_for(lambda: seen.append(p.stdout.readline()) or "tick 2" in seen[-1],
             what="followed log lines")
    rc, _, err = interrupt(p)
    assert rc == 0, err
    assert "demo: line 4\n" in seen and any("tick 1" in s for s in seen)
    r = kuori.run("logs", "nosuch")
    assert r.returncode == 6 and "not-found" in r.stderr


def test_state_and_config(enrolled):
    kuori, _ = enrolled
    r = kuori.run("state", "-o", "json")
    assert json.loads(r.stdout)["habitat"] == "init"
    r = kuori.run("config", "-o", "json")
    assert json.loads(r.stdout)["generation"] == 1


# Changing ------------------------------------------------------------------
def config_yaml(kuori, tmp):
    r = kuori.run("config", "-o", "yaml")
    assert r.returncode == 0, r.stderr
    path = os.path.join(tmp, "habitat.yaml")
    open(path, "w").write(r.stdout)
    return path, yaml.safe_load(r.stdout)


def test_apply_with_a_rejected_part(enrolled, tmp_path):
    kuori, a = enrolled
    path, cfg = config_yaml(kuori, str(tmp_path))
    cfg["children"][0]["ram"] = 16 << 20  # demo: fits
    cfg["children"][1]["ram"] = 128 << 20  # timer: beyond the habitat's free RAM
    yaml.safe_dump(cfg, open(path, "w"))
    r = kuori.run("apply", "-f", path, "--dry-run")
    assert r.returncode == 1 and "applied" in r.stdout
    assert json.loads(kuori.run("config", "-o", "json").stdout)["generation"] == 1
    r = kuori.run("apply", "-f", path)
    assert r.returncode == 1, r.stderr
    out = {line.split()[0]: line.split(None, 1)[1] for line in r.stdout.splitlines()[2:]}
    assert out["demo"] == "applied" and out["timer"].startswith("rejected: ram")
    applies = [q for q in a.requests() if q["op"] == "apply"]
    assert applies and "generation" in applies[-1]["fields"]
    r = kuori.run("apply", "-f", path, "-o", "json")
    assert r.returncode == 1
    assert any(x["result"].startswith("rejected") for x in json.loads(r.stdout)["results"])


def test_apply_everything_applied_exits_0(enrolled, tmp_path):
    kuori, _ = enrolled
    path, cfg = config_yaml(kuori, str(tmp_path))
    cfg["children"][0]["cpu"]["quota"] = 40
    yaml.safe_dump(cfg, open(path, "w"))
    r = kuori.run("apply", "-f", path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "generation 2" in r.stdout


def test_apply_stale_generation(enrolled, tmp_path):
    kuori, a = enrolled
    path, _ = config_yaml(kuori, str(tmp_path))
    # another admin applies between our config and our apply: the fake's hook
    open(os.path.join(a.dir, "stale-next"), "w").close()
    r = kuori.run("apply", "-f", path)
    assert r.returncode == 1
    assert "stale generation" in r.stderr and "generation 2 is in force" in r.stderr
    assert "kuori diff -f" in r.stderr


def test_diff_exit_codes(enrolled, tmp_path):
    kuori, _ = enrolled
    path, cfg = config_yaml(kuori, str(tmp_path))
    r = kuori.run("diff", "-f", path)
    assert r.returncode == 0 and r.stdout == "", r.stdout + r.stderr
    cfg["children"][0]["ram"] = 8 << 20
    del cfg["children"][2]
    yaml.safe_dump(cfg, open(path, "w"))
    r = kuori.run("diff", "-f", path)
    assert r.returncode == 1
    assert "~ children[demo].ram: 4194304 -> 8388608" in r.stdout
    assert "- children[bad]:" in r.stdout
    r = kuori.run("diff", "-f", os.path.join(str(tmp_path), "missing.yaml"))
    assert r.returncode > 1 and "cannot read" in r.stderr
    open(path, "w").write("children: [\n")
    r = kuori.run("diff", "-f", path)
    assert r.returncode > 1 and "habitat.yaml:" in r.stderr


def test_yaml_aliases_refused(enrolled, tmp_path):
    kuori, _ = enrolled
    path = os.path.join(str(tmp_path), "bomb.yaml")
    open(path, "w").write("a: &x [1, 2]\nb: *x\n")
    r = kuori.run("apply", "-f", path)
    assert r.returncode == 7 and "anchors" in r.stderr


def test_lifecycle_install_habitat_tokens(enrolled):
    kuori, a = enrolled
    assert "timer: stopped" in kuori.run("stop", "timer").stdout
    assert "timer: started" in kuori.run("start", "timer").stdout
    assert kuori.run("restart", "nosuch").returncode == 6
    r = kuori.run("install", "alice/pkg/hello/1.0", "--registry", "http://10.0.2.2:8080",
                  "--start", "-o", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["component"] == "hello"
    assert kuori.run("install", "alice/hello/1.0").returncode == 2
    r = kuori.run("habitat", "create", "tenant-c", "ram=64M", "cpu=20%", "caps=256")
    assert r.returncode == 0 and "added" in r.stdout
    assert kuori.run("habitat", "create", "tenant-c", "ram=64M").returncode == 2
    r = kuori.run("token", "create", "--habitat", "tenant-c", "--ttl", "30m", "-o", "json")
    tok = json.loads(r.stdout)
    assert tok["token"].startswith("kide1.tenant-c.") and tok["expires_in_s"] == 1800
    r = kuori.run("token", "revoke", tok["id"])
    assert r.returncode == 0 and "revoked" in r.stdout
    r = kuori.run("token", "list")
    assert re.search(tok["id"] + r"\s+tenant-c\s+revoked", r.stdout), r.stdout
    assert kuori.run("token", "create", "--habitat", "x", "--ttl", "2d").returncode == 2


def test_tenant_is_denied_operator_verbs(kuori, agents):
    t = agents("t", habitat="tenant-a", role="tenant")
    kuori.enrol("t", t)
    r = kuori.run("token", "create", "--habitat", "tenant-a")
    assert r.returncode == 4 and "denied" in r.stderr
    r = kuori.run("habitat", "remove", "init")
    assert r.returncode == 4


# Fleet ---------------------------------------------------------------------
def test_fleet_with_a_dead_remote(kuori, agents):
    a, b, c = agents("a"), agents("b", habitat="tenant-b", role="tenant"), agents("c")
    for name, ag in (("a", a), ("b", b), ("c", c)):
        kuori.enrol(name, ag)
    c.stop()  # nothing listens on c's port any more
    r = kuori.run("ps", "--all")
    assert r.returncode == 3, r.stderr
    remotes = {line.split()[0] for line in r.stdout.splitlines()[1:]}
    assert remotes == {"a", "b"}
    assert re.search(r"kuori: c: unreachable: .*refused", r.stderr), r.stderr
    r = kuori.run("ps", "-r", "a,c", "-o", "json")
    doc = json.loads(r.stdout)
    byname = {x["remote"]: x for x in doc["remotes"]}
    assert byname["a"]["ok"] and not byname["c"]["ok"]
    assert byname["c"]["error"]["code"] == "unreachable"


def test_fleet_silent_remote_times_out_without_blocking(kuori, agents):
    a = agents("a")
    kuori.enrol("a", a)
    kuori.enrol("s", agents("s"))
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts TCP, never speaks TLS
    p = os.path.join(kuori.cfg, "remotes.json")
    cfg = json.load(open(p))
    for r in cfg["remotes"]:
        if r["name"] == "s":
            r["address"] = f"127.0.0.1:{silent.getsockname()[1]}"
    json.dump(cfg, open(p, "w"))
    t0 = time.monotonic()
    r = kuori.run("ps", "--all", "--timeout", "1s")
    took = time.monotonic() - t0
    silent.close()
    assert r.returncode == 3
    assert "a  " in r.stdout and "timed out" in r.stderr
    assert took < 20


def test_fleet_stats_and_events(kuori, agents):
    kuori.enrol("a", agents("a"))
    kuori.enrol("b", agents("b"))
    r = kuori.run("stats", "--all", "-o", "json")
    assert {json.loads(x)["remote"] for x in r.stdout.splitlines()} == {"a", "b"}
    r = kuori.run("events", "-r", "a,b")
    assert r.returncode == 0
    assert {line.split()[0] for line in r.stdout.splitlines()[1:]} == {"a", "b"}


def test_fleet_refused_for_single_remote_verbs(enrolled):
    kuori, _ = enrolled
    r = kuori.run("stop", "demo", "--all")
    assert r.returncode == 2 and "works on one remote" in r.stderr


# Output, help, configuration ----------------------------------------------
def run_on_tty(kuori, args, env):
    master, slave = pty.openpty()
    e = dict(kuori.env)
    e.update(env)
    p = subprocess.Popen([KUORI, *args], stdout=slave, stderr=subprocess.PIPE, env=e)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=60)
    os.close(master)
    return out.decode()


def test_no_color(enrolled):
    kuori, _ = enrolled
    assert "\x1b[1m" in run_on_tty(kuori, ["remote", "list"], {})
    assert "\x1b[" not in run_on_tty(kuori, ["remote", "list"], {"NO_COLOR": "1"})
    assert "\x1b[" not in kuori.run("remote", "list").stdout  # not a terminal


def verbs():
    out = subprocess.run([KUORI, "--help"], capture_output=True, text=True).stdout
    return re.findall(r"^  ([a-z]+)  ", out, re.M)


@pytest.mark.parametrize("verb", verbs())
def test_help_of_every_verb(kuori, verb):
    r = kuori.run(verb, "--help")
    assert r.returncode == 0 and f"usage: kuori {verb}" in r.stdout
    assert "--output" in r.stdout
    assert os.path.exists(os.path.join(os.path.dirname(__file__), "..", "..", "..", "docs",
                                       "kuori", f"{verb}.md")), f"docs/kuori/{verb}.md missing"


def test_usage_errors(kuori):
    assert kuori.run("frobnicate").returncode == 2
    assert kuori.run("ps", "-o", "xml").returncode == 2
    assert kuori.run("set", "demo", "bogus=1").returncode == 2
    assert kuori.run("set", "demo", "cpu=200%").returncode == 2
    assert kuori.run("ps", "--timeout", "soon").returncode == 2
    r = kuori.run("ps")
    assert r.returncode == 2 and "remote add" in r.stderr


def test_config_parsed_strictly(kuori):
    os.makedirs(kuori.cfg)
    p = os.path.join(kuori.cfg, "remotes.json")
    open(p, "w").write('{"version": 1, "current": null, "remotes": [], "exec": "rm -rf /"}')
    r = kuori.run("remote", "list")
    assert r.returncode == 7 and 'unknown field "exec"' in r.stderr
    open(p, "w").write("x" * 70000)
    assert kuori.run("remote", "list").returncode == 7


def test_remote_use_and_remove(kuori, agents):
    kuori.enrol("a", agents("a"))
    kuori.enrol("b", agents("b"))
    assert kuori.run("remote", "use", "b").returncode == 0
    assert json.loads(kuori.run("remote", "list", "-o", "json").stdout)["remotes"][1]["current"]
    assert kuori.run("remote", "remove", "b").returncode == 0
    assert not os.path.exists(os.path.join(kuori.cfg, "remotes", "b"))
    assert kuori.run("remote", "use", "b").returncode == 6


def test_repl_runs_the_same_grammar(enrolled):
    kuori, _ = enrolled
    r = kuori.run(stdin="ps -o json\nfrob\nremote list\nexit\n")
    assert r.returncode == 0, r.stderr
    assert '"name":"demo"' in r.stdout and "unknown verb 'frob'" in r.stderr
    assert "kuori a:init> " in r.stdout
    assert "ps -o json" in open(os.path.join(kuori.cfg, "history")).read()


def test_verb_pages_match_help(tmp_path):
    gen = os.path.join(os.path.dirname(__file__), "..", "gen-docs.sh")
    docs = os.path.join(os.path.dirname(__file__), "..", "..", "..", "docs", "kuori")
    subprocess.run(["bash", gen, KUORI, str(tmp_path)], check=True)
    for page in os.listdir(tmp_path):
        assert open(tmp_path / page).read() == open(os.path.join(docs, page)).read(), \
            f"docs/kuori/{page} is stale: run make -C kuori docs"


@pytest.mark.parametrize("evil,code,text", [
    ("huge", 5, "1048577 bytes"), ("junk", 5, "not one JSON object"),
    ("wrongtype", 5, "invalid message"), ("silent", 3, "no reply within"),
    ("escape", 5, "boom?[2J?")])
def test_broken_agent_fails_cleanly(kuori, agents, evil, code, text):
    """A broken or hostile agent: a clear error and exit code, no crash, no hang, no
    escape sequence on the terminal."""
    a = agents("e", evil=evil)
    kuori.enrol("e", a)  # enrolment itself is served normally
    r = kuori.run("config", "--timeout", "1s")
    assert r.returncode == code, (r.returncode, r.stderr)
    assert text in r.stderr and "\x1b" not in r.stderr
    r = kuori.run("ps", "--timeout", "1s")
    assert r.returncode == code and "\x1b" not in r.stdout + r.stderr


@pytest.mark.parametrize("verb", [["stats"], ["ps"], ["stats", "--watch", "-n", "1"]])
def test_hostile_component_names_do_not_reach_the_terminal(kuori, agents, verb):
    """A component name or state with escape sequences, as C0 (ESC, BEL) or as C1
    controls in UTF-8 (U+0080..U+009F, CSI and OSC to many terminals), is printed with
    them replaced in every table."""
    a = agents("e", evil="names")
    kuori.enrol("e", a)
    r = kuori.run(*verb)
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr
    assert "x?[2J" in out, out
    assert not any(ch in out for ch in "\x1b\x07") and \
        not any(0x80 <= ord(ch) <= 0x9f for ch in out), repr(out)


def test_hostile_apply_status_does_not_reach_the_terminal(kuori, agents, tmp_path):
    """The agent's apply status is printed with its escape sequences replaced."""
    a = agents("e", evil="names")
    kuori.enrol("e", a)
    path = os.path.join(str(tmp_path), "habitat.yaml")
    yaml.safe_dump({"children": [{"name": "demo", "binary": "demo", "ram": 4194304,
                                  "caps": 64, "cpu": {"quota": 40, "priority": 64}}]},
                   open(path, "w"))
    r = kuori.run("apply", "-f", path)
    out = r.stdout + r.stderr
    assert "done?[2J??2J" in out, repr(out)
    assert "\x1b" not in out and not any(0x80 <= ord(ch) <= 0x9f for ch in out), repr(out)


def test_no_certificate_is_no_pin_match(enrolled, tmp_path):
    """An agent that presents no certificate (an anonymous suite, if the local OpenSSL
    configuration allows one) has not proved the pin: kuori stops before it sends
    anything."""
    kuori, a = enrolled
    cnf = tmp_path / "anon.cnf"
    cnf.write_text("openssl_conf = c\n[c]\nssl_conf = s\n[s]\nsystem_default = d\n"
                   "[d]\nCipherString = ALL:@SECLEVEL=0\n")
    open(os.path.join(a.dir, "anon"), "w").close()
    before = len(a.requests())
    r = kuori.run("ps", "--timeout", "5s", env={"OPENSSL_CONF": str(cnf)})
    assert r.returncode == 4 and "pin" in r.stderr, (r.returncode, r.stderr)
    assert len(a.requests()) == before, a.requests()[before:]


def test_repl_completion_on_a_terminal(enrolled):
    """Tab completes verbs and, after a ps, component names; the prompt names remote and
    habitat."""
    kuori, _ = enrolled
    master, slave = pty.openpty()
    p = subprocess.Popen([KUORI], stdin=slave, stdout=slave, stderr=slave, env=kuori.env,
                         close_fds=True)
    os.close(slave)
    buf = b""

    def until(text):
        def got():
            nonlocal buf
            try:
                buf += os.read(master, 65536)
            except OSError:
                pass
            return text in buf
        wait_for(got, what=repr(text))

    until(b"kuori a:init> ")
    os.write(master, b"vers\t\n")  # completes to "version "
    until(b"(protocol 1)")
    os.write(master, b"ps\n")
    until(b"faulted")
    os.write(master, b"logs --tail 1 de\t\n")  # completes the component "demo"
    until(b"demo: line 4")
    os.write(master, b"exit\n")
    assert p.wait(timeout=30) == 0
    os.close(master)
