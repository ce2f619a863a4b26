#!/bin/bash
# startstorm.sh: N tenants (default 200) whose start costs CPU_MS of CPU
# and MB of memory before READY=1 (notify pipe, bench/startload.c), all
# started by one "start --all", unpaced (START_CONCURRENCY=10000) and paced
# (the master's default, or STORM_CONCURRENCY): the time until all are
# ready, the peak of the tenants' summed RSS, and the most tenants ever in
# state starting (and queued) at once, sampled from list --json and
# counted exactly from the master's log.
# usage: bench/startstorm.sh [N]; STORM_MODES="unpaced paced paced8" adds
# a run with START_CONCURRENCY=8.
set -u
N=${1:-200}
CPU_MS=${STORM_CPU_MS:-1000}
MB=${STORM_MB:-50}
KEEP_MB=${STORM_KEEP_MB:-5}
MODES=${STORM_MODES:-unpaced paced}
PACED=${STORM_CONCURRENCY:-}
SAMPLE_MS=${STORM_SAMPLE_MS:-200}
TIMEOUT_S=${STORM_TIMEOUT_S:-900}
top=$(cd "$(dirname "$0")/.." && pwd)
BIN=${VECTIS_BIN:-$top/_build/normal/vectis-supervisor}
SHIM=${VECTIS_SHIM:-$(dirname "$BIN")/vectis-worker-shim}
. "$(dirname "$0")/vxhome.sh" vx-storm
work=$VX_WORK
ulimit -n 65536 2>/dev/null

say() { printf 'startstorm: %s\n' "$*" >&2; }
NICE=0
[ "$(id -u)" = 0 ] && NICE=-10

# Private copies: a rebuild during the run does not matter.
cp "$BIN" "$work/vectis-supervisor" && cp "$SHIM" "$work/vectis-worker-shim" ||
    exit 1
BIN=$work/vectis-supervisor
export VECTIS_SHIM=$work/vectis-worker-shim
export VECTIS_TIMEOUT=$TIMEOUT_S
cc -O2 -o "$work/startload" "$top/bench/startload.c" || exit 1

# The tenants: autostart off, so that one start --all starts them all;
# start_timeout_s large enough for an unpaced storm (see the README).
python3 - "$N" "$work/startload" "$CPU_MS" "$MB" "$KEEP_MB" "$TIMEOUT_S" \
    >"$work/t.json" <<'PY'
import json, os, sys
n, prog, ms, mb, keep, tmo = sys.argv[1:]
user = {"user": "root"} if os.geteuid() == 0 else {}
print(json.dumps([dict({"name": "s%04d" % i, "autostart": False,
    "command": [prog, ms, mb, keep], "notify": "pipe",
    "start_timeout_s": int(tmo)}, **user) for i in range(int(n))]))
PY

# The sampler: every SAMPLE_MS, list --json and the workers' VmRSS from
# /proc, until all N are running and ready (or the timeout).  Prints the
# figures of one run.
cat >"$work/sample.py" <<'PY'
import json, subprocess, sys, time
binp, n, sample_ms, tmo, t0 = sys.argv[1], int(sys.argv[2]), \
    int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
page = 4096
peak_rss = peak_mrss = max_starting = max_queued = samples = 0
all_ready = None
list_max = 0
while time.time() - t0 < tmo:
    ts = time.time()
    try:
        out = subprocess.run([binp, "list", "--json"], capture_output=True,
            timeout=60).stdout
        ts_list = json.loads(out)
    except (subprocess.TimeoutExpired, ValueError):
        time.sleep(sample_ms / 1000)
        continue
    list_max = max(list_max, time.time() - ts)
    samples += 1
    st = {}
    rss = mrss = 0
    for t in ts_list:
        st[t["state"]] = st.get(t["state"], 0) + 1
        mrss += t.get("rss_bytes") or 0
        if t.get("pid"):
            try:
                with open("/proc/%d/statm" % t["pid"]) as f:
                    rss += int(f.read().split()[1]) * page
            except (OSError, ValueError, IndexError):
                pass
    peak_rss = max(peak_rss, rss)
    peak_mrss = max(peak_mrss, mrss)
    max_starting = max(max_starting, st.get("starting", 0))
    max_queued = max(max_queued, st.get("queued", 0))
    ready = sum(1 for t in ts_list if t["state"] == "running" and t["ready"])
    if ready == n:
        all_ready = ts - t0
        break
    time.sleep(max(0, sample_ms / 1000 - (time.time() - ts)))
