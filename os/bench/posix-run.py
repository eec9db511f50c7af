#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""POSIX benchmarks of issue 16 (make -C os posix-bench, part of make bench):
the same static musl binaries (tests/posix/bench) on Debian's Linux guest and
on Kide's POSIX runtime, in the same QEMU configuration, in the same run.

  larson 5 8 1000 5000 100 4141 T   for T = 1 and 2: operations per second
  sysbench                          getpid and a 1-byte pipe round trip
                                    between two threads: ns and TSC cycles
  start                             program start to the first line of main:
                                    Linux: fork+exec by runcase (--start-ns,
                                    in the guest); Kide: from hoitaja's
                                    "child start-N: started" line to the
                                    program's marker line, as the host sees
                                    the serial console (coarser: it includes
                                    the console's own delay)

The Linux side runs all of them in one guest boot (tests/posix/posix_diff.py's
Linux side); Kide boots one scenario per benchmark (the same generator as the
posix-diff suite, one `posix:` child per run) so they do not share the CPU.
Prints a docs/benchmarks.md section (Markdown) with the CPU model and the
accelerator, and writes it with the raw numbers to OUT (build/bench/posix).
Nothing is hard-coded: a side that cannot run says why instead of a number.
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "posix"))
import posix_diff as pd  # noqa: E402

BUILD = pd.BUILD
LARSON = ["5", "8", "1000", "5000", "100", "4141"]
START_RUNS = 3
# RDRAND/RDSEED: what the POSIX runtime's /dev/urandom and the Linux guest's
# getrandom draw on; the same model on both sides.
CPU = "qemu64,+rdrand,+rdseed"


def cases(larson_seconds):
    args = [larson_seconds] + LARSON[1:]
    cs = [pd.Case(f"larson-t{t}", ["larson"] + args + [str(t)], {"ram": "64M"}, 0)
          for t in (1, 2)]
    cs.append(pd.Case("sysbench", ["sysbench"], {}, 0))
    cs += [pd.Case(f"start-{i}", ["start"], {"ram": "8M"}, 0) for i in range(1, START_RUNS + 1)]
    return cs


