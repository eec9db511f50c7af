#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The differential POSIX suite of issue 16 (tests/posix/README.md).

Every case of tests/posix/cases.txt runs the same static binary on Debian's
Linux (one guest boot for all cases, os/tools/linux-guest.sh) and on Kide
(one scenario with one `posix:` child per case, one boot); a case passes when
both print the same lines and end the same way (exit code or signal).

  posix_diff.py run      [options]   both sides and the comparison (make test)
  posix_diff.py linux    [options]   the Linux side alone, checked against the
                                     cases' expect= (suite posix-linux)
  posix_diff.py kide     [options]   the Kide side alone (needs a Linux run to
                                     compare with: the results in --out)
  posix_diff.py scenario [options]   only write the Kide scenario (and its
                                     module directory) and print its path
  posix_diff.py list                 the cases as parsed

Options: --bin DIR (the built programs and runcase, default
$BUILD/tests/posix/bin), --out DIR (default $BUILD/tests/posix), --only NAME
(repeatable), --timeout S (per boot), --result (record $BUILD/results/...).
Only the standard library; outputs go to build/, never into the repository.
"""
import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
TOOLS = os.path.join(TOP, "os", "tools")
sys.path.insert(0, TOOLS)
import suite_result  # noqa: E402  (os/tools/suite_result.py)

NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
MODULE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,30}$")
SIZE_RE = re.compile(r"^([0-9]+)([KMG]?)$")
DEFAULT_RAM = "32M"
# The CPU model of both sides (the Kide scenario's machine.cpu, the Linux
# guest's --cpu): with RDRAND and RDSEED, so getrandom and AT_RANDOM have a
# source on Kide (the runtime reads RDRAND) as Linux has its own entropy.
# The same string as os/scenarios/tests/agent.yaml; QEMU's qemu64 lacks both.
CPU_MODEL = "qemu64,+rdrand,+rdseed"
# Linux x86_64 signal numbers: the status of a case is "exit N" or
# "signal NAME" on both sides.
SIGNALS = {1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT",
           7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV",
           12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 31: "SIGSYS"}
# Kide's fault reasons (kide_fault_name) and the signal each stands for
# (docs: issue 16's design, posix_fault_signal).
FAULT_SIGNALS = {"page fault": "SIGSEGV", "general protection": "SIGSEGV",
                 "invalid opcode": "SIGILL", "divide error": "SIGFPE"}
# The runtime's own diagnostics share the child's label; they start so and
# are not part of the program's output (they are shown with a failure).
RUNTIME_PREFIX = "posix: "


class CaseError(Exception):
    pass


class Case:
    def __init__(self, name, argv, opts, lineno):
        self.name, self.argv, self.lineno = name, argv, lineno
        self.program = argv[0]
        # The binary: busybox, or ptest (every program of progs/ in one,
        # chosen by argv[0]), which keeps the Kide image within the kernel's
        # 16 boot modules; also the ROM module's name.
        # A program of bench/ is its own binary and module.
        if self.program != "busybox" and os.path.isfile(
                os.path.join(HERE, "progs", self.program + ".c")):
            self.module = "ptest"
        else:
            self.module = self.program
        self.data = [d for d in opts.get("data", "").split(",") if d]
        self.stdin = opts.get("stdin")
        self.ram = opts.get("ram", DEFAULT_RAM)
        self.limit = opts.get("limit") == "yes"
        self.expect = opts.get("expect")
        self.env = [e for e in opts.get("env", "").split(",") if e]

    def modules(self):
        """The data modules of its /data mount (stdin's included)."""
        mods = list(self.data)
        if self.stdin and self.stdin not in mods:
            mods.append(self.stdin)
        return mods


def size_bytes(s):
    m = SIZE_RE.match(s)
    if not m:
        raise CaseError(f"'{s}' is not a size like 32M")
    return int(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2)]


