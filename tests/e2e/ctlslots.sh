#!/bin/bash
# ctlslots.sh: with CONTROL_READ=all, local users who are not admins held
# every control connection (a cap of 256, 64 per uid, and any byte kept a
# connection for 10 s more), so root's list failed with "too many control
# connections" (review M6).  Admins are never refused, a whole request is
# due within 10 s however its bytes trickle in, and a reader's request is
# limited to 4 KiB.
. "$VECTIS_TESTLIB"

[ "$(id -u)" = 0 ] || skip "needs root to create the test users"
for c in useradd userdel groupadd setpriv python3; do
	command -v "$c" >/dev/null || skip "$c not installed"
done
G=vt-cg$$
groupadd --system "$G" 2>/dev/null || skip "cannot create group $G"
T_GROUPS=$G
READERS=
for i in 1 2 3 4 5; do
	u=vt-r$$-$i
	useradd --system -M -d /nonexistent -s /usr/sbin/nologin "$u" \
	    2>/dev/null || skip "cannot create user $u"
	T_USERS="$T_USERS $u"
	READERS="$READERS $u"
done
M=vt-m$$
useradd --system -M -d /nonexistent -s /usr/sbin/nologin -G "$G" "$M" \
    2>/dev/null || skip "cannot create user $M"
T_USERS="$T_USERS $M"
R1=vt-r$$-1

