#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Run a command and print "<wall s> <cpu s>" (cpu = user + system time of it
# and all its children) on the last line of stderr, for bench.sh. CPU time
# is the fairer comparison on a machine shared with other builds.
# Usage: timeit.py CMD [ARGS...]
import resource
import subprocess
import sys
import time

t0 = time.monotonic()
rc = subprocess.call(sys.argv[1:])
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.3f} {ru.ru_utime + ru.ru_stime:.3f}", file=sys.stderr)
sys.exit(rc)