def parse_cases(path):
    """Read cases.txt; every problem names the line and what to write."""
    cases, names = [], set()
    with open(path) as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            where = f"{path}:{lineno}"
            try:
                words = shlex.split(line)
            except ValueError as e:
                raise CaseError(f"{where}: {e} (quote arguments with '...')")
            if "--" not in words or words.index("--") == len(words) - 1:
                raise CaseError(f"{where}: no program: write NAME [key=value ...] -- ARGV0 [ARGS]")
            sep = words.index("--")
            head, argv = words[:sep], words[sep + 1:]
            name = head[0] if head else ""
            if not NAME_RE.match(name):
                raise CaseError(f"{where}: case name '{name}' must match [a-z][a-z0-9-]{{0,31}}")
            if name in names:
                raise CaseError(f"{where}: case '{name}' is defined twice")
            names.add(name)
            opts = {}
            for kv in head[1:]:
                k, eq, v = kv.partition("=")
                if not eq or k not in ("data", "stdin", "ram", "limit", "expect", "env"):
                    raise CaseError(f"{where}: '{kv}': keys are data=, stdin=, env=, ram=, "
                                    f"limit=, expect=")
                opts[k] = v
            c = Case(name, argv, opts, lineno)
            if not MODULE_RE.match(c.program):
                raise CaseError(f"{where}: program '{c.program}' is no module name")
            for d in c.modules():
                if not MODULE_RE.match(d) or not os.path.isfile(os.path.join(HERE, "data", d)):
                    raise CaseError(f"{where}: input '{d}' is not a file of tests/posix/data")
            if len(c.modules()) + 1 > 7:  # + program; the runtime's ROM limit is 8
                raise CaseError(f"{where}: at most 6 input files per case")
            try:
                size_bytes(c.ram)
            except CaseError as e:
                raise CaseError(f"{where}: ram: {e}")
            for e in c.env:
                if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*=[!-~]*$", e):
                    raise CaseError(f"{where}: env entry '{e}' is not NAME=value (printable, "
                                    f"no spaces or commas)")
            if c.expect and not re.match(r"^(exit:[0-9]+|signal:SIG[A-Z0-9]+)$", c.expect):
                raise CaseError(f"{where}: expect= is exit:N or signal:SIGNAME, not '{c.expect}'")
            cases.append(c)
    if not cases:
        raise CaseError(f"{path}: no cases")
    return cases


def program_path(bindir, prog):
    if prog == "busybox":
        return "/bin/busybox"
    return os.path.join(bindir, prog)


def check_programs(cases, bindir):
    for c in cases:
        p = program_path(bindir, c.module)
        if not os.path.isfile(p):
            raise CaseError(f"case {c.name}: program {p} is missing (a program is "
                            f"tests/posix/progs/NAME.c, built into ptest by: make -C tests all; "
                            f"busybox: package busybox-static)")


# ---------------------------------------------------------------- results --

def status_text(kind, value):
    if kind == "signal":
        return "signal " + (SIGNALS.get(int(value), f"SIG{value}") if str(value).isdigit()
                            else value)
    return f"exit {value}"


def write_result(d, name, res):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".txt"), "w") as f:
        for line in res["out"]:
            f.write(line + "\n")
        f.write(f"== {res['status']}\n")
        for n in res.get("notes", []):
            f.write(f"== note: {n}\n")


def read_result(d, name):
    path = os.path.join(d, name + ".txt")
    if not os.path.isfile(path):
        return None
    res = {"out": [], "status": None, "notes": []}
    with open(path) as f:
        for line in f.read().splitlines():
            if line.startswith("== note: "):
                res["notes"].append(line[9:])
            elif line.startswith("== "):
                res["status"] = line[3:]
            else:
                res["out"].append(line)
    return res


# ------------------------------------------------------------------ Linux --

