#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Network benchmark (make -C os net-bench): TCP echo from the host through
QEMU's user networking (hostfwd), Kide against Debian's Linux.

Kide: os/bench/net.yaml (a copy of os/scenarios/net.yaml's layout: platform
driver, virtio-net, a tenant habitat with its own lwIP stack and the echo
component), booted by os/tools/scenario-run.sh; host port 17107.
Linux: Debian's kernel (the newest /boot/vmlinuz-*) with a busybox initramfs
that loads virtio-net's modules, configures eth0 as 10.0.2.15/24 and runs
os/bench/peer/tcp_echo.c (static musl) on port 7; the same QEMU machine
(q35, -smp 1, -m 256M, virtio-net-pci disable-legacy=on, user networking,
the accelerator os/tools/qemu-accel.sh picks); host port 17109.
Against each, os/bench/peer/net_client.c: ROUNDS round trips of 64 bytes on
one connection (requests/s, p50, p99) and MIB MiB echoed in 1 MiB writes on
another (MiB/s). Each guest is started, then the client runs once it has
said it listens (a line on the serial console, not a sleep).

Prints a table with the ratios and the conditions and writes it to
OUT/net.txt. A side that cannot run (no lwIP: build/os/bin/net.unavailable;
no Debian kernel or busybox) is reported as skipped, with the reason; one
whose guest or client failed as not measured, and the exit status is 1.
Usage: net-run.py --client BIN --peer BIN --out DIR [--rounds N] [--mib N]
"""
import argparse
import datetime
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
TOOLS = os.path.join(TOP, "os", "tools")
KIDE_PORT, LINUX_PORT = 17107, 17109
WAIT_S = 600  # how long a guest may take to say it listens (TCG)


class Console:
    """Collects a process's output lines; wait_for blocks on a condition."""

    def __init__(self, proc, log):
        self.lines, self.done = [], False
        self.cond = threading.Condition()
        self.log = log
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc):
        for raw in proc.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            self.log.write(line + "\n")
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def wait_for(self, text, deadline):
        with self.cond:
            while not any(text in l for l in self.lines):
                left = deadline - time.monotonic()
                if self.done or left <= 0:
                    return False
                self.cond.wait(left)
            return True


def run_client(client, port, rounds, mib):
    """The client's figures as a dict, or the reason it failed."""
    r = subprocess.run([client, str(port), str(rounds), str(mib)], capture_output=True, text=True,
                       timeout=1800)
    if r.returncode != 0:
        return f"not measured: the client failed: {r.stderr.strip() or r.returncode}"
    out = {}
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "net-client:":
            out[parts[1]] = float(parts[2])
    return out


