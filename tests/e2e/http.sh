# http.sh: the dashboard's HTTP API (SPEC 9) against the real master and
# its unprivileged listener, signed with curl and openssl dgst -hmac (an
# implementation independent of the master's): good requests, every kind
# of bad signature, config push, the tenant API, /metrics, the listener's
# privileges, and a listener that dies.
. "$VECTIS_TESTLIB"

command -v curl >/dev/null || skip "curl not installed"
command -v openssl >/dev/null || skip "openssl not installed"
[ -x "${VECTIS_LISTENER:-}" ] || skip "VECTIS_LISTENER not built"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
SECRET=$(openssl rand -hex 32)
printf '%s' "$SECRET" >"$T_HOME/worker.secret"
chmod 600 "$T_HOME/worker.secret"
cat >"$T_HOME/worker.conf" <<C
WORKER_ID=wrk_test
SUBDOMAIN=w.example.test
PUBLIC_IP=192.0.2.10
SYNC_STATUS=synced
SYNC_LISTEN=127.0.0.1:$PORT
SYNC_CHECK_INTERVAL_S=0
C
chmod 600 "$T_HOME/worker.conf"

# sig KEY TS METHOD TARGET BODYFILE: the SPEC's signature, by openssl.
sig() {
	{ printf '%s\n%s\n%s\n' "$2" "$3" "$4"; cat "$5"; } |
	    openssl dgst -sha256 -hmac "$1" -r | cut -d' ' -f1
}

# req METHOD TARGET [BODY [TS [KEY]]]: a signed request; prints the
# status code, the body goes to $T_HOME/resp.
req() {
	local m=$1 t=$2 ts=${4:-$(date +%s)} key=${5:-$SECRET} s
	printf '%s' "${3:-}" >"$T_HOME/body"
	s=$(sig "$key" "$ts" "$m" "$t" "$T_HOME/body")
	curl -s -o "$T_HOME/resp" -w '%{http_code}' -X "$m" \
	    -H "X-Vectis-Timestamp: $ts" -H "Authorization: Bearer $s" \
	    --data-binary @"$T_HOME/body" "$URL$t"
}

# raw ARGS...: an unsigned curl; prints the status code.
raw() {
	curl -s -o "$T_HOME/resp" -w '%{http_code}' "$@"
}

start_master
wait_until 5 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $URL/healthz)\" = 200 ]" ||
    fail "no /healthz on $URL"
[ "$(raw "$URL/healthz")" = 200 ] && jq -e '.status == "ok"' "$T_HOME/resp" >/dev/null ||
    fail "/healthz: $(cat "$T_HOME/resp")"
t_log "listener up on $URL, /healthz open"

# The listener: the master's child, not root, no capabilities at all.
lpid=$(ps -o pid=,comm= --ppid "$MASTER_PID" | awk '$2 == "vectis-listene" || $2 == "vectis-listener" { print $1 }')
[ -n "$lpid" ] || fail "no listener process under the master"
if [ "$(id -u)" = 0 ]; then
	awk '/^Uid:/ { exit !($2 != 0 && $3 != 0 && $4 != 0) }' "/proc/$lpid/status" ||
	    fail "listener runs as root: $(grep Uid: /proc/$lpid/status)"
	[ "$(readlink "/proc/$lpid/root")" != / ] || fail "listener not chrooted"
fi
for c in CapEff CapPrm CapInh CapAmb; do
	grep -q "^$c:[[:space:]]*0000000000000000$" "/proc/$lpid/status" ||
	    fail "listener $c not zero: $(grep "^$c:" "/proc/$lpid/status")"
done
if [ "$(id -u)" = 0 ]; then
	grep -q '^CapBnd:[[:space:]]*0000000000000000$' "/proc/$lpid/status" ||
	    fail "listener bounding set not empty"
fi
grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$lpid/status" || fail "listener may gain privileges"
t_log "listener $lpid: $(awk '/^Uid:/ { print "uid " $2 }' /proc/$lpid/status), CapEff/CapPrm/CapBnd 0, NoNewPrivs 1"

