# sync.sh: vectis-sync and vectis-status against a fake dashboard on
# loopback: pending -> synced, every kind of failure -> failed with the
# dashboard's words, retries, outdated by IP, secret or config version,
# the flock between concurrent writers, and the token never leaking.
. "$VECTIS_TESTLIB"

: "${VECTIS_SYNC:?VECTIS_SYNC must point at vectis-sync}"
: "${VECTIS_STATUS:?VECTIS_STATUS must point at vectis-status}"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
command -v sha256sum >/dev/null 2>&1 || skip "sha256sum not installed"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy \
    VECTIS_TOKEN VECTIS_PUBLIC_IP VECTIS_DASHBOARD_URL VECTIS_IP_DETECT_URL

D=$T_HOME/dash
mkdir -p "$D"
TOKEN=tok_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$TOKEN" >"$D/token"
echo ok >"$D/mode"
python3 "$VECTIS_SRCDIR/tests/e2e/dashboard.py" "$D" >"$D/out" 2>"$D/err" &
T_PIDS="$T_PIDS $!"
wait_until 10 test -s "$D/port" || fail "fake dashboard did not start"
PORT=$(cat "$D/port")
URL=http://127.0.0.1:$PORT
CONF=$T_HOME/worker.conf
SECRET=$T_HOME/worker.secret
OUT=$T_HOME/sync.out
ERR=$T_HOME/sync.err

# conf KEY: one value of worker.conf, as a shell reads it.
conf() {
	(set +u; . "$CONF"; eval "printf '%s' \"\${$1-}\"")
}

# setconf KEY VALUE: change one key the way an operator would.
setconf() {
	if grep -q "^$1=" "$CONF" 2>/dev/null; then
		sed -i "s|^$1=.*|$1=$2|" "$CONF"
	else
		echo "$1=$2" >>"$CONF"
	fi
}

requests() {
	cat "$D/requests.log" 2>/dev/null | wc -l
}

# sync [ENV=VALUE...]: run vectis-sync with the token; sets RC.
sync() {
	env VECTIS_TOKEN="$TOKEN" VECTIS_DASHBOARD_URL="$URL" "$@" \
	    "$VECTIS_SYNC" >"$OUT" 2>"$ERR"
	RC=$?
	no_leak
}

check() {
	env "$@" "$VECTIS_SYNC" --check >"$OUT" 2>"$ERR"
	RC=$?
	no_leak
}

# The token is never written anywhere vectis-sync writes; a sanitizer
# report (whose exit status 1 looks like a failed sync) fails the test.
no_leak() {
	! grep -qsE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$ERR" ||
	    fail "sanitizer report: $(head -40 "$ERR")"
	! grep -qF -- "$TOKEN" "$OUT" "$ERR" "$CONF" 2>/dev/null ||
	    fail "the token leaked: $(cat "$OUT" "$ERR" "$CONF")"
	if [ -s "$SECRET" ]; then
		! grep -qF -- "$(cat "$SECRET")" "$OUT" "$ERR" "$CONF" ||
		    fail "the secret leaked"
	fi
}

expect_failed() {
	[ "$RC" = 1 ] || fail "$1: exit $RC, wanted 1: $(cat "$ERR")"
	[ "$(conf SYNC_STATUS)" = failed ] || fail "$1: status $(conf SYNC_STATUS)"
	conf ERROR_MESSAGE | grep -qE -- "$2" ||
	    fail "$1: ERROR_MESSAGE '$(conf ERROR_MESSAGE)' lacks /$2/"
	grep -qE -- "$2" "$ERR" || fail "$1: stderr lacks /$2/: $(cat "$ERR")"
	[ "$(conf WORKER_ID)" = "${3-wrk_abc123}" ] ||
	    fail "$1: WORKER_ID not kept: '$(conf WORKER_ID)'"
}

expect_synced() {
	[ "$RC" = 0 ] || fail "$1: exit $RC: $(cat "$ERR")"
	[ "$(conf SYNC_STATUS)" = synced ] || fail "$1: status $(conf SYNC_STATUS)"
	! grep -q '^ERROR_MESSAGE=' "$CONF" || fail "$1: ERROR_MESSAGE kept"
}

