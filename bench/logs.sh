#!/bin/bash
# bench/logs.sh — log throughput: N workers (default 100) write fixed-size
# lines to stdout as fast as they can; after a warm-up, for BENCH_LOG_S
# seconds (default 10), measure the bytes that reach the log files and the
# CPU of the supervisor process that writes them.  Runs vectis-supervisor,
# then PM2 (npm "pm2", fork mode, default log files, private PM2_HOME) on
# the same workload, and writes the side-by-side result to
# bench/results/logs.txt (BENCH_OUT).
#
# The worker is one small C program (compiled into the temp dir) for both:
# a loop of write(2) calls of 64 KiB holding 100-byte lines
# "wNNN 000000123 xxxx...\n".  Payload MB/s counts those lines: file bytes
# divided by the record size (vectis adds "2026-01-11T06:23:00Z out ",
# 25 bytes, PM2 adds nothing by default) times 100.
#
# Neither supervisor rotates during the window (vectis: logs.max_size_bytes
# 1 TiB; PM2 has no rotation without the pm2-logrotate module), so that the
# growth of the files is what was written; allow ~2 GB of disk per peer.
#
# Usage: bench/logs.sh [N]        peers: BENCH_LOG_PEERS="vectis pm2"
# VECTIS_BIN (default _build/normal/vectis-supervisor), VECTIS_SHIM (default
# beside it).  Every process started is killed by pid at the end (pidwatch
# reap of each supervisor's tree); the temp dir is removed.
set -u
export LC_ALL=C
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$BENCH_DIR/.." && pwd)
N=${1:-100}
: "${BENCH_LOG_S:=10}"
: "${BENCH_WARMUP_S:=3}"
: "${BENCH_LOG_PEERS:=vectis pm2}"
: "${BENCH_OUT:=$BENCH_DIR/results/logs.txt}"
: "${VECTIS_BIN:=$top/_build/normal/vectis-supervisor}"
: "${VECTIS_SHIM:=$(dirname "$VECTIS_BIN")/vectis-worker-shim}"
LINE=100

