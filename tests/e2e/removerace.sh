# removerace.sh: review M4: an apply racing a pending remove answered
# "updated" and then the removal deleted the tenant and its new spec; a
# start during a pending remove made the remove wait for ever.  Now the
# newer spec wins and the remove fails saying so; a start is refused.
. "$VECTIS_TESTLIB"

start_master
cat >"$T_HOME/x.json" <<J
[{"name": "x", "command": ["sh", "-c", "trap '' TERM; exec sleep 1000"],
  "stop": {"timeout_s": 3}}]
J
vx apply "$T_HOME/x.json" >/dev/null || fail "apply"
wait_until 30 is x state running || fail "x not running"

"$VECTIS_BIN" remove x >"$T_HOME/rm.out" 2>"$T_HOME/rm.err" &
rm_pid=$!
T_PIDS="$T_PIDS $rm_pid"
wait_until 30 is x state stopping || fail "x not stopping"
expect_fail 1 "being removed" "$VECTIS_BIN" start x
sed 's/1000/1001/' "$T_HOME/x.json" >"$T_HOME/x2.json"
vx apply "$T_HOME/x2.json" >"$T_HOME/apply.out" 2>&1 || fail "apply during remove failed"
grep -q updated "$T_HOME/apply.out" || fail "apply: $(cat "$T_HOME/apply.out")"
wait "$rm_pid"
rc=$?
[ "$rc" = 1 ] || fail "remove exited $rc: $(cat "$T_HOME/rm.out" "$T_HOME/rm.err")"
grep -q "newer spec" "$T_HOME/rm.err" || fail "remove said: $(cat "$T_HOME/rm.err")"
wait_until 30 is x state stopped || fail "x gone or not stopped: $(vx list)"
[ "$(db "SELECT count(*) FROM tenant_spec WHERE name='x' AND spec LIKE '%1001%'")" = 1 ] ||
    fail "new spec not in the database"
t_log "apply during a pending remove: the spec is kept, remove fails saying why"

# A plain remove still works afterwards, and start works once it is gone.
vx remove x >/dev/null || fail "second remove"
[ "$(db "SELECT count(*) FROM tenant_spec WHERE name='x'")" = 0 ] || fail "x not removed"
t_log "remove after the cancelled one removes"