# --- no token: nothing sent, status stays pending -----------------------
"$VECTIS_SYNC" >"$OUT" 2>"$ERR"
[ $? = 3 ] || fail "no token: wanted exit 3"
grep -qF "Run VECTIS_TOKEN=xxx vectis-sync" "$ERR" || fail "no token: no hint"
[ "$(requests)" = 0 ] || fail "no token: the dashboard was called"
"$VECTIS_STATUS" | grep -qx "Sync Status:  pending" || fail "not pending"
t_log "no token: exit 3, pending, hint printed"

# --- pending -> synced --------------------------------------------------
sync VECTIS_PUBLIC_IP=203.0.113.5
expect_synced "first sync"
printf 'Syncing with dashboard...\n\342\234\205 Sync successful!\n   Subdomain: worker-a1b2c3.vectis.dev\n   Worker ID: wrk_abc123\n' |
    cmp -s - "$OUT" || fail "sync output differs from the seed: $(cat "$OUT")"
[ "$(conf WORKER_ID)" = wrk_abc123 ] || fail "WORKER_ID"
[ "$(conf SUBDOMAIN)" = worker-a1b2c3.vectis.dev ] || fail "SUBDOMAIN"
[ "$(conf PUBLIC_IP)" = 203.0.113.5 ] || fail "PUBLIC_IP"
conf LAST_SYNC | grep -qE '^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$' ||
    fail "LAST_SYNC '$(conf LAST_SYNC)'"
[ "$(stat -c %a "$CONF")" = 600 ] || fail "worker.conf mode $(stat -c %a "$CONF")"
[ "$(stat -c %a "$SECRET")" = 600 ] || fail "worker.secret mode"
[ "$(wc -c <"$SECRET")" = 64 ] && grep -qxE '[0-9a-f]{64}' "$SECRET" ||
    fail "worker.secret is not 64 hex digits without newline"
[ "$(conf SECRET_SHA256)" = "$(sha256sum <"$SECRET" | cut -d' ' -f1)" ] ||
    fail "SECRET_SHA256 is not the secret's digest"
tail -1 "$D/requests.log" | jq -e --arg t "Bearer $TOKEN" --arg s "$(cat "$SECRET")" \
    '.authorization == $t and (.body | fromjson) == {ip: "203.0.113.5", secret: $s}' \
    >/dev/null || fail "dashboard got: $(tail -1 "$D/requests.log")"
printf 'Worker Status\n=============\nWorker ID:    wrk_abc123\nSubdomain:    worker-a1b2c3.vectis.dev\nPublic IP:    203.0.113.5\nSync Status:  synced\nLast Sync:    %s\nService:      Stopped\n' \
    "$(conf LAST_SYNC)" | cmp -s - <("$VECTIS_STATUS") ||
    fail "vectis-status block: $("$VECTIS_STATUS")"
t_log "pending -> synced; worker.conf, modes 0600, request and blocks as the seed"

# --- bad token: failed with the dashboard's message, no retry on 4xx ---
setconf SYNC_RETRIES 3
setconf SYNC_RETRY_DELAY_MS 10
n=$(requests)
sync VECTIS_PUBLIC_IP=203.0.113.5 VECTIS_TOKEN=wrong-token
expect_failed "bad token" "HTTP 401: invalid token"
[ "$(requests)" = $((n + 1)) ] || fail "a 401 was retried"
"$VECTIS_STATUS" | grep -qx "Error:        .*HTTP 401: invalid token" ||
    fail "vectis-status has no Error line: $("$VECTIS_STATUS")"
t_log "bad token -> failed: $(conf ERROR_MESSAGE)"

# --- failed -> synced on retry ------------------------------------------
sync VECTIS_PUBLIC_IP=203.0.113.5
expect_synced "retry after failure"
t_log "failed -> synced"