# A good signed POST /sync: the SPEC's answer.
vx add bot1 -- sleep 1000 >/dev/null || fail "add bot1"
vx start bot1 >/dev/null || fail "start bot1"
[ "$(req POST /sync)" = 200 ] || fail "signed /sync: $(cat "$T_HOME/resp")"
jq -e '.status == "online" and (.version | test("^[0-9]+\\.[0-9]+\\.[0-9]+$")) and
    (.stats.uptime_s | type == "number") and (.stats.load | length == 3) and
    .stats.memory.total_bytes > 0 and .stats.memory.available_bytes > 0 and
    .stats.tenants.total == 1 and .stats.tenants.running == 1 and
    .stats.tenants.stopped == 0 and .stats.tenants.error == 0' "$T_HOME/resp" >/dev/null ||
    fail "/sync answer: $(cat "$T_HOME/resp")"
t_log "signed POST /sync -> 200 $(jq -c '.stats.tenants' "$T_HOME/resp")"

# Every kind of bad signature: 401, one identical body.
# A timestamp no earlier request used, so the good signature is fresh.
now=$(($(date +%s) + 2))
printf '' >"$T_HOME/empty"
good=$(sig "$SECRET" "$now" POST /sync "$T_HOME/empty")
badsig() {
	local what=$1 code
	shift
	code=$(raw -X POST "$@" "$URL/sync")
	[ "$code" = 401 ] || fail "$what: got $code, wanted 401"
	[ "$(cat "$T_HOME/resp")" = '{"error":"unauthorized"}' ] ||
	    fail "$what: 401 body differs: $(cat "$T_HOME/resp")"
}
badsig "no headers"
badsig "no timestamp" -H "Authorization: Bearer $good"
badsig "no signature" -H "X-Vectis-Timestamp: $now"
badsig "malformed timestamp" -H "X-Vectis-Timestamp: ${now}x" -H "Authorization: Bearer $good"
badsig "negative timestamp" -H "X-Vectis-Timestamp: -$now" -H "Authorization: Bearer $good"
old=$(($(date +%s) - 301)); s=$(sig "$SECRET" "$old" POST /sync "$T_HOME/empty")
badsig "timestamp 301 s old" -H "X-Vectis-Timestamp: $old" -H "Authorization: Bearer $s"
# Ahead by more than the window even if the request takes 30 s to arrive
# (301 s ahead was 300 s ahead by then on a busy machine, and accepted).
new=$(($(date +%s) + 330)); s=$(sig "$SECRET" "$new" POST /sync "$T_HOME/empty")
badsig "timestamp 330 s ahead" -H "X-Vectis-Timestamp: $new" -H "Authorization: Bearer $s"
s=$(sig "$(openssl rand -hex 32)" "$now" POST /sync "$T_HOME/empty")
badsig "wrong key" -H "X-Vectis-Timestamp: $now" -H "Authorization: Bearer $s"
badsig "truncated signature" -H "X-Vectis-Timestamp: $now" -H "Authorization: Bearer ${good%?}"
badsig "signature with junk" -H "X-Vectis-Timestamp: $now" -H "Authorization: Bearer ${good}0"
badsig "no Bearer" -H "X-Vectis-Timestamp: $now" -H "Authorization: $good"
badsig "upper-case hex" -H "X-Vectis-Timestamp: $now" -H "Authorization: Bearer $(echo "$good" | tr a-f A-F)"
badsig "signed for another body" -H "X-Vectis-Timestamp: $now" -H "Authorization: Bearer $good" \
    --data-binary '{"config_version":1}'
s=$(sig "$SECRET" "$now" GET /sync "$T_HOME/empty")
badsig "signed for another method" -H "X-Vectis-Timestamp: $now" -H "Authorization: Bearer $s"
s=$(sig "$SECRET" "$now" POST "/sync?x=1" "$T_HOME/empty")
badsig "signed for another target" -H "X-Vectis-Timestamp: $now" -H "Authorization: Bearer $s"
[ "$(raw -X POST -H "X-Vectis-Timestamp: $now" -H "Authorization: Bearer $good" "$URL/sync")" = 200 ] ||
    fail "the good request was refused"
