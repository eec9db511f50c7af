#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot the kernel with kentry-root (entry_root.c), inject NMIs through QEMU's
monitor while it makes system calls on a hostile stack, and judge the serial
log: NMIs are reported and ignored, the root survives them, and its deliberate
fault produces the full fault report before the kernel stops.

Usage: entry_test.py --kernel kide.bin --root kentry-root.elf [--seconds N]
                     [--name SUITE] [--timeout S]
The accelerator comes from os/tools/qemu-accel.sh (KIDE_ACCEL=kvm|tcg forces
one); the result goes to $BUILD/results/SUITE$KIDE_RESULT_TAG as
"<passed> <failed> <skipped>", one check per line of the judgement.
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))


def monitor(path, deadline):
    """Connect to QEMU's monitor socket once it exists (bounded wait)."""
    while time.monotonic() < deadline:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            s.settimeout(2)
            return s
        except OSError:
            time.sleep(0.05)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--name", default="os-kentry")
    ap.add_argument("--timeout", type=int, default=120)
    a = ap.parse_args()
    tag = os.environ.get("KIDE_RESULT_TAG", "")
    accel = subprocess.run([os.path.join(TOP, "os/tools/qemu-accel.sh")],
                           capture_output=True, text=True).stdout.strip() or "tcg"
    logdir = os.path.join(BUILD, "os", "logs")
    os.makedirs(logdir, exist_ok=True)
    os.makedirs(os.path.join(BUILD, "results"), exist_ok=True)
    log_path = os.path.join(logdir, a.name + tag + ".log")
    work = tempfile.mkdtemp()
    mon = os.path.join(work, "mon.sock")
    root = os.path.join(work, "kentry-root.elf")
    os.symlink(os.path.abspath(a.root), root)
    print(f"entry_test: {a.name}: booting {os.path.basename(a.kernel)} with kentry-root under {accel}")
    with open(log_path, "wb") as log:
        q = subprocess.Popen(
            ["qemu-system-x86_64", "-accel", accel, "-m", "128M", "-smp", "1", "-nographic",
             "-no-reboot", "-monitor", f"unix:{mon},server,nowait",
             "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
             "-kernel", os.path.abspath(a.kernel), "-initrd", f"kentry-root.elf seconds={a.seconds}"],
            cwd=work, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + a.timeout
    nmis = 0
    s = monitor(mon, deadline)

    def text():
        with open(log_path, "rb") as f:
            return f.read().decode(errors="replace").replace("\r", "")

    # Inject NMIs from the moment the root says it is ready until its phase 1
    # is over (it prints its count), at most every 10 ms, bounded by the timeout.
    while s and q.poll() is None and time.monotonic() < deadline:
        t = text()
        if "kentry: ready" in t and "null calls survived" not in t:
            try:
                s.sendall(b"nmi\n")
                nmis += 1
            except OSError:
                break
        elif "null calls survived" in t:
            break
        time.sleep(0.01)
    try:
        status = q.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        q.kill()
        status = q.wait()
        status = 124
    out = text()
    checks = [
        ("NMIs were injected", nmis > 0),
        ("the kernel reported an NMI and ignored it",
         re.search(r"^kide: NMI on CPU 0 at [0-9a-f]+ \(ignored\)", out, re.M)),
        ("the root survived NMIs on a hostile stack",
         re.search(r"^kentry: [0-9]+ null calls survived", out, re.M)),
        ("fault report header",
         re.search(r"^kide: fault report \(no handler\): vector 14 error 6 \[W U\]", out, re.M)),
        ("fault report frame", re.search(r"^kide:   frame: rip [0-9a-f]+ cs 23 ss 1b", out, re.M)),
        ("fault report control registers", re.search(r"^kide:   cr0 [0-9a-f]+ cr2 10 cr3", out, re.M)),
        ("fault report MSRs", re.search(r"^kide:   star [0-9a-f]+ lstar ffffffff8", out, re.M)),
        ("fault report entry state", re.search(r"^kide:   frame_top [0-9a-f]+ tss.rsp0", out, re.M)),
        ("fault report page walk", re.search(r"^kide:   walk of 10 from cr3 [0-9a-f]+:\n"
                                             r"kide:     pml4\[0\] = ", out, re.M)),
        ("fault report CPUID", re.search(r"^kide:   cpuid 1\.0: eax ", out, re.M)),
        ("the kernel stopped for the root's fault",
         re.search(r"^kide: panic: the root task faulted: vector 14 addr 10 ", out, re.M)),
        ("no FAIL line", not re.search(r"FAIL", out)),
        ("QEMU exit status 37 (kernel panic)", status == 37),
    ]
    passed = sum(1 for _, ok in checks if ok)
    failed = len(checks) - passed
    for what, ok in checks:
        if not ok:
            print(f"entry_test: {a.name}: FAILED: {what}")
    with open(os.path.join(BUILD, "results", a.name + tag), "w") as f:
        f.write(f"{passed} {failed} 0\n")
    print(f"entry_test: {a.name}: {passed} passed, {failed} failed ({nmis} NMIs sent, "
          f"QEMU status {status}, {accel}, log {log_path})")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
