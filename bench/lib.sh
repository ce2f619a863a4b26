# bench/lib.sh — shared helpers for the supervisor benchmarks (bash >= 5).
#
# A peer script sets PEER, sources this file, calls bench_init N, defines
#   peer_setup         create config, launch the supervisor with all N workers
#                      defined but NOT started; "set_root PID" (the
#                      supervisor's top process) at once; return once the
#                      supervisor accepts commands
#   peer_start_cmd     print (one word per line) the "start all" command
#   peer_running_count print how many workers the supervisor's own status
#                      output reports as running
#   peer_status_cmd    print (one word per line) the status/list command
#                      that is timed (metric c); peer_status2_cmd optional
#   peer_stop          "stop all" (needed to repeat the start measurement)
#   peer_teardown      optional graceful stop (everything is SIGKILLed after)
# and then calls run_bench.  Every metric is printed as one line:
#   peer=NAME n=N metric=NAME value=NUMBER
# Workers are "/bin/sleep 3600"; they are recognised in the supervisor's
# process tree by comm == "sleep".

set -u
export LC_ALL=C
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

: "${BENCH_KILLS:=100}"          # restart-latency samples (>= 50)
: "${BENCH_STATUS_RUNS:=10}"     # status command repetitions
: "${BENCH_START_REPS:=3}"       # start-all repetitions (stop all between)
: "${BENCH_IDLE_S:=10}"          # idle CPU window
: "${BENCH_SETTLE_S:=3}"         # pause after start before mem/cpu
: "${BENCH_START_TIMEOUT_S:=300}"
: "${BENCH_KILL_TIMEOUT_MS:=10000}"
: "${BENCH_KILL_GAP_MS:=100}"    # pause between two kills
WORKER_COMM=sleep
ROOT=""
ROOT_START=""
OWNED=()          # "pid:starttime" of processes to kill at exit
TMP=""

