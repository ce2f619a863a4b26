#!/bin/bash
# floods.sh: how long "list --json" takes while one tenant floods the master
# with notify lines (50 MB/s of WATCHDOG=1 junk, as tests/e2e/notify.sh) and
# while one control client pipelines 400000 requests (as
# tests/e2e/ctlpipeline.sh).  The tests only check that the master still
# answers; the latency is this figure.  Prints median, 95th percentile and
# worst of N lists (default 50) quiet, under each flood.
# usage: bench/floods.sh [N]   (VECTIS_BIN, VECTIS_SHIM as the other scripts)
set -u
N=${1:-50}
top=$(cd "$(dirname "$0")/.." && pwd)
BIN=${VECTIS_BIN:-$top/_build/normal/vectis-supervisor}
export VECTIS_SHIM=${VECTIS_SHIM:-$(dirname "$BIN")/vectis-worker-shim}
. "$(dirname "$0")/vxhome.sh" vx-floods
echo 'SYNC_LISTEN=off' >"$VECTIS_HOME/worker.conf"
user=
[ "$(id -u)" = 0 ] && user='"user": "root", '

"$BIN" run >"$VX_WORK/master.log" 2>&1 &
MASTER=$!
for _ in $(seq 1 500); do "$BIN" list >/dev/null 2>&1 && break; sleep 0.02; done

# lists LABEL: N timed lists, then one line of figures in ms.
lists() {
	local i t0
	for i in $(seq 1 "$N"); do
		t0=$(date +%s%N)
		"$BIN" list --json >/dev/null || echo fail
		echo $((($(date +%s%N) - t0) / 1000))
	done | sort -n | awk -v l="$1" '/fail/ { f++; next } { v[n++] = $1 }
	    END { printf "%-22s median %6.1f ms  p95 %6.1f ms  worst %6.1f ms%s\n",
		l, v[int(n / 2)] / 1000, v[int(n * 0.95)] / 1000,
		v[n - 1] / 1000, f ? "  (" f " failed)" : "" }'
}

lists "quiet"

cat >"$VX_WORK/flood.json" <<J
[{"name": "flood", $user"notify": "pipe", "command": ["python3", "-c",
  "import os\nfd = int(os.environ['VECTIS_NOTIFY_FD'])\nos.write(fd, b'READY=1\\\\n')\nblk = b'WATCHDOG=1 junk\\\\n' * 4096\nwhile True: os.write(fd, blk)\n"]}]
J
"$BIN" apply "$VX_WORK/flood.json" >/dev/null || exit 1
sleep 1		# the flood reaches its pace
lists "notify flood"
"$BIN" stop flood >/dev/null

python3 - "$VECTIS_HOME/control.sock" >"$VX_WORK/pipe.out" 2>&1 <<'PY' &
import socket, sys, threading
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
def drain():
    while s.recv(1 << 20):
        pass
threading.Thread(target=drain, daemon=True).start()
s.sendall(b"x" * 900000 + b"\n")
while True:
    s.sendall(b"x\n" * 400000)
PY
PIPE=$!
sleep 1
lists "control pipeline flood"
kill "$PIPE"
wait "$PIPE" 2>/dev/null
exit 0
