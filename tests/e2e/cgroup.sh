# cgroup.sh: with cgroup v2, every tenant runs in its own cgroup, so a
# worker that double-forks a daemon which calls setsid and ignores SIGTERM
# still loses every process on stop, on the worker's exit and after a
# kill -9 of the master; with CGROUP=off the tenant's reaper does the
# same (tree.sh covers that mode in full).
# memory.max / pids.max follow the limits where the controllers are
# delegated.
. "$VECTIS_TESTLIB"

command -v setsid >/dev/null || skip "setsid not installed"

# The daemon: fork, setsid, fork again; it ignores SIGTERM and SIGHUP and
# writes its pids.  The worker itself only sleeps.
cat >"$T_HOME/daemon.sh" <<'D'
#!/bin/sh
( setsid sh -c 'trap "" TERM HUP; sleep 1000 & echo $$ $! >"$1.tmp"; mv "$1.tmp" "$1"; wait' sh "$1" & )
exec sleep 1000
D
spec() {
	printf '[{"name": "%s", "stop": {"timeout_s": 5}, "command": ["sh", "%s", "%s"]}]\n' \
	    "$1" "$T_HOME/daemon.sh" "$T_HOME/$1.pids"
}

# daemon_up NAME: the tenant runs and its daemon wrote its pids.
daemon_up() {
	rm -f "$T_HOME/$1.pids"
	spec "$1" | vx apply - >/dev/null || fail "apply $1"
	vx start "$1" >/dev/null || fail "start $1: $(field "$1" last_error)"
	wait_until 5 test -s "$T_HOME/$1.pids" || fail "$1: no daemon"
	read -r dsh dsleep <"$T_HOME/$1.pids"
	wpid=$(field "$1" pid)
	[ "$(ps -o sid= -p "$dsh" | tr -d ' ')" != "$wpid" ] ||
	    fail "$1: the daemon did not leave the worker's session"
	alive "$dsh" && alive "$dsleep" || fail "$1: daemon not running"
}

gone() {
	! alive "$1" && ! alive "$2"
}

start_master
grep -q "cgroups: tenants in" "$T_HOME/master.out" ||
    skip "no cgroup v2 here: $(grep -o 'cgroups: .*' "$T_HOME/master.out" | head -1)"
cgroot=$(sed -n 's/.*cgroups: tenants in \([^ ]*\) .*/\1/p' "$T_HOME/master.out" | head -1)

daemon_up d1
grep -q "^0::.*/${cgroot##*/}/d1.tenant$" /proc/"$dsh"/cgroup ||
    fail "daemon not in the tenant's cgroup: $(grep '^0::' /proc/"$dsh"/cgroup)"
[ -d "$cgroot/d1.tenant" ] || fail "no cgroup $cgroot/d1.tenant"
procs=$(sort -n "$cgroot/d1.tenant/cgroup.procs" | tr '\n' ' ')
t_log "worker $wpid, daemon $dsh/$dsleep, cgroup.procs: $procs"
vx stop d1 >/dev/null || fail "stop d1"
wait_until 3 gone "$dsh" "$dsleep" || fail "daemon survived the stop"
for p in $procs; do
	alive "$p" && fail "process $p of d1 survived the stop"
done
t_log "stop killed the worker and its setsid daemon (TERM ignored)"

# The worker exits on its own: its daemon goes with it.
daemon_up d1
kill -KILL "$wpid"
wait_until 3 gone "$dsh" "$dsleep" || fail "daemon survived its worker's death"
t_log "the worker's death took the daemon along"

# After kill -9 of the master, the next master kills what was left.
vx stop d1 >/dev/null
daemon_up d1
kill -KILL "$MASTER_PID"
{ wait "$MASTER_PID"; } 2>/dev/null
alive "$dsh" || fail "daemon died with the master already"
start_master
wait_until 5 gone "$dsh" "$dsleep" || fail "the new master left the daemon alive"
grep -q "killing the processes left by a previous master in $cgroot/d1.tenant" \
    "$T_HOME/master.out" || fail "no log line for the leftovers"
t_log "a new master killed the daemon a killed master left"

