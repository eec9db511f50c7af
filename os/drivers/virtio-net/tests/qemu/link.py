#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Drive QEMU's link state for the os-vnet-qemu suite.
#
# Usage: link.py MONITOR-SOCKET TMPDIR
# os/tools/qemu-run.sh runs with TMPDIR set, so its serial log lands in
# TMPDIR/<mktemp>/serial.raw; this follows that file and, when the root task
# asks ("vnet-qemu: waiting for link down|up"), sends "set_link n0 off|on" to
# QEMU's second monitor. It ends after both, or after 300 s.
import glob
import os
import socket
import sys
import time


def monitor(path, cmd):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        s.connect(path)
        s.sendall(cmd.encode() + b"\n")
        time.sleep(0.2)
        s.close()
    except OSError as e:
        print(f"link.py: monitor {path}: {e}", file=sys.stderr)


def main():
    mon, tmp = sys.argv[1], sys.argv[2]
    end = time.time() + 300
    log = None
    while log is None and time.time() < end:
        found = glob.glob(os.path.join(tmp, "*", "serial.raw"))
        log = found[0] if found else None
        time.sleep(0.1)
    if log is None:
        return
    done = set()
    with open(log, "rb") as f:
        buf = b""
        while len(done) < 2 and time.time() < end:
            chunk = f.read()
            if not chunk:
                time.sleep(0.05)
                continue
            buf += chunk.replace(b"\r", b"")
            for state, cmd in ((b"down", "off"), (b"up", "on")):
                ask = b"vnet-qemu: waiting for link " + state + b"\n"
                if state not in done and ask in buf:
                    monitor(mon, "set_link n0 " + cmd)
                    done.add(state)


main()
