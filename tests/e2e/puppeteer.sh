# puppeteer.sh: pins issue 11 item 6, a real Puppeteer bot whose Chromium
# (started detached, in a session of its own) is part of its tenant, once
# with CGROUP=off and once with cgroups: kill -9 of the bot's node leaves
# no browser behind and the bot is ready again, rss_bytes and
# max_memory_restart_bytes count the browser, stop and shutdown leave no
# Chromium.  Before the process-tree tracking the old browser kept the
# profile's lock and every restart failed ("The browser is already
# running").
. "$VECTIS_TESTLIB"

BOT=${VECTIS_SRCDIR:?}/examples/bots/puppeteer
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
NODE=$(command -v node) ||
    skip "node is not installed (apt-get install nodejs, or ./quickstart.sh test)"
"$NODE" -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)' ||
    skip "node $("$NODE" --version) is older than 18, puppeteer-core needs 18"
[ -x "$CHROMIUM" ] ||
    skip "no chromium at $CHROMIUM (apt-get install chromium, or ./quickstart.sh test)"
[ -f "$BOT/node_modules/puppeteer-core/package.json" ] ||
    skip "the bot's npm dependencies are missing (cd examples/bots/puppeteer && npm ci, or ./quickstart.sh test)"

BOTS="b1 b2 b3"

# poll SECONDS CMD...: run CMD every 0.25 s until it succeeds (in this
# shell, so it may set variables); a busy machine gets the whole bound.
poll() {
	local end=$((SECONDS + $1))
	shift
	while :; do
		"$@" && return 0
		[ "$SECONDS" -ge "$end" ] && break
		sleep 0.25
	done
	"$@"
}

