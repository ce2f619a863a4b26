#!/bin/bash
# ctlpipeline.sh: a client that sends many requests in one write gets one
# reply per request, other clients are served meanwhile, and the master
# survives.
#
# Two bugs this guards against:
# - The master used to serve buffered requests by recursion (reply -> write
#   -> next request), one stack frame chain per request; a megabyte of
#   pipelined "x\n" lines overflowed the stack and killed it.
# - It then served every buffered request in one loop turn, moving the rest
#   of the buffer down after each one: seconds of work with the clock
#   stopped, so no other client, signal or tenant was served meanwhile, and
#   the flooding client's own idle timer expired when the turn ended.
. "$VECTIS_TESTLIB"

command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
start_master

# A first line of 900 kB grows the read buffer to its limit, then 400000
# short malformed requests arrive faster than they are answered.  While
# they are being answered, "list" from a second client is timed against
# the flood itself, not against a clock: a master that served the flood
# first would answer the list only near the flood's end, however fast or
# busy the machine.
python3 - "$T_HOME/control.sock" "$VECTIS_BIN" <<'PY' >"$T_HOME/pipe.out" 2>&1 ||
import socket, subprocess, sys, threading, time
N = 400000
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
got = [0]
done = [None]
def reader():
    while got[0] < N + 1:
        b = s.recv(1 << 20)
        if not b:
            break
        got[0] += b.count(b"\n")
    done[0] = time.monotonic()
def sender():
    try:
        s.sendall(b"x" * 900000 + b"\n")
        s.sendall(b"x\n" * N)
    except OSError as e:
        print("send:", e)
t = threading.Thread(target=reader)
t.start()
w = threading.Thread(target=sender)
w.start()
while got[0] < 1000 and t.is_alive():
    time.sleep(0.01)
worst = 0.0
first = None
for i in range(5):
    if got[0] >= N:
        break
    t0 = time.monotonic()
    r = subprocess.run([sys.argv[2], "list"], stdout=subprocess.DEVNULL)
    worst = max(worst, time.monotonic() - t0)
    if first is None:
        first = (t0, time.monotonic() - t0)
    if r.returncode != 0:
        print("list failed during the flood:", r.returncode)
        sys.exit(1)
t.join(600)
print("replies", got[0], "of", N + 1, "; list took at most %.3f s" % worst)
if got[0] != N + 1:
    sys.exit(1)
# One loop turn serves at most 32 pipelined requests: the other client waits
# for a few turns, never for the flood.  The first list began as the flood
# did; it must end well before the flood does (half of what was left).
if first is not None:
    left = done[0] - first[0]
    print("first list %.3f s, the flood went on %.3f s after it began" %
        (first[1], left))
    sys.exit(0 if first[1] < left / 2 else 2)
sys.exit(0)
PY
	fail "pipelined requests not all answered, or others not served: $(cat "$T_HOME/pipe.out")"
alive "$MASTER_PID" || fail "master died: $(cat "$T_HOME/pipe.out")"
"$VECTIS_BIN" list >/dev/null || fail "master does not answer after the flood"
t_log "$(cat "$T_HOME/pipe.out"); master alive"
exit 0
