# valgrind.sh: the master under valgrind through a crash, a fatal tenant,
# apply, remove and shutdown: no memory errors, no definite leaks.
. "$VECTIS_TESTLIB"

command -v valgrind >/dev/null || skip "valgrind not installed"
ldd "$VECTIS_BIN" 2>/dev/null | grep -q libasan && skip "sanitizer build (valgrind runs on the normal build)"

t_http_off
valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --child-silent-after-fork=yes -q "$VECTIS_BIN" run >"$T_HOME/master.out" 2>&1 &
MASTER_PID=$!
wait_until 30 vx list || fail "master under valgrind did not come up"
vx add a -- sleep 1000 >/dev/null || fail "add a"
vx add b -- sh -c 'echo oops >&2; exit 1' >/dev/null || fail "add b"
vx add c -- /nonexistent >/dev/null || fail "add c"
wait_until 10 is a state running || fail "a not running"
kill -KILL "$(field a pid)"
wait_until 10 is a restarts 1 || fail "a not restarted"
wait_until 10 is c state fatal || fail "c not fatal"
vx history a >/dev/null || fail "history"
vx export >"$T_HOME/x.json" || fail "export"
vx apply --prune "$T_HOME/x.json" >/dev/null || fail "apply"
vx remove c >/dev/null || fail "remove"
printf 'garbage\n' | timeout 5 python3 -c "
import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect('$T_HOME/control.sock'); s.sendall(b'garbage\n'); s.recv(1000)" 2>/dev/null
vx shutdown >/dev/null || fail "shutdown"
wait "$MASTER_PID"
rc=$?
MASTER_PID=
[ "$rc" = 0 ] || fail "valgrind reported errors (exit $rc): $(grep '==' "$T_HOME/master.out" | head -30)"
t_log "valgrind clean"
exit 0
