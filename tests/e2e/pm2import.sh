# pm2import.sh: import-pm2 on the output of a real PM2 (tests/fixtures/pm2):
# the conversion, its warnings, --apply into a running master, bad input.
. "$VECTIS_TESTLIB"

fx=$(cd "$VECTIS_SRCDIR/tests/fixtures/pm2" 2>/dev/null && pwd -P) ||
    skip "no tests/fixtures/pm2 in $VECTIS_SRCDIR"
[ -f "$fx/jlist.json" ] || skip "no fixture $fx/jlist.json"

# The jlist, as PM2 itself resolved every app.
vx import-pm2 "$fx/jlist.json" >"$T_HOME/jl.json" 2>"$T_HOME/jl.err" ||
    fail "import-pm2 jlist.json: $(cat "$T_HOME/jl.err")"
jq -e 'length == 7' "$T_HOME/jl.json" >/dev/null || fail "not 7 tenants"
[ "$(jq -r '[.[].name] | sort | join(" ")' "$T_HOME/jl.json")" = \
    "api-0 api-1 bot-a job-0 job-1 queue-worker sleeper" ] ||
    fail "names: $(jq -c '[.[].name]' "$T_HOME/jl.json")"
q() { jq -e --arg n "$1" ".[] | select(.name == \$n) | $2" \
    "$T_HOME/$3.json" >/dev/null || fail "$3: $1: $2"; }
q bot-a '.command == ["node", "--max-old-space-size=256",
    "/work/main/tests/fixtures/pm2/apps/bot.js", "--tenant", "a"]' jl
q bot-a '.env.NODE_ENV == "production" and .env.API_URL ==
    "http://127.0.0.1:9/api" and .env.RETRIES == "3"' jl
q bot-a '.env | has("PM2_HOME") or has("unique_id") or has("PWD") or
    has("bot-a") | not' jl
q bot-a '.restart == {"policy": "always", "max_restarts": 5,
    "backoff_initial_ms": 200, "backoff_max_ms": 15000, "min_uptime_s": 10}' jl
q bot-a '.stop == {"signal": "SIGINT", "timeout_s": 5}' jl
q bot-a '.limits.max_memory_restart_bytes == 314572800' jl
q queue-worker '.command == ["python3", "-u",
    "/work/main/tests/fixtures/pm2/apps/worker.py", "--queue", "high prio",
    "--verbose"]' jl
q queue-worker '.restart.backoff_initial_ms == 3000 and
    .restart.backoff_max_ms == 3000 and .restart.max_restarts == 16' jl
q api-1 '.env.NODE_APP_INSTANCE == "1" and
    .limits.max_memory_restart_bytes == 1073741824' jl
q api-0 '.restart.cron == "0 3 * * *"' jl
q api-1 '.restart.cron == "0 3 * * *"' jl
q job-0 '.restart.policy == "never" and .stop.timeout_s == 1 and
    .command[0] == "bash"' jl
q sleeper '.autostart == false and .restart.policy == "on-failure" and
    .command == ["/usr/bin/sleep", "1000"]' jl
for w in "app 'api': exec_mode: cluster mode" \
    "app 'Queue Worker': name: not a tenant name; imported as 'queue-worker'" \
    "app 'Queue Worker': watch:" \
    "app 'bot-a': out_file: '/work/tmp/pm2/logs/bot-a.out.log'" \
    "app 'job': instances: 2 instances become 2 tenants job-0 .. job-1"; do
	grep -qF "vectis-supervisor: warning: $w" "$T_HOME/jl.err" ||
	    fail "no warning '$w': $(cat "$T_HOME/jl.err")"
done
grep -q "cron_restart" "$T_HOME/jl.err" &&
    fail "cron_restart warned about: $(cat "$T_HOME/jl.err")"
t_log "jlist: 7 tenants, every mapping and warning as expected"

# The ecosystem file, converted here, must agree with what PM2 made of it
# (the jlist), but for the shell's variables and the binary's resolved path.
(cd "$fx" && vx import-pm2 ecosystem.json --env production) \
    >"$T_HOME/eco.json" 2>"$T_HOME/eco.err" ||
    fail "import-pm2 ecosystem.json: $(cat "$T_HOME/eco.err")"
norm='map(del(.env.HOME, .env.PATH, .env.LANG) |
    if .name == "sleeper" then del(.command, .autostart) else . end |
    .cwd |= sub("^.*/tests/fixtures/pm2"; "FX") |
    .command |= (if . then map(sub("^.*/tests/fixtures/pm2"; "FX")) else . end))
    | sort_by(.name)'
jq -S "$norm" "$T_HOME/eco.json" >"$T_HOME/eco.norm"
jq -S "$norm" "$T_HOME/jl.json" >"$T_HOME/jl.norm"
diff -u "$T_HOME/jl.norm" "$T_HOME/eco.norm" >"$T_HOME/diff" ||
    fail "ecosystem and jlist disagree: $(cat "$T_HOME/diff")"
vx import-pm2 - --env production <"$fx/ecosystem.json" >"$T_HOME/stdin.json" \
    2>/dev/null || fail "import-pm2 - failed"
jq -e 'length == 7' "$T_HOME/stdin.json" >/dev/null || fail "stdin: not 7"
t_log "ecosystem.json --env production converts to what PM2 ran"

# Usage and input errors, before any master runs.
expect_fail 2 "FILE required" vx import-pm2
expect_fail 2 "--prune needs --apply" vx import-pm2 "$fx/jlist.json" --prune
expect_fail 2 "unexpected argument '--bogus'" vx import-pm2 x --bogus
expect_fail 1 "$T_HOME/nope.json: No such file or directory" \
    vx import-pm2 "$T_HOME/nope.json"