badsig "replayed POST" -H "X-Vectis-Timestamp: $now" -H "Authorization: Bearer $good"
t_log "15 kinds of bad signature -> 401, identical body; a replayed POST is refused"

# The tenant API answers what the CLI answers.
[ "$(req GET /v1/tenants)" = 200 ] || fail "GET /v1/tenants: $(cat "$T_HOME/resp")"
vx list --json >"$T_HOME/cli.json"
[ "$(jq -c '[.[] | {name, status, state, pid}]' "$T_HOME/resp")" = \
    "$(jq -c '[.[] | {name, status, state, pid}]' "$T_HOME/cli.json")" ] ||
    fail "/v1/tenants differs from list --json"
[ "$(req GET /v1/tenants/bot1)" = 200 ] || fail "GET /v1/tenants/bot1"
[ "$(jq -r '.name + " " + .status' "$T_HOME/resp")" = "bot1 RUNNING" ] ||
    fail "/v1/tenants/bot1: $(cat "$T_HOME/resp")"
[ "$(req GET /v1/tenants/nosuch)" = 404 ] || fail "unknown tenant not 404"
[ "$(req GET /v1/tenants/BAD..NAME)" = 404 ] || fail "bad name not 404"
pid1=$(field bot1 pid)
[ "$(req POST /v1/tenants/bot1/stop)" = 200 ] || fail "stop: $(cat "$T_HOME/resp")"
is bot1 status STOPPED || fail "bot1 not STOPPED after POST stop"
alive "$pid1" && fail "bot1's worker still alive after POST stop"
[ "$(req POST /v1/tenants/bot1/start)" = 200 ] || fail "start: $(cat "$T_HOME/resp")"
is bot1 status RUNNING || fail "bot1 not RUNNING after POST start"
pid2=$(field bot1 pid)
[ "$(req POST /v1/tenants/bot1/restart)" = 200 ] || fail "restart: $(cat "$T_HOME/resp")"
[ "$(field bot1 pid)" != "$pid2" ] && is bot1 status RUNNING || fail "restart gave no new pid"
[ "$(db "SELECT status FROM worker_process WHERE name='bot1'")" = RUNNING ] ||
    fail "worker_process disagrees after the HTTP restart"
t_log "GET/POST tenant API = list/status --json; stop/start/restart act"

# Wrong method, unknown path, unknown action, bad bodies, limits.
[ "$(req GET /sync)" = 405 ] || fail "GET /sync not 405"
curl -s -D - -o /dev/null -X DELETE -H "X-Vectis-Timestamp: $(date +%s)" \
    -H "Authorization: Bearer $(sig "$SECRET" "$(date +%s)" DELETE /v1/tenants "$T_HOME/empty")" \
    "$URL/v1/tenants" | grep -qi '^Allow: GET' || fail "405 without Allow"
