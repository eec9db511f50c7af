# SPDX-License-Identifier: MIT
"""Follow a guest's console: the output lines of a process (scenario-run.sh,
QEMU), copied to a log as they come, with waits for conditions on them.
Shared by os/tools/tests/net_e2e.py and os/bench/net-run.py. Every wait ends
at its deadline or when the process's output ends, whichever is first."""
import sys
import threading
import time


class Console:
    """Collects a process's output lines (copied to log, default stdout)."""

    def __init__(self, proc, log=None):
        self.lines, self.done = [], False
        self.cond = threading.Condition()
        self.log = log if log is not None else sys.stdout
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

    def _wait(self, holds, deadline):
        with self.cond:
            while not holds():
                left = deadline - time.monotonic()
                if self.done or left <= 0:
                    return False
                self.cond.wait(min(left, 1.0))
            return True

    def wait_count(self, text, n, deadline):
        """Wait until at least n lines contain text."""
        return self._wait(lambda: sum(text in l for l in self.lines) >= n, deadline)

    def wait_for(self, texts, deadline):
        """Wait until every one of texts appeared in some line."""
        return self._wait(lambda: all(any(t in l for l in self.lines) for t in texts), deadline)