printf '{"apps": [{"name": "a", "script": "a.js",}]}' >"$T_HOME/bad.json"
expect_fail 1 "vectis-supervisor: $T_HOME/bad.json:1:" \
    vx import-pm2 "$T_HOME/bad.json" --apply
printf '{"apps": [{"name": "x", "script": "a.js", "min_uptime": "1.5s"}]}' \
    >"$T_HOME/badval.json"
expect_fail 1 "vectis-supervisor: app 'x': min_uptime: must be" \
    vx import-pm2 "$T_HOME/badval.json"
[ ! -s "$T_HOME/out" ] || fail "a failed import printed tenants"
expect_fail 3 "no master running" vx import-pm2 "$fx/jlist.json" --apply
t_log "usage 2, bad input 1 (file:line:col, app and field), no master 3"

# --apply into a running master creates the tenants, and they run.
start_master
as=
if [ "$T_ROOT" = 1 ]; then
	# As root the master takes no tenant without a user: --user says.
	(cd "$fx" && vx import-pm2 ecosystem.json --apply) >"$T_HOME/out" \
	    2>"$T_HOME/err"
	[ $? = 1 ] && grep -qF '"user" is required' "$T_HOME/err" ||
	    fail "root master took tenants without user: $(cat "$T_HOME/err")"
	[ "$(vx list --json | jq length)" = 0 ] || fail "refused, yet applied"
	as="--user root"
fi
# shellcheck disable=SC2086
(cd "$fx" && vx import-pm2 ecosystem.json --env production $as --apply) \
    >"$T_HOME/apply.out" 2>"$T_HOME/apply.err" ||
    fail "--apply: $(cat "$T_HOME/apply.err")"
[ "$(grep -c ': created$' "$T_HOME/apply.out")" = 7 ] ||
    fail "--apply did not create 7: $(cat "$T_HOME/apply.out")"
grep -qF "warning: app 'api': exec_mode" "$T_HOME/apply.err" ||
    fail "--apply printed no warnings"
[ "$(vx list --json | jq -r '[.[].name] | sort | join(" ")')" = \
    "api-0 api-1 bot-a job-0 job-1 queue-worker sleeper" ] ||
    fail "list --json: $(vx list --json)"
vx export | jq -e '.[] | select(.name == "queue-worker") |
    .restart.backoff_max_ms == 3000 and .stop.signal == "SIGINT"' \
    >/dev/null || fail "export lacks the imported restart/stop"
wait_until 10 is queue-worker state running || fail "queue-worker not running"
wait_until 10 is job-1 state running || fail "job-1 not running"
pid=$(field queue-worker pid)
# No shell in between: the argv PM2 had, quoted argument intact.
[ "$(tr '\0' '|' <"/proc/$pid/cmdline")" = \
    "python3|-u|$fx/apps/worker.py|--queue|high prio|--verbose|" ] ||
    fail "queue-worker argv: $(tr '\0' '|' <"/proc/$pid/cmdline")"
tr '\0' '\n' <"/proc/$pid/environ" | grep -qx 'PYTHONUNBUFFERED=1' ||
    fail "queue-worker lacks PYTHONUNBUFFERED"
tr '\0' '\n' <"/proc/$(field job-1 pid)/environ" |
    grep -qx 'NODE_APP_INSTANCE=1' || fail "job-1 lacks NODE_APP_INSTANCE=1"
is sleeper state running || wait_until 5 is sleeper state running ||
    fail "sleeper (autostart in the ecosystem) not running"
if command -v node >/dev/null 2>&1; then
	wait_until 10 is bot-a state running || fail "bot-a not running"
	tr '\0' '\n' <"/proc/$(field bot-a pid)/environ" |
	    grep -qx 'NODE_ENV=production' || fail "bot-a: NODE_ENV"
	t_log "node tenants run too"
fi
t_log "--apply created 7 tenants; they run with PM2's argv and env"

# A failed import applies nothing.
n=$(db "SELECT count(*) FROM event")
expect_fail 1 "bad.json:1:" vx import-pm2 "$T_HOME/bad.json" --apply
expect_fail 1 "app 'x': min_uptime:" vx import-pm2 "$T_HOME/badval.json" \
    --apply
[ "$(db "SELECT count(*) FROM event")" = "$n" ] ||
    fail "a failed import changed something"
[ "$(vx list --json | jq length)" = 7 ] || fail "tenant count changed"

# --apply --prune from stdin replaces them all.
# shellcheck disable=SC2086
printf '{"apps": [{"name": "solo", "script": "sleep", "args": "300",
    "interpreter": "none", "autostart": false}]}' |
    vx import-pm2 - $as --apply --prune >"$T_HOME/prune.out" 2>&1 ||
    fail "--apply --prune: $(cat "$T_HOME/prune.out")"
grep -qx 'solo: created' "$T_HOME/prune.out" || fail "solo not created"
[ "$(grep -c ': removed$' "$T_HOME/prune.out")" = 7 ] ||
    fail "prune: $(cat "$T_HOME/prune.out")"
[ "$(vx list --json | jq -r '[.[].name] | join(" ")')" = solo ] ||
    fail "after prune: $(vx list --json)"
[ -z "$(group_members "$pid")" ] || fail "queue-worker's group survived"
t_log "--apply --prune from stdin left only solo; pruned workers are gone"
exit 0
