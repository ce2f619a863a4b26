# spawner.sh: workers forked by the spawner are the master's own children
# (or, without a cgroup, their reapers are); if the spawner dies, the
# master spawns directly and nothing is lost.
. "$VECTIS_TESTLIB"

# The master's child for worker $1: the worker, or its reaper.
ours() {
	local pp
	pp=$(awk '{print $4}' "/proc/$1/stat")
	[ "$pp" = "$MASTER_PID" ] && return
	[ "$(cat "/proc/$pp/comm")" = vectis-reaper ] &&
	    [ "$(awk '{print $4}' "/proc/$pp/stat")" = "$MASTER_PID" ]
}

start_master
vx add w -- sleep 1000 >/dev/null || fail "add"
wait_until 2 is w state running || fail "w not running"
ours "$(field w pid)" || fail "worker is not a child of the master"
sp=$(ps -o pid=,comm= --ppid "$MASTER_PID" | awk '$2 == "vectis-spawner" { print $1 }')
[ -n "$sp" ] || fail "no spawner process"
[ "$(ls /proc/$sp/fd | wc -l)" -le 4 ] || fail "spawner holds extra fds: $(ls -l /proc/$sp/fd)"
kill -KILL "$sp"
wait_until 2 grep -q "the spawner exited" "$T_HOME/master.out" || fail "spawner death unnoticed"
old=$(field w pid)
vx restart w >/dev/null || fail "restart without spawner"
[ "$(field w pid)" != "$old" ] || fail "no new pid"
ours "$(field w pid)" || fail "fallback worker is not a child of the master"
kill -KILL "$(field w pid)"
wait_until 2 sh -c "[ \"\$($VECTIS_BIN list --json | jq '.[0].restarts')\" = 1 ] && \
    [ \"\$($VECTIS_BIN list --json | jq -r '.[0].state')\" = running ]" || fail "crash restart without spawner"
t_log "spawner: children of the master; fallback after its death works"
exit 0
