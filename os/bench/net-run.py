#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Network benchmark (make -C os net-bench): TCP echo from the host through
QEMU's user networking (hostfwd), Kide against Debian's Linux.

Kide: os/bench/net.yaml (os/scenarios/net.yaml's layout: platform driver,
virtio-net, the router, two tenant habitats each with its own lwIP stack and
the echo component), booted by os/tools/scenario-run.sh; host ports 17107
(tenant-a) and 17108 (tenant-b).
Linux: Debian's kernel (the newest /boot/vmlinuz-*) with a busybox initramfs
that loads virtio-net's modules, configures eth0 as 10.0.2.15/24 and runs
os/bench/peer/tcp_echo.c (static musl) twice, on ports 7 and 8; the same QEMU
machine (q35, -smp 1, -m 256M, virtio-net-pci disable-legacy=on, user
networking, the accelerator os/tools/qemu-accel.sh picks); host ports 17109
and 17110.
Against each, os/bench/peer/net_client.c: ROUNDS round trips of 64 bytes on
one connection (requests/s, p50, p99) and MIB MiB echoed in 1 MiB writes on
another (MiB/s), against the first server; then two clients at once, one per
server (Kide: one per habitat), ROUNDS round trips each: per server and
aggregate requests/s (the sum) and p50/p99 (of both clients' round trips
together). Each guest is started, then the clients run once it has said it
listens (lines on the serial console, not a sleep).

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
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from guest_console import Console  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
TOOLS = os.path.join(TOP, "os", "tools")
KIDE_PORTS, LINUX_PORTS = (17107, 17108), (17109, 17110)
WAIT_S = 600  # how long a guest may take to say it listens (TCG)


def parse_client(r):
    """A finished client's figures as a dict, or the reason it failed."""
    if r.returncode != 0:
        return f"not measured: the client failed: {r.stderr.strip() or r.returncode}"
    out = {}
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "net-client:":
            out[parts[1]] = float(parts[2])
    return out


def run_client(client, port, rounds, mib):
    r = subprocess.run([client, str(port), str(rounds), str(mib)], capture_output=True, text=True,
                       timeout=1800)
    return parse_client(r)


def run_pair(client, ports, rounds):
    """Two clients at once, one per port, round trips only. -> a dict with each
    client's figures under a0/a1 (rr_per_s_a0, ...) and the aggregate (rr_per_s:
    the sum; rr_p50_us, rr_p99_us: of both clients' round trips), or why not."""
    with tempfile.TemporaryDirectory() as work:
        procs, lats = [], []
        for i, port in enumerate(ports):
            lats.append(os.path.join(work, f"lat{i}"))
            env = dict(os.environ, NET_CLIENT_LAT=lats[-1])
            procs.append(subprocess.Popen([client, str(port), str(rounds), "0"], env=env,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True))
        res = []
        for p in procs:
            out, err = p.communicate(timeout=1800)
            res.append(parse_client(subprocess.CompletedProcess(p.args, p.returncode, out, err)))
        bad = [r for r in res if isinstance(r, str)]
        if bad:
            return bad[0]
        lat = []
        for path in lats:
            with open(path) as f:
                lat += [float(x) for x in f.read().split()]
        lat.sort()
    out = {"rr_per_s": sum(r["rr_per_s"] for r in res),
           "rr_p50_us": lat[len(lat) // 2] * 1e6, "rr_p99_us": lat[len(lat) * 99 // 100] * 1e6}
    for i, r in enumerate(res):
        for key in ("rr_per_s", "rr_p50_us", "rr_p99_us"):
            out[f"{key}_a{i}"] = r[key]
    return out


def measure(args, ports, before_pair=None):
    """One client alone against ports[0] (round trips and bulk), then a pair
    (after before_pair(), if given, returned True)."""
    res = run_client(args.client, ports[0], args.rounds, args.mib)
    if isinstance(res, str):
        return res
    if before_pair and not before_pair():
        return "not measured: the first server did not log the single client's closes"
    pair = run_pair(args.client, ports, args.rounds)
    if isinstance(pair, str):
        return pair
    res.update({"two_" + k: v for k, v in pair.items()})
    return res


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
        ok = con.wait_for([f"[{h}/echo] echo: listening" for h in ("tenant-a", "tenant-b")],
                          time.monotonic() + WAIT_S)
        # The scenario's expectation is in order: tenant-a's pair connection
        # must come after its bulk connection's close, which the echo server
        # may log only after the bulk client has finished.
        closes = lambda: con.wait_count("[tenant-a/echo] echo: connection closed", 2,
                                        time.monotonic() + WAIT_S)
        res = measure(args, KIDE_PORTS, closes) if ok else \
            f"not measured: the echo servers did not say they listen (log {log})"
        if ok:
            end_run(con)
        try:
            rc = proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = "timeout"
    if isinstance(res, dict) and rc != 0:
        res = f"not measured: scenario-run.sh judged the log: status {rc} ({log})"
    return res


def end_run(con):
    """Let the scenario's expectation end the run: its last line is a close by
    tenant-b's echo after tenant-a's third. tenant-b's close in the pair may
    come before tenant-a's, so once tenant-a's is logged, one more short
    connection to tenant-b closes there last (if the run already ended, the
    connection simply fails)."""
    if not con.wait_count("[tenant-a/echo] echo: connection closed", 3,
                          time.monotonic() + WAIT_S):
        return
    try:
        with socket.create_connection(("127.0.0.1", KIDE_PORTS[1]), timeout=30) as s:
            s.sendall(b"x")
            s.recv(1)
    except OSError:
        pass


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
              "/bin/prog 8 &", "/bin/prog 7", 'echo "linux-guest: program exited with $?"', "poweroff -f"]
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
                f"user,id=n0,hostfwd=tcp:127.0.0.1:{LINUX_PORTS[0]}-10.0.2.15:7,"
                f"hostfwd=tcp:127.0.0.1:{LINUX_PORTS[1]}-10.0.2.15:8", "-kernel", vmlinuz,
                "-initrd", initrd, "-append", "console=ttyS0 quiet panic=-1 loglevel=1"]
        proc = subprocess.Popen(qemu, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        with open(os.path.join(out, "net-linux.log"), "w") as log:
            con = Console(proc, log)
            ok = con.wait_for([f"tcp-echo: listening on TCP port {p}" for p in (7, 8)],
                              time.monotonic() + WAIT_S)
            res = measure(args, LINUX_PORTS) if ok else \
                "not measured: the Linux guest's echo servers did not say they listen " \
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
            ("TCP bulk echo, 1 MiB writes (MiB/s)", "bulk_mib_per_s", "MiB/s", True),
            ("two at once: server 1 round trips/s", "two_rr_per_s_a0", "/s", True),
            ("two at once: server 1 p50 (us)", "two_rr_p50_us_a0", "us", False),
            ("two at once: server 1 p99 (us)", "two_rr_p99_us_a0", "us", False),
            ("two at once: server 2 round trips/s", "two_rr_per_s_a1", "/s", True),
            ("two at once: server 2 p50 (us)", "two_rr_p50_us_a1", "us", False),
            ("two at once: server 2 p99 (us)", "two_rr_p99_us_a1", "us", False),
            ("two at once: aggregate round trips/s", "two_rr_per_s", "/s", True),
            ("two at once: aggregate p50 (us)", "two_rr_p50_us", "us", False),
            ("two at once: aggregate p99 (us)", "two_rr_p99_us", "us", False)]
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
