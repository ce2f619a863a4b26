# install.sh: make install DESTDIR=... puts the programs, the shim under
# libexec, every man page, the systemd unit, bash completion and the
# examples (deployment ones included) where they belong, and the installed
# program runs; the log lists every installed file.
. "$VECTIS_TESTLIB"

[ -n "${VECTIS_BUILDDIR:-}" ] && [ -f "$VECTIS_BUILDDIR/Makefile" ] ||
    skip "no build directory to install from"
dest="$T_HOME/dest"
make -s -C "$VECTIS_BUILDDIR" install DESTDIR="$dest" >"$T_HOME/install.out" 2>&1 ||
    fail "make install: $(tail -20 "$T_HOME/install.out")"
prefix=$(sed -n 's/^prefix = //p' "$VECTIS_BUILDDIR/Makefile")
root="$dest$prefix"
(cd "$dest" && find . -type f | sort) >"$T_HOME/listing"
for f in bin/vectis-supervisor libexec/vectis-supervisor/vectis-worker-shim \
    share/man/man8/vectis-supervisor.8 share/man/man5/vectis-tenants.5 \
    share/man/man5/vectis-supervisor.conf.5 share/man/man7/vectis-notify.7 \
    lib/systemd/system/vectis-supervisor.service \
    share/bash-completion/completions/vectis-supervisor \
    share/doc/vectis-supervisor/examples/tenants.json \
    share/doc/vectis-supervisor/examples/bots/bot.js \
    share/man/man7/vectis-deployment.7; do
	[ -f "$root/$f" ] || fail "not installed: $prefix/$f; got: $(cat "$T_HOME/listing")"
done
# Every manual page and every deployment example of the source tree.
src=${VECTIS_SRCDIR:?}
for m in "$src"/man/*.[1-8]; do
	sec=${m##*.}
	[ -f "$root/share/man/man$sec/${m##*/}" ] ||
	    fail "man page ${m##*/} is not installed (dist_man_MANS?)"
done
for f in "$src"/examples/container/* "$src"/examples/container/.[!.]* \
    "$src"/examples/kubernetes/*; do
	[ -f "$f" ] || continue
	rel=${f#"$src"/}
	[ -f "$root/share/doc/vectis-supervisor/$rel" ] ||
	    fail "example $rel is not installed in docdir"
done
grep -q "^ExecStart=$prefix/bin/vectis-supervisor run$" \
    "$root/lib/systemd/system/vectis-supervisor.service" || fail "unit ExecStart"
"$root/bin/vectis-supervisor" --version | grep -q "^vectis-supervisor [0-9]" ||
    fail "installed --version"
bash -n "$root/share/bash-completion/completions/vectis-supervisor" || fail "completion syntax"
t_log "installed $(wc -l <"$T_HOME/listing") files under $prefix:"
sed 's|^\./|  /|' "$T_HOME/listing"
exit 0
