#!/bin/bash
# http.sh — the HTTP API under load, and supervision while it is loaded.
# usage: bench/http.sh [N [SECONDS [CONNS]]]     (defaults 1000 10 50)
#
# A private master with N tenants (/bin/sleep 3600, as nobody when root)
# and SYNC_LISTEN on loopback.  Measures, one after the other:
#   restart latency (SIGKILL a worker -> its replacement exec'd, pidwatch)
#     with no HTTP traffic;
#   signed GET /v1/tenants (the list --json of N tenants) with httpload
#     (fresh signature per request) and with ab (one signature; GETs may
#     repeat) at CONNS/4 connections;
#   signed POST /sync (stats) with httpload -u, CONNS connections;
#   restart latency again while POST /sync load runs;
#   the CLI's list --json, for the ratio against the HTTP route.
# The load generators run at nice 10: on the 2-core CI machine they share
# the cores with the node, where a real dashboard would be elsewhere; the
# listener runs at nice 10 by itself.
# Binaries: $VECTIS_BIN (default _build/normal), the shim and the listener
# beside it.  Output: key=value lines, also in bench/results/http.txt.
set -u
N=${1:-1000}
SECS=${2:-10}
CONNS=${3:-50}
top=$(cd "$(dirname "$0")/.." && pwd)
: "${VECTIS_BIN:=$top/_build/normal/vectis-supervisor}"
dir=$(dirname "$VECTIS_BIN")
export VECTIS_SHIM=${VECTIS_SHIM:-$dir/vectis-worker-shim}
export VECTIS_LISTENER=${VECTIS_LISTENER:-$dir/vectis-listener}
for b in "$VECTIS_BIN" "$VECTIS_SHIM" "$VECTIS_LISTENER"; do
	[ -x "$b" ] || { echo "http.sh: $b not built" >&2; exit 1; }
done
command -v ab >/dev/null || { echo "http.sh: ab missing (apt-get install apache2-utils)" >&2; exit 1; }
. "$top/bench/vxhome.sh" vxhttp
TMP=$VX_WORK
out() { echo "$1=$2" | tee -a "$TMP/results"; }

gcc -O2 -o "$TMP/pidwatch" "$top/bench/pidwatch.c" || exit 1
gcc -O2 -D_GNU_SOURCE -I "$top/common" -o "$TMP/httpload" \
    "$top/bench/httpload.c" "$top/common/sigauth.c" \
    "$top/common/sighdr.c" -lcrypto || exit 1

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
openssl rand -hex 32 | tr -d '\n' >"$VECTIS_HOME/worker.secret"
chmod 600 "$VECTIS_HOME/worker.secret"
printf 'SYNC_LISTEN=127.0.0.1:%s\nSYNC_CHECK_INTERVAL_S=0\n' "$PORT" >"$VECTIS_HOME/worker.conf"
chmod 600 "$VECTIS_HOME/worker.conf"
user=; [ "$(id -u)" = 0 ] && user='"user":"nobody",'
{
	printf '['
	for i in $(seq 1 "$N"); do
		[ "$i" -gt 1 ] && printf ','
		printf '{"name":"w%d",%s"command":["/bin/sleep","3600"],"restart":{"backoff_initial_ms":0}}' "$i" "$user"
	done
	printf ']\n'
} >"$TMP/tenants.json"

"$VECTIS_BIN" run >"$TMP/master.out" 2>&1 </dev/null &
MASTER=$!
for _ in $(seq 1 500); do "$VECTIS_BIN" list >/dev/null 2>&1 && break; sleep 0.02; done
"$VECTIS_BIN" apply "$TMP/tenants.json" >/dev/null || { tail "$TMP/master.out"; exit 1; }
"$VECTIS_BIN" start --all >/dev/null || exit 1
for _ in $(seq 1 500); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" = 200 ] && break
	sleep 0.02
done
out tenants "$("$VECTIS_BIN" list --json | jq '[.[] | select(.status == "RUNNING")] | length')"