# Limits, where the controllers are delegated.
if grep -q "memory.max on" "$T_HOME/master.out"; then
	printf '[{"name": "lim", "limits": {"memory_max_bytes": 67108864}, "command": ["sleep", "1000"]}]\n' |
	    vx apply - >/dev/null || fail "apply lim"
	wait_until 5 is lim state running || fail "lim not running"
	[ "$(cat "$cgroot/lim.tenant/memory.max")" = 67108864 ] ||
	    fail "memory.max $(cat "$cgroot/lim.tenant/memory.max")"
	t_log "memory.max set"
else
	t_log "SKIP memory.max: $(grep -o 'the .* delegated to [^:]*' "$T_HOME/master.out" | head -1)"
fi
if grep -q "pids.max on" "$T_HOME/master.out"; then
	printf '[{"name": "fb", "limits": {"nproc": 20}, "command": ["python3", "-c", "import os, time\\nn = 0\\nwhile n < 100:\\n    try:\\n        if os.fork() == 0:\\n            time.sleep(1000)\\n            os._exit(0)\\n    except OSError:\\n        break\\n    n += 1\\nprint(\\"forked\\", n, flush=True)\\ntime.sleep(1000)"]}]\n' |
	    vx apply - >/dev/null || fail "apply fb"
	wait_until 5 grep -q forked "$T_HOME/logs/fb.log" || fail "fb: $(field fb last_error)"
	[ "$(cat "$cgroot/fb.tenant/pids.max")" = 20 ] ||
	    fail "pids.max $(cat "$cgroot/fb.tenant/pids.max")"
	n=$(wc -l <"$cgroot/fb.tenant/cgroup.procs")
	[ "$n" -le 20 ] || fail "$n processes in a cgroup with pids.max 20"
	is fb state running || fail "fb did not survive its failed fork"
	t_log "pids.max set and held: $(grep -o 'forked.*' "$T_HOME/logs/fb.log")"
else
	t_log "SKIP pids.max: $(grep -o 'the .* delegated to [^:]*' "$T_HOME/master.out" | head -1)"
fi

# The spawner forks right into the cgroup (CLONE_INTO_CGROUP); without a
# spawner the shim joins it itself.
in_cg() {
	grep -q "^0::.*/${cgroot##*/}/$1.tenant$" /proc/"$2"/cgroup
}
wait_until 5 is d1 state running || fail "d1 not back with the new master"
in_cg d1 "$(field d1 pid)" || fail "d1's worker is not in its cgroup"
vx stop d1 >/dev/null || fail "stop d1"
sp=$(ps -o pid=,comm= --ppid "$MASTER_PID" | awk '$2 == "vectis-spawner" { print $1 }')
[ -n "$sp" ] || fail "no spawner process"
kill -KILL "$sp"
wait_until 2 grep -q "the spawner exited" "$T_HOME/master.out" || fail "spawner death unnoticed"
daemon_up d1
in_cg d1 "$wpid" && in_cg d1 "$dsh" || fail "without the spawner, d1 is not in its cgroup"
vx stop d1 >/dev/null || fail "stop d1 (no spawner)"
wait_until 3 gone "$dsh" "$dsleep" || fail "daemon survived the stop (no spawner)"
t_log "without the spawner, workers still join their cgroup"

# remove takes the cgroup away; a clean exit the whole subtree.
vx remove d1 >/dev/null || fail "remove d1"
wait_until 2 test ! -d "$cgroot/d1.tenant" || fail "cgroup of d1 left after remove"
vx shutdown >/dev/null || fail "shutdown"
wait_until 10 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
[ ! -d "$cgroot" ] || [ -d "$cgroot/master" ] ||
    fail "subtree left after exit: $(ls "$cgroot")"
t_log "cgroups removed with their tenant and at exit"

# With CGROUP=off the tenant's reaper kills the same daemon at stop.
echo CGROUP=off >"$T_HOME/supervisor.conf"
start_master
grep -q "cgroups: off" "$T_HOME/master.out" || fail "CGROUP=off not logged"
daemon_up d2
T_PIDS="$dsh $dsleep"	# killed by t_cleanup
vx stop d2 >/dev/null || fail "stop d2"
wait_until 3 gone "$dsh" "$dsleep" || fail "daemon survived the stop (CGROUP=off)"
t_log "with CGROUP=off the reaper killed the daemon at stop"
exit 0