# --- answers that must be refused ---------------------------------------
echo wrongip >"$D/mode"
sync VECTIS_PUBLIC_IP=203.0.113.5
expect_failed "ip mismatch" "echoed IP 198.51.100.99, but this node sent 203.0.113.5"
[ "$(conf PUBLIC_IP)" = 203.0.113.5 ] || fail "ip mismatch changed PUBLIC_IP"
echo garbage >"$D/mode"
sync VECTIS_PUBLIC_IP=203.0.113.5
expect_failed "garbage" "answer is not JSON"
echo echo >"$D/mode"
sync VECTIS_PUBLIC_IP=203.0.113.5
expect_failed "token echoed" "HTTP 401: token '\*\*\*' is revoked"
echo close >"$D/mode"
setconf SYNC_RETRIES 0
sync VECTIS_PUBLIC_IP=203.0.113.5
expect_failed "closed connection" "request failed: .*[Ee]mpty reply"
t_log "wrong ip, garbage, echoed token, closed connection -> failed"

# --- 5xx: retried with back-off, then failed ----------------------------
echo 500 >"$D/mode"
setconf SYNC_RETRIES 2
setconf SYNC_RETRY_DELAY_MS 100
n=$(requests)
t0=$(date +%s%N)
sync VECTIS_PUBLIC_IP=203.0.113.5
ms=$((($(date +%s%N) - t0) / 1000000))
expect_failed "500" "HTTP 500: internal error: database is down \(3 attempts\)"
[ "$(requests)" = $((n + 3)) ] || fail "500: $(($(requests) - n)) requests, wanted 3"
[ "$ms" -ge 300 ] || fail "500: back-off 100 + 200 ms not waited (${ms} ms)"
echo 500once >"$D/mode"
n=$(requests)
sync VECTIS_PUBLIC_IP=203.0.113.5
expect_synced "500 once"
[ "$(requests)" = $((n + 2)) ] || fail "500 once: $(($(requests) - n)) requests, wanted 2"
t_log "500 retried (3 attempts, ${ms} ms with back-off); 500 once -> synced on the retry"

# --- timeout, dashboard down, TLS error ---------------------------------
echo hang >"$D/mode"
setconf SYNC_RETRIES 0
setconf SYNC_TIMEOUT_S 1
t0=$(date +%s%N)
sync VECTIS_PUBLIC_IP=203.0.113.5
ms=$((($(date +%s%N) - t0) / 1000000))
# The message proves the timeout fired (the dashboard hangs 30 s, then
# closes, which would read "empty reply"); how long it took is a figure.
expect_failed "hang" "timed out after 1 s"
echo ok >"$D/mode"
# The rest must not fail because a busy machine is slower than 1 s.
setconf SYNC_TIMEOUT_S 30
free=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sync VECTIS_PUBLIC_IP=203.0.113.5 VECTIS_DASHBOARD_URL=http://127.0.0.1:$free
expect_failed "down" "unable to connect: .*(Connection refused|Couldn't connect)"
sync VECTIS_PUBLIC_IP=203.0.113.5 VECTIS_DASHBOARD_URL=https://127.0.0.1:${URL##*:}
expect_failed "tls" "TLS error"
t_log "hang -> timed out in ${ms} ms; closed port and TLS error -> failed"

# --- IP change -> outdated -> synced ------------------------------------
echo 203.0.113.5 >"$D/ip"
setconf IP_DETECT_URL "$URL/ip"
setconf DASHBOARD_URL "$URL"
VECTIS_TOKEN=$TOKEN "$VECTIS_SYNC" >"$OUT" 2>"$ERR"
RC=$?
no_leak
expect_synced "sync via worker.conf and IP_DETECT_URL"
check
[ "$RC" = 0 ] && [ "$(cat "$OUT")" = synced ] || fail "check of a synced node: $(cat "$OUT" "$ERR")"
echo 198.51.100.7 >"$D/ip"
check
[ "$RC" = 0 ] || fail "check exit $RC"
[ "$(wc -l <"$OUT")" = 1 ] || fail "check printed more than one line"
grep -qx "outdated: public IP changed from 203.0.113.5 to 198.51.100.7; run vectis-sync" "$OUT" ||
    fail "check: $(cat "$OUT")"
