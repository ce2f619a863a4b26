# daemons.sh: unmodified systemd-aware daemons from Debian (redis-server
# --supervised systemd, haproxy -Ws) as notify: systemd tenants, on unix
# sockets only: they become ready through NOTIFY_SOCKET, and stop cleanly.
. "$VECTIS_TESTLIB"

have_redis=0 have_haproxy=0
command -v redis-server >/dev/null && have_redis=1
command -v haproxy >/dev/null && have_haproxy=1
[ $have_redis = 1 ] || [ $have_haproxy = 1 ] ||
    skip "neither redis-server nor haproxy is installed"

cat >"$T_HOME/hap.cfg" <<C
global
    maxconn 100
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind unix@$T_HOME/hap.sock
    default_backend be
backend be
    server s1 unix@$T_HOME/nowhere.sock
C
start_master
n=0
if [ $have_redis = 1 ]; then
	vx apply /dev/stdin >/dev/null <<J || fail "apply redis"
[{"name": "redis", "notify": "systemd", "autostart": false, "start_timeout_s": 60,
  "command": ["redis-server", "--port", "0", "--unixsocket", "$T_HOME/redis.sock",
   "--supervised", "systemd", "--save", "", "--appendonly", "no", "--dir", "$T_HOME"]}]
J
	vx start redis >/dev/null || fail "redis did not become ready: $(field redis last_error)"
	is redis state running || fail "redis not running"
	field redis status_text | grep -qi "ready to accept connections" ||
	    fail "redis status: $(field redis status_text)"
	pid=$(field redis pid)
	vx stop redis >/dev/null || fail "stop redis"
	alive "$pid" && fail "redis survived its stop"
	n=$((n + 1))
	t_log "redis-server --supervised systemd: ready via NOTIFY_SOCKET"
fi
if [ $have_haproxy = 1 ]; then
	vx apply /dev/stdin >/dev/null <<J || fail "apply haproxy"
[{"name": "haproxy", "notify": "systemd", "autostart": false, "start_timeout_s": 60,
  "command": ["haproxy", "-Ws", "-f", "$T_HOME/hap.cfg"]}]
J
	vx start haproxy >/dev/null || fail "haproxy did not become ready: $(field haproxy last_error)"
	is haproxy state running || fail "haproxy not running"
	pg=$(field haproxy pid)
	wait_until 3 test -S "$T_HOME/hap.sock" || fail "haproxy not listening"
	vx stop haproxy >/dev/null || fail "stop haproxy"
	[ -z "$(group_members "$pg")" ] || fail "haproxy processes left: $(group_members "$pg")"
	n=$((n + 1))
	t_log "haproxy -Ws: ready via NOTIFY_SOCKET, whole group stopped"
fi
exit 0
