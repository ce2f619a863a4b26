# httpsecrets.sh: what the HTTP API may reveal and do.  Regressions from the
# review of 3d95ff2: tenant env values (tokens) went out in clear text in
# GET /v1/tenants/NAME (H1); the listener, the sync check and a master
# started by the CLI inherited VECTIS_TOKEN (M8); any config push could
# add a tenant running as root (L9); CONFIG_VERSION could go backwards
# (M4).
. "$VECTIS_TESTLIB"

command -v curl >/dev/null || skip "curl not installed"
command -v openssl >/dev/null || skip "openssl not installed"
[ -x "${VECTIS_LISTENER:-}" ] || skip "VECTIS_LISTENER not built"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
SECRET=$(openssl rand -hex 32)
TOKEN="supersecret-dashboard-token-$$"
VALUE="s3cr3t-wa-value-$$"
printf '%s' "$SECRET" >"$T_HOME/worker.secret"
chmod 600 "$T_HOME/worker.secret"
cat >"$T_HOME/worker.conf" <<C
WORKER_ID=wrk_test
SUBDOMAIN=w.example.test
PUBLIC_IP=192.0.2.10
SYNC_STATUS=synced
SYNC_LISTEN=127.0.0.1:$PORT
SYNC_CHECK_INTERVAL_S=3600
C
chmod 600 "$T_HOME/worker.conf"
# A stand-in vectis-sync --check that records the environment it got.
cat >"$T_HOME/fake-sync" <<S
#!/bin/sh
env >"$T_HOME/check.env.tmp" && mv "$T_HOME/check.env.tmp" "$T_HOME/check.env"
S
chmod 755 "$T_HOME/fake-sync"

# sig KEY TS METHOD TARGET BODYFILE: the SPEC's signature, by openssl.
sig() {
	{ printf '%s\n%s\n%s\n' "$2" "$3" "$4"; cat "$5"; } |
	    openssl dgst -sha256 -hmac "$1" -r | cut -d' ' -f1
}

# req METHOD TARGET [BODY [OUT]]: a signed request; prints the status
# code, the body goes to OUT (default $T_HOME/resp).
req() {
	local m=$1 t=$2 out=${4:-$T_HOME/resp} ts s b
	b=$(mktemp "$T_HOME/body.XXXXXX")
	ts=$(date +%s)
	printf '%s' "${3:-}" >"$b"
	s=$(sig "$SECRET" "$ts" "$m" "$t" "$b")
	curl -s -m 60 -o "$out" -w '%{http_code}' -X "$m" \
	    -H "X-Vectis-Timestamp: $ts" -H "Authorization: Bearer $s" \
	    --data-binary @"$b" "$URL$t"
	rm -f "$b"
}

healthy() { [ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL/healthz")" = 200 ]; }
listener_pid() {
	ps -o pid=,comm= --ppid "$1" | awk '$2 ~ /^vectis-listen/ { print $1 }'
}
cfgver() { sed -n 's/^CONFIG_VERSION=["'\'']*\([0-9]*\).*/\1/p' "$T_HOME/worker.conf"; }
names() { vx list --json | jq -c '[.[].name] | sort'; }
U=; [ "$(id -u)" = 0 ] && U='"user": "nobody", '

# M8: the master's environment holds the dashboard token (as when
# vectis-sync and the master share an EnvironmentFile): the listener gets
# none of it, the sync check only what it reads.
VECTIS_TOKEN=$TOKEN VECTIS_PUBLIC_IP=192.0.2.10 VECTIS_SYNC=$T_HOME/fake-sync \
    start_master
wait_until 10 healthy || fail "no /healthz on $URL"
lpid=$(listener_pid "$MASTER_PID")
[ -n "$lpid" ] || fail "no listener under the master"
tr '\0' '\n' <"/proc/$lpid/environ" >"$T_HOME/listener.env" || fail "cannot read the listener's environ"
grep -q "$TOKEN" "$T_HOME/listener.env" && fail "VECTIS_TOKEN in the listener's environment"
[ -s "$T_HOME/listener.env" ] && fail "the listener has an environment: $(cut -d= -f1 "$T_HOME/listener.env" | tr '\n' ' ')"
wait_until 30 test -s "$T_HOME/check.env" || fail "the sync check did not run"
grep -q "$TOKEN" "$T_HOME/check.env" && fail "VECTIS_TOKEN in the sync check's environment"
grep -q '^VECTIS_PUBLIC_IP=192.0.2.10$' "$T_HOME/check.env" ||
    fail "the sync check lost VECTIS_PUBLIC_IP: $(cat "$T_HOME/check.env")"