[ "$(req GET /nowhere)" = 404 ] || fail "unknown path not 404"
[ "$(raw "$URL/nowhere")" = 401 ] || fail "unsigned unknown path not 401"
[ "$(req POST /v1/tenants/bot1/explode)" = 404 ] || fail "unknown action not 404"
[ "$(req POST /sync 'not json')" = 400 ] || fail "non-JSON body not 400"
jq -e '.error | test("body")' "$T_HOME/resp" >/dev/null || fail "400 says nothing: $(cat "$T_HOME/resp")"
deep=$(python3 -c 'print("[" * 100000 + "]" * 100000)')
[ "$(req POST /sync "{\"tenants\": $deep}")" = 400 ] || fail "deeply nested JSON not 400"
[ "$(req POST /sync '{"config_version": 1, "extra": 1}')" = 400 ] || fail "unknown field not 400"
[ "$(req POST /sync '{"config_version": -1}')" = 400 ] || fail "negative version not 400"
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$T_HOME/big"
[ "$(raw -X POST --data-binary @"$T_HOME/big" "$URL/sync")" = 413 ] || fail "1 MiB + 1 body not 413"
# Raw protocol garbage: libmicrohttpd answers or hangs up; nobody crashes.
python3 - "$PORT" >"$T_HOME/garbage" <<'P' || fail "garbage probe failed"
import socket, sys
for payload in [b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
                b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n",
                b"GET / HTTP/1.1\r\nBad Header\r\n\r\n"]:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(payload)
    s.settimeout(15)
    print((s.recv(100).split(b"\r\n")[0] or b"closed").decode())
P
[ "$(sed -n 2p "$T_HOME/garbage")" = "HTTP/1.1 505 HTTP Version Not Supported" ] &&
    [ "$(sed -n 3p "$T_HOME/garbage")" = "HTTP/1.1 400 Bad Request" ] &&
    [ "$(sed -n 4p "$T_HOME/garbage")" = "HTTP/1.1 400 Bad Request" ] ||
    fail "garbage requests: $(cat "$T_HOME/garbage")"
[ "$(raw "$URL/healthz")" = 200 ] || fail "listener gone after garbage"
t_log "405 (with Allow), 404, 400 (non-JSON, nesting 100000 deep, unknown field), 413, garbage -> 400/505/close"

# Config push: applied like apply --prune, version recorded.
push() {
	req POST /sync "{\"config_version\": $1, \"tenants\": [$2]}"
}
# As root a tenant names its user (the isolation rules of SPEC 4).
U=; [ "$(id -u)" = 0 ] && U='"user": "nobody", '
ta="{\"name\": \"ta\", $U\"command\": [\"sleep\", \"1000\"]}"
tb="{\"name\": \"tb\", $U\"command\": [\"sleep\", \"1000\"]}"
tc="{\"name\": \"tc\", $U\"command\": [\"sleep\", \"1000\"]}"
[ "$(push 1 "$ta, $tb")" = 200 ] || fail "push 1: $(cat "$T_HOME/resp")"
jq -e '.config_version == 1 and .status == "online"' "$T_HOME/resp" >/dev/null ||
    fail "push 1 answer: $(cat "$T_HOME/resp")"
wait_until 3 sh -c "$VECTIS_BIN list --json | jq -e '[.[] | select(.status == \"RUNNING\") | .name] | sort == [\"ta\", \"tb\"]'" ||
    fail "push 1 did not leave exactly ta and tb running"
grep -q '^CONFIG_VERSION=.*1' "$T_HOME/worker.conf" || fail "CONFIG_VERSION not recorded"
[ "$(push 2 "$tb, $tc")" = 200 ] || fail "push 2: $(cat "$T_HOME/resp")"
wait_until 3 sh -c "$VECTIS_BIN list --json | jq -e '[.[].name] | sort == [\"tb\", \"tc\"]'" ||
    fail "push 2 did not remove ta and add tc: $(vx list --json | jq -c '[.[].name]')"
is tc status RUNNING || fail "tc not RUNNING"
[ "$(push 1 "$ta")" = 409 ] || fail "an older config_version was not refused"
vx list --json | jq -e '[.[].name] | sort == ["tb", "tc"]' >/dev/null || fail "refused push changed tenants"
[ "$(push 3 '{"name": "BAD NAME", "command": ["x"]}')" = 400 ] || fail "bad tenant in a push not 400: $(cat "$T_HOME/resp")"
vx list --json | jq -e '[.[].name] | sort == ["tb", "tc"]' >/dev/null || fail "bad push changed tenants"
grep -q '^CONFIG_VERSION=.*2' "$T_HOME/worker.conf" || fail "failed push moved CONFIG_VERSION"
t_log "config push 1 -> {ta,tb}, 2 -> {tb,tc}; older version 409; bad spec 400, nothing changed"

# An announced newer version makes a synced node outdated.
[ "$(req POST /sync '{"config_version": 7}')" = 200 ] || fail "announce: $(cat "$T_HOME/resp")"
jq -e '.config_version == 2 and .outdated == true' "$T_HOME/resp" >/dev/null ||
    fail "announce answer: $(cat "$T_HOME/resp")"
grep -q '^SYNC_STATUS=.*outdated' "$T_HOME/worker.conf" || fail "not outdated: $(cat "$T_HOME/worker.conf")"
grep -q '^ANNOUNCED_CONFIG_VERSION=.*7' "$T_HOME/worker.conf" || fail "announcement not recorded"
t_log "announced version 7 > applied 2: SYNC_STATUS=outdated"

# /metrics: signed, Prometheus text with the tenants.
[ "$(raw "$URL/metrics")" = 401 ] || fail "unsigned /metrics not 401"
[ "$(req GET /metrics)" = 200 ] || fail "signed /metrics"
# bot1 was pruned by the push: tb and tc remain.
grep -q '^vectis_tenants{status="running"} 2$' "$T_HOME/resp" || fail "metrics: $(head -5 "$T_HOME/resp")"
grep -q '^vectis_tenant_restarts_total{tenant="tc"} 0$' "$T_HOME/resp" || fail "no restarts per tenant"
grep -q '^vectis_master_resident_bytes [1-9]' "$T_HOME/resp" || fail "no master RSS"
t_log "/metrics: $(grep -c '^vectis_' "$T_HOME/resp") samples"

# A listener that dies is replaced; supervision never noticed.
tbpid=$(field tb pid)
kill -KILL "$lpid"
wait_until 5 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $URL/healthz)\" = 200 ]" ||
    fail "listener not restarted after kill -9"
