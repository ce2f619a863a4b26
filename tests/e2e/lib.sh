# lib.sh: helpers for end-to-end tests against the real master and workers.
# Each test gets a private VECTIS_HOME; every process it starts is killed by
# PID at exit; waits are bounded polls, never bare sleeps.

set -u

: "${VECTIS_BIN:?VECTIS_BIN must point at vectis-supervisor}"
: "${VECTIS_SHIM:?VECTIS_SHIM must point at vectis-worker-shim}"
export VECTIS_SHIM

command -v jq >/dev/null 2>&1 || { echo "SKIP: jq not installed"; exit 77; }

T_HOME=$(mktemp -d /tmp/vxt.XXXXXX)
export VECTIS_HOME="$T_HOME"
T_NAME=$(basename "$0" .sh)
MASTER_PID=
T_PIDS=

vx() {
	if [ "$T_ROOT" = 1 ]; then
		case "${1:-}" in
		add) t_vx_add "$@"; return ;;
		apply) t_vx_apply "$@"; return ;;
		esac
	fi
	"$VECTIS_BIN" "$@"
}

# A master running as root refuses tenants without "user" (vectis-tenants(5)).
# Tests that are not about identity run their tenants as root on purpose:
# as root, vx add gets --user root and vx apply "user": "root" wherever the
# test names no user itself.  Tests of the rule call "$VECTIS_BIN" directly.
T_ROOT=0
[ "$(id -u)" = 0 ] && T_ROOT=1

t_vx_add() {
	local a n
	for a in "$@"; do
		[ "$a" = -- ] && break
		[ "$a" = --user ] && { "$VECTIS_BIN" "$@"; return; }
	done
	if [ $# -ge 2 ] && [ "${2#-}" = "$2" ]; then
		n=$2
		shift 2
		"$VECTIS_BIN" add "$n" --user root "$@"
	else
		"$VECTIS_BIN" "$@"
	fi
}

t_vx_apply() {
	local a file='' opts='' in="$T_HOME/.apply-in.json" out="$T_HOME/.apply-root.json"
	shift
	for a in "$@"; do
		case $a in
		--*) opts="$opts $a" ;;
		*) file=$a ;;
		esac
	done
	if [ "$file" = - ] || [ "$file" = /dev/stdin ]; then
		cat >"$in"
		file=$in
	fi
	# Anything jq cannot read goes to the CLI untouched, for its errors.
	# shellcheck disable=SC2086
	if [ -n "$file" ] && jq 'def r: if type == "object" and
	    (has("user") | not) then . + {user: "root"} else . end;
	    if type == "array" then map(r) elif type == "object" and
	    (.tenants | type) == "array" then .tenants |= map(r) else . end' \
	    2>/dev/null <"$file" >"$out" && [ -s "$out" ]; then
		"$VECTIS_BIN" apply $opts "$out"
	else
		"$VECTIS_BIN" apply $opts ${file:+"$file"}
	fi
}

t_log() {
	printf '%s: %s\n' "$T_NAME" "$*"
}

