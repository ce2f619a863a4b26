# shutdown.sh: review H3: a graceful shutdown started new workers (a fatal
# tenant's retry timer, a stop that was a watchdog restart) and then never
# exited.  Now SIGTERM ends with every tenant stopped and the master gone
# within the longest stop.timeout_s plus a margin, and starts nothing.
. "$VECTIS_TESTLIB"

start_master
cat >"$T_HOME/t.json" <<J
[
 {"name": "slow", "command": ["sh", "-c", "trap '' TERM; exec sleep 1000"],
  "stop": {"timeout_s": 6}},
 {"name": "retry",
  "command": ["sh", "-c", "test -f $T_HOME/ok || exit 3; exec sleep 1000"],
  "restart": {"max_restarts": 0, "retry_after_s": 3}},
 {"name": "wd", "notify": "pipe", "heartbeat": {"timeout_s": 1},
  "command": ["sh", "-c", "echo READY=1 >&\$VECTIS_NOTIFY_FD; trap '' TERM; exec sleep 1000"],
  "stop": {"timeout_s": 2}}
]
J
vx apply "$T_HOME/t.json" >/dev/null || fail "apply"
wait_until 30 is retry state fatal || fail "retry not fatal"
wait_until 30 is slow state running || fail "slow not running"
# The watchdog of wd fires every second: its stop is ours, with a reason.
wait_until 30 sh -c "grep -q 'wd: stopping' '$T_HOME/master.out'" ||
    fail "wd watchdog never fired"
touch "$T_HOME/ok"	# from now on, a retry of 'retry' would succeed

kill -TERM "$MASTER_PID"
start=$SECONDS
# The longest stop.timeout_s is 6 s; a generous bound for a busy machine.
for _ in $(seq 1 600); do
	kill -0 "$MASTER_PID" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$MASTER_PID" 2>/dev/null &&
    fail "master still running $((SECONDS - start)) s after SIGTERM"
wait "$MASTER_PID"
rc=$?
[ "$rc" -le 1 ] || fail "master exit status $rc"

sed -n '/shutting down/,$p' "$T_HOME/master.out" >"$T_HOME/after"
grep -q ": starting" "$T_HOME/after" &&
    fail "a worker was started during the shutdown: $(grep ': starting' "$T_HOME/after")"
for n in slow wd; do
	[ "$(db "SELECT state FROM worker_process WHERE name='$n'")" = stopped ] ||
	    fail "$n row: $(db "SELECT state FROM worker_process WHERE name='$n'")"
done
t_log "SIGTERM during a watchdog restart and a pending retry: nothing started, exited in $((SECONDS - start)) s"

# A second SIGTERM sends the stop signal again instead of nothing.
rm -f "$T_HOME"/vectis.db*
cat >"$T_HOME/t2.json" <<J
[{"name": "twice", "command": ["sh", "-c", "trap 'echo got TERM; trap - TERM' TERM; while :; do sleep 0.1; done"],
  "stop": {"timeout_s": 60}}]
J
start_master
vx apply "$T_HOME/t2.json" >/dev/null || fail "apply t2"
wait_until 30 is twice state running || fail "twice not running"
kill -TERM "$MASTER_PID"
wait_until 30 grep -q "got TERM" "$T_HOME/logs/twice.log" ||
    fail "first TERM not delivered"
kill -TERM "$MASTER_PID"
for _ in $(seq 1 300); do
	kill -0 "$MASTER_PID" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$MASTER_PID" 2>/dev/null &&
    fail "second SIGTERM did not end the shutdown"
t_log "a second SIGTERM re-sends the stop signal"
