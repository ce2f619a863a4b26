# badinput.sh: every bad input gets one clear error; the master keeps
# running and no state is lost or changed.
. "$VECTIS_TESTLIB"

start_master
vx add good -- sleep 1000 >/dev/null || fail "add good"
wait_until 2 is good state running || fail "good not running"
pid=$(field good pid)
vx export >"$T_HOME/before.json" || fail "export"

# Names.
for bad in "../x" "" "UPPER" "has space" "a;rm -rf /" ".dot" "_u" \
    "$(printf 'a%.0s' $(seq 1 64))" 'a$(id)' "a/b"; do
	expect_fail 2 "invalid tenant name" vx status "$bad"
	expect_fail 2 "invalid tenant name" vx add "$bad" -- true
done
expect_fail 2 "unexpected argument" vx status -dash
expect_fail 4 "no such tenant" vx stop nosuch
expect_fail 2 "name required" vx start
expect_fail 2 "unknown command" vx frobnicate
expect_fail 2 "unknown option" vx start --bogus good
expect_fail 2 "command required" vx add x --
expect_fail 2 "bad value" vx add x --max-restarts -1 -- true
expect_fail 1 "already exists" vx add good -- true
t_log "names and usage errors"

# apply: malformed, huge, unknown fields, absurd numbers, missing command.
printf '[{"name": "x", "command": ["true"]' >"$T_HOME/trunc.json"
expect_fail 1 "trunc.json:1:" vx apply "$T_HOME/trunc.json"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T_HOME/huge.json"
expect_fail 1 "larger than 1 MiB" vx apply "$T_HOME/huge.json"
echo '[{"name": "x", "command": ["true"], "colour": "red"}]' >"$T_HOME/f.json"
expect_fail 1 "colour" vx apply "$T_HOME/f.json"
echo '[{"name": "x", "command": ["true"], "restart": {"max_restarts": -5}}]' >"$T_HOME/f.json"
expect_fail 1 "restart.max_restarts" vx apply "$T_HOME/f.json"
echo '[{"name": "x", "command": ["true"], "stop": {"timeout_s": 1e99}}]' >"$T_HOME/f.json"
expect_fail 1 "stop.timeout_s" vx apply "$T_HOME/f.json"
echo '[{"name": "x"}]' >"$T_HOME/f.json"
expect_fail 1 "command" vx apply "$T_HOME/f.json"
echo '[{"name": "x", "command": []}]' >"$T_HOME/f.json"
expect_fail 1 "command" vx apply "$T_HOME/f.json"
echo '[{"name": "Bad Name", "command": ["true"]}]' >"$T_HOME/f.json"
expect_fail 1 "invalid tenant name" vx apply "$T_HOME/f.json"
echo '[{"name": "ok1", "command": ["true"]}, {"name": "ok1", "command": ["true"]}]' >"$T_HOME/f.json"
expect_fail 1 "duplicate" vx apply "$T_HOME/f.json"
# one bad spec among good ones changes nothing (all or nothing)
echo '[{"name": "ok2", "command": ["true"]}, {"name": "bad", "command": "true"}]' >"$T_HOME/f.json"
expect_fail 1 "tenant 2 (bad)" vx apply "$T_HOME/f.json"
echo '{"tenants": 5}' >"$T_HOME/f.json"
expect_fail 1 "expected an array" vx apply "$T_HOME/f.json"
expect_fail 1 "No such file" vx apply "$T_HOME/nope.json"
vx export >"$T_HOME/after.json" || fail "export after"
cmp -s "$T_HOME/before.json" "$T_HOME/after.json" || fail "bad apply changed specs"
[ "$(field good pid)" = "$pid" ] || fail "good was disturbed"
t_log "bad apply files rejected, nothing changed"

# export | apply round trip is exact.
vx apply "$T_HOME/before.json" | grep -q "good: unchanged" || fail "round trip not unchanged"

