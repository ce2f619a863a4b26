#!/bin/bash
# runit (Debian "runit" 2.1.2) — usage: peer-runit.sh N
# Method: private service dir $TMP/service with N dirs wI/ holding
#   run:  #!/bin/sh  exec /bin/sleep 3600
#   down: present, so runsv does not start the service on its own.
# "runsvdir $TMP/service" runs in the foreground and spawns one runsv per
# service (no log/ subservices).  Note: runsvdir rescans only every 5 s, which
# does not matter here (all dirs exist before it starts).
# start all = "sv up DIR..." (one sv process for all N dirs);
# status    = "sv status DIR..." (one process).
PEER=runit
source "$(dirname "$0")/lib.sh"
bench_init "${1:-}"
command -v runsvdir >/dev/null || die "runit not installed (bench/install-peers.sh)"

SVD=$TMP/service

ready_count() { local f n=0; for f in "$SVD"/*/supervise/ok; do [[ -p $f ]] && n=$((n + 1)); done; echo $n; }

peer_setup() {
    mkdir -p "$SVD"
    for (( i = 1; i <= N; i++ )); do
        mkdir "$SVD/w$i"
        printf '#!/bin/sh\nexec /bin/sleep 3600\n' >"$SVD/w$i/run"
        chmod 755 "$SVD/w$i/run"
        : >"$SVD/w$i/down"
    done
    runsvdir "$SVD" >"$TMP/runsvdir.out" 2>&1 </dev/null &
    set_root $!
    wait_until 120 0.05 bash -c "(( \$($(declare -f ready_count); SVD='$SVD' ready_count) >= $N ))" || {
        log "only $(ready_count) runsv ready"; return 1; }
}
peer_start_cmd() { printf '%s\n' sv up; printf '%s\n' "$SVD"/*; }
peer_stop() { timeout 120 sv down "$SVD"/*; }
peer_running_count() { timeout 120 sv status "$SVD"/* | grep -c '^run:'; }
peer_status_cmd() { printf '%s\n' sv status; printf '%s\n' "$SVD"/*; }
peer_teardown() { :; }

run_bench
