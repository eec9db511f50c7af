# SPDX-License-Identifier: MIT
# The deployment steps of docs/registry.md, followed as written by a new operator.
#
# The shell blocks of the "Deployment" section run in one bash, as root, with only
# the directories moved under this test's work directory, the port set to 0 and a
# throwaway service user (created by the docs' own useradd line, deleted after).
# The server then runs as that user with the unit's ExecStart, and the publish
# example of the "Publish" section must answer 201. On the old code (and docs) the
# admin verbs left registry.db to root and every publish failed with 500.
import io
import lzma
import os
import pwd
import re
import signal
import subprocess
import tarfile
import textwrap

import pytest

from conftest import BIN, wait_for

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "docs", "registry.md")
SVC = "kide-reg-docs-test"


def section(text, title, next_title):
    return text[text.index(title):text.index(next_title)]


def blocks(text, lang):
    """The fenced blocks of one language, dedented (list items indent them)."""
    out = []
    for m in re.finditer(r"^( *)```" + lang + r"\n(.*?)^\1```", text, re.M | re.S):
        out.append(textwrap.dedent(m.group(2)))
    return out


@pytest.mark.skipif(os.geteuid() != 0, reason="the deployment steps run as root")
def test_deployment_steps_work_as_written(make_registry):
    reg = make_registry()
    work = os.path.abspath(reg.root)
    text = open(DOCS).read()
    deploy = section(text, "## Deployment", "## Backup and restore")
    sh = blocks(deploy, "sh")
    assert len(sh) == 3, "expected the setup, key pair and admin blocks"
    unit = blocks(deploy, "ini")[0]
    publish = blocks(section(text, "### Publish", "### Yank"), "sh")[0]

    moved = {"/var/lib/kide-registry": f"{work}/var/lib/kide-registry",
             "/var/log/kide-registry": f"{work}/var/log/kide-registry",
             "/etc/kide-registry": f"{work}/etc/kide-registry"}

    def move(s):
        for a, b in moved.items():
            s = s.replace(a, b)
        return s
    setup = move(sh[0]).replace("SVC=kide-registry", f"SVC={SVC}", 1)
    assert setup != sh[0]
    # The port: 0 picks a free one (the docs' 8080 may be taken on a test machine).
    setup += f"sed -i 's/^listen: .*/listen: 127.0.0.1:0/' \"$ETC/registry.yaml\"\n"
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir)
    os.symlink(BIN, os.path.join(bindir, "kide-registry"))
    existed = subprocess.run(["id", SVC], capture_output=True).returncode == 0
    env = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"])
    try:
        script = "set -eu\n" + setup + sh[1] + sh[2]
        r = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        token = open(os.path.join(work, "alice.token")).read().strip()
        assert token.startswith("kr_")
        pw = pwd.getpwnam(SVC)
        os.chmod(work, 0o755)
        # systemd: User= and ExecStart= of the unit.
        user = re.search(r"^User=(.*)$", unit, re.M).group(1)
        assert user == "kide-registry"
        cmd = move(re.search(r"^ExecStart=(.*)$", unit, re.M).group(1))
        cmd = cmd.replace("/usr/local/bin/kide-registry", BIN).split()
        errlog = os.path.join(work, "serve.err")
        errf = open(errlog, "wb")
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errf, preexec_fn=lambda: (
            os.setgroups([]), os.setgid(pw.pw_gid), os.setuid(pw.pw_uid)))
        try:
            def listening():
                assert proc.poll() is None, open(errlog).read()
                return re.search(r"listening on http://127\.0\.0\.1:(\d+)", open(errlog).read())
            url = "http://127.0.0.1:" + wait_for(listening, what="server").group(1)
            # The porter's archive and the publish example, as written.
            b = io.BytesIO()
            with tarfile.open(fileobj=b, mode="w") as t:
                ti = tarfile.TarInfo("zlib/README")
                ti.size = 6
                t.addfile(ti, io.BytesIO(b"hello\n"))
            with open(os.path.join(work, "zlib-1.3.tar.xz"), "wb") as f:
                f.write(lzma.compress(b.getvalue()))
            ex = publish.replace("https://registry.example", url)
            ex = ex.replace("curl -X PUT", "curl -sS -o /dev/null -w '%{http_code}' -X PUT")
            r = subprocess.run(["bash", "-c", "set -eu\n" + ex], cwd=work, capture_output=True,
                               text=True, timeout=60, env=dict(env, TOKEN=token))
            assert r.stdout.strip() == "201", (r.stdout, r.stderr, open(errlog).read())
            got = subprocess.run(["curl", "-s", url + "/alice/src/zlib/1.3.tar.xz"],
                                 capture_output=True, timeout=30).stdout
            assert got == open(os.path.join(work, "zlib-1.3.tar.xz"), "rb").read()
            access = os.path.join(moved["/var/log/kide-registry"], "access.log")
            assert os.path.getsize(access) > 0
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0
            errf.close()
    finally:
        if not existed:
            subprocess.run(["userdel", SVC], capture_output=True)
