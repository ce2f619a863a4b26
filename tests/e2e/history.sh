# history.sh: pins review M5: one tenant flooding SESSION=/LAST_ERROR= made
# one commit per line (about 20k a second) and the global event trim wiped
# every other tenant's history.  Now reports are batched and their events
# limited per tenant (the rest summarised), and retention is per tenant.
. "$VECTIS_TESTLIB"

# ping KEY: one field of the control socket's ping answer.
ping() {
	python3 - "$VECTIS_HOME/control.sock" "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(30); s.connect(sys.argv[1])
s.sendall(b'{"v":1,"cmd":"ping"}\n'); d = b""
while not d.endswith(b"\n"): d += s.recv(65536)
print(json.dumps(json.loads(d)["result"][sys.argv[2]]))
PY
}

# events NAME: how many history rows NAME has in the database.
events() {
	db "select count(*) from event where tenant='$1'"
}

echo 'EVENT_KEEP=100' >"$VECTIS_HOME/supervisor.conf"
start_master
vx add quiet -- sleep 1000 >/dev/null || fail "add quiet"
wait_until 30 is quiet state running || fail "quiet not running"
vx stop quiet >/dev/null || fail "stop quiet"
vx start quiet >/dev/null || fail "start quiet"
q0=$(events quiet)
first=$(db "select min(id) from event where tenant='quiet'")
[ "$q0" -ge 4 ] || fail "quiet has only $q0 events"

# Phase 1: a flood of session changes and errors on the notify pipe.
cat >"$T_HOME/flood.json" <<J
[{"name": "flood", "notify": "pipe", "command": ["sh", "-c",
  "echo READY=1 >&\$VECTIS_NOTIFY_FD; while :; do printf 'SESSION=CONNECTED\\\\nSESSION=DISCONNECTED\\\\nLAST_ERROR=auth failed\\\\n'; done >&\$VECTIS_NOTIFY_FD"]}]
J
vx apply "$T_HOME/flood.json" >/dev/null || fail "apply flood"
wait_until 30 is flood state running || fail "flood not running"
c0=$(ping store_commits)
s0=$(date +%s)
sleep 4		# a measurement window, not a synchronisation
c1=$(ping store_commits)
rate=$(((c1 - c0) / ($(date +%s) - s0)))
# A wide bound: the flood writes thousands of lines a second.
[ "$rate" -lt 50 ] || fail "$rate commits a second during the flood"
[ "$(events quiet)" = "$q0" ] || fail "quiet's history went from $q0 to $(events quiet) events"
# Until the flood has been summarised a few times (a flush every 2 s).
wait_until 60 sh -c "[ \$(sqlite3 -cmd '.timeout 2000' '$T_HOME/vectis.db' \
    \"select count(*) from event where tenant='flood' and kind='suppressed'\") -ge 3 ]" ||
    fail "the flood was never summarised"
c1=$(ping store_commits)
secs=$(($(date +%s) - s0 + 1))
left=$(db "select coalesce(sum(cast(detail as integer)), 0) from event
    where tenant='flood' and kind='suppressed'")
nf=$(events flood)
t_log "flood: $((c1 - c0)) commits in about $secs s, $nf events kept, $left changes summarised"
[ "$left" -gt 1000 ] || fail "only $left changes summarised: no flood?"
[ $(((c1 - c0) / secs)) -lt 50 ] || fail "$((c1 - c0)) commits in $secs s"
[ "$nf" -lt $((20 * secs + 20)) ] || fail "$nf flood events in $secs s"
[ "$(events quiet)" = "$q0" ] || fail "quiet's history went from $q0 to $(events quiet) events"
is quiet state running || fail "quiet disturbed"
# The batched columns reach the row.
wait_until 30 sh -c "[ \"\$(sqlite3 -cmd '.timeout 2000' '$T_HOME/vectis.db' \
    \"select last_error from worker_process where name='flood'\")\" = 'auth failed' ]" ||
    fail "last_error never reached the row"
vx stop flood >/dev/null || fail "stop flood"
want=$(field flood session_state)
wait_until 30 sh -c "[ \"\$(sqlite3 -cmd '.timeout 2000' '$T_HOME/vectis.db' \
    \"select session_state from worker_process where name='flood'\")\" = '$want' ]" ||
    fail "session_state never reached the row"

# Phase 2: a restart storm trims its own history, never quiet's.
vx apply /dev/stdin >/dev/null <<J || fail "apply storm"
[{"name": "storm", "command": ["sh", "-c", "exit 1"],
  "restart": {"max_restarts": 100000, "backoff_initial_ms": 10,
   "backoff_max_ms": 10}}]
J
wait_until 120 sh -c "$VECTIS_BIN list --json |
    jq -e '.[] | select(.name == \"storm\") | .restarts >= 150'" ||
    fail "storm did not restart 150 times"
vx stop storm >/dev/null || fail "stop storm"
ns=$(events storm)
t_log "storm: $(field storm restarts) restarts, $ns events kept of EVENT_KEEP=100"
# At least a backoff per restart was written; at most a trim's worth over.
[ "$ns" -le 300 ] || fail "storm kept $ns events (EVENT_KEEP=100)"
[ "$ns" -ge 100 ] || fail "storm kept only $ns events"
[ "$(events quiet)" = "$q0" ] || fail "quiet's history went from $q0 to $(events quiet) events"
[ "$(db "select min(id) from event where tenant='quiet'")" = "$first" ] ||
    fail "quiet lost its oldest event"
vx history quiet --json --limit 1000 | jq -e "length == $q0" >/dev/null ||
    fail "history quiet does not show its $q0 events"
exit 0
