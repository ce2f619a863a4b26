# standby.sh: one active master per home; run --standby takes over when
# the active one dies (how fast is a figure, logged), and a CLI start
# launches a master.
. "$VECTIS_TESTLIB"

# start with no master running launches one in the background.
vx add w1 --no-autostart -- sleep 1000 2>"$T_HOME/err" && fail "add without master succeeded"
[ "$(cat "$T_HOME/err")" ] || fail "no error without master"
expect_fail 3 "no master running" vx list
start_master
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
wait_until 30 sh -c "$VECTIS_BIN list --json | jq -e '.[] | select(.name==\"w1\" and .state==\"running\" and .pid != $old)'" ||
    fail "standby did not take over: $(cat "$T_HOME/standby.out")"
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

# Regression: the lock lived in the runtime directory, so two masters with
# the same state directory (two containers on one volume) both ran.  Here
# without VECTIS_HOME, as another user, one state dir, two runtime dirs.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	vx shutdown >/dev/null
	wait_until 5 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
	MASTER_PID=
	x=$T_HOME/xdg
	chmod 711 "$T_HOME"
	mkdir -p "$x/conf" "$x/state" "$x/run1" "$x/run2"
	chown -R nobody "$x"
	chmod 700 "$x/run1" "$x/run2"
	mkdir -p "$x/conf/vectis"
	echo 'SYNC_LISTEN=off' >"$x/conf/vectis/worker.conf"
	chown -R nobody "$x/conf"
	chmod 600 "$x/conf/vectis/worker.conf"
	# XDG paths of user nobody with runtime dir $1; exec keeps the pid.
	asnobody() {
		exec env -u VECTIS_HOME XDG_CONFIG_HOME="$x/conf" \
		    XDG_STATE_HOME="$x/state" XDG_RUNTIME_DIR="$1" HOME="$x" \
		    VECTIS_SHIM="$VECTIS_SHIM" setpriv --reuid nobody \
		    --regid nogroup --clear-groups "$VECTIS_BIN" "${@:2}"
	}
	(asnobody "$x/run1" run >"$T_HOME/m1.out" 2>&1) &
	m1=$!
	T_PIDS="$T_PIDS $m1"
	wait_until 5 sh -c "[ -s $x/state/vectis/master.lock ]" ||
	    fail "first XDG master not up: $(cat "$T_HOME/m1.out")"
	[ "$(head -1 "$x/state/vectis/master.lock")" = "$m1" ] ||
	    fail "master.lock names $(head -1 "$x/state/vectis/master.lock"), not $m1"
	(asnobody "$x/run2" run >"$T_HOME/m2.out" 2>&1) &
	m2=$!
	T_PIDS="$T_PIDS $m2"
	wait_until 10 sh -c "! kill -0 $m2" || fail "a second master on the same state dir runs"
	wait "$m2"
	rc=$?
	[ "$rc" = 1 ] || fail "the second master exited $rc: $(cat "$T_HOME/m2.out")"
	grep -q 'another master' "$T_HOME/m2.out" || fail "second master said: $(cat "$T_HOME/m2.out")"
	kill -TERM "$m1"
	wait_until 5 sh -c "! kill -0 $m1" || fail "XDG master did not exit"
	t_log "same state dir, other runtime dir: the second master exits 1"
fi
