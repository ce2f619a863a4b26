# notify.sh: the worker protocol (vectis-notify(7)) over the pipe and over
# NOTIFY_SOCKET: readiness, start timeout, watchdog, session state,
# last_error, sd_notify clients, and bad input that must not hurt.
. "$VECTIS_TESTLIB"

start_master
cat >"$T_HOME/t.json" <<J
[
 {"name": "beater", "notify": "pipe", "heartbeat": {"timeout_s": 10},
  "command": ["sh", "-c", "echo READY=1 >&\$VECTIS_NOTIFY_FD; echo SESSION=QR_READY >&\$VECTIS_NOTIFY_FD; echo \"WD=\$WATCHDOG_USEC\"; while :; do echo WATCHDOG=1 >&\$VECTIS_NOTIFY_FD; sleep 0.3; done"]},
 {"name": "silent", "notify": "pipe", "heartbeat": {"timeout_s": 1},
  "command": ["sh", "-c", "echo READY=1 >&\$VECTIS_NOTIFY_FD; echo WATCHDOG=1 >&\$VECTIS_NOTIFY_FD; exec sleep 1000"],
  "restart": {"backoff_initial_ms": 5000}},
 {"name": "unready", "notify": "pipe", "start_timeout_s": 1,
  "command": ["sleep", "1000"], "restart": {"backoff_initial_ms": 5000}},
 {"name": "talker", "notify": "pipe",
  "command": ["sh", "-c", "printf 'READY=1\\\\nSESSION=CONNECTED\\\\nLAST_ERROR=auth failed: 401\\\\nSTATUS=serving 3 chats\\\\n' >&\$VECTIS_NOTIFY_FD; exec sleep 1000"]}
]
J
vx apply "$T_HOME/t.json" >/dev/null || fail "apply"

# Readiness and heartbeats.
wait_until 3 is beater state running || fail "beater not running"
[ "$(field beater ready)" = true ] || fail "beater not ready"
s1=$(vx status beater --json | jq -r .last_seen_at)
[ "$s1" != null ] || fail "no last_seen_at"
wait_until 3 sh -c "[ \"\$($VECTIS_BIN status beater --json | jq -r .last_seen_at)\" != '$s1' ]" ||
    fail "last_seen_at does not advance"
wait_until 4 sh -c "[ -n \"\$(sqlite3 $T_HOME/vectis.db \"select last_seen_at from worker_process where name='beater'\")\" ]" ||
    fail "last_seen_at never reached the database"
grep -q "out WD=10000000" "$T_HOME/logs/beater.log" || fail "WATCHDOG_USEC not set"
[ "$(field beater session_state)" = QR_READY ] || fail "SESSION not relayed"
t_log "heartbeats: running, last_seen_at advancing, WATCHDOG_USEC=10000000"

# A worker that stops beating is restarted with the watchdog reason.
wait_until 4 sh -c "$VECTIS_BIN status silent --json | jq -e '.restarts >= 1'" ||
    fail "silent not restarted"
# Restart 1 or a later one: the checks above may take seconds on a busy
# machine, and silent goes on being restarted every few seconds meanwhile.
field silent last_error | grep -Eq "^no heartbeat for 1 s \(restart [0-9]+ " ||
    fail "silent last_error: $(field silent last_error)"
is beater restarts 0 || fail "beater restarted although it beats"
t_log "watchdog restart: $(field silent last_error)"

# A worker that never says READY=1 is restarted after start_timeout_s.
wait_until 4 sh -c "$VECTIS_BIN status unready --json | jq -e '.restarts >= 1'" ||
    fail "unready not restarted"
field unready last_error | grep -q "^not ready after 1 s" || fail "unready last_error"

# SESSION, LAST_ERROR and STATUS reach status --json and the database.
wait_until 2 is talker session_state CONNECTED || fail "talker session"
[ "$(field talker last_error)" = "auth failed: 401" ] || fail "talker last_error"
[ "$(field talker status_text)" = "serving 3 chats" ] || fail "talker status"
is talker restarts 0 || fail "LAST_ERROR restarted the worker"
# Reports reach the row with the next batched flush (every 2 s).
talker_row() {
	[ "$(db "select session_state || '|' || last_error from worker_process where name='talker'")" = \
	    "CONNECTED|auth failed: 401" ]
}
wait_until 30 talker_row || fail "talker row"
t_log "SESSION, LAST_ERROR, STATUS relayed"

