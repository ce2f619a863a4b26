# cycle.sh: planned restarts (SPEC 4, restart.max_age_s and restart.cron):
# a worker older than max_age_s is restarted on purpose: not a crash (the
# restart count and last_error stay), shown in history; bad schedules are
# refused with a clear error.
. "$VECTIS_TESTLIB"

start_master
cat >"$T_HOME/t.json" <<J
[{"name": "aging", "command": ["sleep", "1000"],
  "restart": {"min_uptime_s": 1, "max_age_s": 3, "max_restarts": 1}}]
J
vx apply "$T_HOME/t.json" >/dev/null || fail "apply"
wait_until 30 is aging state running || fail "aging not running"
pid1=$(field aging pid)
# Three ages in a row: more than max_restarts, so a crash count would show.
for n in 1 2 3; do
	wait_until 60 sh -c "p=\$('$VECTIS_BIN' list --json | jq -r '.[0].pid');
	    [ \"\$p\" != null ] && [ \"\$p\" != '$pid1' ]" ||
	    fail "no planned restart $n"
	wait_until 30 is aging state running || fail "aging not running after restart $n"
	pid1=$(field aging pid)
done
is aging restarts 0 || fail "planned restarts counted as crashes: $(field aging restarts)"
is aging last_error null || fail "last_error set: $(field aging last_error)"
vx history aging >"$T_HOME/h" || fail "history"
grep -q "max_age_s 3 reached" "$T_HOME/h" || fail "history lacks the reason: $(cat "$T_HOME/h")"
t_log "max_age_s restarts the worker on purpose, not as a crash"

# Bad schedules: each a clear error, nothing changed.
for bad in '"0 0 31 2 *"' '"61 * * * *"' '"* * *"' '"not a cron"'; do
	printf '[{"name": "badcron", "command": ["sleep", "1"], "restart": {"cron": %s}}]\n' \
	    "$bad" >"$T_HOME/b.json"
	expect_fail 1 "cron" "$VECTIS_BIN" apply "$T_HOME/b.json"
done
printf '[{"name": "young", "command": ["sleep", "1"], "restart": {"min_uptime_s": 10, "max_age_s": 5}}]\n' >"$T_HOME/b.json"
expect_fail 1 "max_age_s" "$VECTIS_BIN" apply "$T_HOME/b.json"
[ "$(vx list --json | jq length)" = 1 ] || fail "a bad spec was applied"
printf '[{"name": "nightly", "autostart": false, "command": ["sleep", "1"], "restart": {"cron": "30 4 * * *"}}]\n' >"$T_HOME/c.json"
vx apply "$T_HOME/c.json" >/dev/null || fail "a good cron was refused"
vx export | jq -e '.[] | select(.name == "nightly") | .restart.cron == "30 4 * * *"' >/dev/null ||
    fail "cron not in export"
t_log "bad cron expressions and max_age_s < min_uptime_s are refused"
