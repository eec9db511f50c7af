# SPDX-License-Identifier: MIT
"""What every Python end-to-end suite of os/ shares besides the guest
console (guest_console.py): its one result line and result file, and
whether a fixed host port is free before QEMU forwards it."""
import os
import socket


def record(build, name, passed, failed, skipped):
    """Write build/results/NAME ("P F S", read by mk/run-suites.sh) and print
    the suite's summary line."""
    os.makedirs(os.path.join(build, "results"), exist_ok=True)
    with open(os.path.join(build, "results", name), "w") as f:
        f.write(f"{passed} {failed} {skipped}\n")
    print(f"{name}: {passed} passed, {failed} failed, {skipped} skipped")


def port_free(port):
    """True when 127.0.0.1:port can be bound (so QEMU's hostfwd can take it)."""
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()