# Kill every worker group the master knows of, then the master, by PID.
t_cleanup() {
	local pids= p
	# Pids of a master in another PID namespace mean nothing here.
	[ -n "${T_FOREIGN_PIDS:-}" ] ||
	pids=$(timeout 30 "$VECTIS_BIN" list --json 2>/dev/null |
	    jq -r '.[].pid // empty' 2>/dev/null)
	if [ -n "$MASTER_PID" ] && kill -0 "$MASTER_PID" 2>/dev/null; then
		kill -TERM "$MASTER_PID" 2>/dev/null
		for _ in $(seq 1 200); do
			kill -0 "$MASTER_PID" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$MASTER_PID" 2>/dev/null
	fi
	for p in $pids $T_PIDS; do
		kill -KILL -- "-$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	# shellcheck disable=SC2086
	t_userdel $T_USERS
	for p in $T_GROUPS; do groupdel "$p" 2>/dev/null; done
	t_rmcgroups
	# Sanitizer reports in any master's output fail the test.
	if grep -qsE "ERROR: (Address|Leak)Sanitizer|runtime error:" \
	    "$T_HOME"/*.out "$T_HOME/master.log"; then
		echo "FAIL: $T_NAME: sanitizer report in the master's output"
		grep -shE -A30 "ERROR: (Address|Leak)Sanitizer|runtime error:" \
		    "$T_HOME"/*.out "$T_HOME/master.log" | head -60
		rm -rf "$T_HOME"
		exit 1
	fi
	rm -rf "$T_HOME"
}
trap t_cleanup EXIT

# A master killed with SIGKILL leaves its (empty) cgroups behind: remove
# every empty one of the subtrees this test's masters logged.
t_rmcgroups() {
	local d
	for d in $(sed -n 's/.*cgroups: tenants in \([^ ]*\) .*/\1/p' \
	    "$T_HOME"/*.out "$T_HOME/master.log" 2>/dev/null | sort -u); do
		case $d in
		*/vectis-*) rmdir "$d"/*.tenant "$d/master" "$d" 2>/dev/null ;;
		esac
	done
}

# Users a test made with useradd go in T_USERS: t_cleanup deletes them once
# their processes are gone (userdel refuses a user that still runs one),
# then the groups in T_GROUPS.
T_USERS=
T_GROUPS=
t_userdel() {
	local u rc end
	for u in "$@"; do
		end=$((SECONDS + 11))
		while :; do
			userdel "$u" 2>/dev/null
			rc=$?
			[ "$rc" = 0 ] || [ "$rc" = 6 ] && break
			[ "$SECONDS" -lt "$end" ] || break
			sleep 0.02
		done
	done
}

t_dump() {
	echo "---- master log ($T_HOME) ----"
	cat "$T_HOME/master.out" "$T_HOME/master.log" 2>/dev/null | tail -60
	echo "---- list --json ----"
	timeout 5 "$VECTIS_BIN" list --json 2>&1 | head -80
}

fail() {
	echo "FAIL: $T_NAME: $*"
	t_dump
	exit 1
}

skip() {
	echo "SKIP: $T_NAME: $*"
	exit 77
}

# wait_until SECONDS CMD...: poll until CMD succeeds, every 20 ms for the
# first second, then every 100 ms.  SECONDS is a sanity bound on a hang,
# never a latency requirement: a bound below T_WAIT (60 s, or
# $VECTIS_TEST_WAIT) is raised to it, so that a busy machine fails no test.
# A latency figure belongs in bench/.
T_WAIT=${VECTIS_TEST_WAIT:-60}
wait_until() {
	local limit=${1%%.*} end n=0
	shift
	[ "${limit:-0}" -ge "$T_WAIT" ] || limit=$T_WAIT
	end=$((SECONDS + limit + 1))
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || return 1
		n=$((n + 1))
		if [ "$n" -le 50 ]; then sleep 0.02; else sleep 0.1; fi
	done
}

# Tests share the machine: a master's HTTP endpoint stays off unless the
# test's worker.conf sets SYNC_LISTEN (in DIR, default $VECTIS_HOME).  Every
# test that starts a master calls this first, through start_master or not.
t_http_off() {
	grep -qs '^SYNC_LISTEN=' "${1:-$VECTIS_HOME}/worker.conf" ||
	    echo 'SYNC_LISTEN=off' >>"${1:-$VECTIS_HOME}/worker.conf"
}

# Start the master in the foreground of a background job.
start_master() {
	t_http_off
	"$VECTIS_BIN" run "$@" >>"$T_HOME/master.out" 2>&1 &
	MASTER_PID=$!
	wait_until 10 "$VECTIS_BIN" list || fail "master did not come up"
}

# field NAME KEY: one key of list --json for tenant NAME.
field() {
	"$VECTIS_BIN" list --json | jq -r --arg n "$1" \
	    ".[] | select(.name == \$n) | .$2"
}

# is NAME KEY VALUE
is() {
	[ "$(field "$1" "$2")" = "$3" ]
}

# db SQL: query the database directly, as an operator would.
db() {
	sqlite3 -cmd ".timeout 2000" "$T_HOME/vectis.db" "$1"
}

# Processes (not zombies) whose process group is PGID.
group_members() {
	ps -e -o pgid=,stat=,pid= | awk -v g="$1" \
	    '$1 == g && $2 !~ /^Z/ { print $3 }'
}

alive() {
	[ -n "$1" ] && [ "$1" != null ] && kill -0 "$1" 2>/dev/null &&
	    ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# expect_fail CODE TEXT CMD...: CMD exits CODE and stderr contains TEXT.
expect_fail() {
	local code=$1 text=$2 rc
	shift 2
	"$@" >"$T_HOME/out" 2>"$T_HOME/err"
	rc=$?
	[ "$rc" = "$code" ] || fail "'$*' exited $rc, wanted $code: $(cat "$T_HOME/err")"
	grep -qF -- "$text" "$T_HOME/err" ||
	    fail "'$*' stderr lacks '$text': $(cat "$T_HOME/err")"
}
