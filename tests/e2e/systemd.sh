# systemd.sh: under a service manager (a fake NOTIFY_SOCKET the test owns)
# the master sends READY=1 once autostart tenants were spawned, WATCHDOG=1
# at half of WATCHDOG_USEC, and STOPPING=1 when it shuts down; tenants do
# not inherit the master's NOTIFY_SOCKET.
. "$VECTIS_TESTLIB"

command -v python3 >/dev/null || skip "python3 not installed"
sock="$T_HOME/sd.sock"
python3 - "$sock" >"$T_HOME/sd.msgs" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(20)
t0 = time.time()
while True:
    try:
        m = s.recv(4096).decode()
    except socket.timeout:
        break
    print("%.3f %s" % (time.time() - t0, m.replace("\n", "|")), flush=True)
    if "STOPPING=1" in m:
        break
PY
T_PIDS="$T_PIDS $!"
wait_until 5 test -S "$sock" || fail "fake manager did not start"
NOTIFY_SOCKET="$sock" WATCHDOG_USEC=400000 "$VECTIS_BIN" run >"$T_HOME/master.out" 2>&1 &
MASTER_PID=$!
wait_until 5 grep -q "READY=1" "$T_HOME/sd.msgs" || fail "no READY=1: $(cat "$T_HOME/sd.msgs")"
grep -q "MAINPID=$MASTER_PID" "$T_HOME/sd.msgs" || fail "MAINPID missing"
vx add w -- sh -c 'echo "NS=${NOTIFY_SOCKET:-none}"; exec sleep 1000' >/dev/null || fail "add"
wait_until 3 grep -q "NS=none" "$T_HOME/logs/w.log" || fail "tenant inherited NOTIFY_SOCKET"
wait_until 2 sh -c "[ \$(grep -c 'WATCHDOG=1' $T_HOME/sd.msgs) -ge 3 ]" ||
    fail "watchdog pings missing: $(cat "$T_HOME/sd.msgs")"
kill -TERM "$MASTER_PID"
wait_until 10 grep -q "STOPPING=1" "$T_HOME/sd.msgs" || fail "no STOPPING=1"
wait_until 10 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
MASTER_PID=
t_log "READY=1, WATCHDOG=1 every ~200 ms, STOPPING=1: $(tr '\n' ' ' <"$T_HOME/sd.msgs" | cut -c1-200)"
exit 0