# as USER CMD...: CMD as USER.  In the background, (exec setpriv ...) &
# instead, so that $! is the command's own pid, for t_cleanup.
as() { u=$1; shift; setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"; }
as "$M" test -x "$VECTIS_BIN" ||
    skip "the build directory is not reachable by other users"
# A python3 the test users may run (root's may live in root's home).
PY=
for p in $(type -ap python3) /usr/bin/python3; do
	as "$M" "$p" -c '' 2>/dev/null && { PY=$p; break; }
done
[ -n "$PY" ] || skip "no python3 that other users may run"

chmod 0711 "$T_HOME"
export VECTIS_HOME="$T_HOME/home"
mkdir -m 0755 "$VECTIS_HOME"
mkdir -m 1777 "$T_HOME/out"
printf 'CONTROL_GROUP=%s\nCONTROL_READ=all\n' "$G" >"$VECTIS_HOME/supervisor.conf"
start_master
sock=$VECTIS_HOME/control.sock

# holder.py SOCK N MODE OUT STOP: N connections that keep their slot by a
# ping every 2 s (MODE ping), or that send one byte a second and never a
# newline (MODE trickle).  OUT gets "held H refused R" once all are open;
# trickle then waits (at most 60 s) for the master to drop them all.
cat >"$T_HOME/holder.py" <<'PY'
import os, select, socket, sys, time
path, n, mode, out, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    sys.argv[4], sys.argv[5]
PING = b'{"v":1,"cmd":"ping"}\n'
def report(text):
    with open(out + ".tmp", "w") as f:
        f.write(text + "\n")
    os.rename(out + ".tmp", out)
def ask(s):
    s.sendall(PING)
    data = b""
    while not data.endswith(b"\n"):
        c = s.recv(4096)
        if not c:
            return None
        data += c
    return data
def ping_all():
    global last
    for s in list(held):
        try:
            r = ask(s)
        except OSError:
            r = None
        if r is None or b'"ok":true' not in r:
            held.remove(s)
    last = time.monotonic()
held, refused, last = [], 0, time.monotonic()
for i in range(n):
    # A held connection must send a request every 10 s, even now.
    if mode == "ping" and time.monotonic() - last > 2:
        ping_all()
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(path)
    if mode == "trickle":
        s.sendall(b"{")
        held.append(s)
        continue
    try:
        r = ask(s)
    except OSError:
        r = None
    if r is not None and b'"ok":true' in r:
        held.append(s)
    else:
        refused += 1
        s.close()
if mode == "ping":
    ping_all()
report("held %d refused %d" % (len(held), refused))
t0 = time.monotonic()
if mode == "ping":
    while not os.path.exists(stop):
        time.sleep(0.5)
        if time.monotonic() - last > 2:
            ping_all()
    sys.exit(0)
open_ = set(held)
while open_ and time.monotonic() - t0 < 60:
    for s in list(open_):
        try:
            s.sendall(b" ")
            r, _, _ = select.select([s], [], [], 0)
            if r and not s.recv(4096):
                open_.discard(s)
        except OSError:
            open_.discard(s)
    time.sleep(1)
report("dropped %d of %d after %.0f s" % (len(held) - len(open_), len(held),
    time.monotonic() - t0))
PY
chmod 0644 "$T_HOME/holder.py"

# Five readers try 64 connections each and keep what they get: every
# reader slot is taken.
hpids=
for u in $READERS; do
	(exec setpriv --reuid="$u" --regid="$u" --init-groups -- "$PY" \
	    "$T_HOME/holder.py" "$sock" 64 ping "$T_HOME/out/$u" \
	    "$T_HOME/out/stop") &
	hpids="$hpids $!"
done
T_PIDS="$T_PIDS $hpids"
for u in $READERS; do
	wait_until 60 test -s "$T_HOME/out/$u" || fail "holder $u did not report"
done
held=$(cat "$T_HOME"/out/vt-r* | awk '{ h += $2 } END { print h }')
[ "$held" -ge 256 ] || fail "readers hold only $held connections: $(cat "$T_HOME"/out/vt-r*)"
t_log "readers hold $held connections"

# Root and a CONTROL_GROUP member still get in; another reader does not.
vx list >/dev/null 2>"$T_HOME/err" ||
    fail "root's list refused while readers hold every slot: $(cat "$T_HOME/err")"
as "$M" env VECTIS_HOME="$VECTIS_HOME" "$VECTIS_BIN" list >/dev/null \
    2>"$T_HOME/err" ||
    fail "a CONTROL_GROUP member's list refused: $(cat "$T_HOME/err")"
as "$R1" env VECTIS_HOME="$VECTIS_HOME" "$VECTIS_BIN" list >/dev/null \
    2>"$T_HOME/err" && fail "reader $R1 got a 65th connection"
grep -q "too many control connections" "$T_HOME/err" ||
    fail "reader over the cap: $(cat "$T_HOME/err")"
t_log "root and a CONTROL_GROUP member get in; a reader over its cap does not"
touch "$T_HOME/out/stop"
for p in $hpids; do
	wait "$p" || fail "a ping holder failed"
done
wait_until 30 vx list || fail "list after the holders left"

# Bytes that trickle in do not make a request: the connection is dropped
# 10 s after it opened.
(exec setpriv --reuid="$R1" --regid="$R1" --init-groups -- "$PY" \
    "$T_HOME/holder.py" "$sock" 20 trickle "$T_HOME/out/trickle" \
    "$T_HOME/out/stop") &
tp=$!
T_PIDS="$T_PIDS $tp"
wait "$tp"
grep -q "^dropped 20 of 20" "$T_HOME/out/trickle" ||
    fail "trickling connections kept: $(cat "$T_HOME/out/trickle")"
t_log "trickling connections: $(cat "$T_HOME/out/trickle")"

# A reader's request is at most 4 KiB; an admin's may be 1 MiB.
big() {
	"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
try:
    s.sendall(b"x" * int(sys.argv[2]) + b"\n")
except OSError:
    pass
d = b""
while not d.endswith(b"\n"):
    c = s.recv(65536)
    if not c:
        break
    d += c
print(d.decode(errors="replace"))' "$sock" "$1"
}
as "$R1" bash -c "$(declare -f big); PY=$PY sock=$sock; big 16384" >"$T_HOME/big" 2>&1
grep -q "request too large (limit 4 KiB" "$T_HOME/big" ||
    fail "a reader's 16 KiB request: $(cat "$T_HOME/big")"
big 100000 | grep -q "malformed request" || fail "root's 100 kB request refused"
as "$M" bash -c "$(declare -f big); PY=$PY sock=$sock; big 100000" >"$T_HOME/big" 2>&1
grep -q "malformed request" "$T_HOME/big" ||
    fail "a CONTROL_GROUP member's 100 kB request: $(cat "$T_HOME/big")"
alive "$MASTER_PID" || fail "master gone"
t_log "readers' requests limited to 4 KiB, admins' to 1 MiB"
exit 0