def kide(args, out):
    if os.path.exists(os.path.join(BUILD, "os", "bin", "net.unavailable")):
        with open(os.path.join(BUILD, "os", "bin", "net.unavailable")) as f:
            return "skipped: " + f.read().strip()
    log = os.path.join(out, "net-kide.log")
    run = [os.path.join(TOOLS, "scenario-run.sh"), "--no-result", "--log", log, "--scenario",
           os.path.join(TOP, "os", "bench", "net.yaml"), "net-bench"]
    proc = subprocess.Popen(run, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    with open(os.path.join(out, "net-kide.run"), "w") as rl:
        con = Console(proc, rl)
        ok = con.wait_for("[tenant-a/echo] echo: listening", time.monotonic() + WAIT_S)
        res = run_client(args.client, KIDE_PORT, args.rounds, args.mib) if ok else \
            f"not measured: the echo server did not say it listens (log {log})"
        try:
            rc = proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = "timeout"
    if isinstance(res, dict) and rc != 0:
        res = f"not measured: scenario-run.sh judged the log: status {rc} ({log})"
    return res


def linux_initrd(work, peer):
    vmlinuz = sorted(glob.glob("/boot/vmlinuz-*"))
    if not vmlinuz or not os.path.exists("/bin/busybox"):
        return None, None, "skipped: no Debian kernel in /boot or no /bin/busybox (make deps)"
    vmlinuz = vmlinuz[-1]
    ver = os.path.basename(vmlinuz)[len("vmlinuz-"):]
    moddir = f"/lib/modules/{ver}"
    deps = {}
    with open(os.path.join(moddir, "modules.dep")) as f:
        for line in f:
            mod, _, rest = line.partition(":")
            deps[mod] = rest.split()
    order = []

    def add(mod):
        if mod in order:
            return
        for d in reversed(deps.get(mod, [])):
            add(d)
        order.append(mod)

    for want in ("kernel/drivers/virtio/virtio_pci.ko", "kernel/drivers/net/virtio_net.ko"):
        if want not in deps:
            return None, None, f"skipped: {want} not in {moddir}/modules.dep"
        add(want)
    root = os.path.join(work, "root")
    for d in ("bin", "proc", "sys", "dev", "lib"):
        os.makedirs(os.path.join(root, d))
    shutil.copy("/bin/busybox", os.path.join(root, "bin", "busybox"))
    for t in ("sh", "mount", "insmod", "ifconfig", "poweroff"):
        os.symlink("busybox", os.path.join(root, "bin", t))
    shutil.copy(peer, os.path.join(root, "bin", "prog"))
    lines = ["#!/bin/sh", "mount -t proc proc /proc; mount -t sysfs sys /sys; "
             "mount -t devtmpfs dev /dev"]
    for m in order:
        shutil.copy(os.path.join(moddir, m), os.path.join(root, "lib", os.path.basename(m)))
        lines.append(f"insmod /lib/{os.path.basename(m)}")
    lines += ["ifconfig lo 127.0.0.1 up", "ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up",
              "/bin/prog 7", 'echo "linux-guest: program exited with $?"', "poweroff -f"]
    with open(os.path.join(root, "init"), "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(os.path.join(root, "init"), 0o755)
    initrd = os.path.join(work, "initrd.gz")
    subprocess.run(f"cd {root} && find . | cpio -o -H newc --quiet | gzip -1 > {initrd}",
                   shell=True, check=True)
    return vmlinuz, initrd, None


def linux(args, out, accel):
    with tempfile.TemporaryDirectory() as work:
        vmlinuz, initrd, why = linux_initrd(work, args.peer)
        if why:
            return why
        qemu = ["qemu-system-x86_64", "-accel", accel, "-machine", "q35", "-m", "256M", "-smp", "1",
                "-display", "none", "-no-reboot", "-serial", "stdio", "-device",
                "virtio-net-pci,disable-legacy=on,netdev=n0,mac=52:54:00:12:34:56", "-netdev",
                f"user,id=n0,hostfwd=tcp:127.0.0.1:{LINUX_PORT}-10.0.2.15:7", "-kernel", vmlinuz,
                "-initrd", initrd, "-append", "console=ttyS0 quiet panic=-1 loglevel=1"]
        proc = subprocess.Popen(qemu, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        with open(os.path.join(out, "net-linux.log"), "w") as log:
            con = Console(proc, log)
            ok = con.wait_for("tcp-echo: listening", time.monotonic() + WAIT_S)
            res = run_client(args.client, LINUX_PORT, args.rounds, args.mib) if ok else \
                "not measured: the Linux guest's echo server did not say it listens " \
                f"(log {out}/net-linux.log)"
            proc.terminate()
            proc.wait()
    return res


def fmt(res, key, unit):
    return f"{res[key]:.1f} {unit}" if isinstance(res, dict) and key in res else "-"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=2000)
    ap.add_argument("--mib", type=int, default=16)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    accel = subprocess.run([os.path.join(TOOLS, "qemu-accel.sh")], capture_output=True,
                           text=True).stdout.strip() or "tcg"
    k = kide(args, args.out)
    lx = linux(args, args.out, accel)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), "unknown")
    qv = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                        text=True).stdout.splitlines()[0]
    load = open("/proc/loadavg").read().split()[:3]
    kernel = os.path.basename(sorted(glob.glob("/boot/vmlinuz-*"))[-1]) \
        if glob.glob("/boot/vmlinuz-*") else "none"
    rows = [("TCP round trip, 64 B (req/s)", "rr_per_s", "/s", True),
            ("TCP round trip p50 (us)", "rr_p50_us", "us", False),
            ("TCP round trip p99 (us)", "rr_p99_us", "us", False),
            ("TCP bulk echo, 1 MiB writes (MiB/s)", "bulk_mib_per_s", "MiB/s", True)]
    text = ["Network benchmark (os/bench/net-run.py): host client through QEMU user networking",
            f"Conditions: {datetime.date.today()}, host CPU {cpu}, {qv}, accel {accel},",
            f"q35 -smp 1 -m 256M, virtio-net-pci (modern), host load average {' '.join(load)}"
            f" at the end, Linux peer {kernel}, {args.rounds} round trips, {args.mib} MiB bulk.",
            "", f"{'measurement':<40} {'Kide':>14} {'Linux':>14} {'Kide/Linux':>11}"]
    for name, key, unit, higher in rows:
        ratio = "-"
        if isinstance(k, dict) and isinstance(lx, dict) and lx.get(key):
            ratio = f"{k[key] / lx[key]:.2f}"
        text.append(f"{name:<40} {fmt(k, key, unit):>14} {fmt(lx, key, unit):>14} {ratio:>11}")
    for side, res in (("Kide", k), ("Linux", lx)):
        if not isinstance(res, dict):
            text.append(f"{side}: {res}")
    print("\n".join(text))
    with open(os.path.join(args.out, "net.txt"), "w") as f:
        f.write("\n".join(text) + "\n")
    # A side skipped for a missing prerequisite is not a failure; one that
    # could not be measured (a guest or the client failed) is.
    return 1 if any(isinstance(r, str) and r.startswith("not measured") for r in (k, lx)) else 0


if __name__ == "__main__":
    sys.exit(main())