print("all_ready_s %s" % ("%.1f" % all_ready if all_ready is not None
    else "timeout(%d)" % tmo))
print("peak_rss_mb %.0f" % (peak_rss / 1048576))
print("peak_rss_bytes_master_mb %.0f" % (peak_mrss / 1048576))
print("max_starting %d" % max_starting)
print("max_queued %d" % max_queued)
print("samples %d" % samples)
print("list_max_ms %.0f" % (list_max * 1000))
PY

# run MODE: one storm with a fresh master; metric lines on stdout.
run() {
	local mode=$1 conc t0 rc
	export VECTIS_HOME=$work/$mode
	mkdir -p "$VECTIS_HOME"
	echo 'SYNC_LISTEN=off' >"$VECTIS_HOME/worker.conf"
	case $mode in
	unpaced) conc=10000 ;;
	paced) conc=$PACED ;;
	paced[1-9]*) conc=${mode#paced} ;;
	*) say "unknown mode $mode"; return 1 ;;
	esac
	: >"$VECTIS_HOME/supervisor.conf"
	[ -n "$conc" ] && echo "START_CONCURRENCY=$conc" >"$VECTIS_HOME/supervisor.conf"
	"$BIN" run >"$work/$mode.log" 2>&1 &
	MASTER=$!
	for _ in $(seq 1 500); do
		"$BIN" list >/dev/null 2>&1 && break
		kill -0 "$MASTER" 2>/dev/null || break
		sleep 0.02
	done
	"$BIN" list >/dev/null 2>&1 || {
		say "$mode: the master did not start: $(tail -3 "$work/$mode.log")"
		return 1
	}
	grep -qs START_CONCURRENCY "$work/$mode.log" &&
	    say "$mode: $(grep START_CONCURRENCY "$work/$mode.log" | head -1)"
	"$BIN" apply "$work/t.json" >/dev/null || return 1
	say "$mode: $N tenants, ${CPU_MS} ms CPU and $MB MB (keeping $KEEP_MB) each before READY=1, START_CONCURRENCY=${conc:-default}; load $(cut -d' ' -f1-3 /proc/loadavg)"
	t0=$EPOCHREALTIME
	# The sampler (and the list it runs) ahead of the N busy workers.
	nice -n "$NICE" python3 "$work/sample.py" "$BIN" "$N" "$SAMPLE_MS" \
	    "$TIMEOUT_S" "$t0" >"$work/$mode.metrics" &
	local spid=$!
	"$BIN" start --all >/dev/null 2>"$work/$mode.start.err"
	rc=$?
	local tcmd
	tcmd=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	wait "$spid"
	awk -v m="$mode" -v n="$N" '{ printf "storm mode=%s n=%d metric=%s value=%s\n", m, n, $1, $2 }' \
	    "$work/$mode.metrics"
	# The master logs every state change in order: the exact most at once.
	awk -v m="$mode" -v n="$N" '$4 ~ /^s[0-9]+:$/ {
		if ($4 in st) c[st[$4]]--
		st[$4] = $5
		if (++c[$5] > mx[$5]) mx[$5] = c[$5]
	} END {
		printf "storm mode=%s n=%d metric=max_starting_log value=%d\n", m, n, mx["starting"]
		printf "storm mode=%s n=%d metric=max_queued_log value=%d\n", m, n, mx["queued"]
	}' "$work/$mode.log"
	printf 'storm mode=%s n=%d metric=start_cmd_s value=%s (exit %d)\n' \
	    "$mode" "$N" "$tcmd" "$rc"
	printf 'storm mode=%s n=%d metric=start_concurrency value=%s\n' \
	    "$mode" "$N" "${conc:-default}"
	printf 'storm mode=%s n=%d metric=restarts value=%s\n' "$mode" "$N" \
	    "$("$BIN" list --json | python3 -c 'import json, sys; print(sum(t["restarts"] for t in json.load(sys.stdin)))')"
	"$BIN" shutdown >/dev/null 2>&1
	for _ in $(seq 1 1200); do
		kill -0 "$MASTER" 2>/dev/null || break
		sleep 0.05
	done
	MASTER=
}

# An unpaced storm holds N x MB at once: refuse where that does not fit.
avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
for mode in $MODES; do
	if [ "$mode" = unpaced ] && [ $((N * MB * 13 / 10 + 1024)) -gt "$avail" ] &&
	    [ -z "${STORM_FORCE:-}" ]; then
		say "unpaced: $N x $MB MB does not fit in $avail MB available (STORM_FORCE=1 to try)"
		continue
	fi
	run "$mode"
done