def results_of(res):
    """The figures one run printed: its "result KEY VALUE" lines, and
    sysbench's human line "NAME: median of ...: X ns, Y cycles" (the same
    figures; kept when a later hang or crash lost the result lines)."""
    out = {}
    for line in res.get("out", []):
        m = re.match(r"^result (\S+) ([0-9.]+)$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
            continue
        m = re.match(r"^(\w+): median of \d+ loops of \d+: ([0-9.]+) ns, ([0-9.]+) cycles$", line)
        if m:
            out.setdefault(f"{m.group(1)}_ns", float(m.group(2)))
            out.setdefault(f"{m.group(1)}_cycles", float(m.group(3)))
    return out


def linux_side(cs, bindir, out, timeout):
    mem = f"{pd.machine_ram_mib(cs)}M"
    res = pd.run_linux(cs, bindir, out, 2, mem, timeout,
                       start_ns=[c.name for c in cs if c.name.startswith("start-")])
    m = {}
    for c in cs:
        r = res.get(c.name, {})
        if c.name.startswith("start-"):
            if r.get("start_ns", -1) > 0 and r.get("status") == "exit 0":
                m.setdefault("start_ns", []).append(r["start_ns"])
            else:
                m["start"] = f"failed on Linux: {c.name} {r.get('status')} {r.get('notes', [])}"
            continue
        vals = results_of(r)
        why = failure(r.get("status"), vals, "Linux", r.get("notes", []))
        if why:
            m[c.name] = why
        for k, v in vals.items():
            m[f"{c.name}:{k}"] = v
    return m


def failure(status, vals, side, notes=(), problem=None):
    """Why a run failed, or None: a program that did not end with exit 0
    ("failed on Kide: signal SIGSEGV") or printed no result line. Figures it
    printed before it failed were measured and are reported; the others show
    "failed" in the table."""
    extra = "".join(f"; {n}" for n in notes) + (f"; {problem}" if problem else "")
    if status != "exit 0":
        return (f"failed on {side}: {status}{extra}" +
                (f" (figures it printed before: {', '.join(sorted(vals))})" if vals else ""))
    if not vals:
        return f"failed on {side}: no result line{extra}"
    return None


def start_delays(lines, names):
    """Host time from hoitaja's "started" line of each child to its marker."""
    got = []
    for n in names:
        t_start = next((t for t, l in lines if l == f"[init] child {n}: started"), None)
        t_main = next((t for t, l in lines if l == f"[{n}] start: main reached"), None)
        if t_start is not None and t_main is not None and t_main >= t_start:
            got.append((t_main - t_start) * 1e9)
    return got


def kide_side(cs, bindir, out, timeout):
    why = pd.runtime_missing()
    if why:
        return why
    # Every Kide boot gets the Linux guest's -m (the sum over all cases; it
    # runs them in one boot), not just what its own cases need: the same
    # QEMU configuration on both sides.
    mib = pd.machine_ram_mib(cs)
    pd.machine_ram_mib = lambda _cases: mib
    m = {}
    groups = [[c] for c in cs if not c.name.startswith("start-")]
    groups.append([c for c in cs if c.name.startswith("start-")])
    for g in groups:
        res, problem = pd.run_kide(g, bindir, out, timeout, 2, name=f"posix-bench-{g[0].name}")
        if res is None:
            return problem
        if g[0].name.startswith("start-"):
            d = start_delays(res["_lines"], [c.name for c in g])
            bad = [f"{c.name} {res[c.name]['status']}" for c in g
                   if res[c.name]["status"] != "exit 0"]
            if d and not bad:
                m["start_ns"] = d
            else:
                m["start"] = (f"failed on Kide: {', '.join(bad) or 'no start marker'}"
                              + (f"; {problem}" if problem else ""))
            continue
        r = res[g[0].name]
        vals = results_of(r)
        why = failure(r["status"], vals, "Kide", r.get("notes", [])[:3], problem)
        if why:
            m[g[0].name] = why
        for k, v in vals.items():
            m[f"{g[0].name}:{k}"] = v
    return m


def median(v):
    v = sorted(v)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def cell(side, key, fmt):
    if isinstance(side, str):
        return "not run"
    v = side.get(key)
    if key == "start_ns" and v:
        v = median(v)
    if isinstance(v, (int, float)):
        return fmt.format(v)
    why = side.get(key.split(":")[0] if ":" in key else "start")
    return "failed" if isinstance(why, str) and why.startswith("failed") else "n/a"


def ratio(kide, linux, key, higher_better):
    if isinstance(kide, str) or isinstance(linux, str):
        return "n/a"
    a, b = kide.get(key), linux.get(key)
    if key == "start_ns":
        a, b = (median(a) if a else None), (median(b) if b else None)
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or not a or not b:
        return "n/a"
    return f"{a / b:.2f}" + (" (Kide/Linux, higher is better)" if higher_better else
                             " (Kide/Linux, lower is better)")


def host_cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def larson_target(kide, linux):
    """Issue 16's target: Larson's throughput on Kide at least the Linux
    guest's, for each T. MET, MISS, or why it cannot be judged."""
    out = []
    for t in (1, 2):
        key = f"larson-t{t}:larson_ops_per_s"
        a = kide.get(key) if isinstance(kide, dict) else None
        b = linux.get(key) if isinstance(linux, dict) else None
        if not isinstance(b, (int, float)) or not b:
            out.append(f"T = {t}: not judged (no figure on Linux)")
        elif not isinstance(a, (int, float)):
            out.append(f"T = {t}: MISS (no figure on Kide: "
                       f"{kide if isinstance(kide, str) else 'the run failed, see above'})")
        else:
            out.append(f"T = {t}: {'MET' if a >= b else 'MISS'} ({a / b:.2f} of Linux)")
    return "Target (issue 16): Larson throughput on Kide at least the Linux guest's: " + \
        "; ".join(out) + "."


def report(linux, kide, accel, seconds, cpu):
    rows = [("Larson, T = 1 (ops/s)", "larson-t1:larson_ops_per_s", "{:.0f}", True),
            ("Larson, T = 2 (ops/s)", "larson-t2:larson_ops_per_s", "{:.0f}", True),
            ("getpid (ns)", "sysbench:getpid_ns", "{:.1f}", False),
            ("getpid (cycles)", "sysbench:getpid_cycles", "{:.0f}", False),
            ("pipe round trip, 2 threads (ns)", "sysbench:pipe_round_trip_ns", "{:.1f}", False),
            ("pipe round trip, 2 threads (cycles)", "sysbench:pipe_round_trip_cycles",
             "{:.0f}", False),
            (f"start to main (ns, median of {START_RUNS})", "start_ns", "{:.0f}", False)]
    md = ["## POSIX personality (`make -C os posix-bench`, issue 16)", "",
          f"Host CPU: {host_cpu()}; QEMU accelerator: {accel}; QEMU's default machine, "
          f"-cpu {cpu}, -smp 2 and the same -m for both guests; "
          f"`larson {seconds} {' '.join(LARSON[1:])} T`.", "",
          "| benchmark | Kide | Linux guest | ratio |", "|---|---|---|---|"]
    for title, key, fmt, hb in rows:
        md.append(f"| {title} | {cell(kide, key, fmt)} | {cell(linux, key, fmt)} | "
                  f"{ratio(kide, linux, key, hb)} |")
    for side, what in ((kide, "Kide"), (linux, "Linux")):
        if isinstance(side, str):
            md.append(f"\n{what}: {side}")
        else:
            for k, v in side.items():
                if isinstance(v, str):
                    md.append(f"\n{what} {k}: {v}")
    md.append("\n" + larson_target(kide, linux))
    md.append("\nStart: Linux is fork+exec to the first output byte inside the guest "
              "(runcase --start-ns); Kide is hoitaja's \"started\" line to the marker line "
              "as the host reads the serial console.")
    return "\n".join(md) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(BUILD, "tests", "posix", "bin"))
    ap.add_argument("--out", default=os.path.join(BUILD, "bench", "posix"))
    ap.add_argument("--seconds", default=LARSON[0], help="Larson's run time (default 5)")
    # Per boot: Larson runs 5 s, sysbench a few s, even under a loaded TCG
    # host; a side that hangs must not hold make bench for long.
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--linux-only", action="store_true")
    ap.add_argument("--cpu", default=os.environ.get("KIDE_QEMU_CPU") or CPU,
                    help=f"QEMU CPU model of both guests (default $KIDE_QEMU_CPU, else {CPU})")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cs = cases(a.seconds)
    try:
        pd.check_programs(cs, a.bin)
    except pd.CaseError as e:
        print(f"posix-bench: {e}", file=sys.stderr)
        return 1
    # Both sides in the same CPU model: linux-guest.sh and scenario-run.sh
    # take it from here.
    os.environ["KIDE_QEMU_CPU"] = a.cpu
    accel = subprocess.run([os.path.join(TOP, "os", "tools", "qemu-accel.sh")],
                           capture_output=True, text=True).stdout.strip() or "unknown"
    linux = linux_side(cs, a.bin, a.out, a.timeout)
    kide = "not run (--linux-only)" if a.linux_only else kide_side(cs, a.bin, a.out, a.timeout)
    md = report(linux, kide, accel, a.seconds, a.cpu)
    with open(os.path.join(a.out, "posix-bench.md"), "w") as f:
        f.write(md)
    with open(os.path.join(a.out, "posix-bench.json"), "w") as f:
        json.dump({"linux": linux, "kide": kide, "accel": accel, "cpu": host_cpu(),
                   "qemu_cpu": a.cpu}, f, indent=1)
    print(md)
    print(f"posix-bench: written to {a.out}/posix-bench.md and posix-bench.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
