# lifecycle.sh: add, start --all, crash restart, stop, restart, desired state.
. "$VECTIS_TESTLIB"

start_master
for n in a b c; do
	vx add "$n" --no-autostart -- sleep 1000 >/dev/null || fail "add $n"
done
vx start --all >/dev/null || fail "start --all"
for n in a b c; do
	is "$n" status RUNNING || fail "$n not RUNNING"
	alive "$(field "$n" pid)" || fail "$n pid not alive"
	[ "$(db "SELECT status || ' ' || pid FROM worker_process WHERE name='$n'")" = \
	    "RUNNING $(field "$n" pid)" ] || fail "$n: worker_process disagrees"
done
t_log "3 tenants RUNNING, database agrees"

# kill -9 of a worker: a new pid and restarts = 1.
old=$(field a pid)
kill -KILL "$old"
wait_until 30 sh -c "[ \"\$($VECTIS_BIN list --json | jq -r '.[] | select(.name==\"a\") | .pid')\" != $old ] && \
    [ \"\$($VECTIS_BIN list --json | jq -r '.[] | select(.name==\"a\") | .state')\" = running ]" ||
    fail "a not restarted"
is a restarts 1 || fail "a restarts != 1"
alive "$(field a pid)" || fail "a new pid not alive"
vx status a --json | jq -e '.last_error | test("killed by signal SIGKILL")' >/dev/null ||
    fail "last_error does not name SIGKILL"
t_log "kill -9 restarted a with restarts=1"

# stop takes down the whole group, even a grandchild that ignores SIGTERM.
cat >"$T_HOME/stubborn.json" <<J
[{"name": "stubborn", "autostart": false,
  "command": ["sh", "-c", "trap '' TERM; sleep 1000 & sleep 1000 & wait"],
  "stop": {"timeout_s": 1}}]
J
vx apply "$T_HOME/stubborn.json" >/dev/null || fail "apply stubborn"
vx start stubborn >/dev/null || fail "start stubborn"
pg=$(field stubborn pid)
wait_until 2 sh -c "[ \$(ps -e -o pgid= | awk -v g=$pg '\$1==g' | wc -l) -ge 3 ]" ||
    fail "stubborn group did not grow"
vx stop stubborn >/dev/null || fail "stop stubborn"
is stubborn status STOPPED || fail "stubborn not STOPPED"
[ -z "$(group_members "$pg")" ] || fail "processes left in group $pg: $(group_members "$pg")"
t_log "stop killed the whole group (TERM ignored, KILL after 1 s)"

# stop of a plain tenant; desired state survives a master restart.
vx stop b >/dev/null || fail "stop b"
is b state stopped || fail "b not stopped"
[ "$(db "SELECT desired FROM tenant_spec WHERE name='b'")" = stopped ] ||
    fail "desired state not persisted"
# Regression: shutdown used to answer at once, before workers were stopped.
apid=$(field a pid)
[ "$(vx shutdown)" = stopped ] || fail "shutdown did not answer 'stopped'"
alive "$apid" && fail "shutdown returned while a's worker was alive"
wait_until 5 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
[ "$(db "SELECT count(*) FROM worker_process WHERE status='RUNNING'")" = 0 ] ||
    fail "rows still RUNNING after shutdown"
start_master
wait_until 2 sh -c "[ \"\$($VECTIS_BIN list --json | jq -r '[.[] | select(.state==\"running\")] | length')\" = 2 ]" ||
    fail "a and c not back after master restart"
is b state stopped || fail "b started although it was stopped"
is stubborn state stopped || fail "stubborn started"
t_log "desired state survived a master restart"

# restart of a running tenant gives a new pid; start of a running one is a no-op.
old=$(field c pid)
vx restart c >/dev/null || fail "restart c"
[ "$(field c pid)" != "$old" ] || fail "restart kept the pid"
is c restarts 0 || fail "operator restart counted as a crash"
pid=$(field c pid)
vx start c >/dev/null || fail "start running c"
[ "$(field c pid)" = "$pid" ] || fail "start of a running tenant restarted it"

# Regression: an operator restart of a running tenant kept last_error.
vx apply /dev/stdin >/dev/null <<J || fail "apply talker"
[{"name": "talker", "command": ["sh", "-c", "test -f $T_HOME/said || { echo LAST_ERROR=auth failed >&\$VECTIS_NOTIFY_FD; touch $T_HOME/said; }; exec sleep 1000"]}]
J
wait_until 2 sh -c "$VECTIS_BIN status talker --json | jq -e '.last_error == \"auth failed\"'" ||
    fail "LAST_ERROR did not reach last_error"
# last_error reaches the database with the next batched flush (SPEC 7).
wait_until 30 sh -c "[ \"\$(sqlite3 -cmd '.timeout 2000' '$T_HOME/vectis.db' \"SELECT last_error FROM worker_process WHERE name='talker'\")\" = 'auth failed' ]" ||
    fail "LAST_ERROR not in the database"
vx restart talker >/dev/null || fail "restart talker"
[ "$(field talker last_error)" = null ] || fail "restart kept last_error"

# Regression: apply --prune that also created tenants crashed the master.
vx export | jq '[.[] | select(.name == "a")] + [{"name": "fresh", "command": ["sleep", "1000"]}]' \
    >"$T_HOME/prune.json"
vx apply --prune "$T_HOME/prune.json" >"$T_HOME/prune.out" || fail "apply --prune"
grep -q "fresh: created" "$T_HOME/prune.out" || fail "fresh not created"
grep -q "b: removed" "$T_HOME/prune.out" || fail "b not pruned"
[ "$(vx list --json | jq -r '[.[].name] | join(",")')" = "a,fresh" ] ||
    fail "after prune: $(vx list --json | jq -c '[.[].name]')"
kill -0 "$MASTER_PID" || fail "master died in apply --prune"
vx add c -- sleep 1000 >/dev/null || fail "re-add c"
wait_until 2 is c state running || fail "c not running"
pid=$(field c pid)

# remove stops and deletes; history keeps the events.
vx remove c >/dev/null || fail "remove c"
alive "$pid" && fail "removed tenant's worker still alive"
[ "$(vx list --json | jq 'map(select(.name=="c")) | length')" = 0 ] || fail "c still listed"
[ "$(db "SELECT count(*) FROM worker_process WHERE name='c'")" = 0 ] || fail "c row left"
expect_fail 4 "no such tenant" vx status c
t_log "restart, start, remove ok"
exit 0
