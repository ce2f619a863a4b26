# diskfull.sh: the state directory fills up.  The master keeps supervising
# (a crash loop goes on being restarted, a stable tenant stays up), says
# the store is degraded, and when space returns it writes memory back:
# the database then agrees with list --json and passes integrity_check.
. "$VECTIS_TESTLIB"

[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
FS="$T_HOME/fs"
mkdir -p "$FS"
mount -t tmpfs -o size=3m tmpfs "$FS" 2>/dev/null || skip "cannot mount tmpfs here"
umount_fs() { umount -l "$FS" 2>/dev/null; }
trap 'umount_fs; t_cleanup' EXIT
export VECTIS_HOME="$FS"

start_master
vx apply /dev/stdin >/dev/null <<J || fail "apply"
[{"name": "stable", "command": ["sleep", "1000"]},
 {"name": "loop", "command": ["sh", "-c", "sleep 0.2; exit 1"],
  "restart": {"max_restarts": 1000, "backoff_initial_ms": 50, "backoff_max_ms": 100}}]
J
wait_until 3 is stable state running || fail "stable not running"
spid=$(field stable pid)

dd if=/dev/zero of="$FS/filler" bs=64k 2>/dev/null	# until ENOSPC
wait_until 10 grep -q "database degraded" "$T_HOME/master.out" ||
    fail "no degraded store reported after the disk filled"
r0=$(field loop restarts)
wait_until 5 sh -c "[ \$($VECTIS_BIN list --json | jq '.[] | select(.name==\"loop\") | .restarts') -gt $((r0 + 3)) ]" ||
    fail "supervision stopped while the disk was full"
[ "$(field stable pid)" = "$spid" ] || fail "stable disturbed"
vx list >/dev/null || fail "list failed while the disk was full"
t_log "disk full: master supervising, store degraded"

rm -f "$FS/filler"
wait_until 10 grep -q "database writable again" "$T_HOME/master.out" ||
    fail "store did not recover"
vx stop loop >/dev/null || fail "stop loop"
want=$(field loop restarts)
got=$(sqlite3 "$FS/vectis.db" "select restarts || '|' || state from worker_process where name='loop'")
[ "$got" = "$want|stopped" ] || fail "database says '$got', memory says '$want|stopped'"
[ "$(sqlite3 "$FS/vectis.db" 'pragma integrity_check')" = ok ] || fail "integrity_check"
t_log "space back: database re-recorded and intact"
vx shutdown >/dev/null
wait_until 5 sh -c "! kill -0 $MASTER_PID"
MASTER_PID=
exit 0