log() { printf '[%s %s n=%s] %s\n' "$(date +%T)" "${PEER:-?}" "${N:-?}" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

# wall clock in microseconds / milliseconds (bash builtin, no fork)
now_us() { local t=$EPOCHREALTIME; echo $(( 10#${t/./} )); }
now_ms() { echo $(( $(now_us) / 1000 )); }
# elapsed ms with one decimal since a now_us stamp
since_ms() { local d=$(( $(now_us) - $1 )); printf '%d.%d' $((d / 1000)) $(( (d % 1000) / 100 )); }

emit() { printf 'peer=%s n=%s metric=%s value=%s\n' "$PEER" "$N" "$1" "$2"; }

# percentile P (0..100) of the numbers on stdin, nearest-rank; P=50 gives the
# usual median (mean of the two middle values for an even count)
pctl() {
    sort -g | awk -v p="$1" '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (p == 50 && NR % 2 == 0) { printf "%.3f\n", (v[NR/2] + v[NR/2 + 1]) / 2; exit }
        r = int(p / 100 * NR); if (r < p / 100 * NR) r++; if (r < 1) r = 1;
        printf "%.3f\n", v[r] }'
}

# wait_until TIMEOUT_S INTERVAL_S CMD...   (0 when CMD succeeded in time)
wait_until() {
    local to=$1 iv=$2; shift 2
    local end=$(( $(now_us) + to * 1000000 ))
    until "$@"; do
        (( $(now_us) > end )) && return 1
        sleep "$iv"
    done
}

raise_nofile() {
    local want=$1
    if (( $(ulimit -Hn) < want )); then ulimit -Hn "$want" 2>/dev/null || true; fi
    if (( $(ulimit -Hn) < want )); then want=$(ulimit -Hn); fi
    ulimit -Sn "$want"
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n "$ROOT" ]] && declare -F peer_teardown >/dev/null && [[ -z "${BENCH_NO_TEARDOWN:-}" ]]; then
        peer_teardown >/dev/null || true
    fi
    local r
    disown -a 2>/dev/null
    [[ -n "$ROOT" && -n "$ROOT_START" ]] && OWNED+=("$ROOT:$ROOT_START")
    for r in "${OWNED[@]}"; do
        # only a pid that is still the process we started (same start time):
        # a pid that has exited may have been reused by someone else's process
        [[ "$(starttime_of "${r%%:*}")" == "${r#*:}" ]] || continue
        [[ -x "$TMP/pidwatch" ]] && "$TMP/pidwatch" reap "${r%%:*}" >/dev/null 2>&1
        [[ "$(starttime_of "${r%%:*}")" == "${r#*:}" ]] && kill -9 "${r%%:*}" 2>/dev/null
    done
    # reap our own direct children that may still be around
    wait 2>/dev/null
    [[ -n "$TMP" && -z "${BENCH_KEEP_TMP:-}" ]] && rm -rf "$TMP"
    exit $rc
}

bench_init() {
    N=${1:?usage: $0 N}
    [[ "$N" =~ ^[0-9]+$ ]] || die "N must be a number"
    : "${PEER:?PEER not set}"
    raise_nofile $(( N * 8 + 4096 ))
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-$PEER-$N.XXXXXX")
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    gcc -O2 -o "$TMP/pidwatch" "$BENCH_DIR/pidwatch.c" || die "cannot build pidwatch"
    PW="$TMP/pidwatch"
}

# start time (field 22 of /proc/PID/stat) — identifies a process across pid reuse
starttime_of() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    s=${s##*) }
    set -- $s
    echo "${20}"
}

# remember a process we started, so that cleanup kills it (and its tree)
own() { local st; st=$(starttime_of "$1") && OWNED+=("$1:$st"); }
# the supervisor's top process: call right after launching it
set_root() { ROOT=$1; ROOT_START=$(starttime_of "$1"); }

# peer_running_count, always one number
running_count() { local c; c=$(peer_running_count 2>/dev/null); c=${c%%[!0-9]*}; echo "${c:-0}"; }

# ---- the common measurement sequence ----------------------------------------
run_bench() {
    local t_setup; t_setup=$(now_us)
    peer_setup || die "setup failed"
    [[ -n "$ROOT" ]] || die "peer_setup did not set ROOT"
    [[ "$(starttime_of "$ROOT")" == "$ROOT_START" ]] || die "supervisor (pid $ROOT) is gone"
    log "setup done in $(since_ms "$t_setup") ms (root pid $ROOT)"
    local have; have=$("$PW" count "$ROOT" "$WORKER_COMM")
    (( have == 0 )) || log "warning: $have workers already running before start"

    # (a) start all — BENCH_START_REPS times (stop all in between), medians
    local -a cmd; mapfile -t cmd < <(peer_start_cmd)
    local reps=$BENCH_START_REPS rep out t0 running cmd_ms cmd_pid end c st
    declare -F peer_stop >/dev/null || reps=1
    local -a s_run=() s_cmd=() s_st=()
    for (( rep = 1; rep <= reps; rep++ )); do
        t0=0 running=-1 cmd_ms=-1 st=-1 c=0
        out=$("$PW" start "$ROOT" "$WORKER_COMM" "$N" $((BENCH_START_TIMEOUT_S * 1000)) -- "${cmd[@]}")
        [[ "$out" =~ t0_us=([0-9]+) ]] && t0=${BASH_REMATCH[1]}
        # then poll the supervisor's own status until it says all N are
        # running (right away, before any other fork, so that fast
        # supervisors are not charged for the script's bookkeeping)
        end=$(( t0 + BENCH_START_TIMEOUT_S * 1000000 ))
        while (( $(now_us) < end )); do
            c=$(running_count)
            if (( c >= N )); then st=$(since_ms "$t0"); break; fi
            sleep 0.005
        done
        log "start #$rep: $out status_ms=$st"
        [[ "$out" =~ running_ms=([-0-9.]+) ]] && running=${BASH_REMATCH[1]}
        [[ "$out" =~ cmd_ms=([-0-9.]+) ]] && cmd_ms=${BASH_REMATCH[1]}
        [[ "$out" =~ cmd_pid=([0-9]+) ]] && own "${BASH_REMATCH[1]}"
        (( c >= N )) || log "status reports only $c/$N running"
        s_run+=("$running"); s_cmd+=("$cmd_ms"); s_st+=("$st")
        if (( rep < reps )); then
            # let the start settle, stop all, wait until no worker is left,
            # pause (s6-supervise will not respawn within 1 s of a start)
            sleep 2
            peer_stop >/dev/null 2>&1
            wait_until 300 0.05 bash -c '(( $("$0" count "$1" "$2") == 0 ))' "$PW" "$ROOT" "$WORKER_COMM" \
                || die "workers still running after stop all"
            end=$(( $(now_us) + 300000000 ))
            until (( $(running_count) == 0 )); do
                (( $(now_us) > end )) && { log "warning: status still reports running workers"; break; }
                sleep 0.1
            done
            sleep 2
        fi
    done
    emit start_running_ms "$(printf '%s\n' "${s_run[@]}" | pctl 50)"
    emit start_cmd_ms "$(printf '%s\n' "${s_cmd[@]}" | pctl 50)"
    emit start_status_ms "$(printf '%s\n' "${s_st[@]}" | pctl 50)"
    emit start_running_min_ms "$(printf '%s\n' "${s_run[@]}" | pctl 0)"
    emit start_running_max_ms "$(printf '%s\n' "${s_run[@]}" | pctl 100)"

    sleep "$BENCH_SETTLE_S"
    local w; w=$("$PW" count "$ROOT" "$WORKER_COMM")
    emit workers_running "$w"

    # (d) memory of the supervisor's own processes
    out=$("$PW" mem "$ROOT" "$WORKER_COMM")
    log "mem: $out"
    emit sup_procs "$(sed -n 's/.*procs=\([0-9]*\).*/\1/p' <<<"$out")"
    emit rss_kb "$(sed -n 's/.*rss_kb=\([0-9]*\).*/\1/p' <<<"$out")"
    emit pss_kb "$(sed -n 's/.*pss_kb=\([0-9]*\).*/\1/p' <<<"$out")"

    # (e) idle CPU over BENCH_IDLE_S seconds
    local c0 c1 hz; hz=$(getconf CLK_TCK)
    c0=$("$PW" cpu "$ROOT" "$WORKER_COMM")
    sleep "$BENCH_IDLE_S"
    c1=$("$PW" cpu "$ROOT" "$WORKER_COMM")
    emit idle_cpu_ticks_${BENCH_IDLE_S}s $(( c1 - c0 ))
    emit idle_cpu_ms_${BENCH_IDLE_S}s $(( (c1 - c0) * 1000 / hz ))

    # (c) status command (run directly by pidwatch: fork+exec+wait, bounded)
    local i samples=() r
    local -a scmd
    for fn in peer_status_cmd peer_status2_cmd; do
        declare -F "$fn" >/dev/null || continue
        mapfile -t scmd < <("$fn")
        samples=()
        for (( i = 0; i < BENCH_STATUS_RUNS; i++ )); do
            r=$("$PW" time 120000 -- "${scmd[@]}")
            samples+=("${r%% *}")
            [[ "$r" == *" 0" ]] || log "status command: $r"
        done
        log "$fn samples: ${samples[*]}"
        if [[ $fn == peer_status_cmd ]]; then
            emit status_ms "$(printf '%s\n' "${samples[@]}" | pctl 50)"
        else
            emit "${STATUS2_METRIC:-status2_ms}" "$(printf '%s\n' "${samples[@]}" | pctl 50)"
        fi
    done

    # (b) restart latency: SIGKILL K distinct workers, spread over the set
    local -a victims
    mapfile -t victims < <("$PW" list "$ROOT" "$WORKER_COMM" | awk '{print $1}' | sort -n)
    local nv=${#victims[@]} k=$BENCH_KILLS
    (( nv > 0 )) || die "no workers to kill"
    local step=$(( nv / k )); (( step < 1 )) && step=1
    local lat_file="$TMP/restart_us" fork_file="$TMP/fork_us" fails=0 j v
    : >"$lat_file"; : >"$fork_file"
    for (( i = 0; i < k; i++ )); do
        j=$(( (i * step) % nv ))
        # if K > number of workers, re-list (pids changed after the restarts)
        if (( i > 0 && j == 0 )); then
            mapfile -t victims < <("$PW" list "$ROOT" "$WORKER_COMM" | awk '{print $1}' | sort -n)
            nv=${#victims[@]}
        fi
        v=${victims[$j]}
        out=$("$PW" kill "$ROOT" "$v" "$WORKER_COMM" "$BENCH_KILL_TIMEOUT_MS")
        if [[ "$out" =~ exec_us=([0-9]+) ]]; then
            echo "${BASH_REMATCH[1]}" >>"$lat_file"
            [[ "$out" =~ fork_us=([0-9]+) ]] && echo "${BASH_REMATCH[1]}" >>"$fork_file"
        else
            fails=$(( fails + 1 )); log "kill $v: $out"
        fi
        sleep "$(awk -v m="$BENCH_KILL_GAP_MS" 'BEGIN{printf "%.3f", m/1000}')"
    done
    local ms
    ms() { awk '{printf "%.3f\n", $1/1000}' "$1"; }
    emit restart_samples "$(wc -l <"$lat_file")"
    emit restart_failures "$fails"
    emit restart_median_ms "$(ms "$lat_file" | pctl 50)"
    emit restart_p99_ms "$(ms "$lat_file" | pctl 99)"
    emit restart_max_ms "$(ms "$lat_file" | pctl 100)"
    emit restart_fork_median_ms "$(ms "$fork_file" | pctl 50)"
    # all back?
    wait_until 30 0.1 bash -c '(( $("$0" count "$1" "$2") >= $3 ))' "$PW" "$ROOT" "$WORKER_COMM" "$N" \
        || log "warning: not all workers back after the kills"
    emit workers_after_kills "$("$PW" count "$ROOT" "$WORKER_COMM")"
}
