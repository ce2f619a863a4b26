# systemd.sh: under a service manager (a fake NOTIFY_SOCKET the test owns)
# the master sends READY=1 once autostart tenants were spawned, STATUS= with
# the tenant counts after READY and whenever they change (at most once a
# second, coalesced, nothing while idle), WATCHDOG=1 at half of
# WATCHDOG_USEC, and STOPPING=1 when it shuts down; tenants do not inherit
# the master's NOTIFY_SOCKET.
. "$VECTIS_TESTLIB"

command -v python3 >/dev/null || skip "python3 not installed"

# Three tenants from an earlier run: one runs, one is never started, one
# cannot be started (ERROR).
cat >"$T_HOME/t.json" <<'J'
[{"name": "w", "user": "root", "command": ["sh", "-c", "echo \"NS=${NOTIFY_SOCKET:-none}\"; exec sleep 1000"]},
 {"name": "idle", "user": "root", "command": ["sleep", "1000"], "autostart": false},
 {"name": "bad", "user": "root", "command": ["/nonexistent/bot"], "restart": {"max_restarts": 0}}]
J
start_master
vx apply "$T_HOME/t.json" >/dev/null || fail "apply"
wait_until 5 is bad status ERROR || fail "bad not in ERROR"
vx shutdown >/dev/null || fail "shutdown"
wait_until 10 sh -c "! kill -0 $MASTER_PID" || fail "first master did not exit"
MASTER_PID=

# The fake manager stamps each datagram with the time the kernel queued it
# (SO_TIMESTAMP), not the time it got round to reading it: on a busy
# machine two datagrams sent a second apart may well be read together.
sock="$T_HOME/sd.sock"
python3 - "$sock" >"$T_HOME/sd.msgs" <<'PY' &
import socket, struct, sys, time
SO_TIMESTAMP = getattr(socket, "SO_TIMESTAMP", 29)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMP, 1)
s.bind(sys.argv[1]); s.settimeout(60)
t0 = time.time()
while True:
    try:
        m, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(16))
    except socket.timeout:
        break
    at = time.time()
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMP:
            sec, usec = struct.unpack("qq", data[:16])
            at = sec + usec / 1e6
    m = m.decode()
    print("%.3f %s" % (at - t0, m.replace("\n", "|")), flush=True)
    if "STOPPING=1" in m:
        break
PY
T_PIDS="$T_PIDS $!"
wait_until 5 test -S "$sock" || fail "fake manager did not start"
t_http_off
NOTIFY_SOCKET="$sock" WATCHDOG_USEC=400000 "$VECTIS_BIN" run >"$T_HOME/master.out" 2>&1 &
MASTER_PID=$!

# status_seen TEXT: some datagram carried STATUS=TEXT exactly.
status_seen() {
	grep -qF "STATUS=$1|" "$T_HOME/sd.msgs" ||
	    grep -q "STATUS=$1\$" "$T_HOME/sd.msgs"
}
nstatus() {
	grep -c "STATUS=" "$T_HOME/sd.msgs"
}

wait_until 5 grep -q "READY=1" "$T_HOME/sd.msgs" || fail "no READY=1: $(cat "$T_HOME/sd.msgs")"
first=$(grep -m1 -E "READY=1|STATUS=|WATCHDOG=1" "$T_HOME/sd.msgs")
case $first in
*READY=1*STATUS=3\ tenants:*) ;;
*) fail "first message is not READY=1 with STATUS= counts: $first" ;;
esac
grep -q "MAINPID=$MASTER_PID" "$T_HOME/sd.msgs" || fail "MAINPID missing"
wait_until 5 status_seen "3 tenants: 1 running, 1 stopped, 1 error" ||
    fail "STATUS= counts after start-up: $(cat "$T_HOME/sd.msgs")"
wait_until 3 grep -q "NS=none" "$T_HOME/logs/w.log" || fail "tenant inherited NOTIFY_SOCKET"
wait_until 2 sh -c "[ \$(grep -c 'WATCHDOG=1' $T_HOME/sd.msgs) -ge 3 ]" ||
    fail "watchdog pings missing: $(cat "$T_HOME/sd.msgs")"

# A burst of changes (ten tenants added and started at once, then one
# removed) is coalesced: the final counts arrive, in fewer messages than
# there were tenants started (how few depends on the machine's speed; the
# rule itself, a second between two STATUS=, is checked below).
before=$(nstatus)
python3 -c 'import json; print(json.dumps([{"name": "b%d" % i, "user": "root", "command": ["sleep", "1000"]} for i in range(10)]))' >"$T_HOME/burst.json"
vx apply "$T_HOME/burst.json" >/dev/null || fail "apply burst"
vx remove idle >/dev/null || fail "remove idle"
wait_until 5 status_seen "12 tenants: 11 running, 0 stopped, 1 error" ||
    fail "STATUS= after the burst: $(cat "$T_HOME/sd.msgs")"
burst=$(($(nstatus) - before))
[ "$burst" -lt 10 ] || fail "$burst STATUS= messages for one burst: $(cat "$T_HOME/sd.msgs")"

# Never two STATUS= within a second of each other.
awk '/STATUS=/ { if (n++ && $1 - last < 0.9) { print; bad = 1 } last = $1 }
    END { exit bad }' "$T_HOME/sd.msgs" >"$T_HOME/close" ||
    fail "STATUS= sent less than a second apart: $(cat "$T_HOME/close")"

# Idle: watchdog pings go on (ten of them, 2 s when on time), STATUS= not.
idle0=$(nstatus)
wd0=$(grep -c 'WATCHDOG=1' "$T_HOME/sd.msgs")
wait_until 30 sh -c "[ \$(grep -c 'WATCHDOG=1' $T_HOME/sd.msgs) -ge $((wd0 + 10)) ]" ||
    fail "watchdog pings stopped while idle"
[ "$(nstatus)" = "$idle0" ] || fail "STATUS= while nothing changed: $(tail -5 "$T_HOME/sd.msgs")"

kill -TERM "$MASTER_PID"
wait_until 10 grep -q "STOPPING=1" "$T_HOME/sd.msgs" || fail "no STOPPING=1"
grep "STOPPING=1" "$T_HOME/sd.msgs" | grep -q "STATUS=stopping; 12 tenants:" ||
    fail "STOPPING=1 without counts: $(grep STOPPING "$T_HOME/sd.msgs")"
wait_until 10 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
wait "$MASTER_PID"
rc=$?
[ "$rc" = 0 ] || fail "master exited $rc after SIGTERM"
MASTER_PID=
t_log "READY=1, STATUS= $((idle0)) times (burst: $burst), WATCHDOG=1 every ~200 ms, STOPPING=1"
t_log "$(grep -o 'STATUS=[^|]*' "$T_HOME/sd.msgs" | tr '\n' ';')"
exit 0
