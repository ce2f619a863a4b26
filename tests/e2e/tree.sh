# tree.sh: pins review H2 / issue 11: a tenant's processes that left its
# process group or session (setsid; a double fork whose middle process
# exits at once, as Puppeteer's detached Chromium) outlived stop, a crash
# of the worker, shutdown and a kill -9 of the master, and were missing
# from rss_bytes and max_memory_restart_bytes, without cgroups (CGROUP=off,
# the shipped containers).  Now each of those kills them all, with the
# tenant's reaper or its cgroup; 2000 detached processes do not stall the
# master and all die at stop; another tenant's processes are never
# touched.  Run with CGROUP=off, then in the default mode where cgroup v2
# is usable here.
. "$VECTIS_TESTLIB"

command -v setsid >/dev/null || skip "setsid not installed"
command -v python3 >/dev/null || skip "python3 not installed"

# Every process this test makes carries a marker of its own in argv: a
# sleep of a duration no one else uses (K is this shell's pid), or a
# script under T_HOME.  Leftovers are found by it and killed by pid.
K=$$
cat >"$T_HOME/hog.py" <<'P'
import os, sys, time
a = bytearray(int(sys.argv[1]) << 20)
for i in range(0, len(a), 4096):
    a[i] = 1
open(sys.argv[2], "w").close()
time.sleep(1000)
P
# many.py N ARG DONE: N detached processes (each in a session of its
# own), "sleep ARG"; then DONE exists and this one execs "sleep ARG+1".
cat >"$T_HOME/many.py" <<'P'
import os, sys
for i in range(int(sys.argv[1])):
    if os.fork() == 0:
        os.setsid()
        os.execvp("sleep", ["sleep", sys.argv[2]])
open(sys.argv[3], "w").close()
os.execvp("sleep", ["sleep", str(int(sys.argv[2]) + 1)])
P
# marked: pids of processes whose argv is exactly "$@".
marked() {
	ps -e -o pid=,stat=,args= | awk -v a="$*" '
	    { p = $1; s = $2; $1 = ""; $2 = ""; sub(/^  */, "") }
	    $0 == a && s !~ /^Z/ { print p }'
}
none() { [ -z "$(marked "$@")" ]; }
tree_cleanup() {
	local a p
	for a in "sleep 1${K}1" "sleep 1${K}2" "sleep 1${K}3" "sleep 1${K}4" \
	    "sleep 1${K}5" "sleep 1${K}6" "sleep 1${K}7" "sleep 1${K}8" \
	    "sleep 1${K}9" "python3 $T_HOME/hog.py 100 $T_HOME/held"; do
		for p in $(marked "$a"); do kill -KILL "$p" 2>/dev/null; done
	done
}
trap 'tree_cleanup; t_cleanup' EXIT

# tenants: the test's tenants, as JSON.
tenants() {
	cat <<J
[{"name": "det", "stop": {"timeout_s": 5}, "restart": {"backoff_initial_ms": 100},
  "command": ["sh", "-c", "setsid sleep 1${K}1 & exec sleep 1${K}2"]},
 {"name": "dbl", "restart": {"backoff_initial_ms": 100},
  "command": ["sh", "-c", "(setsid sleep 1${K}3 &) ; exec sleep 1${K}4"]},
 {"name": "other", "command": ["sh", "-c", "setsid sleep 1${K}5 & exec sleep 1${K}6"]},
 {"name": "mem", "autostart": false, "restart": {"backoff_initial_ms": 100},
  "command": ["sh", "-c", "setsid python3 $T_HOME/hog.py 100 $T_HOME/held & exec sleep 1${K}7"]},
 {"name": "many", "autostart": false, "stop": {"timeout_s": 30},
  "command": ["python3", "$T_HOME/many.py", "2000", "1${K}8", "$T_HOME/forked"]}]
J
}

# up NAME ARGV...: NAME runs and each ARGV (one process each) exists.
up() {
	local n=$1 a
	shift
	wait_until 30 is "$n" state running || fail "$n not running: $(field "$n" last_error)"
	for a in "$@"; do
		wait_until 30 test -n "$(marked "$a")" || fail "$n: no '$a'"
	done
}