[ "$(field tb pid)" = "$tbpid" ] || fail "tb's worker changed while the listener died"
[ "$(req GET /v1/tenants/tb)" = 200 ] || fail "API after the listener restart"
t_log "killed listener $lpid: replaced, tenants untouched"

# METRICS_OPEN=1 (read again at reload) opens /metrics, and only it.
echo 'METRICS_OPEN=1' >>"$T_HOME/worker.conf"
vx reload >/dev/null || fail "reload"
wait_until 3 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $URL/metrics)\" = 200 ]" ||
    fail "METRICS_OPEN=1 did not open /metrics"
[ "$(raw "$URL/v1/tenants")" = 401 ] || fail "METRICS_OPEN opened more than /metrics"
t_log "METRICS_OPEN=1 after reload: /metrics open, /v1/tenants still signed"

# A trimmed container: no CAP_SETPCAP, no CAP_SYS_CHROOT.  The listener
# still starts (no chroot; no_new_privs stands in for the bounding set)
# and still holds no capability.
if [ "$(id -u)" = 0 ] && command -v capsh >/dev/null; then
	vx shutdown >/dev/null
	wait_until 5 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
	capsh --drop=cap_setpcap,cap_sys_chroot -- -c "exec $VECTIS_BIN run" \
	    >>"$T_HOME/master.out" 2>&1 &
	MASTER_PID=$!
	wait_until 5 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $URL/healthz)\" = 200 ]" ||
	    fail "no listener without CAP_SETPCAP/CAP_SYS_CHROOT"
	lpid=$(ps -o pid=,comm= --ppid "$MASTER_PID" | awk '$2 ~ /^vectis-listen/ { print $1 }')
	grep -q '^CapEff:[[:space:]]*0000000000000000$' "/proc/$lpid/status" || fail "listener kept capabilities"
	grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$lpid/status" || fail "listener may gain privileges"
	[ "$(req GET /v1/tenants/tb)" = 200 ] || fail "API without CAP_SETPCAP"
	is tb status RUNNING || fail "tb not running without CAP_SETPCAP: $(vx status tb --json | jq -r .last_error)"
	t_log "without CAP_SETPCAP and CAP_SYS_CHROOT: listener up, CapEff 0, NoNewPrivs 1; tenants run"
fi