def linux_script(cases, start_ns):
    """The guest's script: one chroot per case (its own root with /data,
    /dev and /proc, as the Kide child sees it), each case's output between
    markers."""
    bb = "/bin/busybox"
    lines = ["#!/bin/sh", "# generated by tests/posix/posix_diff.py", "set +e"]
    for c in cases:
        root = f"/cases/{c.name}"
        lines.append(f"{bb} mkdir -p {root}/data {root}/dev {root}/proc")
        lines.append(f"{bb} mount -t devtmpfs dev {root}/dev")
        lines.append(f"{bb} mount -t proc proc {root}/proc")
        lines.append(f"{bb} cp /progs/{c.module} {root}/{c.module}")
        for d in c.modules():
            lines.append(f"{bb} cp /data/{d} {root}/data/{d}")
        opts = f"--root {root}"
        if c.stdin:
            opts += f" --stdin /data/{c.stdin}"
        if c.limit:
            opts += f" --vmem {size_bytes(c.ram)}"
        for e in c.env:
            opts += " --env " + shlex.quote(e)
        if c.name in start_ns:
            opts += " --start-ns"
        cmd = " ".join(shlex.quote(a) for a in [f"/{c.module}"] + c.argv)
        lines.append(f"echo '@case {c.name} begin'")
        lines.append(f"/runcase {opts} -- {cmd}")
        lines.append(f"echo '@case {c.name} end'")
        lines.append(f"{bb} umount {root}/dev {root}/proc")
    lines.append("echo '@all done'")
    return "\n".join(lines) + "\n"


def parse_linux_log(text):
    """Each case's output lines, status and runcase errors from the serial log."""
    results, cur = {}, None
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        m = re.match(r"^@case (\S+) (begin|end)$", line)
        if m:
            if m.group(2) == "begin":
                cur = results.setdefault(m.group(1), {"out": [], "status": None, "notes": []})
            else:
                cur = None
            continue
        if cur is None:
            continue
        if line.startswith("@| "):
            cur["out"].append(line[3:].rstrip())
        elif line == "@|":
            cur["out"].append("")
        elif line.startswith("@status "):
            kind, _, value = line[8:].partition(" ")
            cur["status"] = status_text(kind, value)
        elif line.startswith("@start_ns "):
            cur["start_ns"] = int(line[10:])
        elif line.startswith("@error "):
            cur["notes"].append(line[7:])
    return results


def run_linux(cases, bindir, out, smp, mem, timeout, start_ns=()):
    """One Linux guest boot for all cases; returns {name: result}."""
    stage = os.path.join(out, "linux-root")
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(os.path.join(stage, "progs"))
    os.makedirs(os.path.join(stage, "data"))
    for c in cases:
        dst = os.path.join(stage, "progs", c.module)
        if not os.path.exists(dst):
            shutil.copy(program_path(bindir, c.module), dst)
        for d in c.modules():
            shutil.copy(os.path.join(HERE, "data", d), os.path.join(stage, "data", d))
    shutil.copy(os.path.join(bindir, "runcase"), os.path.join(stage, "runcase"))
    script = os.path.join(out, "linux-cases.sh")
    with open(script, "w") as f:
        f.write(linux_script(cases, set(start_ns)))
    os.chmod(script, 0o755)
    log = os.path.join(out, "linux.log")
    cmd = [os.path.join(TOOLS, "linux-guest.sh"), "--smp", str(smp), "--mem", mem,
           "--cpu", CPU_MODEL, "--log", log, "--timeout", str(timeout), "--overlay", stage, script]
    print(f"posix-diff: Linux guest: {len(cases)} cases, -smp {smp} -m {mem} -cpu {CPU_MODEL} "
          f"(log {log})",
          flush=True)
    rc = subprocess.call(cmd)
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    if rc != 0 or "@all done" not in text:
        print(f"posix-diff: the Linux guest did not finish all cases "
              f"(linux-guest.sh status {rc}, log {log})", flush=True)
    res = parse_linux_log(text)
    d = os.path.join(out, "linux")
    shutil.rmtree(d, ignore_errors=True)
    for c in cases:
        r = res.get(c.name) or {"out": [], "status": "missing: the case did not run",
                                "notes": []}
        r["status"] = r["status"] or "missing: no status line"
        res[c.name] = r
        write_result(d, c.name, r)
    return res


