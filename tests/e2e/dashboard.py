#!/usr/bin/env python3
"""dashboard.py: a fake dashboard for tests/e2e/sync.sh, loopback only.

usage: dashboard.py DIR

Listens on 127.0.0.1 on a free port, writes the port to DIR/port and prints
it.  Each request re-reads its instructions from files in DIR, so a test
changes the behaviour between runs by writing one file:

  DIR/token   the bearer token POST /api/v1/workers expects
  DIR/mode    how the registration is answered:
              ok       200 {"id", "subdomain", "ip": the ip sent}
              401      401 {"message": "invalid token"}
              echo     401 whose message quotes the token that was sent
              500      500 with a text body, every time
              500once  500 once (DIR/failed-once marks it done), then ok
              garbage  200 with a body that is not JSON
              wrongip  200 echoing another ip than the one sent
              hang     answer nothing for 30 s
              close    close the connection without an answer
  DIR/ip      the body of GET /ip (an IP service); 404 if missing
  DIR/id, DIR/subdomain   override the id and subdomain answered

Every registration is appended to DIR/requests.log as one JSON line
{"path", "authorization", "body"}.
"""
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR = sys.argv[1] if len(sys.argv) == 2 else sys.exit(__doc__)
LOCK = threading.Lock()


def setting(name, default=""):
    try:
        with open(os.path.join(DIR, name)) as f:
            return f.read().strip()
    except FileNotFoundError:
        return default


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("dashboard: " + (fmt % args) + "\n")

    def answer(self, code, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path != "/ip":
            return self.answer(404, '{"message": "no such path"}')
        ip = setting("ip")
        if not ip:
            return self.answer(404, '{"message": "no ip configured"}')
        self.answer(200, ip + "\n", "text/plain")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        auth = self.headers.get("Authorization", "")
        with LOCK:
            with open(os.path.join(DIR, "requests.log"), "a") as f:
                f.write(json.dumps({"path": self.path, "authorization": auth,
                                    "body": raw.decode("utf-8", "replace")})
                        + "\n")
        mode = setting("mode", "ok")
        if self.path != "/api/v1/workers":
            return self.answer(404, '{"message": "no such path"}')
        if mode == "hang":
            time.sleep(30)
            return
        if mode == "close":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        once = os.path.join(DIR, "failed-once")
        if mode == "500once" and not os.path.exists(once):
            open(once, "w").close()
            mode = "500"
        if mode == "500":
            return self.answer(500, "internal error: database is down\n"
                               "trace line 2\n", "text/plain")
        if mode == "401":
            return self.answer(401, '{"message": "invalid token"}')
        if mode == "echo":
            return self.answer(401, json.dumps(
                {"message": "token '%s' is revoked" % auth[7:]}))
        if auth != "Bearer " + setting("token"):
            return self.answer(401, '{"message": "invalid token"}')
        try:
            req = json.loads(raw)
            ip, secret = req["ip"], req["secret"]
            assert isinstance(ip, str) and isinstance(secret, str)
            assert set(req) == {"ip", "secret"}
        except (ValueError, KeyError, TypeError, AssertionError):
            return self.answer(400, '{"error": "expected {ip, secret}"}')
        if mode == "garbage":
            return self.answer(200, "<html>not json</html>", "text/html")
        if mode == "wrongip":
            ip = "198.51.100.99"
        self.answer(200, json.dumps({
            "id": setting("id", "wrk_abc123"),
            "subdomain": setting("subdomain", "worker-a1b2c3.vectis.dev"),
            "ip": ip}))


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    port = srv.server_address[1]
    tmp = os.path.join(DIR, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, os.path.join(DIR, "port"))
    print(port, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