# The control socket: garbage, nothing, wrong version, unknown fields, huge.
sock="$T_HOME/control.sock"
reply() {
	python3 - "$sock" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(15)
s.sendall(sys.argv[2].encode().decode('unicode_escape').encode('latin-1'))
data = b""
while not data.endswith(b"\n"):
    c = s.recv(65536)
    if not c: break
    data += c
print(data.decode(errors="replace").strip())
PY
}
if command -v python3 >/dev/null 2>&1; then
	reply 'garbage\n' | grep -q '"ok":false.*malformed request' || fail "garbage not refused"
	reply '{"v":2,"cmd":"list"}\n' | grep -q 'unsupported protocol version' || fail "version"
	reply '{"v":1,"cmd":"list","x":1}\n' | grep -q "unknown field 'x'" || fail "unknown field"
	reply '{"v":1,"cmd":"nope"}\n' | grep -q "unknown command" || fail "unknown cmd"
	reply '{"v":1,"cmd":"status","name":"../x"}\n' | grep -q "invalid tenant name" || fail "name"
	reply '\x00\x01\x02\xff\n' | grep -q '"ok":false' || fail "binary"
	# Regression (found by fuzz_ctlproto): a parse error quoting half a
	# UTF-8 sequence made the error reply unencodable; no answer came.
	reply '{"v":1,"cm\\\xe1\x99\xa5lse}\n' | grep -q '"ok":false.*malformed request' ||
	    fail "no error reply for a request quoting broken UTF-8"
	python3 - "$sock" <<'PY' || fail "huge request not refused"
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(15)
try:
    s.sendall(b"x" * (3 * 1024 * 1024))
except OSError:
    pass
data = s.recv(65536)
assert b"too large" in data, data
PY
	# a client that connects and says nothing is dropped, others unaffected
	python3 -c "import socket,time; s=socket.socket(socket.AF_UNIX); s.connect('$sock'); open('$T_HOME/idle','w').close(); time.sleep(30)" &
	T_PIDS="$T_PIDS $!"
	wait_until 5 test -f "$T_HOME/idle" || fail "idle client did not connect"
	vx list >/dev/null || fail "list while a client idles"
	t_log "control socket garbage refused"
fi

# supervisor.conf errors name file and line; reload keeps the old config.
printf 'LOG_LEVEL=info\nBOGUS=1\n' >"$T_HOME/supervisor.conf"
expect_fail 1 "supervisor.conf:2" vx reload
printf 'LOG_LEVEL=loud\n' >"$T_HOME/supervisor.conf"
expect_fail 1 "LOG_LEVEL" vx reload
rm "$T_HOME/supervisor.conf"
vx reload >/dev/null || fail "reload of no file"

# A second master on the same home exits 1 and says so.
"$VECTIS_BIN" run >"$T_HOME/second.out" 2>&1
[ $? = 1 ] || fail "second master did not exit 1"
grep -q "another master is running (pid $MASTER_PID)" "$T_HOME/second.out" ||
    fail "second master message: $(cat "$T_HOME/second.out")"

[ "$(field good pid)" = "$pid" ] || fail "good was disturbed"
vx list >/dev/null || fail "master gone"
t_log "master alive, good undisturbed"

# A corrupt database is reported, never recreated.
vx shutdown >/dev/null
wait_until 5 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"
MASTER_PID=
rm -f "$T_HOME/vectis.db-wal" "$T_HOME/vectis.db-shm"
head -c 8192 /dev/urandom >"$T_HOME/vectis.db"
sum=$(md5sum <"$T_HOME/vectis.db")
"$VECTIS_BIN" run >"$T_HOME/corrupt.out" 2>&1
[ $? = 1 ] || fail "master started on a corrupt database"
grep -q "is corrupt" "$T_HOME/corrupt.out" || fail "no corrupt message: $(cat "$T_HOME/corrupt.out")"
[ "$(md5sum <"$T_HOME/vectis.db")" = "$sum" ] || fail "corrupt database was modified"
t_log "corrupt database reported and left alone"
exit 0
