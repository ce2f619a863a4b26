# httpbad.sh: hostile HTTP clients and a hostile listener.  Slowloris
# clients lose their connections, 1000 concurrent connections are served
# while a worker crashes and is restarted, and a listener that
# sends the master garbage is killed and replaced.  The master supervises
# throughout.
. "$VECTIS_TESTLIB"

command -v curl >/dev/null || skip "curl not installed"
[ -x "${VECTIS_LISTENER:-}" ] || skip "VECTIS_LISTENER not built"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
printf 'SYNC_LISTEN=127.0.0.1:%s\nSYNC_CHECK_INTERVAL_S=0\n' "$PORT" >"$T_HOME/worker.conf"
chmod 600 "$T_HOME/worker.conf"
U=; [ "$(id -u)" = 0 ] && U="--user nobody"
healthy() { [ "$(curl -s -m 30 -o /dev/null -w '%{http_code}' "$URL/healthz")" = 200 ]; }

start_master
wait_until 5 healthy || fail "no /healthz"
# shellcheck disable=SC2086
vx add crasher $U -- sleep 1000 >/dev/null || fail "add crasher"
vx start crasher >/dev/null || fail "start crasher"

# Slowloris: 50 clients trickle a header byte every 0.5 s.  libmicrohttpd
# alone would keep them (each byte resets its idle timer); the listener's
# request deadline (10 s) shuts them down: not before 10 s (counted from
# before the first connection), and long before the clients give up (40 s).
python3 - "$PORT" "$T_HOME/loris.up" >"$T_HOME/loris" 2>&1 <<'P' &
import socket, sys, time
conns = []
t0 = time.time()
for i in range(50):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    conns.append(s)
open(sys.argv[2], "w").close()
alive = len(conns)
while alive and time.time() - t0 < 40:
    time.sleep(0.5)
    alive = 0
    for s in conns:
        try:
            s.sendall(b"X")
            s.settimeout(0.001)
            if s.recv(1) == b"":
                raise OSError
            alive += 1
        except socket.timeout:
            alive += 1
        except OSError:
            pass
print("alive=%d after=%.1f" % (alive, time.time() - t0))
P
loris=$!
T_PIDS="$T_PIDS $loris"
wait_until 60 test -e "$T_HOME/loris.up" ||
    fail "slowloris clients did not connect: $(cat "$T_HOME/loris")"
healthy || fail "/healthz not served beside 50 slowloris clients"
wait "$loris"
awk '$1 == "alive=0" { split($2, a, "="); ok = a[2] >= 10 } END { exit !ok }' \
    "$T_HOME/loris" || fail "slowloris clients kept: $(cat "$T_HOME/loris")"
t_log "50 slowloris clients cut off: $(cat "$T_HOME/loris"); /healthz served meanwhile"

# 1000 concurrent connections, all answered, while a worker is SIGKILLed.
old=$(field crasher pid)
python3 - "$PORT" "$T_HOME/many.up" >"$T_HOME/many" 2>&1 <<'P' &
import resource, socket, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
# From 20 loopback addresses: the listener serves 64 per address at most.
conns = [socket.create_connection(("127.0.0.1", int(sys.argv[1])),
                                  source_address=("127.0.0.%d" % (1 + i % 20), 0))
         for i in range(1000)]
open(sys.argv[2], "w").close()
time.sleep(0.5)
for s in conns:
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
ok = 0
for s in conns:
    s.settimeout(60)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    ok += data.startswith(b"HTTP/1.1 200")
print("ok=%d" % ok)
P
many=$!
T_PIDS="$T_PIDS $many"
# The worker dies while the 1000 connections are open.
wait_until 60 test -e "$T_HOME/many.up" || fail "1000 connections not opened: $(cat "$T_HOME/many")"
kill -KILL "$old"
wait_until 30 sh -c "[ \"\$($VECTIS_BIN list --json | jq -r '.[] | select(.name==\"crasher\") | .pid')\" != $old ] && \
    [ \"\$($VECTIS_BIN list --json | jq -r '.[] | select(.name==\"crasher\") | .state')\" = running ]" ||
    fail "crasher not restarted under 1000 connections"
wait "$many"
grep -q '^ok=1000$' "$T_HOME/many" || fail "1000 concurrent connections: $(cat "$T_HOME/many")"
t_log "1000 concurrent connections: $(cat "$T_HOME/many"); a crashed worker restarted meanwhile"

# A listener speaking garbage: the master kills it and carries on.
vx shutdown >/dev/null
wait_until 5 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
cat >"$T_HOME/evil-listener" <<'S'
#!/bin/sh
# A compromised listener: an impossible frame, then a malformed one.
printf '\377\377\377\177' >&4
exec sleep 30
S
chmod 755 "$T_HOME/evil-listener"
VECTIS_LISTENER=$T_HOME/evil-listener start_master
wait_until 5 grep -q 'impossible frame length; killing the listener' "$T_HOME/master.out" ||
    fail "garbage from the listener not noticed"
wait_until 5 grep -q 'http: listener .* exited' "$T_HOME/master.out" || fail "evil listener not reaped"
vx start crasher >/dev/null || fail "the master stopped answering"
is crasher status RUNNING || fail "crasher not running beside an evil listener"
t_log "a listener sending an impossible frame was killed; supervision unaffected"

# Regression: a listener that cannot be started was reported as "Operation
# not permitted" whatever the cause (the error number became a boolean).
vx shutdown >/dev/null
wait_until 5 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
VECTIS_LISTENER=$T_HOME/no-such-listener start_master
wait_until 5 grep -q "unable to start $T_HOME/no-such-listener: No such file or directory" \
    "$T_HOME/master.out" || fail "wrong reason: $(grep 'unable to start' "$T_HOME/master.out")"
vx list >/dev/null || fail "master not answering without a listener"
t_log "a missing listener is reported as such; the master supervises on"
