#!/bin/bash
# PM2 (npm "pm2", fork mode) — usage: peer-pm2.sh N
# Method: private PM2_HOME=$TMP/pm2.  The daemon is spawned by "pm2 ping".
# Apps come from one ecosystem JSON file (one CLI call instead of N
# "pm2 start /bin/sleep --name wI -- 3600" calls, each of which costs a full
# node start-up of the CLI):
#   {"name":"wI","script":"/bin/sleep","args":["3600"],"interpreter":"none",
#    "autorestart":true}
# PM2 has no "defined but stopped" state other than after a stop, so setup is
# "pm2 start eco.json" (timed separately as eco_start_*), then "pm2 stop all";
# the measured start all is then "pm2 start all".  Logging is PM2's default
# (per-app out/err files under PM2_HOME/logs).
# status = "pm2 jlist" (machine-readable, what a control plane polls);
# status2 = "pm2 ls" (the table).  The supervisor = the God daemon (its pid
# from PM2_HOME/pm2.pid); the CLI is not resident.
PEER=pm2
source "$(dirname "$0")/lib.sh"
bench_init "${1:-}"
command -v pm2 >/dev/null || die "pm2 not installed (bench/install-peers.sh)"

export PM2_HOME=$TMP/pm2
mkdir -p "$PM2_HOME"
pm2c() { timeout 300 pm2 "$@"; }

peer_setup() {
    node -e '
        const n = +process.argv[1], a = [];
        for (let i = 1; i <= n; i++)
            a.push({name: "w" + i, script: "/bin/sleep", args: ["3600"],
                    interpreter: "none", autorestart: true});
        require("fs").writeFileSync(process.argv[2], JSON.stringify({apps: a}));
    ' "$N" "$TMP/eco.json" || return 1
    pm2c ping >/dev/null 2>&1 || return 1
    local pid; pid=$(cat "$PM2_HOME/pm2.pid" 2>/dev/null)
    [[ -n "$pid" ]] && kill -0 "$pid" || return 1
    set_root "$pid"
    # extra: bulk start from the ecosystem file with the daemon up
    local out
    out=$("$PW" start "$ROOT" "$WORKER_COMM" "$N" $((BENCH_START_TIMEOUT_S * 1000)) -- pm2 start "$TMP/eco.json")
    log "eco start: $out"
    [[ "$out" =~ cmd_pid=([0-9]+) ]] && own "${BASH_REMATCH[1]}"
    emit eco_start_running_ms "$(sed -n 's/.*running_ms=\([-0-9.]*\).*/\1/p' <<<"$out")"
    emit eco_start_cmd_ms "$(sed -n 's/.*cmd_ms=\([-0-9.]*\).*/\1/p' <<<"$out")"
    pm2c stop all >/dev/null 2>&1
    wait_until 120 0.1 bash -c '(( $("$0" count "$1" sleep) == 0 ))' "$PW" "$ROOT" || return 1
    local n; n=$(pm2c jlist 2>/dev/null | grep -o '"status":"stopped"' | wc -l)
    (( n == N )) || { log "only $n apps stopped"; return 1; }
}
peer_start_cmd() { printf '%s\n' pm2 start all; }
peer_stop() { pm2c stop all; }
peer_running_count() { pm2c jlist 2>/dev/null | grep -o '"status":"online"' | wc -l; }
peer_status_cmd() { printf '%s\n' pm2 jlist; }
STATUS2_METRIC=status_table_ms
peer_status2_cmd() { printf '%s\n' pm2 ls; }
peer_teardown() { :; }

run_bench
