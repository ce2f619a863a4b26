# synccheck.sh: the master runs `vectis-sync --check` at start and every
# SYNC_CHECK_INTERVAL_S, so a synced node whose public IP or secret changed
# turns outdated without an operator looking (SPEC 9).
. "$VECTIS_TESTLIB"

[ -x "${VECTIS_SYNC:-}" ] || skip "VECTIS_SYNC not built"
command -v openssl >/dev/null || skip "openssl not installed"
# The master runs this wrapper, which counts the checks that ended, so the
# test waits for checks rather than for seconds.
cat >"$T_HOME/sync-wrapper" <<W
#!/bin/sh
"$VECTIS_SYNC" "\$@"
rc=\$?
echo "\$rc" >>"$T_HOME/checks"
exit \$rc
W
chmod 755 "$T_HOME/sync-wrapper"
VECTIS_SYNC=$T_HOME/sync-wrapper
export VECTIS_SYNC
checks() {
	[ -f "$T_HOME/checks" ] && wc -l <"$T_HOME/checks" || echo 0
}

SECRET=$(openssl rand -hex 32)
printf '%s' "$SECRET" >"$T_HOME/worker.secret"
chmod 600 "$T_HOME/worker.secret"
conf() {
	cat >"$T_HOME/worker.conf" <<C
WORKER_ID=wrk_check
SUBDOMAIN=w.example.test
PUBLIC_IP=192.0.2.10
SYNC_STATUS=synced
LAST_SYNC=2026-11-01T00:00:00Z
SECRET_SHA256=$(printf '%s' "$SECRET" | sha256sum | cut -d' ' -f1)
SYNC_CHECK_INTERVAL_S=1
C
	chmod 600 "$T_HOME/worker.conf"
}
status() {
	sed -n 's/^SYNC_STATUS=["'\'']*\([a-z]*\).*/\1/p' "$T_HOME/worker.conf"
}

# Same IP, same secret: stays synced across several checks.
conf
VECTIS_PUBLIC_IP=192.0.2.10 start_master
wait_until 30 sh -c "[ \$(wc -l <$T_HOME/checks) -ge 3 ]" 2>/dev/null ||
    fail "fewer than 3 sync checks ran: $(checks)"
[ "$(status)" = synced ] || fail "unchanged node became $(status)"
grep -q 'sync check' "$T_HOME/master.out" && fail "a check complained: $(grep 'sync check' "$T_HOME/master.out")"
t_log "unchanged node: still synced after $(checks) checks, 1 s apart"

# A new secret: outdated at the next check.
printf '%s' "$(openssl rand -hex 32)" >"$T_HOME/worker.secret"
wait_until 4 sh -c "[ \"\$(sed -n 's/^SYNC_STATUS=[\"'\'']*\\([a-z]*\\).*/\\1/p' $T_HOME/worker.conf)\" = outdated ]" ||
    fail "secret changed, status still $(status)"
t_log "secret changed: outdated within one check"
vx shutdown >/dev/null
wait_until 5 sh -c "! kill -0 $MASTER_PID" || fail "master did not exit"

# A new public IP: outdated by the check the master runs at start.
printf '%s' "$SECRET" >"$T_HOME/worker.secret"
conf
sed -i 's/^SYNC_CHECK_INTERVAL_S=1/SYNC_CHECK_INTERVAL_S=3600/' "$T_HOME/worker.conf"
VECTIS_PUBLIC_IP=198.51.100.7 start_master
wait_until 3 sh -c "grep -q '^SYNC_STATUS=.*outdated' $T_HOME/worker.conf" ||
    fail "IP changed, status still $(status) after start"
grep -q '^PUBLIC_IP=.*192.0.2.10' "$T_HOME/worker.conf" || fail "the check overwrote PUBLIC_IP"
t_log "public IP changed: outdated by the check at start; PUBLIC_IP kept"