# Bad input: garbage, NULs, control characters, 1 MiB lines, READY x1000,
# and a 50 MB/s flood, while the master answers and others are fine.  The
# flood never ends, so a master it starved would not answer at all: each
# list gets a wide sanity bound, not a latency limit (that is a figure).
cat >"$T_HOME/bad.json" <<J
[{"name": "garbage", "notify": "pipe", "command": ["python3", "-c",
  "import os,sys\nfd=int(os.environ['VECTIS_NOTIFY_FD'])\nos.write(fd,b'READY=1\\\\n'*1000)\nos.write(fd,b'\\\\x00\\\\xff\\\\x01garbage\\\\nSTATUS=a\\\\x1b[31mred\\\\x07\\\\n=x\\\\nready=1\\\\n')\nos.write(fd,b'A'*(1<<20)+b'\\\\nSESSION=CONNECTED\\\\n')\nimport time\nblk=b'WATCHDOG=1 junk\\\\n'*4096\nend=time.time()+1000\nwhile time.time()<end: os.write(fd,blk)\n"]}]
J
vx apply "$T_HOME/bad.json" >/dev/null || fail "apply garbage"
wait_until 3 is garbage session_state CONNECTED || fail "line after 1 MiB of junk lost"
is garbage state running || fail "garbage not running"
vx status garbage --json | jq -e '.status_text | test("^a\\\\x1b\\[31mred\\\\x07$")' >/dev/null ||
    fail "control characters not escaped: $(vx status garbage --json | jq .status_text)"
vx status garbage --json | jq -e '.notify_errors > 1000' >/dev/null || fail "bad lines not counted"
worst=0
for i in $(seq 1 20); do
	t0=$(date +%s%N)
	timeout 60 "$VECTIS_BIN" list --json >/dev/null ||
	    fail "list failed or hung (60 s) during the flood"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$ms" -gt "$worst" ] && worst=$ms
done
is beater restarts 0 || fail "beater hurt by the flood"
is garbage restarts 0 || fail "garbage was restarted"
vx list >/dev/null || fail "table output broken"
t_log "flood: list --json worst $worst ms; other tenants unaffected"
vx stop garbage >/dev/null

# notify: systemd - the sd_notify datagram form.
if command -v systemd-notify >/dev/null; then
	cat >"$T_HOME/sd.json" <<J
[{"name": "sdn", "notify": "systemd", "start_timeout_s": 60,
  "command": ["sh", "-c", "sleep 0.2; systemd-notify --ready --status='up via systemd-notify'; exec sleep 1000"]},
 {"name": "lonely", "notify": "systemd", "start_timeout_s": 3600, "command": ["sleep", "1000"]}]
J
	vx apply "$T_HOME/sd.json" >/dev/null || fail "apply sd"
	wait_until 4 is sdn state running || fail "systemd-notify --ready did not make sdn ready"
	[ "$(field sdn status_text)" = "up via systemd-notify" ] || fail "sdn status"
	# Nobody outside a tenant's process group can speak for it.
	wait_until 2 is lonely state starting || fail "lonely not starting"
	addr=$(tr '\0' '\n' </proc/"$(field lonely pid)"/environ | sed -n 's/^NOTIFY_SOCKET=//p')
	[ -n "$addr" ] || fail "no NOTIFY_SOCKET in the worker's environment"
	NOTIFY_SOCKET=$addr systemd-notify --ready 2>/dev/null
	NOTIFY_SOCKET=$addr python3 -c "
import socket,os
s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b'READY=1', '\0' + os.environ['NOTIFY_SOCKET'][1:])"
	wait_until 2 grep -q "not of a notify: systemd worker" "$T_HOME/master.out" ||
	    fail "forged message not reported"
	is lonely state starting || fail "a stranger made lonely ready"
	t_log "notify: systemd via systemd-notify; strangers ignored"
else
	t_log "SKIP part: systemd-notify not installed"
fi

# A C daemon using libsystemd's sd_notify(3), with the watchdog.
if cc -o "$T_HOME/sd_client" "$VECTIS_SRCDIR/tests/helpers/sd_client.c" \
    $(pkg-config --cflags --libs libsystemd 2>/dev/null) 2>/dev/null; then
	cat >"$T_HOME/c.json" <<J
[{"name": "cclient", "notify": "systemd", "heartbeat": {"timeout_s": 2},
  "command": ["$T_HOME/sd_client"]}]
J
	vx apply "$T_HOME/c.json" >/dev/null || fail "apply cclient"
	wait_until 3 is cclient state running || fail "sd_notify client not ready"
	# Five pings, one a second: more than two watchdog periods, which it
	# survives only if they are honoured (an event, not a sleep).
	wait_until 60 sh -c "grep -q ' out ping 5\$' $T_HOME/logs/cclient.log ||
	    [ \"\$($VECTIS_BIN status cclient --json | jq .restarts)\" != 0 ]" ||
	    fail "cclient did not ping 5 times"
	is cclient restarts 0 || fail "sd_notify watchdog pings not honoured"
	[ "$(field cclient status_text)" = serving ] || fail "cclient status"
	t_log "libsystemd sd_notify client: ready, watchdog honoured"
else
	t_log "SKIP part: libsystemd-dev not installed"
fi
exit 0
