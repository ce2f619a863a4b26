#!/bin/bash
# Run the benchmark for every peer at N=100 and N=1000.
#   bench/run-peers.sh                 -> supervisord s6 runit pm2, writes
#                                         bench/results/peers.txt (+ .log)
#   bench/run-peers.sh vectis          -> any subset; then the output is
#                                         bench/results/<names>.txt
#   BENCH_NS="100" bench/run-peers.sh  -> other sizes
# Each peer run is bounded (timeout per run, BENCH_RUN_TIMEOUT_S, default
# 1800 s) and cleans up after itself.  Before each run it waits (at most
# BENCH_QUIET_WAIT_S, 600 s) until the machine is <= BENCH_QUIET_PCT (15 %)
# busy, and records what it saw: other sessions may share this machine.  A summary table is printed at the end
# (bench/summarize.sh).
set -u
cd "$(dirname "$0")" || exit 1
peers=("$@")
(( ${#peers[@]} )) || peers=(supervisord s6 runit pm2)
: "${BENCH_NS:=100 1000}"
: "${BENCH_RUN_TIMEOUT_S:=1800}"
mkdir -p results
if [[ -n "${BENCH_OUT:-}" ]]; then out=$BENCH_OUT
elif [[ "${peers[*]}" == "supervisord s6 runit pm2" ]]; then out=results/peers.txt
else out="results/$(IFS=-; echo "${peers[*]}").txt"; fi
logf="${out%.txt}.log"
: "${BENCH_QUIET_PCT:=15}"      # wait for the machine to be this idle ...
: "${BENCH_QUIET_WAIT_S:=600}"  # ... for at most this long before each run

# CPU busy % of the whole machine over 2 s (other sessions share it)
cpu_busy() {
    local a b
    read -r _ a1 a2 a3 a4 a5 a6 a7 a8 _ </proc/stat
    sleep 2
    read -r _ b1 b2 b3 b4 b5 b6 b7 b8 _ </proc/stat
    local tot=$(( (b1+b2+b3+b4+b5+b6+b7+b8) - (a1+a2+a3+a4+a5+a6+a7+a8) ))
    local idle=$(( (b4+b5) - (a4+a5) ))
    echo $(( tot > 0 ? 100 * (tot - idle) / tot : 0 ))
}
wait_quiet() {
    local end=$(( SECONDS + BENCH_QUIET_WAIT_S )) b
    while :; do
        b=$(cpu_busy)
        (( b <= BENCH_QUIET_PCT )) && { echo "$b"; return 0; }
        (( SECONDS >= end )) && { echo "$b (gave up waiting)"; return 1; }
        sleep 8
    done
}
{
    echo "# vectis-supervisor benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# host: $(uname -srm), $(nproc) CPUs, $(awk '/MemTotal/{printf "%d MiB", $2/1024}' /proc/meminfo)"
    echo "# versions: supervisord $(supervisord --version 2>/dev/null || echo -)," \
         "s6 $(dpkg-query -W -f='${Version}' s6 2>/dev/null || echo -)," \
         "runit $(dpkg-query -W -f='${Version}' runit 2>/dev/null || echo -)," \
         "pm2 $(node -p "require('$(npm root -g 2>/dev/null)/pm2/package.json').version" 2>/dev/null || echo -)," \
         "node $(node -v 2>/dev/null || echo -)"
    echo "# settings: kills=${BENCH_KILLS:-100} status_runs=${BENCH_STATUS_RUNS:-10} idle_s=${BENCH_IDLE_S:-10}"
} >"$out"
: >"$logf"
# Every peer runs in a network namespace of its own (loopback only, and
# down): PM2 checks for new versions on the Internet unless stopped, and
# vectis listens on SYNC_LISTEN.  Nothing a benchmark does leaves the host.
netns=
if (( EUID == 0 )) && unshare -n true 2>/dev/null; then
    netns="unshare -n"
else
    echo "# warning: no private network namespace (needs root); peers share the host network" >>"$out"
fi
for n in $BENCH_NS; do
    for p in "${peers[@]}"; do
        script=./peer-$p.sh
        [[ $p == vectis ]] && script=./vectis.sh
        [[ -x $script ]] || { echo "no script for $p" >&2; continue; }
        echo "== $p n=$n" | tee -a "$logf" >&2
        echo "# $p n=$n: machine CPU busy before: $(wait_quiet)%, load average: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out"
        $netns timeout -s TERM -k 30 "$BENCH_RUN_TIMEOUT_S" "$script" "$n" >>"$out" 2>>"$logf" \
            || echo "# $p n=$n exited with status $?" | tee -a "$out" >&2
        echo "# $p n=$n: load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out"
    done
done
./summarize.sh "$out"
