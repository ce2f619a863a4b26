#!/bin/bash
# clitimeout.sh: the CLI waited for ever for a master that did not answer,
# and a master shutting down stopped accepting, so a command sent meanwhile
# hung until it exited (review L2).  A silent master is now an error (exit
# 1) after VECTIS_TIMEOUT seconds; a master that waits for a tenant says it
# is alive; a master shutting down answers.
. "$VECTIS_TESTLIB"

command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
command -v timeout >/dev/null 2>&1 || skip "timeout not installed"
sock=$T_HOME/control.sock

# fake MODE: a "master" on the socket that accepts and never answers
# (MODE read), or that never accepts and has no room in its backlog.
fake() {
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
if sys.argv[2] == "read":
    s.listen(8)
    held = []
    while True:
        c, _ = s.accept()
        held.append(c)
else:
    s.listen(0)
    f = socket.socket(socket.AF_UNIX)
    f.connect(sys.argv[1])		# takes the only place in the backlog
    open(sys.argv[1] + ".full", "w").close()
    time.sleep(3600)' "$sock" "$1" &
	FAKE=$!
	T_PIDS="$T_PIDS $FAKE"
}

# silent WHAT CMD...: CMD exits 1 within its bound, saying WHAT.
silent() {
	local what=$1 rc
	shift
	VECTIS_TIMEOUT=2 timeout 60 "$VECTIS_BIN" "$@" >"$T_HOME/out" \
	    2>"$T_HOME/err"
	rc=$?
	[ "$rc" = 1 ] || fail "'$*' against a silent master exited $rc: $(cat "$T_HOME/err")"
	grep -qF "$what" "$T_HOME/err" ||
	    fail "'$*' against a silent master said: $(cat "$T_HOME/err")"
}

fake read
wait_until 30 test -S "$sock" || fail "fake master not up"
silent "the master did not answer within 2 s" list
silent "the master did not answer within 2 s" stop x
kill "$FAKE"
wait "$FAKE" 2>/dev/null
rm -f "$sock"
fake full
wait_until 30 test -e "$sock.full" || fail "fake master not up"
silent "did not take the connection within 2 s" list
kill "$FAKE"
wait "$FAKE" 2>/dev/null
rm -f "$sock" "$sock.full"
expect_fail 2 "VECTIS_TIMEOUT must be a number of seconds" \
    env VECTIS_TIMEOUT=soon "$VECTIS_BIN" list
t_log "a master that does not answer or does not accept: exit 1 after 2 s"

# A stop that waits longer than the bound for its tenant still succeeds:
# the master sends keep-alives while it waits.
start_master
vx apply - >/dev/null <<J || fail "apply"
[{"name": "slow", "stop": {"timeout_s": 12},
  "command": ["sh", "-c", "trap '' TERM; while [ ! -e $T_HOME/go ]; do sleep 0.1; done"]},
 {"name": "held", "stop": {"timeout_s": 300},
  "command": ["sh", "-c", "trap '' TERM; while [ ! -e $T_HOME/go ]; do sleep 0.1; done"]}]
J
wait_until 30 is slow state running || fail "slow not running"
wait_until 30 is held state running || fail "held not running"
VECTIS_TIMEOUT=5 timeout 120 "$VECTIS_BIN" stop slow >"$T_HOME/out" \
    2>"$T_HOME/err" || fail "stop of a slow tenant with a 5 s bound: $(cat "$T_HOME/err")"
is slow state stopped || fail "slow not stopped"
t_log "stop waits 12 s for its tenant with a 5 s bound on silence"

# While the master shuts down (held ignores TERM until told), it answers.
"$VECTIS_BIN" shutdown >"$T_HOME/sd.out" 2>&1 &
sd=$!
T_PIDS="$T_PIDS $sd"
wait_until 30 grep -q "shutting down" "$T_HOME/master.out" ||
    fail "the master did not begin to shut down"
timeout 60 "$VECTIS_BIN" list --json >"$T_HOME/list" 2>"$T_HOME/err" ||
    fail "list during shutdown exited $?: $(cat "$T_HOME/err")"
[ "$(jq -r '.[] | select(.name == "held") | .state' "$T_HOME/list")" = stopping ] ||
    fail "list during shutdown: $(cat "$T_HOME/list")"
timeout 60 "$VECTIS_BIN" stop held >/dev/null 2>"$T_HOME/err"
rc=$?
[ "$rc" = 1 ] || fail "stop during shutdown exited $rc: $(cat "$T_HOME/err")"
grep -q "shutting down" "$T_HOME/err" || fail "stop during shutdown said: $(cat "$T_HOME/err")"
touch "$T_HOME/go"
wait "$sd" || fail "shutdown failed: $(cat "$T_HOME/sd.out")"
wait_until 30 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
t_log "during a shutdown list answers and stop is refused at once"
exit 0
