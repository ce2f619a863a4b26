# failures.sh: crash loops end in ERROR with stderr in last_error; commands
# that cannot be executed go to ERROR at once, with no restart storm.
. "$VECTIS_TESTLIB"

start_master
cat >"$T_HOME/t.json" <<J
[
 {"name": "crashy", "autostart": false,
  "command": ["sh", "-c", "echo starting; echo \"Error: Cannot find module 'bot.js'\" >&2; exit 1"],
  "restart": {"max_restarts": 3, "backoff_initial_ms": 10}},
 {"name": "missing", "autostart": false, "command": ["/nonexistent/bot"]},
 {"name": "noexec", "autostart": false, "command": ["$T_HOME/t.json"]},
 {"name": "badcwd", "autostart": false, "command": ["sleep", "1000"],
  "cwd": "/nonexistent-dir"},
 {"name": "nouser", "autostart": false, "command": ["sleep", "1000"],
  "user": "vx-no-such-user"},
 {"name": "once", "autostart": false, "command": ["true"]},
 {"name": "never", "autostart": false, "command": ["false"],
  "restart": {"policy": "never"}},
 {"name": "flaky", "autostart": false,
  "command": ["sh", "-c", "test -f $T_HOME/ok || { echo not yet >&2; exit 3; }; exec sleep 1000"],
  "restart": {"max_restarts": 1, "backoff_initial_ms": 10}}
]
J
vx apply "$T_HOME/t.json" >/dev/null || fail "apply"

vx start crashy >/dev/null
wait_until 5 is crashy state fatal || fail "crashy not fatal"
is crashy status ERROR || fail "crashy not ERROR"
is crashy restarts 3 || fail "crashy restarts != 3"
field crashy last_error | grep -q "exited with status 1 (3 restarts in 300 s, giving up): Error: Cannot find module 'bot.js'" ||
    fail "crashy last_error: $(field crashy last_error)"
[ "$(db "SELECT status || '|' || state FROM worker_process WHERE name='crashy'")" = "ERROR|fatal" ] ||
    fail "crashy row not ERROR|fatal"
db "SELECT last_error FROM worker_process WHERE name='crashy'" | grep -q "Cannot find module" ||
    fail "crashy last_error not in the database"
grep -q "^.*Z err Error: Cannot find module 'bot.js'" "$T_HOME/logs/crashy.log" ||
    fail "stderr not captured in logs/crashy.log"
grep -q "Z out starting" "$T_HOME/logs/crashy.log" || fail "stdout not captured"
t_log "crash loop -> ERROR/fatal after 3 restarts, stderr in last_error"

# Cannot be executed: ERROR at once, start says so, no restart storm.
expect_fail 1 "missing: cannot exec '/nonexistent/bot': No such file or directory" vx start missing
is missing state fatal || fail "missing not fatal"
is missing restarts 0 || fail "missing was restarted"
[ "$(db "SELECT count(*) FROM event WHERE tenant='missing' AND kind='starting'")" = 1 ] ||
    fail "missing was started more than once"
expect_fail 1 "Permission denied" vx start noexec
expect_fail 1 "cannot change directory to '/nonexistent-dir'" vx start badcwd
expect_fail 1 "no such user" vx start nouser
t_log "unexecutable commands -> ERROR at once"

# exit 0 under on-failure -> exited/STOPPED; failure under never -> fatal.
vx start once >/dev/null
wait_until 3 is once state exited || fail "once not exited"
is once status STOPPED || fail "once not STOPPED"
vx start never >/dev/null
wait_until 3 is never state fatal || fail "never not fatal"
field never last_error | grep -q "restart policy never" || fail "never last_error"

# restart of an ERROR tenant resets it.
vx start flaky >/dev/null
wait_until 5 is flaky state fatal || fail "flaky not fatal"
touch "$T_HOME/ok"
vx restart flaky >/dev/null || fail "restart flaky"
is flaky state running || fail "flaky not running after restart"
is flaky restarts 0 || fail "flaky restarts not reset"
[ "$(field flaky last_error)" = null ] || fail "flaky last_error not cleared"
t_log "restart of an ERROR tenant resets it"

# the master survived all of it
vx list >/dev/null || fail "master gone"

# Regression: a start still waiting when the master shut down exited 0.
vx add slowpoke --notify pipe --no-autostart -- sleep 1000 >/dev/null || fail "add slowpoke"
vx start slowpoke >"$T_HOME/slow.out" 2>"$T_HOME/slow.err" &
waiter=$!
wait_until 3 is slowpoke state starting || fail "slowpoke not starting"
vx shutdown >/dev/null || fail "shutdown"
wait "$waiter"
rc=$?
[ "$rc" = 1 ] || fail "interrupted start exited $rc"
grep -q "master shut down before the request completed" "$T_HOME/slow.err" ||
    fail "interrupted start said: $(cat "$T_HOME/slow.err")"
MASTER_PID=
t_log "a start cut short by shutdown fails clearly"
exit 0
