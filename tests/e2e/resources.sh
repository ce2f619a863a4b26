# resources.sh: cpu_percent and rss_bytes cover a worker's whole process
# group and agree with ps; a group above limits.max_memory_restart_bytes
# is restarted with that reason; without limits the idle master sleeps.
. "$VECTIS_TESTLIB"

command -v python3 >/dev/null 2>&1 || skip "python3 not installed"

start_master
cat >"$T_HOME/t.json" <<J
[
 {"name": "busy", "autostart": false,
  "command": ["sh", "-c", "python3 -c 'import time; a = bytearray(80 << 20); open(\"$T_HOME/held\", \"w\").close(); time.sleep(1000)' & exec python3 -c 'while True: pass'"]},
 {"name": "hog", "autostart": false,
  "command": ["sh", "-c", "python3 -c 'import time; a = bytearray(96 << 20); time.sleep(1000)' & wait"],
  "limits": {"max_memory_restart_bytes": 67108864},
  "restart": {"backoff_initial_ms": 5000}},
 {"name": "calm", "autostart": false, "command": ["sleep", "1000"],
  "limits": {"max_memory_restart_bytes": 536870912}},
 {"name": "idle", "autostart": false, "command": ["sleep", "1000"]}
]
J
vx apply "$T_HOME/t.json" >/dev/null || fail "apply"

# ps over the group: "CPU% RSS_BYTES".
ps_group() {
	ps -e -o pgid=,pcpu=,rss= | awk -v g="$1" \
	    '$1 == g { c += $2; r += $3 } END { printf "%.1f %d\n", c, r * 1024 }'
}

# within A B: A within 20 % of B.
within() {
	awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d;
	    exit !(b > 0 && d <= 0.2 * b) }'
}

# A busy leader plus a child holding 80 MiB.  No list or status before
# the measurement, so the master's first sample is the lifetime average,
# which is what ps shows.  Waits are for CPU the leader used (clock ticks
# in /proc), not for wall time: a busy machine only makes them longer.
pid=$(vx start busy | sed -n 's/.*pid \([0-9]*\).*/\1/p')
[ -n "$pid" ] || fail "no pid for busy"
wait_until 10 test -e "$T_HOME/held" || fail "busy's child did not allocate"
wait_until 10 sh -c "[ \$(ps -e -o pgid= | awk -v g=$pid '\$1 == g' | wc -l) = 2 ]" ||
    fail "busy group is not two processes"
# used_ticks PID: user + system clock ticks of one process.
used_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
wait_until 300 sh -c "[ \$(awk '{ print \$14 + \$15 }' /proc/$pid/stat) -ge $hz ]" ||
    fail "busy did not get 1 s of CPU"
# ps before and after the list: the lifetime average drifts while a busy
# machine runs the three commands, so vectis must fall between the two.
set -- $(ps_group "$pid")
ps_cpu=$1 ps_rss=$2
json=$(vx list --json)
set -- $(ps_group "$pid")
ps_cpu2=$1
cpu=$(echo "$json" | jq -r '.[] | select(.name == "busy") | .cpu_percent')
rss=$(echo "$json" | jq -r '.[] | select(.name == "busy") | .rss_bytes')
t_log "busy group: ps ${ps_cpu}%..${ps_cpu2}% ${ps_rss} B, vectis ${cpu}% ${rss} B"
awk -v c="$cpu" -v a="$ps_cpu" -v b="$ps_cpu2" 'BEGIN {
    lo = a < b ? a : b; hi = a < b ? b : a
    exit !(c >= 0.8 * lo - 1 && c <= 1.2 * hi + 1) }' ||
    fail "cpu_percent $cpu not within 20% of ps ${ps_cpu}%..${ps_cpu2}%"
within "$rss" "$ps_rss" || fail "rss_bytes $rss not within 20% of ps $ps_rss"
[ "$rss" -gt $((80 << 20)) ] || fail "rss_bytes $rss misses the child's 80 MiB"
vx list | awk 'NR == 1 { ok = ($7 == "CPU" && $8 == "MEM") }
    $1 == "busy" { ok = ok && $7 ~ /%$/ && $8 ~ /M$/ } END { exit !ok }' ||
    fail "list CPU/MEM columns: $(vx list)"
# A later sample covers the time since the last one: after another second
# of CPU (and more than RESOURCE_CACHE_MS), a busy group reads above 0.
t0=$(used_ticks "$pid")
wait_until 300 sh -c "[ \$(awk '{ print \$14 + \$15 }' /proc/$pid/stat) -ge $((t0 + hz)) ]" ||
    fail "busy did not get another second of CPU"
cpu2=$(field busy cpu_percent)
awk -v c="$cpu2" 'BEGIN { exit !(c > 1) }' || fail "second cpu_percent $cpu2"
vx stop busy >/dev/null
[ "$(field busy cpu_percent)" = null ] && [ "$(field busy rss_bytes)" = null ] ||
    fail "figures of a stopped tenant not null"
t_log "cpu_percent and rss_bytes cover the group and agree with ps"

# Memory limit: 96 MiB in a child, limit 64 MiB: restarted, reason kept.
vx start hog calm >/dev/null || fail "start hog calm"
wait_until 20 sh -c '"$VECTIS_BIN" list --json | jq -e ".[] | select(.name == \"hog\") | .restarts >= 1" >/dev/null' ||
    fail "hog not restarted"
# Restart 1 or later: a busy machine may take longer than hog's back-off.
field hog last_error | grep -Eq '^memory [0-9.]+ MiB above limit 64 MiB \(restart [0-9]+ in 300 s' ||
    fail "hog last_error: $(field hog last_error)"
grep -q "hog: memory .* above limit 64 MiB, restarting" "$T_HOME/master.out" ||
    fail "restart not logged"
is calm restarts 0 || fail "calm restarted"
is calm state running || fail "calm not running"
t_log "a group above its memory limit is restarted: $(field hog last_error)"

# With no limited tenant running the master does not wake up by itself.
vx stop hog calm >/dev/null
vx start idle >/dev/null
mpid=$MASTER_PID
ticks() { awk '{ print $14 + $15 }' "/proc/$mpid/stat"; }
# What the commands above set going has ended once no tick is added for a
# second (bounded); then a quiet master adds none for 3 s.
quiet() {
	local a
	a=$(ticks)
	sleep 1
	[ "$(ticks)" = "$a" ]
}
wait_until 30 quiet || fail "the master never went quiet"
t0=$(ticks)
sleep 3		# the observation window, not a wait for an event
t1=$(ticks)
[ $((t1 - t0)) -le 1 ] || fail "idle master used $((t1 - t0)) ticks in 3 s"
t_log "idle master: $((t1 - t0)) clock ticks in 3 s"
exit 0