def judge_linux(cases, res):
    """The Linux side must do what cases.txt says, or the case is wrong."""
    passed = failed = 0
    for c in cases:
        r = res[c.name]
        want = None
        if c.expect:
            kind, _, v = c.expect.partition(":")
            want = status_text(kind, v)
        why = []
        if not r["out"]:
            why.append("no output (an empty output is never a pass)")
        if want and r["status"] != want:
            why.append(f"ended with {r['status']}, cases.txt expects {want}")
        why += [f"runcase: {n}" for n in r.get("notes", [])]
        if why:
            failed += 1
            print(f"posix-linux: FAIL {c.name}: " + "; ".join(why))
        else:
            passed += 1
            print(f"posix-linux: ok {c.name} ({r['status']}, {len(r['out'])} lines)")
    return passed, failed


# ------------------------------------------------------------------- Kide --

# The kernel keeps 16 boot modules (KIDE_BOOT_MAX_MODULES); core, hoitaja,
# init.json and the runtime take 4.
BOOT_MODULES_FREE = 12


def kide_scenario(cases, bindir, out, cpus=2, name="posix-diff", timeout_s=900):
    """Write the scenario (one posix child per case) and the module directory
    (build/os/bin's modules plus the programs and input files)."""
    used = sorted({c.module for c in cases} | {d for c in cases for d in c.modules()})
    if len(used) > BOOT_MODULES_FREE:
        raise CaseError(f"the cases need {len(used)} boot modules ({', '.join(used)}); "
                        f"the kernel keeps {BOOT_MODULES_FREE} beside core, hoitaja, init.json "
                        f"and posix: share input files between cases or run fewer at once (--only)")
    mods = os.path.join(out, "kide-modules")
    shutil.rmtree(mods, ignore_errors=True)
    os.makedirs(mods)
    osbin = os.path.join(BUILD, "os", "bin")
    if os.path.isdir(osbin):
        for m in os.listdir(osbin):
            os.symlink(os.path.join(osbin, m), os.path.join(mods, m))
    for c in cases:
        dst = os.path.join(mods, c.module)
        if os.path.lexists(dst):
            os.remove(dst)
        shutil.copy(program_path(bindir, c.module), dst)
        for d in c.modules():
            dst = os.path.join(mods, d)
            if not os.path.exists(dst):
                shutil.copy(os.path.join(HERE, "data", d), dst)
    # CPU: root children share CPU 0 (and 1); quotas add up to 80% of each CPU,
    # idle time is passed on, so the cases run as fast as the machine allows.
    per_cpu = {}
    for i, c in enumerate(cases):
        per_cpu.setdefault(i % cpus, []).append(c)
    machine_mib = machine_ram_mib(cases)
    y = [f"# Generated by tests/posix/posix_diff.py from tests/posix/cases.txt: do not edit.",
         f"name: {name}",
         f"machine: {{cpus: {cpus}, ram: {machine_mib}M, cpu: \"{CPU_MODEL}\"}}",
         "habitat:", "  children:"]
    for i, c in enumerate(cases):
        cpu = i % cpus
        quota = max(1, 80 // len(per_cpu[cpu]))
        y += [f"    - name: {c.name}",
              f"      ram: {c.ram}",
              "      caps: 512",
              f"      cpu: {{quota: {quota}, affinity: {cpu}}}",
              "      restart: {policy: never}",
              "      posix:",
              f"        program: {c.module}",
              f"        args: [{', '.join(yaml_str(a) for a in c.argv)}]",
              f"        env: [{', '.join(yaml_str(e) for e in c.env)}]",
              "        mounts:",
              "          - {path: /, type: ram}"]
        if c.modules():
            y.append(f"          - {{path: /data, type: rom, modules: [{', '.join(c.modules())}]}}")
        y += [f"        stdin: {yaml_str('rom:' + c.stdin) if c.stdin else 'none'}",
              "        stdout: log", "        stderr: log"]
    # No expectation the scenario judge could check in order (the cases end
    # in any order): posix_diff.py follows the log itself.
    y += ["expect:", "  exit: none", f"  timeout: {timeout_s}s"]
    path = os.path.join(out, f"{name}.yaml")
    with open(path, "w") as f:
        f.write("\n".join(y) + "\n")
    return path, mods


def machine_ram_mib(cases):
    """The machine's RAM: the children's quotas plus what the kernel, core and
    the root hoitaja keep (about a quarter of the machine; kide-scenario checks
    the sum). The Linux guest gets the same."""
    return sum(size_bytes(c.ram) for c in cases) * 13 // 10 // (1 << 20) + 128


def yaml_str(s):
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Follow:
    """The serial console of a boot, line by line with host arrival times."""

    def __init__(self, proc, log):
        self.lines, self.done = [], False
        self.cond = threading.Condition()
        self.log = log
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc):
        for raw in proc.stdout:
            t = time.monotonic()
            line = raw.decode(errors="replace").rstrip("\r\n")
            self.log.write(line + "\n")
            self.log.flush()
            with self.cond:
                self.lines.append((t, line))
                self.cond.notify_all()
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def wait(self, holds, deadline):
        with self.cond:
            while True:
                v = holds([l for _, l in self.lines])
                if v:
                    return v
                left = deadline - time.monotonic()
                if self.done or left <= 0:
                    return None
                self.cond.wait(min(left, 1.0))


