# spawnerlost.sh: pins review L3: a spawner that died after it had cloned
# a worker but before it replied made the master fall back to posix_spawn
# with the same pipes, and the tenant ran twice (the clone, unknown to the
# master, was never killed without a cgroup).  Now that start fails, the
# clone (its pid is in a page the kernel fills at clone time) is killed,
# and the retry runs one worker.  strace kills the spawner at its reply.
. "$VECTIS_TESTLIB"

command -v strace >/dev/null || skip "strace not installed"

M=1$$3	# a sleep no one else runs: this test's worker
marked() {
	ps -e -o pid=,stat=,args= | awk -v a="sleep $M" \
	    '{ p = $1; s = $2; $1 = ""; $2 = ""; sub(/^  */, "") }
	    $0 == a && s !~ /^Z/ { print p }'
}
trap 'for p in $(marked); do kill -KILL "$p"; done; t_cleanup' EXIT

run_mode() {
	local mode=$1 sp st clone n

	start_master
	printf '[{"name": "w", "autostart": false, "restart": {"backoff_initial_ms": 100}, "command": ["sleep", "%s"]}]\n' \
	    "$M" | vx apply - >/dev/null || fail "add w"
	sp=$(ps -o pid=,comm= --ppid "$MASTER_PID" | awk '$2 == "vectis-spawner" { print $1 }')
	[ -n "$sp" ] || fail "no spawner process"
	# The spawner's next write is its reply: SIGKILL it there.
	strace -q -o /dev/null -e trace=write -e inject=write:signal=SIGKILL \
	    -p "$sp" 2>"$T_HOME/strace.err" &
	st=$!
	T_PIDS="$T_PIDS $st"
	wait_until 30 sh -c "awk '/^TracerPid:/ { exit \$2 == 0 }' /proc/$sp/status" ||
	    skip "cannot trace the spawner: $(cat "$T_HOME/strace.err")"
	vx start w >/dev/null 2>&1
	wait_until 30 grep -q "the spawner exited" "$T_HOME/master.out" ||
	    fail "$mode: the spawner was not killed at its reply"
	wait_until 30 is w state running || fail "$mode: w not running"
	clone=$(sed -n 's/.*w: killing process \([0-9]*\) the spawner made.*/\1/p' \
	    "$T_HOME/master.out" | tail -1)
	[ -n "$clone" ] || fail "$mode: the clone the spawner made was not killed"
	wait_until 30 sh -c "! kill -0 $clone 2>/dev/null" ||
	    fail "$mode: the clone $clone is alive"
	n=$(marked | wc -l)
	[ "$n" = 1 ] || fail "$mode: $n workers of w: $(marked)"
	[ "$(marked)" = "$(field w pid)" ] || fail "$mode: the worker is not w's"
	t_log "$mode: clone $clone killed, one worker $(field w pid)"
	vx stop w >/dev/null
	wait "$st" 2>/dev/null
	vx shutdown >/dev/null
	wait_until 30 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
	MASTER_PID=
	mv "$T_HOME/master.out" "$T_HOME/master.out.$2"
}

echo CGROUP=off >"$T_HOME/supervisor.conf"
run_mode "CGROUP=off" off
rm -f "$T_HOME/supervisor.conf"
run_mode "default cgroup mode" cg
exit 0
