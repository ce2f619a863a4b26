# isolation.sh: tenants are strangers.  A worker runs as its user with no
# capability, no_new_privs, umask 027, fds 0-3 and only the environment its
# spec gives it (no secret of the master's); it cannot signal another
# tenant's worker nor read the database, the secret or another tenant's
# log; limits.nproc and memory_max_bytes fail in the tenant, not in the
# master; and a root master runs a tenant as root only when told so.
. "$VECTIS_TESTLIB"

[ "$(id -u)" = 0 ] || skip "needs root to create the test users"
for c in useradd userdel setpriv python3 sqlite3; do
	command -v "$c" >/dev/null || skip "$c not installed"
done
A=vt-a B=vt-b
for u in "$A" "$B"; do
	id "$u" >/dev/null 2>&1 &&
	    skip "user $u exists already (left by an earlier run? userdel $u)"
done
for u in "$A" "$B"; do
	useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin "$u" 2>/dev/null || skip "cannot create user $u"
	T_USERS="$T_USERS $u"
done
uid_a=$(id -u "$A") gid_a=$(id -g "$A")

# Only the files' own modes protect them: the home is open to everybody,
# as a VECTIS_HOME may well be.
chmod 0711 "$T_HOME"
export VECTIS_HOME="$T_HOME/home"
mkdir -m 0755 "$VECTIS_HOME"
as_a() { setpriv --reuid="$A" --regid="$A" --init-groups -- "$@"; }
as_a true || skip "setpriv cannot switch to $A"

# A master whose environment holds a token and a marker variable.
secret_token="tok-$$-$RANDOM"
VECTIS_TOKEN=$secret_token VX_LEAK_MARK=leak-$$ start_master

vx apply /dev/stdin >/dev/null <<J || fail "apply"
[{"name": "a", "user": "$A", "env": {"FOO": "bar baz"},
  "command": ["sh", "-c", "echo a-started; exec sleep 1000"]},
 {"name": "b", "user": "$B",
  "command": ["sh", "-c", "echo b-private-$$; exec sleep 1000"]}]
J
wait_until 5 is a state running || fail "a not running: $(field a last_error)"
wait_until 5 is b state running || fail "b not running: $(field b last_error)"
pa=$(field a pid) pb=$(field b pid)
st=/proc/$pa/status

# Identity, capabilities, no_new_privs, umask, descriptors.
grep -q "^Uid:[[:space:]]*${uid_a}[[:space:]]*${uid_a}[[:space:]]*${uid_a}[[:space:]]*${uid_a}$" "$st" ||
    fail "uid: $(grep Uid "$st")"
grep -q "^Gid:[[:space:]]*${gid_a}[[:space:]]*${gid_a}[[:space:]]*${gid_a}[[:space:]]*${gid_a}$" "$st" ||
    fail "gid: $(grep Gid "$st")"
[ "$(awk '/^Groups:/ { $1 = ""; print }' "$st" | tr -d ' ')" = "$gid_a" ] ||
    fail "supplementary groups: $(grep Groups "$st")"
for c in CapInh CapPrm CapEff CapBnd CapAmb; do
	grep -q "^$c:[[:space:]]*0000000000000000$" "$st" || fail "$c: $(grep "^$c" "$st")"
done
grep -q "^NoNewPrivs:[[:space:]]*1$" "$st" || fail "NoNewPrivs: $(grep NoNewPrivs "$st")"
grep -q "^Umask:[[:space:]]*0027$" "$st" || fail "umask: $(grep Umask "$st")"
fds=$(ls "/proc/$pa/fd" | sort -n | tr '\n' ' ')
[ "$fds" = "0 1 2 3 " ] || fail "worker fds: $fds"
t_log "a runs as $A ($uid_a:$gid_a), no capabilities, NoNewPrivs 1, umask 0027, fds 0-3"

# The environment is the spec's, the user's defaults and ours: no more
# (but PWD, which sh exports itself before it execs sleep).
env_a=$(tr '\0' '\n' <"/proc/$pa/environ" | grep -v '^PWD=' | sort)
want=$(printf '%s\n' "FOO=bar baz" "HOME=/nonexistent" "LANG=C.UTF-8" \
    "LOGNAME=$A" "PATH=/usr/local/bin:/usr/bin:/bin" "USER=$A" \
    "VECTIS_NAME=a" "VECTIS_NOTIFY_FD=3" | sort)
[ "$env_a" = "$want" ] || fail "environment of a:
$env_a
wanted:
$want"
tr '\0' '\n' <"/proc/$MASTER_PID/environ" | grep -q "^VECTIS_TOKEN=$secret_token$" ||
    fail "the test did not give the master its token"
grep -rqs -e "$secret_token" -e "leak-$$" "$VECTIS_HOME/logs" && fail "a secret reached a log"
t_log "environment exactly the spec's and the user's; VECTIS_TOKEN not inherited"

# a cannot signal b's worker.
as_a kill -TERM "$pb" 2>/dev/null && fail "$A could signal $B's worker"
as_a kill -0 "$pb" 2>/dev/null && fail "$A could probe $B's worker with kill -0"
alive "$pb" && [ "$(field b pid)" = "$pb" ] || fail "b's worker did not survive"
t_log "$A cannot signal $B's worker"