t_log "M8: listener $lpid has an empty environment; the sync check got $(wc -l <"$T_HOME/check.env") variables, not VECTIS_TOKEN"

# H1: env values never leave over HTTP, whatever the route; the root CLI
# (an admin on the local socket) still sees them.
vx add bot --env WA_TOKEN="$VALUE" -- sleep 1000 >/dev/null || fail "add bot"
vx start bot >/dev/null || fail "start bot"
vx export | jq -e --arg v "$VALUE" '.[] | select(.name == "bot") | .env.WA_TOKEN == $v' >/dev/null ||
    fail "the local admin no longer sees env values: $(vx export)"
[ "$(req GET /v1/tenants/bot)" = 200 ] || fail "GET /v1/tenants/bot: $(cat "$T_HOME/resp")"
grep -q "$VALUE" "$T_HOME/resp" && fail "GET /v1/tenants/bot shows the env value: $(cat "$T_HOME/resp")"
jq -e '.spec.env.WA_TOKEN == "(hidden)"' "$T_HOME/resp" >/dev/null ||
    fail "GET /v1/tenants/bot: env not shown as (hidden): $(jq -c .spec.env "$T_HOME/resp")"
for r in "GET /v1/tenants" "GET /metrics" "POST /v1/tenants/bot/restart" "POST /sync"; do
	# shellcheck disable=SC2086
	code=$(req $r)
	[ "$code" = 200 ] || fail "$r: $code $(cat "$T_HOME/resp")"
	grep -q "$VALUE" "$T_HOME/resp" && fail "$r shows the env value"
