#!/bin/bash
# vectis-supervisor — usage: vectis.sh N      (same metrics as the peers)
# Binary: $VECTIS_BIN (default: vectis-supervisor at the top of the tree, else
# _build/normal/vectis-supervisor), shim: $VECTIS_SHIM and HTTP listener:
# $VECTIS_LISTENER (default: vectis-worker-shim and vectis-listener next to
# the binary; the master runs with its defaults, HTTP on 0.0.0.0:3000, which
# run-peers.sh keeps in a network namespace of its own).
# Method: private VECTIS_HOME=$TMP/home; "vectis-supervisor run" in the
# background (its pid is the root of the tree); N tenants wI created with one
# "apply FILE" call:
#   {"name":"wI","command":["/bin/sleep","3600"],"autostart":false,
#    "restart":{"backoff_initial_ms":0}}
# plus "user":"root" when run as root, where a tenant must name its user.
# (backoff 0 so the restart latency measures the machinery, as supervisord and
# PM2 restart at once too; logs: vectis' default per-tenant log files).
# start all = "vectis-supervisor start --all" (waits until all RUNNING);
# status = "vectis-supervisor list --json"; status2 = "list" (the table).
PEER=vectis
source "$(dirname "$0")/lib.sh"
bench_init "${1:-}"
# defaults: the top-level build, else an out-of-tree build in _build/normal
top=$(cd "$BENCH_DIR/.." && pwd)
if [[ -z "${VECTIS_BIN:-}" ]]; then
    VECTIS_BIN=$top/vectis-supervisor
    [[ -x $VECTIS_BIN ]] || [[ ! -x $top/_build/normal/vectis-supervisor ]] || VECTIS_BIN=$top/_build/normal/vectis-supervisor
fi
: "${VECTIS_SHIM:=$(dirname "$VECTIS_BIN")/vectis-worker-shim}"
: "${VECTIS_LISTENER:=$(dirname "$VECTIS_BIN")/vectis-listener}"
[[ -x "$VECTIS_BIN" ]] || die "no vectis binary at $VECTIS_BIN (set VECTIS_BIN)"
[[ -x "$VECTIS_SHIM" ]] || die "no shim at $VECTIS_SHIM (set VECTIS_SHIM)"
[[ -x "$VECTIS_LISTENER" ]] || die "no listener at $VECTIS_LISTENER (set VECTIS_LISTENER)"
# private copies: the tree may be rebuilt while the benchmark runs
mkdir -p "$TMP/bin"
cp "$VECTIS_BIN" "$TMP/bin/vectis-supervisor" && cp "$VECTIS_SHIM" "$TMP/bin/vectis-worker-shim" &&
    cp "$VECTIS_LISTENER" "$TMP/bin/vectis-listener" || die "copy failed"
log "binary $VECTIS_BIN ($(stat -c %y "$VECTIS_BIN" | cut -d. -f1))"
VECTIS_BIN=$TMP/bin/vectis-supervisor
export VECTIS_SHIM=$TMP/bin/vectis-worker-shim VECTIS_LISTENER=$TMP/bin/vectis-listener
export VECTIS_HOME=$TMP/home
mkdir -p "$VECTIS_HOME"
# BENCH_VECTIS_CONF / BENCH_VECTIS_WORKER_CONF: supervisor.conf and
# worker.conf lines ("\n" between), e.g. CGROUP=off or SYNC_LISTEN=off, to
# see what one feature costs.  Default: neither file, the shipped defaults.
[[ -n "${BENCH_VECTIS_CONF:-}" ]] && printf '%b\n' "$BENCH_VECTIS_CONF" >"$VECTIS_HOME/supervisor.conf"
[[ -n "${BENCH_VECTIS_WORKER_CONF:-}" ]] && printf '%b\n' "$BENCH_VECTIS_WORKER_CONF" >"$VECTIS_HOME/worker.conf"
vx() { timeout 300 "$VECTIS_BIN" "$@"; }
count_status() { vx list --json 2>/dev/null | grep -oE "\"status\" *: *\"$1\"" | wc -l; }

peer_setup() {
    "$VECTIS_BIN" run >"$TMP/master.out" 2>&1 </dev/null &
    set_root $!
    wait_until 60 0.02 bash -c '"$0" list --json >/dev/null 2>&1' "$VECTIS_BIN" || {
        log "master not answering: $(tail -5 "$TMP/master.out")"; return 1; }
    # as root, a tenant must name its user (vectis-tenants(5)): root, like the peers
    local user=; (( EUID == 0 )) && user=',"user":"root"'
    {
        printf '['
        for (( i = 1; i <= N; i++ )); do
            (( i > 1 )) && printf ','
            printf '{"name":"w%d","command":["/bin/sleep","3600"],"autostart":false,"restart":{"backoff_initial_ms":0}%s}' "$i" "$user"
        done
        printf ']\n'
    } >"$TMP/tenants.json"
    local ts; ts=$(now_us)
    vx apply "$TMP/tenants.json" >"$TMP/apply.out" 2>&1 || { log "apply failed: $(tail -3 "$TMP/apply.out")"; return 1; }
    emit apply_ms "$(since_ms "$ts")"
    local n; n=$(count_status STOPPED)
    (( n == N )) || { log "only $n tenants STOPPED"; return 1; }
}
peer_start_cmd() { printf '%s\n' "$VECTIS_BIN" start --all; }
peer_stop() { vx stop --all; }
peer_running_count() { count_status RUNNING; }
peer_status_cmd() { printf '%s\n' "$VECTIS_BIN" list --json; }
STATUS2_METRIC=status_table_ms
peer_status2_cmd() { printf '%s\n' "$VECTIS_BIN" list; }
peer_teardown() {
    local ts; ts=$(now_us)
    timeout 60 "$VECTIS_BIN" shutdown >/dev/null 2>&1
    local t=0
    while kill -0 "$ROOT" 2>/dev/null && (( t++ < 300 )); do sleep 0.05; done
    log "shutdown took $(since_ms "$ts") ms$(kill -0 "$ROOT" 2>/dev/null && echo ' (master still alive, will be killed)')"
}

run_bench