# Nor read the database, the node secret, or any log (b's holds a marker).
wait_until 2 grep -q "b-private-$$" "$VECTIS_HOME/logs/b.log" || fail "b's log"
if [ -x "${VECTIS_SYNC:-}" ]; then
	# vectis-sync makes worker.secret before it tries the (closed) port.
	printf 'DASHBOARD_URL=http://127.0.0.1:9\n' >"$VECTIS_HOME/worker.conf"
	VECTIS_TOKEN=x VECTIS_PUBLIC_IP=192.0.2.1 timeout 20 "$VECTIS_SYNC" \
	    >/dev/null 2>&1
fi
files="vectis.db vectis.db-wal vectis.db-shm logs/b.log logs/a.log"
[ -f "$VECTIS_HOME/worker.secret" ] && files="$files worker.secret" ||
    t_log "no vectis-sync made worker.secret: not checked"
for f in $files; do
	[ -f "$VECTIS_HOME/$f" ] || fail "$f does not exist"
	as_a cat "$VECTIS_HOME/$f" >/dev/null 2>&1 && fail "$A can read $f"
done
as_a ls "$VECTIS_HOME/logs" >/dev/null 2>&1 && fail "$A can list logs/"
t_log "$A cannot read $files nor list logs/"

# limits.nproc: the tenant's fork fails, and only the tenant fails.
vx apply /dev/stdin >/dev/null <<J || fail "apply forker"
[{"name": "forker", "user": "$A", "limits": {"nproc": 6},
  "restart": {"policy": "never"},
  "command": ["python3", "-c", "import os, sys, time\nn = 0\nwhile n < 1000:\n    try:\n        pid = os.fork()\n    except OSError as e:\n        sys.exit('fork failed after %d: %s' % (n, os.strerror(e.errno)))\n    if pid == 0:\n        time.sleep(1000)\n        os._exit(0)\n    n += 1\nsys.exit('never limited')"]}]
J
wait_until 10 is forker state fatal || fail "forker not fatal: $(field forker state)"
field forker last_error | grep -q "fork failed after [0-9]*: Resource temporarily unavailable" ||
    fail "forker: $(field forker last_error)"
t_log "nproc: $(field forker last_error)"

# memory_max_bytes: the allocation fails in the tenant.
vx apply /dev/stdin >/dev/null <<J || fail "apply hog"
[{"name": "hog", "user": "$B", "limits": {"memory_max_bytes": 67108864},
  "restart": {"policy": "never"},
  "command": ["python3", "-c", "b = bytearray(512 << 20)\nprint('allocated')"]}]
J
wait_until 10 is hog state fatal || fail "hog not fatal: $(field hog state)"
field hog last_error | grep -q "MemoryError" || fail "hog: $(field hog last_error)"
grep -q allocated "$VECTIS_HOME/logs/hog.log" 2>/dev/null && fail "hog allocated 512 MiB"
t_log "memory: $(field hog last_error)"

vx list >/dev/null || fail "master does not answer"
kill -0 "$MASTER_PID" || fail "master died"
[ "$(field a pid)" = "$pa" ] && [ "$(field b pid)" = "$pb" ] ||
    fail "a or b was disturbed by the limits"
t_log "master and the other tenants unaffected"

# Root: only on purpose, and marked.
expect_fail 1 '"user" is required when the master runs as root' \
    "$VECTIS_BIN" add noroot -- sleep 1000
printf '[{"name": "ok1", "user": "%s", "command": ["true"]}, {"name": "noroot", "command": ["true"]}]\n' "$A" >"$T_HOME/r.json"
expect_fail 1 'tenant 2 (noroot): "user" is required' "$VECTIS_BIN" apply "$T_HOME/r.json"
[ -z "$(field ok1 name)" ] && [ -z "$(field noroot name)" ] ||
    fail "a refused apply created tenants"
"$VECTIS_BIN" add asroot --user root -- sleep 1000 >/dev/null || fail "add asroot"
wait_until 5 is asroot state running || fail "asroot: $(field asroot last_error)"
grep -q "^Uid:[[:space:]]*0[[:space:]]" /proc/"$(field asroot pid)"/status || fail "asroot not root"
grep -q "^CapEff:[[:space:]]*0000000000000000$" /proc/"$(field asroot pid)"/status ||
    fail "asroot has capabilities"
is asroot root true && is a root false || fail "list --json root field"
vx list | grep -q "^asroot\[root\] " || fail "list does not mark asroot: $(vx list)"
vx list | grep -q "^a " || fail "list marks a: $(vx list)"
t_log "root only with \"user\": \"root\", marked in list"

# A tenant stored without a user (before the rule) is not started as root.
vx shutdown >/dev/null || fail "shutdown"
wait_until 10 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
sqlite3 "$VECTIS_HOME/vectis.db" \
    "UPDATE tenant_spec SET spec = json_remove(spec, '\$.user') WHERE name = 'asroot'" ||
    fail "sqlite3 update"
start_master
wait_until 5 is a state running || fail "a not back"
wait_until 5 is asroot state fatal || fail "stored asroot: $(field asroot state)"
field asroot last_error | grep -q '"user" is required when the master runs as root' ||
    fail "asroot last_error: $(field asroot last_error)"
[ "$(field asroot status)" = ERROR ] || fail "asroot status $(field asroot status)"
t_log "stored tenant without user: $(field asroot last_error | cut -c1-60)..."
exit 0
