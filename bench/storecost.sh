#!/bin/bash
# storecost.sh: what the store's durability costs (review L6): the time and
# SQLite commits of "start --all" and "stop --all" of N tenants, R rounds,
# then the time a master takes to answer over N stored tenants.
# usage: bench/storecost.sh BUILDDIR [N] [R]
# Compare synchronous=FULL with NORMAL by building a copy of the tree with
# that pragma changed in supervisor/store.c.  CGROUP=off, HTTP off.
set -u
B=${1:?usage: storecost.sh BUILDDIR [N] [R]} N=${2:-1000} R=${3:-3}
BIN=$B/vectis-supervisor
export VECTIS_SHIM=$B/vectis-worker-shim
export VECTIS_HOME=$(mktemp -d /tmp/vx-storecost.XXXXXX)
trap 'kill -TERM $M 2>/dev/null; wait; rm -rf "$VECTIS_HOME"' EXIT
echo 'SYNC_LISTEN=off' >"$VECTIS_HOME/worker.conf"
echo 'CGROUP=off' >"$VECTIS_HOME/supervisor.conf"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
up() { for _ in $(seq 1 3000); do "$BIN" list >/dev/null 2>&1 && return; sleep 0.01; done; }
commits() {
	python3 - "$VECTIS_HOME/control.sock" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b'{"v":1,"cmd":"ping"}\n'); d = b""
while not d.endswith(b"\n"): d += s.recv(65536)
print(json.loads(d)["result"]["store_commits"])
PY
}
"$BIN" run >"$VECTIS_HOME/master.out" 2>&1 </dev/null & M=$!
up
python3 -c "
import json, os
u = {'user': 'root'} if os.geteuid() == 0 else {}
print(json.dumps([dict({'name': 'w%d' % i, 'command': ['/bin/sleep', '3600'],
    'autostart': False}, **u) for i in range($N)]))" >"$VECTIS_HOME/t.json"
"$BIN" apply "$VECTIS_HOME/t.json" >/dev/null || exit 1
for r in $(seq 1 "$R"); do
	c0=$(commits); t0=$(date +%s%N)
	"$BIN" start --all >/dev/null || echo "start --all failed"
	a=$(ms "$t0"); c1=$(commits); t0=$(date +%s%N)
	"$BIN" stop --all >/dev/null || echo "stop --all failed"
	b=$(ms "$t0"); c2=$(commits)
	echo "round $r: start --all $a ms ($((c1 - c0)) commits)," \
	    "stop --all $b ms ($((c2 - c1)) commits)"
done
kill -TERM $M; wait $M
for r in $(seq 1 "$R"); do
	t0=$(date +%s%N)
	"$BIN" run >>"$VECTIS_HOME/master.out" 2>&1 </dev/null & M=$!
	up
	echo "boot $r: $(ms "$t0") ms to answer over $N tenants"
	kill -TERM $M; wait $M
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