done
bot="{\"name\": \"bot\", $U\"command\": [\"sleep\", \"1000\"], \"env\": {\"WA_TOKEN\": \"$VALUE\"}}"
[ "$(req POST /sync "{\"config_version\": 1, \"tenants\": [$bot]}")" = 200 ] ||
    fail "push 1: $(cat "$T_HOME/resp")"
grep -q "$VALUE" "$T_HOME/resp" && fail "the push's answer shows the env value"
t_log "H1: GET /v1/tenants/bot shows WA_TOKEN as (hidden); no route echoes the value; the local CLI still sees it"

# L9: by default a push may not make a tenant that runs as root, since
# whoever holds worker.secret would be root on the node.
root='{"name": "rooty", "user": "root", "command": ["sleep", "1000"]}'
[ "$(req POST /sync "{\"config_version\": 2, \"tenants\": [$bot, $root]}")" = 403 ] ||
    fail "a push with a root tenant was not refused: $(cat "$T_HOME/resp")"
jq -e '.error | test("rooty.*root.*HTTP_ROOT_TENANTS")' "$T_HOME/resp" >/dev/null ||
    fail "403 does not say why: $(cat "$T_HOME/resp")"
[ "$(names)" = '["bot"]' ] || fail "the refused push changed tenants: $(names)"
[ "$(cfgver)" = 1 ] || fail "the refused push moved CONFIG_VERSION to $(cfgver)"
echo 'HTTP_ROOT_TENANTS=maybe' >"$T_HOME/supervisor.conf"
expect_fail 1 "HTTP_ROOT_TENANTS must be no or yes" vx reload
echo 'HTTP_ROOT_TENANTS=yes' >"$T_HOME/supervisor.conf"
vx reload >/dev/null || fail "reload"
# Not the same bytes as the refused push: within one second the same
# signature would be refused as a replay.
[ "$(req POST /sync "{\"config_version\": 2,  \"tenants\": [$bot, $root]}")" = 200 ] ||
    fail "HTTP_ROOT_TENANTS=yes: push refused: $(cat "$T_HOME/resp")"
[ "$(names)" = '["bot","rooty"]' ] || fail "HTTP_ROOT_TENANTS=yes: tenants $(names)"
echo 'HTTP_ROOT_TENANTS=no' >"$T_HOME/supervisor.conf"
vx reload >/dev/null || fail "reload"
[ "$(req POST /sync "{\"config_version\": 3, \"tenants\": [$bot, $root]}")" = 403 ] ||
    fail "HTTP_ROOT_TENANTS=no after reload: not refused"
vx add rooty2 --user root -- sleep 1000 >/dev/null || fail "the local admin may no longer add root tenants"
vx remove rooty2 >/dev/null || fail "remove rooty2"
t_log "L9: a pushed root tenant is refused (403) unless HTTP_ROOT_TENANTS=yes; the CLI is unaffected"

# M4: CONFIG_VERSION only rises.  Push 5 prunes "slow", which ignores
# SIGTERM, so it stays in flight; an older push (4) meanwhile would store
# its specs over push 5's: refused.  A newer CONFIG_VERSION written while
# push 5 is applied is kept, not lowered to 5.
slow="{\"name\": \"slow\", $U\"command\": [\"sh\", \"-c\", \"trap '' TERM; while :; do sleep 1; done\"], \"stop\": {\"timeout_s\": 120}}"
a="{\"name\": \"a\", $U\"command\": [\"sleep\", \"1000\"]}"
b="{\"name\": \"b\", $U\"command\": [\"sleep\", \"1000\"]}"
[ "$(req POST /sync "{\"config_version\": 3, \"tenants\": [$slow, $a]}")" = 200 ] ||
    fail "push 3: $(cat "$T_HOME/resp")"
wait_until 10 is slow state running || fail "slow not running"
spid=$(field slow pid)
req POST /sync "{\"config_version\": 5, \"tenants\": [$a]}" "$T_HOME/resp5" >"$T_HOME/code5" &
p5=$!
T_PIDS="$T_PIDS $p5"
wait_until 30 is slow state stopping || fail "push 5 did not stop slow"
req POST /sync "{\"config_version\": 4, \"tenants\": [$a, $b]}" "$T_HOME/resp4" >"$T_HOME/code4" &
p4=$!
T_PIDS="$T_PIDS $p4"
# Refused at once when fixed; otherwise it waits for slow like push 5.
wait_until 10 test -s "$T_HOME/code4"
sed -i 's/^CONFIG_VERSION=.*/CONFIG_VERSION=9/' "$T_HOME/worker.conf"
kill -KILL -- "-$spid" 2>/dev/null
wait "$p5" "$p4"
[ "$(cat "$T_HOME/code4")" = 409 ] ||
    fail "push 4 while 5 was applied: $(cat "$T_HOME/code4") $(cat "$T_HOME/resp4")"
jq -e '.error | test("older than 5")' "$T_HOME/resp4" >/dev/null ||
    fail "push 4: $(cat "$T_HOME/resp4")"
[ "$(cfgver)" = 9 ] || fail "CONFIG_VERSION went from 9 to $(cfgver)"
[ "$(cat "$T_HOME/code5")" = 409 ] ||
    fail "push 5, overtaken by 9: $(cat "$T_HOME/code5") $(cat "$T_HOME/resp5")"
[ "$(names)" = '["a"]' ] || fail "tenants after pushes 5 and 4: $(names)"
[ "$(req POST /sync "{\"config_version\": 8, \"tenants\": [$a]}")" = 409 ] ||
    fail "push 8 below the applied 9 not refused"
[ "$(req POST /sync "{\"config_version\": 10, \"tenants\": [$a, $b]}")" = 200 ] ||
    fail "push 10: $(cat "$T_HOME/resp")"
[ "$(cfgver)" = 10 ] && [ "$(names)" = '["a","b"]' ] || fail "push 10: $(cfgver) $(names)"
t_log "M4: push 4 during 5 refused (409); 9 written meanwhile kept; 8 refused; 10 applied"

# M8: a master the CLI starts in the background does not keep the
# operator's VECTIS_TOKEN.
vx shutdown >/dev/null
wait_until 30 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
MASTER_PID=
rm -f "$T_HOME/supervisor.conf"
VECTIS_TOKEN=$TOKEN vx start a >/dev/null || fail "start with a background master"
MASTER_PID=$(pgrep -f -- "--home $T_HOME run" | head -1)
[ -n "$MASTER_PID" ] || fail "no background master"
tr '\0' '\n' <"/proc/$MASTER_PID/environ" >"$T_HOME/master.env"
grep -q "$TOKEN" "$T_HOME/master.env" && fail "VECTIS_TOKEN in the background master's environment"
grep -q "^VECTIS_HOME=$T_HOME$" "$T_HOME/master.env" || fail "background master lost VECTIS_HOME"
grep -q "^VECTIS_SHIM=$VECTIS_SHIM$" "$T_HOME/master.env" || fail "background master lost VECTIS_SHIM"
wait_until 10 healthy || fail "background master: no /healthz"
lpid=$(listener_pid "$MASTER_PID")
[ -n "$lpid" ] && [ -z "$(tr '\0' '\n' <"/proc/$lpid/environ")" ] ||
    fail "background master's listener has an environment"
t_log "M8: background master $MASTER_PID: $(wc -l <"$T_HOME/master.env") variables, no VECTIS_TOKEN"
