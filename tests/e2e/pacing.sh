# pacing.sh: start pacing (SPEC section 5): starts the master makes (boot,
# start --all, restart --all) wait in "queued" for one of START_CONCURRENCY
# slots, held until READY=1; an operator's start of one tenant is not
# queued.  Also review M9: a spawn error (a missing cwd) is re-armed by
# retry_after_s instead of staying fatal for ever.
. "$VECTIS_TESTLIB"

echo "START_CONCURRENCY=2" >"$T_HOME/supervisor.conf"
start_master
# Ready only once $T_HOME/go exists: each holds its start slot until then.
slow='while [ ! -f '"$T_HOME"'/go ]; do sleep 0.05; done; echo READY=1 >&$VECTIS_NOTIFY_FD; exec sleep 1000'
{
	echo '['
	for i in 1 2 3 4 5 6; do
		printf '{"name": "b%s", "autostart": false, "notify": "pipe",' "$i"
		printf ' "start_timeout_s": 300, "command": ["sh", "-c", "%s"]},\n' "$slow"
	done
	printf '{"name": "solo", "autostart": false, "notify": "pipe",'
	printf ' "start_timeout_s": 300, "command": ["sh", "-c", "%s"]}\n' "$slow"
	echo ']'
} >"$T_HOME/t.json"
vx apply "$T_HOME/t.json" >/dev/null || fail "apply"

counts() {
	vx list --json | jq -r '[.[] | select(.name != "solo") | .state] |
	    "\(map(select(. == "starting")) | length) \(map(select(. == "queued")) | length)"'
}
timeout 120 "$VECTIS_BIN" start b1 b2 b3 b4 b5 b6 >"$T_HOME/start.out" 2>&1 &
start_pid=$!
T_PIDS="$T_PIDS $start_pid"
ok=0
for _ in $(seq 1 900); do
	[ "$(counts)" = "2 4" ] && { ok=1; break; }
	sleep 0.1
done
[ "$ok" = 1 ] || fail "wanted 2 starting and 4 queued, got '$(counts)'"
is b6 status STOPPED || fail "a queued tenant's status is not STOPPED"
[ "$(db "SELECT count(*) FROM worker_process WHERE state='queued'")" = 4 ] ||
    fail "queued not recorded in the database"
t_log "start of 6 tenants with START_CONCURRENCY=2: 2 starting, 4 queued"

# One tenant started by an operator does not wait behind the queue.
timeout 120 "$VECTIS_BIN" start solo >/dev/null 2>&1 &
T_PIDS="$T_PIDS $!"
wait_until 30 is solo state starting || fail "solo was queued behind the others"
[ "$(counts)" = "2 4" ] || fail "solo took a queued tenant's place: $(counts)"
t_log "an operator's start of one tenant is not queued"

# Release them: the queue drains, never more than 2 (+ solo) at once.
touch "$T_HOME/go"
max=0
for _ in $(seq 1 1800); do
	set -- $(counts)
	[ "$1" -gt "$max" ] && max=$1
	[ "$1" = 0 ] && [ "$2" = 0 ] && break
	sleep 0.05
done
[ "$max" -le 2 ] || fail "$max tenants starting at once"
wait "$start_pid" || fail "start of 6 failed: $(cat "$T_HOME/start.out")"
for i in 1 2 3 4 5 6; do is "b$i" state running || fail "b$i not running"; done
t_log "the queue drained; at most $max starting at once"

# Review M9: a missing cwd is fatal, then retried after retry_after_s.
cat >"$T_HOME/m9.json" <<J
[{"name": "latecwd", "autostart": false, "command": ["sleep", "1000"],
  "cwd": "$T_HOME/later", "restart": {"retry_after_s": 2}}]
J
vx apply "$T_HOME/m9.json" >/dev/null || fail "apply m9"
vx start latecwd >/dev/null 2>&1
wait_until 30 is latecwd state fatal || fail "latecwd not fatal"
mkdir "$T_HOME/later"
wait_until 30 is latecwd state running ||
    fail "latecwd not re-armed by retry_after_s: $(field latecwd state)"
t_log "a spawn error is retried after retry_after_s (review M9)"

# Bad START_CONCURRENCY: reload says what is wrong, the master keeps its
# setting and keeps answering.
for bad in 0 -1 many 100000; do
	echo "START_CONCURRENCY=$bad" >"$T_HOME/supervisor.conf"
	expect_fail 1 "START_CONCURRENCY" "$VECTIS_BIN" reload
done
vx list >/dev/null || fail "master gone after a bad reload"
t_log "a bad START_CONCURRENCY is refused at reload, the master runs on"
