#!/bin/bash
# s6 (Debian "s6" 2.11) — usage: peer-s6.sh N
# Method: private scan dir $TMP/scan with N service dirs wI/ holding
#   run:  #!/bin/sh  exec /bin/sleep 3600      (execline is not installed by
#         default; dash + exec costs well under a millisecond)
#   down: present, so s6-supervise does not start the service on its own.
# s6-svscan -c N+100 (the default cap is 500 services) runs in the foreground;
# it spawns one s6-supervise per service.  No s6-log loggers (workers inherit
# s6-svscan's stdout), which also keeps the process count at N+1.
# start all = write "u" into every supervise/control fifo (exactly what
#   "s6-svc -u DIR" does, but s6-svc takes one dir per exec, so the bash loop
#   of builtin writes is the fastest fair way to say "start all");
# status    = s6-svstat DIR for every service (s6 has no "list all"; the loop
#   runs in sh, i.e. N execs of s6-svstat).
PEER=s6
source "$(dirname "$0")/lib.sh"
bench_init "${1:-}"
command -v s6-svscan >/dev/null || die "s6 not installed (bench/install-peers.sh)"

SCAN=$TMP/scan

ready_count() { local f n=0; for f in "$SCAN"/*/supervise/control; do [[ -p $f ]] && n=$((n + 1)); done; echo $n; }

peer_setup() {
    mkdir -p "$SCAN"
    for (( i = 1; i <= N; i++ )); do
        mkdir "$SCAN/w$i"
        printf '#!/bin/sh\nexec /bin/sleep 3600\n' >"$SCAN/w$i/run"
        chmod 755 "$SCAN/w$i/run"
        : >"$SCAN/w$i/down"
    done
    s6-svscan -c $(( N + 100 )) "$SCAN" >"$TMP/s6-svscan.out" 2>&1 </dev/null &
    set_root $!
    wait_until 120 0.05 bash -c "(( \$($(declare -f ready_count); SCAN='$SCAN' ready_count) >= $N ))" || {
        log "only $(ready_count) supervisors ready"; return 1; }
}
peer_start_cmd() {
    printf '%s\n' bash -c 'for d in "$0"/*/; do printf u >"${d}supervise/control"; done' "$SCAN"
}
peer_stop() { local d; for d in "$SCAN"/*/; do printf d >"${d}supervise/control"; done; }
peer_running_count() {
    timeout 120 sh -c 'for d in "$0"/*; do s6-svstat -o up "$d"; done' "$SCAN" | grep -c '^true'
}
peer_status_cmd() { printf '%s\n' sh -c 'for d in "$0"/*; do s6-svstat "$d"; done' "$SCAN"; }
peer_teardown() { :; }

run_bench
