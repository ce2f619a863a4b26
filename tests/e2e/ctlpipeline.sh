#!/bin/bash
# ctlpipeline.sh: a client that sends many requests in one write gets one
# reply per request and the master survives.  The master used to serve
# buffered requests by recursion (reply -> write -> next request), one
# stack frame chain per request; a megabyte of pipelined "x\n" lines from
# a client reading its replies fast overflowed the stack and killed it.
. "$VECTIS_TESTLIB"

command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
start_master

# A first line of 900 kB grows the read buffer to its limit, then 400000
# short malformed requests arrive faster than they are answered.
python3 - "$T_HOME/control.sock" <<'PY' >"$T_HOME/pipe.out" 2>&1 ||
import socket, sys, threading
N = 400000
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
got = [0]
def reader():
    while got[0] < N + 1:
        b = s.recv(1 << 20)
        if not b:
            break
        got[0] += b.count(b"\n")
t = threading.Thread(target=reader)
t.start()
try:
    s.sendall(b"x" * 900000 + b"\n")
    s.sendall(b"x\n" * N)
except OSError as e:
    print("send:", e)
t.join(60)
print("replies", got[0], "of", N + 1)
sys.exit(0 if got[0] == N + 1 else 1)
PY
	fail "pipelined requests not all answered: $(cat "$T_HOME/pipe.out")"
alive "$MASTER_PID" || fail "master died: $(cat "$T_HOME/pipe.out")"
"$VECTIS_BIN" list >/dev/null || fail "master does not answer after the flood"
t_log "$(cat "$T_HOME/pipe.out"); master alive"
exit 0