# tenant_pids DIR: processes (not zombies) whose argv names the profile
# DIR (Chromium's children rewrite theirs into one string with spaces),
# or, with "env", whose environment holds BOT_PROFILE_DIR=DIR too:
# the node bot and descendants such as Chromium's crashpad handlers, which
# double-fork and do not name the profile.  Pure bash: no helper process
# with DIR in its own argv.
tenant_pids() {
	local dir=$1 how=${2:-argv} f pid a e st
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		a=()
		mapfile -d '' -t a 2>/dev/null <"$f" || continue
		[ ${#a[@]} -gt 0 ] || continue
		for e in "${a[@]}"; do
			case $e in
			*"$dir" | *"$dir"/* | *"$dir "*) break ;;
			esac
			e=
		done
		if [ -z "$e" ] && [ "$how" = env ]; then
			a=()
			mapfile -d '' -t a 2>/dev/null <"/proc/$pid/environ"
			for e in "${a[@]}"; do
				case $e in
				BOT_PROFILE_DIR="$dir") break ;;
				esac
				e=
			done
		fi
		[ -n "$e" ] || continue
		read -r st 2>/dev/null <"/proc/$pid/stat" || continue
		st=${st##*) }
		[ "${st%% *}" = Z ] || echo "$pid"
	done
}

# starttime PID: field 22 of stat (pid reuse shows as another value).
starttime() {
	local st
	read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	st=${st##*) }
	set -- $st
	echo "${20}"
}

# stamped PIDS...: "pid:starttime" of each live one.
stamped() {
	local p s
	for p in "$@"; do
		s=$(starttime "$p") && echo "$p:$s"
	done
}

# still_alive STAMPS...: those of the "pid:starttime" still running.
still_alive() {
	local x
	for x in "$@"; do
		[ "$(starttime "${x%%:*}")" = "${x#*:}" ] && alive "${x%%:*}" &&
		    echo "${x%%:*}"
	done
}

# rss_sum KEYS PIDS...: the sum of the smaps_rollup KEYS (e.g. "Rss" or
# "Pss_Anon Pss_Shmem") of PIDS, in bytes.
rss_sum() {
	local keys=$1 p
	shift
	for p in "$@"; do
		cat "/proc/$p/smaps_rollup" 2>/dev/null
	done | awk -v keys="$keys" 'BEGIN { n = split(keys, k, " ");
	    for (i = 1; i <= n; i++) want[k[i] ":"] = 1 }
	    $1 in want { s += $2 } END { printf "%d\n", s * 1024 }'
}

describe() {
	local p
	for p in "$@"; do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-90 |
		    sed "s/^/    $p: /"
	done
}

bot_ready() {
	"$VECTIS_BIN" list --json | jq -e --arg n "$1" '.[] |
	    select(.name == $n and .state == "running" and .ready == true and
	    .session_state == "CONNECTED")' >/dev/null
}

all_ready() {
	local n
	for n in $BOTS; do
		bot_ready "$n" || return 1
	done
}

# The master and everything of this half, by pid, whatever happened.
half_cleanup() {
	local pids p
	pids=$(timeout 5 "$VECTIS_BIN" list --json 2>/dev/null |
	    jq -r '.[].pid // empty' 2>/dev/null)
	if [ -n "$MASTER_PID" ] && kill -0 "$MASTER_PID" 2>/dev/null; then
		kill -TERM "$MASTER_PID" 2>/dev/null
		poll 60 eval '! kill -0 "$MASTER_PID" 2>/dev/null'
		kill -KILL "$MASTER_PID" 2>/dev/null
	fi
	for p in $pids; do
		kill -KILL -- "-$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
	done
	# What a failed half leaves: only processes naming this half's
	# profiles (a private mktemp directory) are killed.
	for p in $(tenant_pids "$PROF" env); do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	cp "$T_HOME/master.out" "$T_HOME/$HALF.out" 2>/dev/null
}

SOFT=
soft() {
	t_log "$HALF: FAIL: $*"
	SOFT="$SOFT
  - $*"
}

# half off|auto: the whole sequence with that CGROUP setting, in a
# subshell: 0 passed, 1 failed, 77 skipped.
half() {
	HALF=cgroup-$1
	export VECTIS_HOME=$T_HOME/$HALF
	PROF=$VECTIS_HOME/profiles
	mkdir -p "$PROF"
	printf 'CGROUP=%s\n' "$1" >"$VECTIS_HOME/supervisor.conf"
	: >"$T_HOME/master.out"
	trap half_cleanup EXIT
	start_master
	if [ "$1" = auto ]; then
		grep -q "cgroups: tenants in" "$T_HOME/master.out" ||
		    skip "$HALF: no cgroup v2 here: $(grep -o 'cgroups: .*' "$T_HOME/master.out" | head -1)"
	fi
	grep -q "cgroups: tenants in" "$T_HOME/master.out" && [ "$1" = off ] &&
	    fail "$HALF: CGROUP=off made cgroups"
	memcg=0
	grep -q "memory.max on" "$T_HOME/master.out" && memcg=1

	local n json='[]'
	for n in $BOTS; do
		json=$(jq --arg n "$n" --arg bot "$BOT" --arg node "$NODE" \
		    --arg prof "$PROF/$n" --arg chromium "$CHROMIUM" \
		    --arg alloc "$([ "$n" = b3 ] && echo 150 || echo 0)" \
		    '. + [{name: $n, cwd: $bot, command: [$node, "bot.js"],
		    env: {BOT_PROFILE_DIR: $prof, CHROMIUM_PATH: $chromium,
		    BOT_HEARTBEAT_MS: "2000", BOT_ALLOC_MB: $alloc,
		    BOT_LAUNCH_TIMEOUT_MS: "150000"},
		    notify: "pipe", start_timeout_s: 180,
		    heartbeat: {timeout_s: 120}, stop: {timeout_s: 20},
		    restart: {backoff_initial_ms: 200, max_restarts: 20,
		    window_s: 600}}]' <<<"$json")
	done
	echo "$json" >"$T_HOME/bots.json"
	vx apply "$T_HOME/bots.json" >/dev/null || fail "$HALF: apply"
	poll 300 all_ready || fail "$HALF: the 3 bots are not all ready"
	for n in $BOTS; do
		[ -n "$(tenant_pids "$PROF/$n")" ] || fail "$HALF: $n has no browser"
	done
	t_log "$HALF: 3 bots ready, each with its browser"

	# kill -9 of a bot's node: back within 30 s, with a new browser and
	# nothing of the old run left.
	local old oldrun left newb st
	old=$(field b1 pid)
	mapfile -t oldrun < <(stamped $(tenant_pids "$PROF/b1" env))
	kill -KILL "$old"
	b1_back() {
		local p
		p=$(field b1 pid)
		[ "$p" != "$old" ] && [ "$p" != null ] && bot_ready b1
	}
	if poll 30 b1_back; then
		left=$(still_alive "${oldrun[@]}")
		newb=$(tenant_pids "$PROF/b1")
		if [ -n "$left" ]; then
			soft "kill -9: b1 is back (pid $(field b1 pid)) but $(echo $left | wc -w) of the ${#oldrun[@]} processes of the old run are left:
$(describe $left)"
		elif [ -z "$newb" ]; then
			soft "kill -9: b1 is back without a browser"
		else
			t_log "$HALF: kill -9 of node $old: back as $(field b1 pid) with $(echo $newb | wc -w) new browser processes, none of the old ${#oldrun[@]} left"
		fi
	else
		left=$(still_alive "${oldrun[@]}")
		soft "kill -9 of b1's node $old: not ready again within 30 s (state $(field b1 state), restarts $(field b1 restarts)); its stderr: $(vx logs b1 --stderr --lines 100 | grep -m1 -o 'Error: .*' | cut -c1-200); $(echo $left | wc -w) of the ${#oldrun[@]} processes of the old run still alive:
$(describe $left)"
	fi

	# rss_bytes covers the browser.  With the memory controller the
	# figure comes from the cgroup, which counts a shared page once:
	# compare with the anonymous and shared memory each process owns.
	local keys=Rss bb bv
	[ "$memcg" = 1 ] && keys="Pss_Anon Pss_Shmem"
	rss_covers() {
		bb=$(rss_sum "$keys" $(tenant_pids "$PROF/b2"))
		bv=$(field b2 rss_bytes)
		[ "$bv" != null ] && [ "$bb" -gt 0 ] && [ "$bv" -ge "$bb" ]
	}
	if poll 20 rss_covers; then
		t_log "$HALF: b2 rss_bytes $bv >= its browser's $keys $bb"
	else
		soft "b2 rss_bytes $bv < its browser's $keys sum $bb ($(tenant_pids "$PROF/b2" | wc -l) processes naming its profile)"
	fi

	# A memory limit below the browser's memory restarts the bot; node
	# alone stays far below it (b3's page holds 150 MB).
	local brss nrss limit
	brss=$(rss_sum "$keys" $(tenant_pids "$PROF/b3"))
	nrss=$(rss_sum Rss "$(field b3 pid)")
	limit=$((brss / 2 / 1048576 * 1048576))
	[ "$limit" -gt $((2 * nrss)) ] ||
	    fail "$HALF: b3's browser ($brss B) is not well above its node ($nrss B)"
	jq --argjson l "$limit" 'map(if .name == "b3" then
	    .limits = {max_memory_restart_bytes: $l} else . end)' \
	    "$T_HOME/bots.json" >"$T_HOME/bots2.json"
	vx apply "$T_HOME/bots2.json" >/dev/null || fail "$HALF: apply the limit"
	# restart waits for the start, which the limit may already cut short.
	t_log "$HALF: restart b3: $(vx restart b3 2>&1 | head -1)"
	mem_restarted() {
		field b3 last_error | grep -Eq '^memory [0-9.]+ MiB above limit' ||
		    "$VECTIS_BIN" history b3 --json --limit 50 | jq -e 'any(.[];
		    (.detail // "") | test("memory [0-9.]+ MiB above limit"))' \
		    >/dev/null
	}
	if poll 120 mem_restarted; then
		t_log "$HALF: limit $limit B (browser $brss, node $nrss): $(field b3 last_error)"
	else
		soft "b3 with max_memory_restart_bytes $limit (browser $keys $brss B, node $nrss B) not restarted in 120 s: rss_bytes $(field b3 rss_bytes), state $(field b3 state), last_error: $(field b3 last_error)"
	fi

	# stop leaves no process of b1 or b3.
	vx stop b1 b3 >/dev/null || soft "stop b1 b3: exit status $?"
	none_of() {
		local n
		left=
		for n in "$@"; do
			left="$left $(tenant_pids "$PROF/$n" env)"
		done
		[ -z "${left// /}" ]
	}
	if poll 60 none_of b1 b3; then
		t_log "$HALF: stop left nothing of b1 and b3"
	else
		soft "stop b1 b3 left $(echo $left | wc -w) processes:
$(describe $left)"
	fi

	# shutdown with b2 running leaves no process of any bot.
	bot_ready b2 || soft "b2 is not ready before the shutdown: $(field b2 state)"
	timeout 120 "$VECTIS_BIN" shutdown >/dev/null || soft "shutdown: exit status $?"
	poll 60 eval '! kill -0 "$MASTER_PID" 2>/dev/null' ||
	    fail "$HALF: the master did not exit after shutdown"
	if poll 30 none_of $BOTS; then
		t_log "$HALF: shutdown left nothing"
	else
		soft "shutdown left $(echo $left | wc -w) processes:
$(describe $left)"
	fi
	[ -z "$SOFT" ] || fail "$HALF:$SOFT"
	t_log "$HALF: passed"
}

skipped=0 failed=
for mode in off auto; do
	(half "$mode")
	case $? in
	0) ;;
	77) skipped=$((skipped + 1)) ;;
	*) failed="$failed CGROUP=$mode" ;;
	esac
done
[ -z "$failed" ] || { echo "FAIL: $T_NAME:$failed"; exit 1; }
[ "$skipped" = 2 ] && exit 77
exit 0
