# authz.sh: the control socket checks peer credentials.  A user outside
# CONTROL_GROUP gets exit 5 and changes nothing; a member may operate.
. "$VECTIS_TESTLIB"

[ "$(id -u)" = 0 ] || skip "needs root to create test users"
command -v runuser >/dev/null && command -v useradd >/dev/null ||
    skip "runuser/useradd not installed"
G=vt-ops$$ OP=vt-op$$ NOB=vt-nob$$
groupadd --system "$G" 2>/dev/null || skip "cannot create group"
useradd --system -M -d /nonexistent -s /usr/sbin/nologin -G "$G" "$OP" 2>/dev/null
useradd --system -M -d /nonexistent -s /usr/sbin/nologin "$NOB" 2>/dev/null
cleanup_users() { userdel "$OP" 2>/dev/null; userdel "$NOB" 2>/dev/null; groupdel "$G" 2>/dev/null; }
trap 'cleanup_users; t_cleanup' EXIT
id "$OP" >/dev/null 2>&1 && id "$NOB" >/dev/null 2>&1 || skip "cannot create users"

# The test home must be traversable; the master's own dir is 0750.
chmod 0711 "$T_HOME"
export VECTIS_HOME="$T_HOME/home"
mkdir -p "$VECTIS_HOME"
printf 'CONTROL_GROUP=%s\n' "$G" >"$VECTIS_HOME/supervisor.conf"
bin_ok=1
runuser -u "$NOB" -- test -x "$VECTIS_BIN" || bin_ok=0
[ $bin_ok = 1 ] || skip "the build directory is not reachable by other users"

"$VECTIS_BIN" run >>"$T_HOME/master.out" 2>&1 &
MASTER_PID=$!
wait_until 5 vx list || fail "master did not come up"
vx add x -- sleep 1000 >/dev/null || fail "add"
wait_until 2 is x state running || fail "x not running"
pid=$(field x pid)

as() { u=$1; shift; runuser -u "$u" -- env VECTIS_HOME="$VECTIS_HOME" "$VECTIS_BIN" "$@"; }
as "$NOB" stop x >/dev/null 2>"$T_HOME/err"
rc=$?
[ $rc = 5 ] || fail "stop as $NOB exited $rc: $(cat "$T_HOME/err")"
grep -q "permission denied" "$T_HOME/err" || fail "no 'permission denied': $(cat "$T_HOME/err")"
[ "$(field x pid)" = "$pid" ] && is x state running || fail "x changed by $NOB"

as "$OP" list >/dev/null || fail "list as CONTROL_GROUP member"
as "$OP" stop x >/dev/null || fail "stop as CONTROL_GROUP member"
is x state stopped || fail "x not stopped by $OP"
[ "$(stat -c %G "$VECTIS_HOME/control.sock")" = "$G" ] || fail "socket group"
[ "$(stat -c %a "$VECTIS_HOME/control.sock")" = 660 ] || fail "socket mode $(stat -c %a "$VECTIS_HOME/control.sock")"

# An unknown group in supervisor.conf is a clear error; reload keeps the old.
printf 'CONTROL_GROUP=vt-no-such-group\n' >"$VECTIS_HOME/supervisor.conf"
expect_fail 1 "supervisor.conf:1: CONTROL_GROUP: no such group 'vt-no-such-group'" vx reload
t_log "outsider: exit 5, nothing changed; CONTROL_GROUP member may operate"
exit 0
