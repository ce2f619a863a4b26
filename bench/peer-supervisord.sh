#!/bin/bash
# supervisord (Debian "supervisor" 4.x) — usage: peer-supervisord.sh N
# Method: private supervisord.conf in a temp dir (unix socket there too),
# N [program:wI] sections, command=/bin/sleep 3600, autostart=false,
# autorestart=true, startsecs=0 (so RUNNING is reported at spawn, as the other
# peers do; the default 1 s would add a fixed 1 s to the status-based start
# time), stdout/stderr logging left at its default (AUTO log files).
# start all = "supervisorctl start all"; status = "supervisorctl status".
PEER=supervisord
source "$(dirname "$0")/lib.sh"
bench_init "${1:-}"
command -v supervisord >/dev/null || die "supervisord not installed (bench/install-peers.sh)"

CONF=$TMP/supervisord.conf
ctl() { timeout 120 supervisorctl -c "$CONF" "$@"; }

peer_setup() {
    mkdir -p "$TMP/logs"
    {
        cat <<CONF
[unix_http_server]
file=$TMP/supervisor.sock

[supervisord]
nodaemon=true
logfile=$TMP/supervisord.log
pidfile=$TMP/supervisord.pid
childlogdir=$TMP/logs
minfds=$(( N * 8 + 1024 ))
minprocs=$(( N + 200 ))
user=root

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$TMP/supervisor.sock
CONF
        for (( i = 1; i <= N; i++ )); do
            printf '\n[program:w%d]\ncommand=/bin/sleep 3600\nautostart=false\nautorestart=true\nstartsecs=0\n' "$i"
        done
    } >"$CONF"
    supervisord -c "$CONF" >"$TMP/supervisord.out" 2>&1 &
    set_root $!
    wait_until 60 0.05 bash -c "supervisorctl -c '$CONF' pid >/dev/null 2>&1" || return 1
    # all N known and stopped?
    local n; n=$(ctl status 2>/dev/null | grep -c STOPPED)
    (( n == N )) || { log "only $n programs STOPPED"; return 1; }
}
peer_start_cmd() { printf '%s\n' supervisorctl -c "$CONF" start all; }
peer_stop() { ctl stop all; }
peer_running_count() { ctl status 2>/dev/null | grep -c ' RUNNING '; }
peer_status_cmd() { printf '%s\n' supervisorctl -c "$CONF" status; }
peer_teardown() { :; }   # everything is SIGKILLed by cleanup

run_bench
