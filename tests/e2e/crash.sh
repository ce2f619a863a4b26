# crash.sh: kill -9 of the master with 20 tenants running; the next master
# kills the leftovers (pid + start time) before spawning, brings every
# started tenant back (how fast is a figure, logged), and a watcher never
# sees two workers of one tenant.
. "$VECTIS_TESTLIB"

N=20
start_master
{
	printf '['
	for i in $(seq 1 $N); do
		[ "$i" -gt 1 ] && printf ','
		printf '{"name":"t%02d","command":["sleep","1000"],"env":{"VX_TENANT":"t%02d_%s"}}' \
		    "$i" "$i" "$(basename "$T_HOME")"
	done
	printf ']'
} >"$T_HOME/t.json"
vx apply "$T_HOME/t.json" >/dev/null || fail "apply"
wait_until 5 sh -c "[ \"\$($VECTIS_BIN list --json | jq '[.[] | select(.state==\"running\")] | length')\" = $N ]" ||
    fail "not all $N running"
old=$(vx list --json | jq -r '.[].pid' | sort)
# A pid and its start time: on a busy machine the run below may take long
# enough for an old worker's pid to be reused by an unrelated process.
starttime() { awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null; }
oldst=
for p in $old; do oldst="$oldst $p:$(starttime "$p")"; done

# Watcher: every 10 ms, count live workers per tenant from the environment
# of the processes that can be one (the shim, then sleep).
tag=$(basename "$T_HOME")
cat >"$T_HOME/watch.sh" <<W
while [ ! -f "$T_HOME/stop-watch" ]; do
	for p in \$(pgrep -x 'sleep|vectis-worker-s' | sed 's|^|/proc/|'); do
		grep -qs 'Z (zombie)' \$p/status && continue
		tr '\0' '\n' <\$p/environ 2>/dev/null | grep "^VX_TENANT=.*_$tag\\\$"
	done | sort | uniq -c | awk '\$1 > 1 { print "DOUBLE " \$0 }'
	sleep 0.01
done
W
bash "$T_HOME/watch.sh" >"$T_HOME/watch.out" 2>&1 &
WATCH=$!
T_PIDS="$T_PIDS $WATCH"

kill -KILL "$MASTER_PID"
wait "$MASTER_PID" 2>/dev/null
t0=$(date +%s%N)
start_master
wait_until 30 sh -c "[ \"\$($VECTIS_BIN list --json | jq '[.[] | select(.state==\"running\")] | length')\" = $N ]" ||
    fail "not all $N RUNNING under the new master"
t1=$(date +%s%N)
touch "$T_HOME/stop-watch"
wait "$WATCH" 2>/dev/null
for ps in $oldst; do
	p=${ps%%:*}
	alive "$p" && [ "$(starttime "$p")" = "${ps#*:}" ] &&
	    fail "leftover worker $p of the dead master still alive"
done
new=$(vx list --json | jq -r '.[].pid' | sort)
[ "$(echo "$new" | wc -l)" = $N ] || fail "wrong number of pids"
for p in $new; do alive "$p" || fail "new pid $p not alive"; done
grep -q DOUBLE "$T_HOME/watch.out" && fail "two workers of one tenant: $(grep DOUBLE "$T_HOME/watch.out" | head -3)"
grep -q "left by a previous master" "$T_HOME/master.out" || fail "leftovers not reported"
t_log "20 tenants back in $(( (t1 - t0) / 1000000 )) ms after kill -9 of the master; never two workers per tenant"
exit 0