def child_end(line, name):
    """The end of child `name` from one of hoitaja's lines, or None."""
    for pre in (f"[init] child {name}: ", f"[init] report: child {name}: "):
        if line.startswith(pre):
            rest = line[len(pre):]
            break
    else:
        return None
    sig = re.search(r"\b(SIG[A-Z0-9]+)\b", rest) or re.search(r"\bsignal (\d+)\b", rest)
    if rest.startswith(("exited with code ", "exited ")):
        if sig:
            return status_text("signal", sig.group(1))
        m = re.match(r"exited (?:with code )?(\d+)", rest)
        return "exit " + m.group(1) if m else None
    if rest.startswith(("faulted: ", "faulted (")):
        if sig:
            return status_text("signal", sig.group(1))
        for reason, s in FAULT_SIGNALS.items():
            if reason in rest:
                return "signal " + s
        return "fault: " + rest
    if rest.startswith("start failed"):
        return rest
    return None


def kide_ended(names):
    """A condition on the log: every child ended. hoitaja's exit and fault
    lines carry the signal themselves, so nothing after them is needed (its
    periodic report may be cut by core's log rate limit: waiting for a whole
    one made a boot sit until the timeout)."""
    def holds(lines):
        ends = set()
        for l in lines:
            if l.startswith(("kide: panic", "core: panic", "krt: panic")):
                return "panic"
            for n in names:
                if n not in ends and child_end(l, n):
                    ends.add(n)
        return "ended" if len(ends) == len(names) else None
    return holds


def parse_kide_log(lines, cases):
    res = {}
    for c in cases:
        label = f"[{c.name}] "
        out, notes, status = [], [], None
        for l in lines:
            if l.startswith(label):
                text = l[len(label):]
                if text.startswith(RUNTIME_PREFIX):
                    notes.append(text)
                else:
                    out.append(text.rstrip())
            elif l == f"[{c.name}]":
                out.append("")
            else:
                end = child_end(l, c.name)
                # the latest word wins: a report line may add the signal
                if end and (status is None or end.startswith("signal")):
                    status = end
        res[c.name] = {"out": out, "status": status or "missing: no end reported by hoitaja",
                       "notes": notes}
    return res


