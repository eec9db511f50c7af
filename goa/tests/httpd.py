#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A loopback HTTP file server for goa's end-to-end tests and benchmarks.
#
# Serves ROOT on 127.0.0.1 at an ephemeral port and writes the port to
# PORTFILE once it listens (tests poll for that file; no sleeping). Besides
# plain GET it has one fault to inject and one condition to model:
#   /__truncated/<path>  promises the full Content-Length, sends half, closes
#   PUT <path>           answers 429 (Retry-After: 1) to the first PUT of a
#                        path containing "ratelimit", then 201; other PUTs
#                        201. Request headers are appended to ROOT/puts.log.
#   --delay MS           waits MS milliseconds before answering each request
#   --rate KBPS          sends bodies at most KBPS kilobytes per second
# Usage: httpd.py ROOT PORTFILE [--delay MS] [--rate KBPS]
import argparse
import os
import sys
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("root")
ap.add_argument("portfile")
ap.add_argument("--delay", type=int, default=0)
ap.add_argument("--rate", type=int, default=0)
args = ap.parse_args()


puts = {}


class Handler(SimpleHTTPRequestHandler):
    def __init__(self, *a, **kw):
        super().__init__(*a, directory=args.root, **kw)

    def log_message(self, fmt, *a):
        pass

    def do_PUT(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(n)
        with open(os.path.join(args.root, "puts.log"), "a") as log:
            log.write(f"{self.path} {self.headers.get('X-Kide-Signature', '')} "
                      f"{self.headers.get('Authorization', '')}\n")
        puts[self.path] = puts.get(self.path, 0) + 1
        if "ratelimit" in self.path and puts[self.path] == 1:
            self.send_response(429)
            self.send_header("Retry-After", "1")
            body = b'{"error":"slow down","hint":"wait"}'
        else:
            self.send_response(201)
            body = b"{}"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if args.delay:
            time.sleep(args.delay / 1000.0)
        if self.path.startswith("/__truncated/"):
            path = os.path.join(args.root, self.path[len("/__truncated/"):])
            try:
                data = open(path, "rb").read()
            except OSError:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if not args.rate:
            return super().do_GET()
        f = self.send_head()
        if not f:
            return
        chunk = max(1, args.rate * 1024 // 20)
        with f:
            while True:
                b = f.read(chunk)
                if not b:
                    break
                self.wfile.write(b)
                time.sleep(0.05)


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
tmp = args.portfile + ".tmp"
with open(tmp, "w") as fp:
    fp.write(str(srv.server_address[1]))
os.rename(tmp, args.portfile)
try:
    srv.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)
