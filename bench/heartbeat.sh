#!/bin/bash
# heartbeat.sh: N workers (default 1000) each sending WATCHDOG=1 at HZ
# (default 10) for SECS seconds: master CPU and SQLite write transactions
# per second; then the raw notify parser throughput.
# usage: bench/heartbeat.sh [N] [HZ] [SECS]
set -u
N=${1:-1000} HZ=${2:-10} SECS=${3:-10}
top=$(cd "$(dirname "$0")/.." && pwd)
BIN=${VECTIS_BIN:-$top/_build/normal/vectis-supervisor}
export VECTIS_SHIM=${VECTIS_SHIM:-$(dirname "$BIN")/vectis-worker-shim}
. "$(dirname "$0")/vxhome.sh" vx-hb
work=$VX_WORK
ulimit -n 65536 2>/dev/null

cc -O2 -o "$work/beat" "$top/bench/beat.c" || exit 1
cc -O2 -I"$top/common" -o "$work/parser" "$top/bench/parser.c" \
    "$top/common/notify.c" || exit 1

"$BIN" run >"$work/master.log" 2>&1 &
MASTER=$!
for _ in $(seq 1 500); do "$BIN" list >/dev/null 2>&1 && break; sleep 0.02; done
python3 - "$N" "$work/beat" "$HZ" >"$work/t.json" <<'PY'
import json, os, sys
n, beat, hz = int(sys.argv[1]), sys.argv[2], sys.argv[3]
# A root master wants each tenant's user named (vectis-tenants(5)).
user = {"user": "root"} if os.geteuid() == 0 else {}
print(json.dumps([dict({"name": "hb%04d" % i, "command": [beat, hz],
    "notify": "pipe", "heartbeat": {"timeout_s": 5}}, **user)
    for i in range(n)]))
PY
"$BIN" apply "$work/t.json" >/dev/null || exit 1
for _ in $(seq 1 1000); do
	r=$("$BIN" list --json | python3 -c "import json,sys; print(sum(1 for t in json.load(sys.stdin) if t['state']=='running'))")
	[ "$r" = "$N" ] && break
	sleep 0.1
done
sleep 2	# let start-up settle
ping() {
	python3 - "$VECTIS_HOME/control.sock" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b'{"v":1,"cmd":"ping"}\n'); d = b""
while not d.endswith(b"\n"): d += s.recv(65536)
print(json.loads(d)["result"]["store_commits"])
PY
}
ticks() { awk '{print $14 + $15}' "/proc/$MASTER/stat"; }
hz=$(getconf CLK_TCK)
c0=$(ping); t0=$(ticks)
sleep "$SECS"
c1=$(ping); t1=$(ticks)
restarts=$("$BIN" list --json | python3 -c "import json,sys; print(sum(t['restarts'] for t in json.load(sys.stdin)))")
awk -v n="$N" -v hzb="$HZ" -v s="$SECS" -v dt=$((t1 - t0)) -v hz="$hz" \
    -v dc=$((c1 - c0 - 1)) -v r="$restarts" 'BEGIN {
	printf "heartbeat workers=%d hz=%d seconds=%d heartbeats_per_s=%d\n", n, hzb, s, n * hzb
	printf "heartbeat master_cpu_percent=%.1f (of one core; %d ticks)\n", dt * 100 / hz / s, dt
	printf "heartbeat sqlite_write_tx_per_s=%.2f (%d in %d s)\n", dc / s, dc, s
	printf "heartbeat watchdog_restarts=%d\n", r
}'
"$work/parser"
