# leftover.sh: pins review M1: a stale pid in worker_process made the next
# master SIGKILL whatever process group now had that number (a double-fork
# daemon's group, after a reboot or a pid wrap).  Now a leftover is killed
# only when its pid, start time and boot id all match; a group whose
# leader is gone is never signalled.
. "$VECTIS_TESTLIB"

# start_of PID: the start time in /proc/PID/stat (field 22).
start_of() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $20 }'
}

# crash_master: kill -9 the master, then the worker it leaves behind.
crash_master() {
	local w
	wait_until 30 is w state running || fail "w not running"
	w=$(field w pid)
	kill -KILL "$MASTER_PID"
	wait "$MASTER_PID" 2>/dev/null
	kill -KILL -- "-$w" 2>/dev/null
	wait_until 30 sh -c "! kill -0 $w 2>/dev/null" || fail "worker $w survived"
}

start_master
vx add w -- sleep 1000 >/dev/null || fail "add w"
crash_master

# The review's repro: a double-fork daemon's group, whose leader exited,
# has the number the database gives for w's worker.
vpg=$(setsid sh -c 'sleep 1001 </dev/null >/dev/null 2>&1 & echo $$')
T_PIDS="$T_PIDS $vpg"
wait_until 30 sh -c "[ -n \"\$(ps -e -o pgid=,pid= | awk '\$1 == $vpg')\" ]" ||
    fail "no victim group"
victim=$(group_members "$vpg")
[ -n "$victim" ] || fail "no victim in group $vpg"
db "update worker_process set pid = $vpg where name = 'w'"
start_master
wait_until 30 is w state running || fail "w not started again"
alive "$victim" || fail "the victim group $vpg (sleep $victim) was killed"
grep -q "worker $vpg left by a previous master" "$T_HOME/master.out" &&
    fail "the master tried to kill group $vpg"
t_log "group $vpg without its leader: left alone"

# A process with the recorded pid and start time, but of another boot.
crash_master
setsid sleep 1002 </dev/null >/dev/null 2>&1 &
v2=$!
T_PIDS="$T_PIDS $v2"
wait_until 30 sh -c "[ -n \"\$(sed 's/.*) //' /proc/$v2/stat 2>/dev/null | awk '{ print \$20 }')\" ]" ||
    fail "no /proc entry for $v2"
db "update worker_process set pid = $v2, pid_start = $(start_of "$v2"),
    boot_id = '00000000-0000-0000-0000-000000000000' where name = 'w'"
start_master
wait_until 30 is w state running || fail "w not started again"
alive "$v2" || fail "a process of another boot ($v2) was killed"
t_log "pid and start time of another boot: left alone"

# The same, recorded in this boot: a true leftover, killed.
crash_master
setsid sleep 1003 </dev/null >/dev/null 2>&1 &
v3=$!
T_PIDS="$T_PIDS $v3"
wait_until 30 sh -c "[ -n \"\$(sed 's/.*) //' /proc/$v3/stat 2>/dev/null | awk '{ print \$20 }')\" ]" ||
    fail "no /proc entry for $v3"
boot=$(cat /proc/sys/kernel/random/boot_id)
db "update worker_process set pid = $v3, pid_start = $(start_of "$v3"),
    boot_id = '$boot' where name = 'w'"
start_master
wait_until 30 sh -c "! kill -0 $v3 2>/dev/null || grep -q '^State:.*Z' /proc/$v3/status" ||
    fail "the leftover $v3 of this boot survived"
grep -q "worker $v3 left by a previous master" "$T_HOME/master.out" ||
    fail "leftover kill not logged"
# Workers the master starts carry this boot's id.
wait_until 30 is w state running || fail "w not started again"
[ "$(db "select boot_id from worker_process where name = 'w'")" = "$boot" ] ||
    fail "w's row has no boot id"
t_log "leftover of this boot: killed; new rows carry boot id $boot"
alive "$victim" || fail "victim died meanwhile"
alive "$v2" || fail "v2 died meanwhile"
exit 0