def runtime_missing():
    """Why the Kide side cannot run here, or None."""
    osbin = os.path.join(BUILD, "os", "bin")
    if not os.path.isfile(os.path.join(osbin, "posix")):
        return (f"posix runtime not in the image ({osbin}/posix missing: os/posix is not built; "
                f"build it with: make -C os all)")
    return None


def boot_and_follow(scn, mods, names, timeout, log, name):
    """Boot scenario scn with the modules of mods (scenario-run.sh
    --interactive: every scenario's QEMU configuration, no judge of its own)
    until every child of names ended (kide_ended), a panic, or timeout s.
    Returns the console as [(host time, line)] and a problem or None."""
    cmd = [os.path.join(TOOLS, "scenario-run.sh"), "--interactive", "--bin", mods,
           "--scenario", scn, name]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    with open(log, "w") as lf:
        fol = Follow(proc, lf)
        verdict = fol.wait(kide_ended(names), time.monotonic() + timeout)
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    lines = [l for _, l in fol.lines]
    problem = None
    if verdict == "panic":
        problem = f"the system panicked (log {log})"
    elif verdict is None:
        rejected = [l for l in lines if "kide-scenario:" in l or "mk-image.sh:" in l]
        problem = ("; ".join(rejected[:3]) if rejected else
                   f"not every case ended within {timeout}s") + f" (log {log})"
        if not any(l.startswith("[init] ") for l in lines):
            problem = "Kide did not boot the scenario: " + problem
    return fol.lines, problem


# Children per Kide boot. hoitaja prints a line per child at every report and
# one per exit, and core's log rate limit (16 lines/s, bursts of 64, per
# account: docs/core.md) drops what is over: with 30 children at once an exit
# line could be lost and the run would wait for it until the timeout.
KIDE_BATCH = 10


def run_kide(cases, bindir, out, timeout, cpus, name="posix-diff"):
    """Kide boots of at most KIDE_BATCH cases each; returns ({name: result},
    problem or None). res["_lines"] holds every boot's console in order."""
    why = runtime_missing()
    if why:
        return None, why
    res, problems, all_lines = {}, [], []
    d = os.path.join(out, "kide")
    shutil.rmtree(d, ignore_errors=True)
    batches = [cases[i:i + KIDE_BATCH] for i in range(0, len(cases), KIDE_BATCH)]
    for k, batch in enumerate(batches):
        bname = name if len(batches) == 1 else f"{name}-{k + 1}"
        try:
            scn, mods = kide_scenario(batch, bindir, out, cpus, bname, timeout)
        except CaseError as e:
            return None, str(e)
        log = os.path.join(out, f"{bname}-kide.log")
        print(f"posix-diff: Kide: {len(batch)} posix children, scenario {scn} (log {log})",
              flush=True)
        lines, problem = boot_and_follow(scn, mods, [c.name for c in batch], timeout, log, bname)
        part = parse_kide_log([l for _, l in lines], batch)
        for c in batch:
            write_result(d, c.name, part[c.name])
        res.update(part)
        all_lines += lines
        if problem:
            problems.append(problem)
    res["_lines"] = all_lines
    return res, "; ".join(problems) or None


def compare(cases, lin, kid):
    """One line per case; a diff under each failure."""
    import difflib
    passed = failed = 0
    for c in cases:
        a, b = lin.get(c.name), kid.get(c.name) if kid else None
        why = []
        if not a or not a["out"]:
            why.append("no Linux output (an empty output is never a pass)")
        if b is None:
            why.append("no Kide result")
        elif not b["out"]:
            why.append("no Kide output (an empty output is never a pass)")
        if a and b and a["status"] != b["status"]:
            why.append(f"ended with {b['status']} on Kide, {a['status']} on Linux")
        if a and b and a["out"] != b["out"]:
            why.append("output differs")
        if not why:
            passed += 1
            print(f"posix-diff: ok {c.name} ({a['status']}, {len(a['out'])} lines)")
            continue
        failed += 1
        print(f"posix-diff: FAIL {c.name}: " + "; ".join(why))
        if a and b and a["out"] != b["out"]:
            for d in difflib.unified_diff(a["out"], b["out"], "linux", "kide", lineterm="", n=2):
                print(f"    {d}")
        for n in (b or {}).get("notes", [])[:5]:
            print(f"    runtime said: {n}")
    return passed, failed


