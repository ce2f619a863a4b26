#!/bin/sh
# quickstart.sh: install what is missing, build, then run the demo or the
# whole test suite.  Usage: ./quickstart.sh demo | test
set -eu

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

PKGS="build-essential autoconf automake pkg-config libev-dev libsqlite3-dev libssl-dev libmicrohttpd-dev libcurl4-openssl-dev \
libjansson-dev libcap-dev libcmocka-dev sqlite3 jq mandoc python3 \
util-linux procps valgrind"

# Only the test suite needs these: peers speaking sd_notify(3) and its tools.
TEST_PKGS="redis-server haproxy libsystemd-dev systemd clang libclang-rt-14-dev cppcheck clang-tidy apache2-utils curl openssl python3-yaml"

say() { printf '==> %s\n' "$*"; }

install_deps() {
	missing=
	for p in $PKGS ${1:-}; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "quickstart: missing packages:$missing" >&2
		echo "quickstart: run as root, or: sudo apt-get install$missing" >&2
		exit 1
	fi
	say "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# Installing a daemon must not start it: the tests run their own.
	our_rcd=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		our_rcd=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$our_rcd" && chmod +x "$our_rcd"
		trap 'rm -f "$our_rcd"' EXIT
	fi
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >/dev/null
	if [ -n "$our_rcd" ]; then
		rm -f "$our_rcd"
		trap - EXIT
	fi
}

# Out-of-tree builds, so a normal and a sanitizer build live side by side.
build() {
	dir=$1
	shift
	if [ -f config.status ]; then
		say "removing an in-tree configuration"
		make distclean >/dev/null 2>&1 || true
	fi
	[ -x configure ] || { say "autoreconf"; autoreconf -fi >/dev/null; }
	mkdir -p "$dir"
	if [ ! -f "$dir/config.status" ]; then
		say "configure $*"
		(cd "$dir" && "$top/configure" --enable-werror "$@" >/dev/null)
	fi
	say "build in $dir"
	make -C "$dir" -j"$(nproc)" >/dev/null
}

demo() {
	install_deps
	build _build/normal
	b="$top/_build/normal"
	VECTIS_HOME=${VECTIS_HOME:-$top/.demo}
	VECTIS_SHIM="$b/vectis-worker-shim"
	VECTIS_LISTENER="$b/vectis-listener"
	VECTIS_SYNC="$b/vectis-sync"
	export VECTIS_HOME VECTIS_SHIM VECTIS_LISTENER VECTIS_SYNC
	mkdir -p "$VECTIS_HOME"
	# The demo's HTTP endpoint answers this machine only.
	if [ ! -e "$VECTIS_HOME/worker.conf" ]; then
		(umask 077; echo 'SYNC_LISTEN=127.0.0.1:3000' \
		    >"$VECTIS_HOME/worker.conf")
	fi
	say "VECTIS_HOME=$VECTIS_HOME; Ctrl-C stops the master and its tenants"
	say "in another shell: VECTIS_HOME=$VECTIS_HOME $b/vectis-supervisor list"
	# Load the example tenants once the master answers, then show them.
	(
		for _ in $(seq 1 500); do
			"$b/vectis-supervisor" list >/dev/null 2>&1 && break
			sleep 0.02
		done
		# As root tenants run as "nobody"; as another user, as that user.
		if [ "$(id -u)" = 0 ]; then cat "$top/examples/tenants.json"
		else jq 'map(del(.user))' "$top/examples/tenants.json"; fi |
		    "$b/vectis-supervisor" apply - &&
		    sleep 1 && "$b/vectis-supervisor" list
	) &
	exec "$b/vectis-supervisor" run
}

# Sum the automake harness results of one build directory.
count() {
	log="$1/test-suite.log"
	# A suite that did not even build counts as one failure.
	[ -f "$log" ] || { echo "0 1 0"; return; }
	awk '/^# PASS:/ { p = $3 } /^# FAIL:/ { f += $3 } /^# ERROR:/ { f += $3 }
	    /^# XPASS:/ { f += $3 } /^# SKIP:/ { s = $3 }
	    END { print p + 0, f + 0, s + 0 }' "$log"
}

suite() {
	dir=$1
	say "test suite in $dir"
	rm -f "$dir/test-suite.log" "$dir/build-failed"
	make -C "$dir" -j2 check >"$dir/check.out" 2>&1 || {
		[ -f "$dir/test-suite.log" ] || {
			touch "$dir/build-failed"
			tail -30 "$dir/check.out"
		}
		grep -E "^(FAIL|ERROR)" "$dir/check.out" || true
		for f in $(grep -lE "^(FAIL|ERROR)" "$dir"/tests/*/*.log 2>/dev/null); do
			echo "---- $f"; tail -40 "$f"
		done
	}
	grep -E "^(PASS|FAIL|SKIP|ERROR|XFAIL|XPASS):" "$dir/check.out" || true
}

# The Puppeteer bot of tests/e2e/puppeteer.sh: Debian's chromium, node and
# npm where none is on PATH (NodeSource's nodejs brings its own npm, which
# Debian's npm package would conflict with).
bot_pkgs() {
	p=chromium
	command -v node >/dev/null 2>&1 || p="$p nodejs"
	command -v npm >/dev/null 2>&1 || p="$p npm"
	echo "$p"
}

# The bot's npm packages (puppeteer-core, which downloads no browser), once.
bot_npm() {
	d=examples/bots/puppeteer
	(cd "$d" && node -e 'process.exit(require("./node_modules/puppeteer-core/package.json").version ===
	    require("./package.json").dependencies["puppeteer-core"] ? 0 : 1)' \
	    2>/dev/null) && return 0
	say "npm ci in $d"
	(cd "$d" && npm ci --no-audit --no-fund >/dev/null) ||
	    echo "quickstart: npm ci failed in $d: tests/e2e/puppeteer.sh will skip" >&2
}

test_all() {
	install_deps "$TEST_PKGS $(bot_pkgs)"
	bot_npm
	build _build/normal
	build _build/san --enable-sanitizers
	suite _build/normal
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    suite _build/san
	set -- $(count _build/normal)
	p=$1 f=$2 s=$3
	set -- $(count _build/san)
	p=$((p + $1)) f=$((f + $2)) s=$((s + $3))
	say "man pages (mandoc -Tlint)"
	if mandoc -Tlint -Wwarning man/*.[1-8]; then p=$((p + 1)); else
		f=$((f + 1)); fi
	# Static checks (cppcheck, clang-tidy) and the fuzzers (ASan+UBSan,
	# two at a time): one test each; exit 77 means a tool is missing.
	say "static checks (tests/static/run.sh)"
	rc=0
	sh tests/static/run.sh -j 2 || rc=$?
	case $rc in 0) p=$((p + 1)) ;; 77) s=$((s + 1)) ;; *) f=$((f + 1)) ;; esac
	say "fuzzers (${VECTIS_FUZZ_SECONDS:-30} s each, 2 at a time)"
	rc=0
	sh tests/fuzz/run.sh -j 2 "${VECTIS_FUZZ_SECONDS:-30}" || rc=$?
	case $rc in 0) p=$((p + 1)) ;; 77) s=$((s + 1)) ;; *) f=$((f + 1)) ;; esac
	echo "$p passed, $f failed, $s skipped"
	[ "$f" = 0 ]
}

case "${1:-}" in
demo) demo ;;
test) test_all ;;
*)
	echo "usage: $0 demo | test" >&2
	exit 2
	;;
esac