# all_gone ARGV...: none of these processes is left (bounded wait).
all_gone() {
	local a
	for a in "$@"; do
		wait_until 30 none "$a" || fail "$1 ... left: '$a' is pid $(marked "$a")"
	done
}

# Pids of the other tenant's two processes, which nothing may touch.
other_pids() {
	echo "$(marked "sleep 1${K}5") $(marked "sleep 1${K}6")"
}

run_mode() {
	local mode=$1 old oldd pid before n t0 ms

	t_log "== $mode"
	start_master
	tenants | vx apply - >/dev/null || fail "apply"
	up det "sleep 1${K}1" "sleep 1${K}2"
	up dbl "sleep 1${K}3" "sleep 1${K}4"
	up other "sleep 1${K}5" "sleep 1${K}6"
	before=$(other_pids)
	[ "$(marked "sleep 1${K}1")" != "" ] &&
	    [ "$(ps -o sid= -p "$(marked "sleep 1${K}1")" | tr -d ' ')" != "$(field det pid)" ] ||
	    fail "the detached sleep did not leave the worker's session"

	# stop: the setsid child and the double fork's grandchild go too.
	vx stop det dbl >/dev/null || fail "stop"
	all_gone "sleep 1${K}1" "sleep 1${K}2" "sleep 1${K}3" "sleep 1${K}4"
	t_log "$mode: stop killed the detached and double-forked processes"

	# A crash of the worker: nothing of the old run survives the restart.
	vx start det dbl >/dev/null || fail "start"
	up det "sleep 1${K}1" "sleep 1${K}2"
	up dbl "sleep 1${K}3" "sleep 1${K}4"
	old=$(marked "sleep 1${K}1")
	oldd=$(marked "sleep 1${K}3")
	pid=$(field det pid)
	kill -KILL "$pid" "$(field dbl pid)"
	wait_until 30 sh -c "[ \"\$($VECTIS_BIN list --json | jq -r '.[] | select(.name == \"det\") | .restarts')\" -ge 1 ]" ||
	    fail "det not restarted"
	wait_until 30 sh -c "[ \"\$($VECTIS_BIN list --json | jq -r '.[] | select(.name == \"dbl\") | .restarts')\" -ge 1 ]" ||
	    fail "dbl not restarted"
	up det "sleep 1${K}1" "sleep 1${K}2"
	up dbl "sleep 1${K}3" "sleep 1${K}4"
	alive "$old" && fail "det's detached sleep $old survived the crash"
	alive "$oldd" && fail "dbl's orphan $oldd survived the crash"
	[ "$(marked "sleep 1${K}1" | wc -l)" = 1 ] && [ "$(marked "sleep 1${K}3" | wc -l)" = 1 ] ||
	    fail "two runs' processes at once: $(marked "sleep 1${K}1") / $(marked "sleep 1${K}3")"
	t_log "$mode: a killed worker's processes were gone before its restart"

	# rss_bytes counts a detached child; a limit below it restarts.
	rm -f "$T_HOME/held"
	vx start mem >/dev/null || fail "start mem"
	wait_until 30 test -e "$T_HOME/held" || fail "mem: the hog did not allocate"
	wait_until 30 sh -c "[ \"\$($VECTIS_BIN list --json | jq -r '.[] | select(.name == \"mem\") | .rss_bytes // 0')\" -gt $((100 << 20)) ]" ||
	    fail "rss_bytes $(field mem rss_bytes) misses the detached child's 100 MiB"
	t_log "$mode: rss_bytes $(field mem rss_bytes) counts the detached child"
	printf '[{"name": "mem", "limits": {"max_memory_restart_bytes": 67108864}, "restart": {"backoff_initial_ms": 100}, "command": ["sh", "-c", "setsid python3 %s/hog.py 100 %s/held & exec sleep 1%s7"]}]\n' \
	    "$T_HOME" "$T_HOME" "$K" | vx apply - >/dev/null || fail "apply mem limit"
	vx restart mem >/dev/null || fail "restart mem"
	wait_until 30 sh -c "$VECTIS_BIN list --json | jq -e '.[] | select(.name == \"mem\") | .restarts >= 1' >/dev/null" ||
	    fail "mem not restarted for its detached child's memory"
	field mem last_error | grep -Eq '^memory [0-9.]+ MiB above limit 64 MiB' ||
	    fail "mem last_error: $(field mem last_error)"
	vx stop mem >/dev/null
	all_gone "python3 $T_HOME/hog.py 100 $T_HOME/held" "sleep 1${K}7"
	t_log "$mode: max_memory_restart_bytes restarted it: $(field mem last_error | cut -c1-40)"

	# 2000 detached processes: list answers meanwhile, stop kills all.
	rm -f "$T_HOME/forked"
	vx start many >/dev/null || fail "start many"
	wait_until 300 test -e "$T_HOME/forked" || fail "many did not fork"
	n=$(marked "sleep 1${K}8" | wc -l)
	t0=$(date +%s%N)
	vx list --json >/dev/null || fail "list with $n detached processes"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$(field many rss_bytes)" != null ] || fail "many has no rss_bytes"
	vx stop many >/dev/null || fail "stop many"
	all_gone "sleep 1${K}8" "sleep 1${K}9"
	t_log "$mode: $n detached processes: list took $ms ms, all died at stop"

	# Shutdown: nothing of any tenant is left.
	vx start det dbl >/dev/null || fail "start det dbl"
	up det "sleep 1${K}1" "sleep 1${K}2"
	up dbl "sleep 1${K}3" "sleep 1${K}4"
	[ "$(other_pids)" = "$before" ] || fail "other's processes changed: $before -> $(other_pids)"
	vx shutdown >/dev/null || fail "shutdown"
	wait_until 30 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
	all_gone "sleep 1${K}1" "sleep 1${K}2" "sleep 1${K}3" "sleep 1${K}4" \
	    "sleep 1${K}5" "sleep 1${K}6"
	t_log "$mode: shutdown left nothing; the other tenant was untouched until then"

	# kill -9 of the master: the next one kills what the old one left.
	start_master
	up det "sleep 1${K}1" "sleep 1${K}2"
	old=$(marked "sleep 1${K}1")
	kill -KILL "$MASTER_PID"
	{ wait "$MASTER_PID"; } 2>/dev/null
	alive "$old" || fail "det's detached sleep died with the master already"
	start_master
	wait_until 30 sh -c "! kill -0 $old 2>/dev/null || grep -q '^State:.*Z' /proc/$old/status" ||
	    fail "the new master left the old run's detached sleep $old alive"
	up det "sleep 1${K}1" "sleep 1${K}2"
	[ "$(marked "sleep 1${K}1" | wc -l)" = 1 ] || fail "two detached sleeps after the master's restart"
	t_log "$mode: a new master killed what a killed master's tenant left"
	vx shutdown >/dev/null
	wait_until 30 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
	MASTER_PID=
	all_gone "sleep 1${K}1" "sleep 1${K}2" "sleep 1${K}3" "sleep 1${K}4" \
	    "sleep 1${K}5" "sleep 1${K}6"
}

echo CGROUP=off >"$T_HOME/supervisor.conf"
run_mode "CGROUP=off"
grep -q "cgroups: off" "$T_HOME/master.out" || fail "CGROUP=off not logged"

rm -f "$T_HOME/supervisor.conf"
mv "$T_HOME/master.out" "$T_HOME/master.out.off"
start_master
if ! grep -q "cgroups: tenants in" "$T_HOME/master.out"; then
	t_log "SKIP the cgroup half: $(grep -o 'cgroups: .*' "$T_HOME/master.out" | head -1)"
	exit 0
fi
vx shutdown >/dev/null
wait_until 30 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
MASTER_PID=
run_mode "cgroups"
exit 0
