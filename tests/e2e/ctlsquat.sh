#!/bin/bash
# ctlsquat.sh: a master run by a user without XDG_RUNTIME_DIR used
# /tmp/vectis-UID even when another user had made it, and the CLI sent its
# requests to whatever listened there, env values included (review M7).
# The master now refuses a runtime directory that is not its own, private
# and real; the CLI refuses a server that is neither root nor its user.
. "$VECTIS_TESTLIB"

[ "$(id -u)" = 0 ] || skip "needs root to create the test users"
for c in useradd userdel setpriv python3; do
	command -v "$c" >/dev/null || skip "$c not installed"
done
V=vt-v$$ A=vt-att$$
for u in "$V" "$A"; do
	useradd --system -M -d /nonexistent -s /usr/sbin/nologin "$u" \
	    2>/dev/null || skip "cannot create user $u"
	T_USERS="$T_USERS $u"
done
uid_v=$(id -u "$V") uid_a=$(id -u "$A")
run=/tmp/vectis-$uid_v
# A leftover of an earlier user with this uid is nobody's now.
rm -rf "$run"
trap 'rm -rf "$run"; t_cleanup' EXIT

chmod 0711 "$T_HOME"
x=$T_HOME/v
mkdir -p "$x/conf/vectis" "$x/state"
echo 'SYNC_LISTEN=off' >"$x/conf/vectis/worker.conf"
chown -R "$V" "$x"
mkdir -m 0777 "$T_HOME/att"
chown "$A" "$T_HOME/att"
# The victim: XDG config and state, no XDG_RUNTIME_DIR, no VECTIS_HOME.
asv() {
	env -u VECTIS_HOME -u XDG_RUNTIME_DIR XDG_CONFIG_HOME="$x/conf" \
	    XDG_STATE_HOME="$x/state" HOME="$x" VECTIS_SHIM="$VECTIS_SHIM" \
	    setpriv --reuid="$V" --regid="$V" --clear-groups "$@"
}
asa() { setpriv --reuid="$A" --regid="$A" --clear-groups "$@"; }
# In the background, (asv_exec ...) & and (exec setpriv ...) & make $! the
# command's own pid, for t_cleanup.
asv_exec() {
	exec env -u VECTIS_HOME -u XDG_RUNTIME_DIR XDG_CONFIG_HOME="$x/conf" \
	    XDG_STATE_HOME="$x/state" HOME="$x" VECTIS_SHIM="$VECTIS_SHIM" \
	    setpriv --reuid="$V" --regid="$V" --clear-groups "$@"
}
asv test -x "$VECTIS_BIN" ||
    skip "the build directory is not reachable by other users"
# A python3 the test users may run (root's may live in root's home).
PY=
for p in $(type -ap python3) /usr/bin/python3; do
	asa "$p" -c '' 2>/dev/null && { PY=$p; break; }
done
[ -n "$PY" ] || skip "no python3 that other users may run"

# refused WHAT: the victim's master must exit 1 saying WHAT.
refused() {
	(asv_exec "$VECTIS_BIN" run >"$T_HOME/m.out" 2>&1) &
	local m=$!
	T_PIDS="$T_PIDS $m"
	wait_until 30 sh -c "! kill -0 $m" ||
	    fail "the master runs in $run ($(stat -c '%U %a %F' "$run"))"
	wait "$m"
	local rc=$?
	[ "$rc" = 1 ] || fail "the master exited $rc: $(cat "$T_HOME/m.out")"
	grep -qF -- "$1" "$T_HOME/m.out" ||
	    fail "the master did not say '$1': $(cat "$T_HOME/m.out")"
}

# Squatted: the attacker's directory, open to all.
asa mkdir -m 0777 "$run" || fail "attacker cannot make $run"
refused "runtime directory $run is owned by uid $uid_a, not by uid $uid_v"
# A symbolic link to the attacker's directory.
rm -rf "$run"
asa ln -s "$T_HOME/att" "$run" || fail "attacker cannot link $run"
refused "runtime directory $run is a symbolic link"
# The victim's own, but writable by everybody.
rm -rf "$run"
mkdir -m 0777 "$run" && chown "$V" "$run"
refused "runtime directory $run has mode 0777: others may write to it"
t_log "the master refuses $run owned by another user, a symlink, or mode 0777"

