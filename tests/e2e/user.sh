# user.sh: a tenant with "user" runs with that uid/gid, no capabilities,
# no_new_privs, only fds 0-3, and an environment built for that user.
. "$VECTIS_TESTLIB"

[ "$(id -u)" = 0 ] || skip "needs root to create a test user"
command -v useradd >/dev/null || skip "useradd not installed"
U=vt-a$$
useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$U" 2>/dev/null ||
    skip "cannot create user $U"
T_USERS=$U	# deleted by t_cleanup once its worker is gone
uid=$(id -u "$U") gid=$(id -g "$U")

start_master
vx apply /dev/stdin >/dev/null <<J || fail "apply"
[{"name": "asuser", "user": "$U", "env": {"FOO": "bar"},
  "command": ["sh", "-c", "echo \"HOME=\$HOME USER=\$USER LOGNAME=\$LOGNAME FOO=\$FOO PWD=\$(pwd)\"; exec sleep 1000"]}]
J
wait_until 3 is asuser state running || fail "asuser not running: $(field asuser last_error)"
pid=$(field asuser pid)
st=/proc/$pid/status
grep -q "^Uid:[[:space:]]*$uid[[:space:]]*$uid[[:space:]]*$uid[[:space:]]*$uid$" "$st" || fail "uid: $(grep Uid "$st")"
grep -q "^Gid:[[:space:]]*$gid[[:space:]]*$gid[[:space:]]*$gid[[:space:]]*$gid$" "$st" || fail "gid: $(grep Gid "$st")"
grep -q "^CapEff:[[:space:]]*0000000000000000$" "$st" || fail "CapEff: $(grep CapEff "$st")"
grep -q "^CapPrm:[[:space:]]*0000000000000000$" "$st" || fail "CapPrm: $(grep CapPrm "$st")"
grep -q "^NoNewPrivs:[[:space:]]*1$" "$st" || fail "NoNewPrivs: $(grep NoNewPrivs "$st")"
fds=$(ls /proc/$pid/fd | sort -n | tr '\n' ' ')
[ "$fds" = "0 1 2 3 " ] || fail "worker fds: $fds"
wait_until 2 grep -q "HOME=/nonexistent USER=$U LOGNAME=$U FOO=bar PWD=/" "$T_HOME/logs/asuser.log" ||
    fail "environment: $(cat "$T_HOME/logs/asuser.log")"
tr '\0' '\n' </proc/$pid/environ | grep -q "^VECTIS_HOME=" && fail "master environment leaked"
t_log "runs as $U ($uid:$gid), CapEff 0, NoNewPrivs 1, fds 0-3"

# The user is looked up at every start, supplementary groups included: a
# group it joined while the master ran is there after a restart, as
# initgroups(3) would have it.  "group" replaces the primary group.
X=vt-x$$
groupadd --system "$X" 2>/dev/null || fail "groupadd $X"
T_GROUPS=$X
usermod -a -G "$X" "$U" || fail "usermod -a -G $X $U"
xgid=$(getent group "$X" | cut -d: -f3)
groups() { awk '/^Groups:/ { $1 = ""; print }' "/proc/$1/status" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' '; }
vx restart asuser >/dev/null || fail "restart asuser"
pid=$(field asuser pid)
[ "$(groups "$pid")" = "$(printf '%s\n' "$gid" "$xgid" | sort -n | tr '\n' ' ')" ] ||
    fail "groups after joining $X ($xgid): '$(groups "$pid")'"
vx add asgroup --user "$U" --group "$X" -- sleep 1000 >/dev/null || fail "add asgroup"
wait_until 3 is asgroup state running || fail "asgroup not running: $(field asgroup last_error)"
gpid=$(field asgroup pid)
grep -q "^Gid:[[:space:]]*$xgid[[:space:]]*$xgid[[:space:]]*$xgid[[:space:]]*$xgid$" "/proc/$gpid/status" ||
    fail "group override: $(grep Gid "/proc/$gpid/status")"
vx add badgroup --user "$U" --group vt-no-such-group-$$ --no-autostart -- sleep 1000 >/dev/null || fail "add badgroup"
expect_fail 1 "no such group" vx start badgroup
is badgroup state fatal || fail "badgroup not fatal"
t_log "groups looked up at each start: [$(groups "$pid")] after joining $X; --group $X gives gid $xgid"

# A user that does not exist: ERROR at once with the reason.
vx add ghost --user vt-no-such-user-$$ --no-autostart -- sleep 1000 >/dev/null || fail "add ghost"
expect_fail 1 "no such user" vx start ghost
is ghost state fatal || fail "ghost not fatal"
exit 0
