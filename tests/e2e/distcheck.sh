# distcheck.sh: make distcheck passes: the tarball holds every file the
# build, the tests and make install need; a read-only VPATH build from it
# builds, passes its unit tests and a lifecycle and install test, and
# uninstalls and cleans without leftovers.  Runs in the normal build only.
. "$VECTIS_TESTLIB"

[ -z "${VECTIS_IN_DISTCHECK:-}" ] || skip "already inside make distcheck"
[ -n "${VECTIS_BUILDDIR:-}" ] && [ -f "$VECTIS_BUILDDIR/Makefile" ] ||
    skip "no build directory"
ldd "$VECTIS_BIN" 2>/dev/null | grep -q libasan &&
    skip "sanitizer build (distcheck runs in the normal build)"
command -v tar >/dev/null && command -v gzip >/dev/null || skip "tar or gzip missing"

# The nested suite is cut down so that it does not double the load on the
# machine while the outer suite runs; the outer suite covers the rest.
# The outer make's MAKEFLAGS (its TESTS=, its jobserver) must not leak in.
export VECTIS_IN_DISTCHECK=1
unset MAKEFLAGS MFLAGS MAKELEVEL
start=$(date +%s)
make -C "$VECTIS_BUILDDIR" -j2 distcheck \
    TESTS='$(UNIT_TESTS) tests/e2e/lifecycle.sh tests/e2e/install.sh' \
    >"$T_HOME/distcheck.out" 2>&1 ||
    fail "make distcheck: $(grep -E 'ERROR|FAIL|Error|error:|No rule' "$T_HOME/distcheck.out" | head -20; tail -30 "$T_HOME/distcheck.out")"
grep -q "archives ready for distribution" "$T_HOME/distcheck.out" ||
    fail "make distcheck did not finish: $(tail -20 "$T_HOME/distcheck.out")"
tarball=$(grep -A1 "archives ready for distribution" "$T_HOME/distcheck.out" | tail -1)
[ -f "$VECTIS_BUILDDIR/$tarball" ] || fail "no tarball '$tarball'"
size=$(du -k "$VECTIS_BUILDDIR/$tarball" | cut -f1)
rm -f "$VECTIS_BUILDDIR/$tarball"	# a test leaves nothing behind
tests_run=$(awk '/^# PASS:/ { n += $3 } END { print n + 0 }' "$T_HOME/distcheck.out")
[ "$tests_run" -gt 0 ] || fail "no test ran inside distcheck"
grep -qE '^(FAIL|ERROR): ' "$T_HOME/distcheck.out" && fail "a test failed inside distcheck"
t_log "make distcheck passed in $(($(date +%s) - start)) s, $tests_run tests inside; $tarball: $size KiB"
exit 0
