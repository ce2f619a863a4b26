# standby.sh: one active master per home; run --standby takes over within
# a second of the active one dying, and a CLI start launches a master.
. "$VECTIS_TESTLIB"

# start with no master running launches one in the background.
vx add w1 --no-autostart -- sleep 1000 2>"$T_HOME/err" && fail "add without master succeeded"
[ "$(cat "$T_HOME/err")" ] || fail "no error without master"
expect_fail 3 "no master running" vx list
"$VECTIS_BIN" run >>"$T_HOME/master.out" 2>&1 &
MASTER_PID=$!
wait_until 5 vx list || fail "master 1 not up"
vx add w1 -- sleep 1000 >/dev/null || fail "add w1"
wait_until 2 is w1 state running || fail "w1 not running"

"$VECTIS_BIN" run --standby >>"$T_HOME/standby.out" 2>&1 &
STANDBY=$!
T_PIDS="$T_PIDS $STANDBY"
wait_until 5 grep -q "standby: waiting" "$T_HOME/standby.out" || fail "standby did not wait"
kill -0 "$STANDBY" || fail "standby exited: $(cat "$T_HOME/standby.out")"
old=$(field w1 pid)

kill -KILL "$MASTER_PID"
wait "$MASTER_PID" 2>/dev/null
t0=$(date +%s%N)
wait_until 1 sh -c "$VECTIS_BIN list --json | jq -e '.[] | select(.name==\"w1\" and .state==\"running\" and .pid != $old)'" ||
    fail "standby did not take over within 1 s: $(cat "$T_HOME/standby.out")"
t1=$(date +%s%N)
MASTER_PID=$STANDBY
alive "$old" && fail "old worker survived the takeover"
t_log "standby took over in $(( (t1 - t0) / 1000000 )) ms"

# After shutdown, 'start' launches a background master by itself.
vx shutdown >/dev/null || fail "shutdown"
wait_until 5 sh -c "! kill -0 $STANDBY" || fail "standby master did not exit"
MASTER_PID=
vx start w1 >/dev/null || fail "start did not launch a master"
MASTER_PID=$(head -1 "$T_HOME/master.lock")
is w1 state running || fail "w1 not running under the launched master"
grep -q "running on" "$T_HOME/master.log" || fail "background master log missing"
t_log "start launched a background master ($MASTER_PID)"
exit 0