# -------------------------------------------------------------------- main --

def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["run", "linux", "kide", "scenario", "list"])
    ap.add_argument("--cases", default=os.path.join(HERE, "cases.txt"))
    ap.add_argument("--bin", default=os.path.join(BUILD, "tests", "posix", "bin"))
    ap.add_argument("--out", default=os.path.join(BUILD, "tests", "posix"))
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--result", action="store_true",
                    help="record the suites posix-linux and posix-diff in $BUILD/results")
    a = ap.parse_args()
    try:
        cases = parse_cases(a.cases)
        if a.only:
            unknown = set(a.only) - {c.name for c in cases}
            if unknown:
                raise CaseError(f"--only: no case {', '.join(sorted(unknown))} in {a.cases}")
            cases = [c for c in cases if c.name in a.only]
        if a.command != "list":
            check_programs(cases, a.bin)
    except CaseError as e:
        print(f"posix-diff: {e}", file=sys.stderr)
        if a.result:
            suite_result.record(BUILD, "posix-diff", 0, 1, 0)
        return 1
    os.makedirs(a.out, exist_ok=True)
    if a.command == "list":
        for c in cases:
            print(f"{c.name}: argv {c.argv} data {c.modules()} ram {c.ram}"
                  f"{' (limit)' if c.limit else ''} expect {c.expect}")
        return 0
    if a.command == "scenario":
        try:
            scn, mods = kide_scenario(cases, a.bin, a.out, a.cpus, timeout_s=a.timeout)
        except CaseError as e:
            print(f"posix-diff: {e}", file=sys.stderr)
            return 1
        print(f"scenario {scn}\nmodules {mods}")
        return 0
    ram = machine_ram_mib(cases)
    if a.command in ("run", "linux"):
        lin = run_linux(cases, a.bin, a.out, a.cpus, f"{ram}M", a.timeout)
        p, f = judge_linux(cases, lin)
        if a.result:
            suite_result.record(BUILD, "posix-linux", p, f, 0)
        else:
            print(f"posix-linux: {p} passed, {f} failed")
        if a.command == "linux":
            return 0 if f == 0 else 1
    else:
        lin = {c.name: read_result(os.path.join(a.out, "linux"), c.name) for c in cases}
        if any(v is None for v in lin.values()):
            print(f"posix-diff: no Linux results in {a.out}/linux: run 'posix_diff.py linux' first")
            return 1
    kid, problem = run_kide(cases, a.bin, a.out, a.timeout, a.cpus)
    if kid is None:
        print(f"posix-diff: FAIL all {len(cases)} cases: {problem}")
        if a.result:
            suite_result.record(BUILD, "posix-diff", 0, len(cases), 0)
        return 1
    if problem and problem.startswith("Kide did not boot"):
        print(f"posix-diff: FAIL all {len(cases)} cases: {problem}")
        if a.result:
            suite_result.record(BUILD, "posix-diff", 0, len(cases), 0)
        return 1
    if problem:
        print(f"posix-diff: {problem}")
    p, f = compare(cases, lin, kid)
    if a.result:
        suite_result.record(BUILD, "posix-diff", p, f, 0)
    else:
        print(f"posix-diff: {p} passed, {f} failed")
    return 0 if f == 0 and not problem else 1


if __name__ == "__main__":
    sys.exit(main())