# restart_latency LABEL K: SIGKILL K workers, median and p99 to exec.
restart_latency() {
	local label=$1 k=$2 v o
	: >"$TMP/lat"
	for v in $("$TMP/pidwatch" list "$MASTER" sleep | awk '{ print $1 }' | shuf -n "$k"); do
		o=$("$TMP/pidwatch" kill "$MASTER" "$v" sleep 5000)
		[[ "$o" =~ exec_us=([0-9]+) ]] && echo "${BASH_REMATCH[1]}" >>"$TMP/lat"
		sleep 0.05
	done
	sort -n "$TMP/lat" | awk -v l="$label" '{ a[NR] = $1 } END {
	    printf "%s_restart_samples=%d\n%s_restart_median_ms=%.2f\n%s_restart_p99_ms=%.2f\n",
	    l, NR, l, a[int(NR / 2) + 1] / 1000, l, a[int(NR * 0.99) + (NR * 0.99 > int(NR * 0.99))] / 1000 }' |
	    tee -a "$TMP/results"
}

restart_latency idle 50

# The CLI's list --json, the HTTP route's reference.
: >"$TMP/cli"
for _ in $(seq 1 20); do
	s=$(date +%s%N); "$VECTIS_BIN" list --json >/dev/null; e=$(date +%s%N)
	echo $(( (e - s) / 1000 )) >>"$TMP/cli"
done
out cli_list_json_median_ms "$(sort -n "$TMP/cli" | awk '{ a[NR] = $1 } END { printf "%.2f", a[int(NR / 2) + 1] / 1000 }')"

c4=$(( CONNS / 4 )); [ "$c4" -ge 1 ] || c4=1
r=$(nice -n 10 "$TMP/httpload" -c "$c4" -d "$SECS" -m GET -t /v1/tenants -s "$VECTIS_HOME/worker.secret" 127.0.0.1 "$PORT")
out get_tenants_httpload "\"$r\""
ts=$(date +%s)
sig=$(printf '%s\nGET\n/v1/tenants\n' "$ts" | openssl dgst -sha256 -hmac "$(cat "$VECTIS_HOME/worker.secret")" -r | cut -d' ' -f1)
nice -n 10 ab -q -k -c "$c4" -t "$SECS" -n 1000000 -H "X-Vectis-Timestamp: $ts" -H "Authorization: Bearer $sig" \
    "http://127.0.0.1:$PORT/v1/tenants" >"$TMP/ab" 2>&1
out get_tenants_ab "\"$(awk '/^Requests per second/ { rps = $4 } /^Non-2xx/ { bad = $3 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } END { printf "rps=%s p50_ms=%s p99_ms=%s non2xx=%s", rps, p50, p99, bad + 0 }' "$TMP/ab")\""

# Short: more than 131072 signed POSTs within 5 minutes fill the replay
# table, and the node then refuses POSTs (fail closed) until they expire.
r=$(nice -n 10 "$TMP/httpload" -c "$CONNS" -d 3 -m POST -t /sync -u -s "$VECTIS_HOME/worker.secret" 127.0.0.1 "$PORT")
out post_sync_httpload "\"$r\""

# Supervision under load: POST /sync for as long as the kills take.
nice -n 10 "$TMP/httpload" -c "$CONNS" -d 12 -m POST -t /sync -u -s "$VECTIS_HOME/worker.secret" \
    127.0.0.1 "$PORT" >"$TMP/bg" &
bg=$!
sleep 1
restart_latency loaded 50
wait "$bg"
out post_sync_during_kills "\"$(cat "$TMP/bg")\""
out master_rss_kb "$(awk '/^VmRSS/ { print $2 }' /proc/$MASTER/status)"
lp=$(ps -o pid=,comm= --ppid "$MASTER" | awk '$2 ~ /^vectis-listen/ { print $1 }')
out listener_rss_kb "$(awk '/^VmRSS/ { print $2 }' /proc/$lp/status 2>/dev/null)"
mkdir -p "$top/bench/results"
{ date -u +%FT%TZ; echo "N=$N SECS=$SECS CONNS=$CONNS nproc=$(nproc)"; cat "$TMP/results"; } \
    >"$top/bench/results/http.txt"
