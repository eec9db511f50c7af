# SPDX-License-Identifier: MIT
"""kuori through an SSH jump host: a throwaway sshd on a free port, its own host and user keys."""
import getpass
import os
import socket
import subprocess

import pytest

from conftest import wait_for

SSHD = "/usr/sbin/sshd"
pytestmark = pytest.mark.skipif(not os.path.exists(SSHD), reason="openssh-server missing")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def keygen(path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path], check=True)
    return open(path + ".pub").read().split()[:2]


@pytest.fixture
def sshd(tmp_path, kuori):
    d = tmp_path / "sshd"
    d.mkdir()
    sshdir = os.path.join(kuori.home, ".ssh")
    os.makedirs(sshdir, mode=0o700)
    host = keygen(str(d / "hostkey"))
    user = keygen(os.path.join(sshdir, "id_ed25519"))
    (d / "authorized_keys").write_text(" ".join(user) + "\n")
    port = free_port()
    (d / "sshd_config").write_text(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {d}/hostkey
AuthorizedKeysFile {d}/authorized_keys
PidFile {d}/sshd.pid
UsePAM no
StrictModes no
AllowTcpForwarding yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
""")
    if os.geteuid() == 0:
        # sshd started as root wants its privilege separation directory, which
        # the Debian service creates at boot (RuntimeDirectory=sshd).
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    log = open(d / "sshd.log", "w")
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(d / "sshd_config")], stdout=log,
                            stderr=log)

    def listening():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return proc.poll() is not None and pytest.fail(open(d / "sshd.log").read())

    wait_for(listening, what="sshd")
    known = os.path.join(sshdir, "known_hosts")
    yield {"port": port, "known": known, "line": f"[127.0.0.1]:{port} {' '.join(host)}\n",
           "user": getpass.getuser()}
    proc.terminate()
    proc.wait(timeout=30)


def test_enrol_and_use_through_ssh(kuori, agents, sshd):
    a = agents()
    open(sshd["known"], "w").write(sshd["line"])
    addr = f"ssh://{sshd['user']}@127.0.0.1:{sshd['port']}/{a.address}"
    r = kuori.run("remote", "add", "s", addr, "--token", a.token)
    assert r.returncode == 0, r.stderr
    r = kuori.run("ps", "-o", "json")
    assert r.returncode == 0, r.stderr
    assert "demo" in r.stdout
    r = kuori.run("stats", "--watch", "-n", "3", "--hz", "10")
    assert r.returncode == 0 and r.stdout.count("demo") == 3, r.stderr


def test_unknown_host_refused(kuori, agents, sshd):
    a = agents()
    addr = f"ssh://{sshd['user']}@127.0.0.1:{sshd['port']}/{a.address}"
    r = kuori.run("remote", "add", "s", addr, "--token", a.token)
    assert r.returncode == 4
    assert "not in ~/.ssh/known_hosts" in r.stderr and "ssh-keyscan" in r.stderr
    assert not any(q.get("has_token") for q in a.requests())


def test_changed_host_key_refused(kuori, agents, sshd, tmp_path):
    a = agents()
    other = keygen(str(tmp_path / "other"))
    open(sshd["known"], "w").write(f"[127.0.0.1]:{sshd['port']} {' '.join(other)}\n")
    addr = f"ssh://{sshd['user']}@127.0.0.1:{sshd['port']}/{a.address}"
    r = kuori.run("remote", "add", "s", addr, "--token", a.token)
    assert r.returncode == 4 and "does NOT match" in r.stderr


def test_refused_key(kuori, agents, sshd):
    a = agents()
    open(sshd["known"], "w").write(sshd["line"])
    os.unlink(os.path.join(kuori.home, ".ssh", "id_ed25519"))
    addr = f"ssh://{sshd['user']}@127.0.0.1:{sshd['port']}/{a.address}"
    r = kuori.run("remote", "add", "s", addr, "--token", a.token)
    assert r.returncode == 4 and "refused every key" in r.stderr