[ "$(conf SYNC_STATUS)" = outdated ] || fail "IP change: not outdated"
sync VECTIS_DASHBOARD_URL=
expect_synced "re-sync after IP change"
[ "$(conf PUBLIC_IP)" = 198.51.100.7 ] || fail "PUBLIC_IP not updated"
check VECTIS_PUBLIC_IP=198.51.100.7
[ "$(cat "$OUT")" = synced ] || fail "VECTIS_PUBLIC_IP ignored by --check: $(cat "$OUT")"
t_log "IP change -> --check -> outdated -> vectis-sync -> synced"

# --- secret changed -> outdated -----------------------------------------
old=$(conf SECRET_SHA256)
od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$SECRET.tmp"
chmod 600 "$SECRET.tmp" && mv "$SECRET.tmp" "$SECRET"
check
grep -qx "outdated: worker.secret changed since it was registered; run vectis-sync" "$OUT" ||
    fail "secret change: $(cat "$OUT")"
sync
expect_synced "re-sync after secret change"
[ "$(conf SECRET_SHA256)" != "$old" ] || fail "SECRET_SHA256 not updated"
t_log "secret changed -> outdated -> synced"

# --- announced config version > applied -> outdated --------------------
setconf CONFIG_VERSION 3
setconf ANNOUNCED_CONFIG_VERSION 5
check
grep -qx "outdated: dashboard announced config version 5, node applied 3; run vectis-sync" "$OUT" ||
    fail "config version: $(cat "$OUT")"
setconf CONFIG_VERSION 5
sync
expect_synced "re-sync after config"
check
[ "$(cat "$OUT")" = synced ] || fail "applied config still outdated"
t_log "ANNOUNCED_CONFIG_VERSION > CONFIG_VERSION -> outdated -> synced"

# --- --check never makes pending or failed outdated ---------------------
echo 401 >"$D/mode"
sync
echo 203.0.113.77 >"$D/ip"
check
grep -q "^failed: .*HTTP 401" "$OUT" || fail "check of failed: $(cat "$OUT")"
[ "$(conf SYNC_STATUS)" = failed ] || fail "failed -> $(conf SYNC_STATUS) by --check"
echo ok >"$D/mode"
t_log "failed stays failed under --check"

# --- concurrent writers: the flock loses no update -----------------------
echo 203.0.113.5 >"$D/ip"
sync
expect_synced "before the race"
for round in 1 2 3 4 5; do
	ip=198.51.100.$round
	echo "$ip" >"$D/ip"
	pids=
	for _ in 1 2 3 4 5 6; do
		"$VECTIS_SYNC" --check >/dev/null 2>>"$T_HOME/race.err" &
		pids="$pids $!"
	done
	VECTIS_TOKEN=$TOKEN "$VECTIS_SYNC" >/dev/null 2>>"$T_HOME/race.err"
	rc=$?
	for p in $pids; do wait "$p" || fail "a concurrent --check failed: $(cat "$T_HOME/race.err")"; done
	[ $rc = 0 ] || fail "sync in the race: $(cat "$T_HOME/race.err")"
	[ "$(conf PUBLIC_IP)" = "$ip" ] && [ "$(conf SYNC_STATUS)" = synced ] &&
	    [ "$(conf CONFIG_VERSION)" = 5 ] ||
	    fail "round $round lost an update: $(cat "$CONF")"
done
! grep -qsE "Sanitizer|runtime error:" "$T_HOME/race.err" ||
    fail "sanitizer report in the race: $(head -40 "$T_HOME/race.err")"
t_log "5 rounds of vectis-sync racing 6 --check: no lost update"

# --- vectis-status: Stopped / Running, --json ---------------------------
"$VECTIS_STATUS" --json 2>"$ERR" | jq -e '.service == "stopped" and .sync_status == "synced"
    and .worker_id == "wrk_abc123" and .error_message == null' >/dev/null ||
    fail "status --json: $("$VECTIS_STATUS" --json)"
start_master
"$VECTIS_STATUS" | grep -qx "Service:      Running" || fail "master up but: $("$VECTIS_STATUS")"
"$VECTIS_STATUS" --json | jq -e '.service == "running" and .subdomain ==
    "worker-a1b2c3.vectis.dev" and .public_ip == "198.51.100.5"' >/dev/null ||
    fail "status --json with master: $("$VECTIS_STATUS" --json)"
t_log "vectis-status: Stopped without a master, Running with one, --json parses"
exit 0
