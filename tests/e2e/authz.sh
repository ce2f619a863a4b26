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

start_master
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

# By default an outsider cannot even read.
as "$NOB" list >/dev/null 2>"$T_HOME/err"
rc=$?
[ $rc = 5 ] || fail "list as $NOB exited $rc by default: $(cat "$T_HOME/err")"

# CONTROL_READ=all opens list, status, history and ping to every local user,
# with env values hidden; changing commands stay refused.
vx remove x >/dev/null || fail "remove x"
vx add y --env TOKEN=s3cr3t-y -- sleep 1000 >/dev/null || fail "add y"
wait_until 2 is y state running || fail "y not running"
pid=$(field y pid)
printf 'CONTROL_GROUP=%s\nCONTROL_READ=all\n' "$G" >"$VECTIS_HOME/supervisor.conf"
vx reload >/dev/null || fail "reload with CONTROL_READ=all"
[ "$(stat -c %a "$VECTIS_HOME/control.sock")" = 666 ] || fail "socket mode with CONTROL_READ=all"
[ "$(stat -c %a "$VECTIS_HOME")" = 751 ] || fail "directory mode with CONTROL_READ=all"
as "$NOB" list --json >"$T_HOME/nob.json" 2>"$T_HOME/err" || fail "list as $NOB with CONTROL_READ=all: $(cat "$T_HOME/err")"
[ "$(jq -r '.[0].name' "$T_HOME/nob.json")" = y ] || fail "list as $NOB: $(cat "$T_HOME/nob.json")"
as "$NOB" status y >/dev/null 2>"$T_HOME/err" || fail "status as $NOB: $(cat "$T_HOME/err")"
# The raw reply to "status" carries the spec: its env values are for admins.
raw() {
	runuser -u "$1" -- python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"{\"v\":1,\"cmd\":\"status\",\"name\":\"y\"}\n")
print(s.makefile().readline(), end="")' "$VECTIS_HOME/control.sock"
}
raw "$NOB" >"$T_HOME/nob.json" || fail "raw status as $NOB"
[ "$(jq -r '.result.spec.env.TOKEN' "$T_HOME/nob.json")" = "(hidden)" ] || fail "env not hidden from $NOB: $(cat "$T_HOME/nob.json")"
grep -q s3cr3t "$T_HOME/nob.json" && fail "secret shown to $NOB"
raw "$OP" | jq -e '.result.spec.env.TOKEN == "s3cr3t-y"' >/dev/null || fail "env hidden from a CONTROL_GROUP member"
as "$NOB" history y >/dev/null 2>"$T_HOME/err" || fail "history as $NOB: $(cat "$T_HOME/err")"
for cmd in "stop y" "restart y" "remove y" "reload" "shutdown"; do
	# shellcheck disable=SC2086
	as "$NOB" $cmd >/dev/null 2>"$T_HOME/err"
	rc=$?
	[ $rc = 5 ] || fail "$cmd as $NOB with CONTROL_READ=all exited $rc: $(cat "$T_HOME/err")"
	grep -q "permission denied" "$T_HOME/err" || fail "$cmd: no 'permission denied': $(cat "$T_HOME/err")"
done
[ "$(field y pid)" = "$pid" ] && is y state running || fail "y changed by $NOB"
alive "$MASTER_PID" || fail "master gone"

# Back to admin: the socket closes again on reload.
printf 'CONTROL_GROUP=%s\nCONTROL_READ=admin\n' "$G" >"$VECTIS_HOME/supervisor.conf"
vx reload >/dev/null || fail "reload with CONTROL_READ=admin"
[ "$(stat -c %a "$VECTIS_HOME/control.sock")" = 660 ] || fail "socket mode back to 660"
as "$NOB" list >/dev/null 2>&1 && fail "list as $NOB after CONTROL_READ=admin"
printf 'CONTROL_READ=everyone\n' >"$VECTIS_HOME/supervisor.conf"
expect_fail 1 "supervisor.conf:1: CONTROL_READ must be admin or all" vx reload

# An unknown group in supervisor.conf is a clear error; reload keeps the old.
printf 'CONTROL_GROUP=vt-no-such-group\n' >"$VECTIS_HOME/supervisor.conf"
expect_fail 1 "supervisor.conf:1: CONTROL_GROUP: no such group 'vt-no-such-group'" vx reload
t_log "outsider: exit 5, nothing changed; CONTROL_GROUP member may operate; CONTROL_READ=all opens reading only, env hidden"
exit 0