# Not there: the master makes it, private, and the CLI talks to it.
rm -rf "$run"
(asv_exec "$VECTIS_BIN" run >"$T_HOME/m.out" 2>&1) &
m=$!
T_PIDS="$T_PIDS $m"
wait_until 30 asv "$VECTIS_BIN" list ||
    fail "the victim's master did not come up: $(cat "$T_HOME/m.out")"
[ "$(stat -c '%u %a' "$run")" = "$uid_v 700" ] ||
    fail "$run is $(stat -c '%u %a' "$run")"
asv "$VECTIS_BIN" shutdown >/dev/null || fail "shutdown"
wait_until 30 sh -c "! kill -0 $m" || fail "the victim's master did not exit"
t_log "without a squatter the master makes $run, mode 0700"

# The attacker squats again and listens: the CLI sends it nothing.
rm -rf "$run"
asa mkdir -m 0777 "$run"
(exec setpriv --reuid="$A" --regid="$A" --clear-groups "$PY" -c 'import os, socket, sys
os.umask(0)
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1] + "/control.sock")
s.listen(8)
while True:
    c, _ = s.accept()
    c.settimeout(5)
    got = b""
    try:
        while not got.endswith(b"\n"):
            d = c.recv(65536)
            if not d:
                break
            got += d
    except OSError:
        pass
    with open(sys.argv[2], "ab") as f:
        f.write(got)
    try:
        c.sendall(b"{\"v\":1,\"ok\":true,\"result\":\"added\"}\n")
    except OSError:
        pass
    c.close()' "$run" "$T_HOME/att/got") &
T_PIDS="$T_PIDS $!"
wait_until 30 test -S "$run/control.sock" || fail "the fake master is not up"
asv "$VECTIS_BIN" add bot2 --env API_TOKEN=hunter2 -- sleep 1000 \
    >"$T_HOME/out" 2>"$T_HOME/err"
rc=$?
grep -qs hunter2 "$T_HOME/att/got" &&
    fail "the squatter read the request: $(cat "$T_HOME/att/got")"
[ "$rc" = 1 ] || fail "add to the squatter exited $rc: $(cat "$T_HOME/out" "$T_HOME/err")"
grep -q "runs as uid $uid_a, not as root or as you (uid $uid_v); refusing" \
    "$T_HOME/err" || fail "add to the squatter said: $(cat "$T_HOME/err")"
t_log "the CLI refuses a socket served by uid $uid_a"

# With VECTIS_HOME naming a directory only its owner may write to, that
# owner's master is the one meant: root's CLI may talk to it.
h=$T_HOME/vh
mkdir -m 0755 "$h"
echo 'SYNC_LISTEN=off' >"$h/worker.conf"
printf 'CONTROL_READ=all\n' >"$h/supervisor.conf"
chown -R "$V" "$h"
env VECTIS_HOME="$h" VECTIS_SHIM="$VECTIS_SHIM" setpriv --reuid="$V" \
    --regid="$V" --clear-groups "$VECTIS_BIN" run >"$T_HOME/m2.out" 2>&1 &
m=$!
T_PIDS="$T_PIDS $m"
wait_until 30 env VECTIS_HOME="$h" "$VECTIS_BIN" list ||
    fail "root cannot list a master of $V in its own VECTIS_HOME: $(cat "$T_HOME/m2.out")"
chmod 0777 "$h"
env VECTIS_HOME="$h" "$VECTIS_BIN" list >/dev/null 2>"$T_HOME/err" &&
    fail "root talked to uid $uid_v in a directory open to all"
grep -q "refusing to talk to it" "$T_HOME/err" ||
    fail "list in an open VECTIS_HOME said: $(cat "$T_HOME/err")"
chmod 0755 "$h"
env VECTIS_HOME="$h" "$VECTIS_BIN" shutdown >/dev/null || fail "shutdown of $V's master"
wait_until 30 sh -c "! kill -0 $m" || fail "$V's master did not exit"
t_log "root talks to $V's master in $V's private VECTIS_HOME, not in an open one"
exit 0
