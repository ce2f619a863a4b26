# pid1.sh: as PID 1 of a PID namespace the master reaps every zombie,
# orphans of workers included, and SIGTERM (docker stop) stops everything
# and exits 0, also when a worker ignores its stop signal and has to be
# SIGKILLed after stop.timeout_s (vectis-deployment(7) documents exit 0).
. "$VECTIS_TESTLIB"

[ "$(id -u)" = 0 ] || skip "needs root for unshare --pid"
command -v unshare >/dev/null || skip "unshare not installed"
unshare --pid --fork --mount-proc true 2>/dev/null || skip "PID namespaces not available here"

# The worker leaves orphans behind every 100 ms: short-lived grandchildren
# whose parent exits at once, so they are reparented to PID 1.  It says
# "orphan" for each, so the test counts them instead of sleeping.
cat >"$T_HOME/t.json" <<J
[{"name": "orphaner", "user": "root", "command": ["sh", "-c",
  "while :; do (sleep 0.05 &) ; echo orphan; sleep 0.1; done"]},
 {"name": "plain", "user": "root", "command": ["sleep", "1000"]},
 {"name": "stubborn", "user": "root", "command": ["sh", "-c",
  "trap '' TERM; while :; do sleep 0.1; done"], "stop": {"timeout_s": 1}}]
J
vx apply "$T_HOME/t.json" >/dev/null 2>&1 || true	# no master yet: expected
T_FOREIGN_PIDS=1	# list --json shows pids of the namespace
t_http_off
unshare --pid --fork --mount-proc "$VECTIS_BIN" run >"$T_HOME/master.out" 2>&1 &
UNSHARE=$!
wait_until 5 vx list || fail "master in the namespace did not come up"
# The master's pid as seen from here: the child of unshare.  Killing it
# (PID 1 of the namespace) takes the whole namespace down at cleanup.
MASTER_PID=$(cat /proc/$UNSHARE/task/$UNSHARE/children | awk '{print $1}')
[ -n "$MASTER_PID" ] || fail "cannot find the master's pid"
vx apply "$T_HOME/t.json" >/dev/null || fail "apply"
grep -q "NSpid:.*[[:space:]]1$" "/proc/$MASTER_PID/status" || fail "master is not PID 1 in its namespace"
grep -q "as PID 1" "$T_HOME/master.out" || fail "master did not notice it is PID 1"
wait_until 2 is orphaner state running || fail "orphaner not running"
wait_until 2 is stubborn state running || fail "stubborn not running"

# Once the orphaner made 20 orphans, none may stay a zombie.
wait_until 60 sh -c "[ \$(grep -c ' out orphan\$' $T_HOME/logs/orphaner.log) -ge 20 ]" ||
    fail "the orphaner did not make 20 orphans"
zombies() {
	ps -e -o ppid=,stat=,pid= | awk -v m="$MASTER_PID" \
	    '$1 == m && $2 ~ /^Z/ { print $3 }'
}
# A zombie may exist for an instant before it is reaped: poll (bounded).
wait_until 30 sh -c "[ -z \"\$(ps -e -o ppid=,stat= | awk -v m=$MASTER_PID '\$1 == m && \$2 ~ /^Z/')\" ]" ||
    fail "zombies under PID 1: $(zombies)"
t_log "no zombies under PID 1 after orphans exited"

pids=$(ps -e -o ppid=,pid= | awk -v m="$MASTER_PID" '$1 == m { print $2 }')
[ -n "$pids" ] || fail "no workers under the master"
kill -TERM "$MASTER_PID"
wait_until 20 sh -c "! kill -0 $UNSHARE" || fail "master did not exit after SIGTERM"
wait "$UNSHARE"
rc=$?
[ "$rc" = 0 ] || fail "master as PID 1 exited $rc after SIGTERM"
for p in $pids; do alive "$p" && fail "worker $p survived"; done
grep -q "all workers stopped; exiting" "$T_HOME/master.out" || fail "no graceful stop"
grep -q "stubborn: still running 1 s after SIGTERM, sending SIGKILL" "$T_HOME/master.out" ||
    fail "stubborn was not SIGKILLed after its stop timeout"
MASTER_PID=
t_log "SIGTERM stopped all tenants (one by SIGKILL after 1 s) and PID 1 exited 0"
exit 0