log() { printf '[%s logs] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-logs.XXXXXX")
ROOTS=()
cleanup() {
	local r
	trap - EXIT INT TERM HUP PIPE
	for r in "${ROOTS[@]}"; do
		"$TMP/pidwatch" reap "$r" >/dev/null 2>&1
		kill -9 "$r" 2>/dev/null
	done
	wait 2>/dev/null
	[[ -z "${BENCH_KEEP_TMP:-}" ]] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

gcc -O2 -o "$TMP/pidwatch" "$BENCH_DIR/pidwatch.c" || die "cannot build pidwatch"
cat >"$TMP/writer.c" <<'EOF'
/*
 * writer: 100-byte lines "wNNN WWWWWWWWW LLL xxx...\n" to stdout, 655 per
 * write(2) (W: the write, L: the line in it), forever.  The lines are
 * built once and only the write number is updated, so that the writers
 * leave the CPU to the supervisor under test.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LINES	655

int
main(int argc, char **argv)
{
	static char buf[LINES * 100];
	char num[16];
	unsigned long n;
	int i;

	for (i = 0; i < LINES; i++) {
		memset(buf + i * 100, 'x', 99);
		snprintf(buf + i * 100, 20, "%-4.4s %09d %03d", argc > 1 ?
		    argv[1] : "w", 0, i);
		buf[i * 100 + 18] = ' ';
		buf[i * 100 + 99] = '\n';
	}
	for (n = 1;; n++) {
		if (write(1, buf, sizeof(buf)) == -1)
			return 1;
		snprintf(num, sizeof(num), "%09lu", n % 1000000000);
		for (i = 0; i < LINES; i++)
			memcpy(buf + i * 100 + 5, num, 9);
	}
}
EOF
gcc -O2 -o "$TMP/writer" "$TMP/writer.c" || die "cannot build the writer"

# bytes in the files matching a glob (rotated files included)
bytes() { find "$1" -maxdepth 1 -type f -name "$2" -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
# utime+stime; the command ("PM2 v7: God Daemon (...)") may hold spaces
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
hz=$(getconf CLK_TCK)

# measure ROOT LOGDIR GLOB RECORD: one result line on stdout
measure() {
	local root=$1 dir=$2 glob=$3 rec=$4 b0 b1 c0 c1 t0 t1
	sleep "$BENCH_WARMUP_S"
	b0=$(bytes "$dir" "$glob"); c0=$(ticks "$root"); t0=$EPOCHREALTIME
	sleep "$BENCH_LOG_S"
	b1=$(bytes "$dir" "$glob"); c1=$(ticks "$root"); t1=$EPOCHREALTIME
	awk -v b="$((b1 - b0))" -v c="$((c1 - c0))" -v t0="$t0" -v t1="$t1" \
	    -v hz="$hz" -v rec="$rec" -v line="$LINE" 'BEGIN {
		s = t1 - t0
		printf "file_MBps=%.1f payload_MBps=%.1f lines_per_s=%.0f sup_cpu_pct=%.1f window_s=%.2f\n",
		    b / s / 1e6, b / rec * line / s / 1e6, b / rec / s,
		    c / hz / s * 100, s }'
}

run_vectis() {
	local home=$TMP/vectis i
	[[ -x "$VECTIS_BIN" && -x "$VECTIS_SHIM" ]] ||
	    die "no vectis binaries at $VECTIS_BIN / $VECTIS_SHIM"
	mkdir -p "$home"
	cp "$VECTIS_BIN" "$TMP/vectis-supervisor" &&
	    cp "$VECTIS_SHIM" "$TMP/vectis-worker-shim" || die "copy failed"
	export VECTIS_HOME=$home VECTIS_SHIM=$TMP/vectis-worker-shim
	"$TMP/vectis-supervisor" run >"$TMP/vectis.out" 2>&1 </dev/null &
	local root=$!
	ROOTS+=("$root")
	for i in $(seq 1 500); do
		"$TMP/vectis-supervisor" list >/dev/null 2>&1 && break
		sleep 0.02
	done
	{
		printf '['
		for (( i = 1; i <= N; i++ )); do
			(( i > 1 )) && printf ','
			printf '{"name":"w%d","command":["%s","w%d"],"autostart":false,"logs":{"max_size_bytes":1099511627776}}' \
			    "$i" "$TMP/writer" "$i"
		done
		printf ']\n'
	} >"$TMP/tenants.json"
	timeout 60 "$TMP/vectis-supervisor" apply "$TMP/tenants.json" >/dev/null ||
	    die "apply failed"
	timeout 120 "$TMP/vectis-supervisor" start --all >/dev/null ||
	    die "start failed"
	echo "vectis n=$N $(measure "$root" "$home/logs" 'w*.log*' $((25 + LINE)))" \
	    >"$TMP/result"
	timeout 60 "$TMP/vectis-supervisor" shutdown >/dev/null 2>&1
}

run_pm2() {
	local i
	command -v pm2 >/dev/null || { log "pm2 not installed: npm install -g pm2"; return 1; }
	export PM2_HOME=$TMP/pm2
	mkdir -p "$PM2_HOME"
	{
		printf '{"apps":['
		for (( i = 1; i <= N; i++ )); do
			(( i > 1 )) && printf ','
			printf '{"name":"w%d","script":"%s","args":["w%d"],"interpreter":"none","autorestart":true}' \
			    "$i" "$TMP/writer" "$i"
		done
		printf ']}\n'
	} >"$TMP/eco.json"
	timeout 60 pm2 ping >/dev/null 2>&1 || die "pm2 daemon did not start"
	local root
	root=$(cat "$PM2_HOME/pm2.pid")
	ROOTS+=("$root")
	PM2_VERSION=$(timeout 60 pm2 --version 2>/dev/null | tail -1)
	timeout 120 pm2 start "$TMP/eco.json" >/dev/null 2>&1 || die "pm2 start failed"
	echo "pm2 n=$N $(measure "$root" "$PM2_HOME/logs" 'w*.log' $((LINE)))" \
	    >"$TMP/result"
	timeout 60 pm2 kill >/dev/null 2>&1
}

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
results=()
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for p in $BENCH_LOG_PEERS; do
	log "$p: $N writers, warm-up ${BENCH_WARMUP_S}s, window ${BENCH_LOG_S}s"
	rm -f "$TMP/result"
	"run_$p" || die "$p failed"
	r=$(cat "$TMP/result")
	log "$r"
	results+=("$r")
	# free the disk between peers
	rm -rf "${TMP:?}/vectis/logs" "${TMP:?}/pm2/logs"
done

{
	echo "# log throughput — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "# host: $(uname -sr), $(nproc) CPUs; load before: $load0, after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# $N writers of 100-byte lines, ${BENCH_LOG_S}s window after ${BENCH_WARMUP_S}s warm-up"
	# (no pm2 command here: without its daemon it would start one)
	echo "# pm2 ${PM2_VERSION:-not run}, node $(node --version 2>/dev/null)"
	printf '%s\n' "${results[@]}"
	v=$(printf '%s\n' "${results[@]}" | sed -n 's/^vectis .*payload_MBps=\([0-9.]*\).*/\1/p')
	m=$(printf '%s\n' "${results[@]}" | sed -n 's/^pm2 .*payload_MBps=\([0-9.]*\).*/\1/p')
	[[ -n "$v" && -n "$m" ]] &&
	    awk -v v="$v" -v m="$m" 'BEGIN { if (m > 0) printf "ratio vectis/pm2 payload=%.1fx\n", v / m }'
} | tee "$BENCH_OUT"
