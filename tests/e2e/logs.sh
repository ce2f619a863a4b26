# logs.sh: worker output reaches logs/NAME.log through rotation with no line
# lost or doubled, a crash's last stderr line is kept, "logs" reads the
# files (last lines, stream filter, --follow across rotation, no master),
# and a log that cannot be written never stops the worker.
. "$VECTIS_TESTLIB"

L="$T_HOME/logs"

# seq_check TAG FILE...: the TAG lines of the files, in order, must count
# up by one and end at the number in $want; prints the first number.
seq_check() {
	local tag=$1
	shift
	cat "$@" | awk -v tag="$tag" -v want="$want" '
	    $2 == tag { n = $3 + 0
		if (seen && n != prev + 1) { print "gap " prev " -> " n; bad = 1; exit 1 }
		if (!seen) first = n
		seen = 1; prev = n }
	    END { if (bad) exit 1
		if (prev != want) { print "ends at " prev; exit 1 }
		print first }'
}

start_master
cat >"$T_HOME/t.json" <<J
[
 {"name": "flood", "autostart": false,
  "command": ["awk", "BEGIN { for (i = 1; i <= 200000; i++) { print i; print i >\"/dev/stderr\"; if (i % 500 == 0) fflush() } }"],
  "logs": {"max_size_bytes": 65536, "keep": 3}},
 {"name": "crasher", "autostart": false, "restart": {"policy": "never"},
  "command": ["sh", "-c", "seq 1 30000; printf 'fatal: last words, no newline' >&2; exit 3"]},
 {"name": "ticker", "autostart": false,
  "command": ["sh", "-c", "i=0; while [ \$i -lt 1000000 ]; do i=\$((i+1)); echo \"tick \$i ................................................................................\"; sleep 0.01; done"],
  "logs": {"max_size_bytes": 4096, "keep": 2}},
 {"name": "silent", "autostart": false, "command": ["sleep", "1000"]},
 {"name": "full", "autostart": false,
  "command": ["sh", "-c", "while :; do echo tick; sleep 0.05; done"]}
]
J
vx apply "$T_HOME/t.json" >/dev/null || fail "apply"

# 200 000 numbered lines on each stream, many rotations.
vx start flood >/dev/null || fail "start flood"
wait_until 60 is flood state exited || fail "flood did not finish"
for k in "" .1 .2 .3; do
	[ -s "$L/flood.log$k" ] || fail "flood.log$k missing"
	[ "$(stat -c %s "$L/flood.log$k")" -le 65536 ] ||
	    fail "flood.log$k above max_size_bytes"
done
[ ! -e "$L/flood.log.4" ] || fail "more than keep=3 rotated files"
want=200000
files="$L/flood.log.3 $L/flood.log.2 $L/flood.log.1 $L/flood.log"
# shellcheck disable=SC2086
first_out=$(seq_check out $files) || fail "stdout lines: $first_out"
# shellcheck disable=SC2086
first_err=$(seq_check err $files) || fail "stderr lines: $first_err"
[ "$first_out" -gt 190000 ] && [ "$first_err" -gt 190000 ] ||
    fail "kept files start early: $first_out $first_err"
t_log "200000 lines x 2 rotated: kept lines $first_out.. and $first_err.. once, in order"

# logs: the last lines, across the rotated files, one stream or both.
[ "$(vx logs flood --lines 3 --stdout | awk '{ print $2, $3 }' | tr '\n' ,)" = \
    "out 199998,out 199999,out 200000," ] || fail "logs --lines 3 --stdout"
[ "$(vx logs flood -n 1 --stderr | awk '{ print $2, $3 }')" = "err 200000" ] ||
    fail "logs --stderr"
[ "$(vx logs flood | wc -l)" = 20 ] || fail "logs default is not 20 lines"
n=$((200000 - first_out + 1))
vx logs flood --lines "$n" --stdout >"$T_HOME/all.out" || fail "logs --lines $n"
[ "$(wc -l <"$T_HOME/all.out")" = "$n" ] || fail "logs --lines $n: $(wc -l <"$T_HOME/all.out") lines"
seq_check out "$T_HOME/all.out" >/dev/null || fail "logs across files out of order"
cat $files | grep -c " err " >"$T_HOME/nerr"
[ "$(vx logs flood --lines 10000000 --stderr | wc -l)" = "$(cat "$T_HOME/nerr")" ] ||
    fail "logs of all kept stderr lines"
t_log "logs --lines N [--stdout|--stderr] across rotated files"

# A crash: output drained to EOF, the last stderr line in file and error.
vx start crasher >/dev/null
wait_until 10 is crasher state fatal || fail "crasher not fatal"
field crasher last_error | grep -q "exited with status 3 (restart policy never): fatal: last words, no newline" ||
    fail "crasher last_error: $(field crasher last_error)"
grep -q "Z err fatal: last words, no newline$" "$L/crasher.log" ||
    fail "last stderr line not in the log"
[ "$(grep -c ' out ' "$L/crasher.log")" = 30000 ] || fail "stdout lines lost at exit"
[ "$(vx logs crasher -n 1)" = "$(tail -n 1 "$L/crasher.log")" ] || fail "logs crasher"
t_log "a crash's output is drained; its last stderr line is in log and last_error"

# --follow: lines written after it started, across rotations.
vx start ticker >/dev/null || fail "start ticker"
wait_until 10 test -s "$L/ticker.log.1" || fail "ticker did not rotate"
"$VECTIS_BIN" logs ticker --follow --lines 0 >"$T_HOME/follow.out" \
    2>"$T_HOME/follow.err" &
FPID=$!
T_PIDS="$T_PIDS $FPID"
wait_until 30 awk 'END { exit !(NR >= 200) }' "$T_HOME/follow.out" ||
    fail "follow saw $(wc -l <"$T_HOME/follow.out") lines"
# 200 lines of ~100 bytes need several files of 4096 bytes.
kill -INT "$FPID"
wait "$FPID"
rc=$?
[ "$rc" = 0 ] || fail "logs --follow exited $rc on SIGINT: $(cat "$T_HOME/follow.err")"
awk '$2 != "out" || $3 != "tick" { print "bad line: " $0; exit 1 }
    NR > 1 && $4 != prev + 1 { print "gap " prev " -> " $4; exit 1 }
    { prev = $4 }' "$T_HOME/follow.out" || fail "follow output not consecutive"
t_log "logs --follow: $(wc -l <"$T_HOME/follow.out") consecutive lines across rotations; SIGINT exits 0"

# logrotate-style: move the file away, reload re-opens a new one.
mv "$L/ticker.log" "$T_HOME/ticker.moved"
vx reload >/dev/null || fail "reload"
wait_until 5 test -s "$L/ticker.log" || fail "no new ticker.log after reload"
vx stop ticker >/dev/null

# A tenant that exists but never wrote: no output, success; unknown: 4.
vx start silent >/dev/null
[ -z "$(vx logs silent)" ] || fail "logs of a silent tenant"
expect_fail 4 "nosuch: no such tenant" vx logs nosuch
expect_fail 2 "invalid" vx logs BAD/NAME
expect_fail 2 "usage" vx logs flood --stdout --stderr
expect_fail 2 "usage" vx logs flood --lines -1
expect_fail 2 "usage" vx logs
t_log "logs of silent, unknown and invalid tenants"

# Disk trouble: writes fail, the worker runs on, dropped bytes counted;
# writing resumes by itself once the file can be written again.
ln -s /dev/full "$L/full.log"
vx start full >/dev/null || fail "start full"
dropped() { vx status full --json | jq -r .log_dropped_bytes; }
wait_until 10 sh -c '[ "$("$VECTIS_BIN" status full --json | jq -r .log_dropped_bytes)" -gt 0 ]' ||
    fail "no dropped bytes counted"
vx status full --json | jq -r .log_error | grep -q "unable to write .*full.log: No space left on device" ||
    fail "log_error: $(vx status full --json | jq -r .log_error)"
is full state running || fail "worker not running while its log fails"
rm "$L/full.log"
wait_until 10 grep -q "Z out tick" "$L/full.log" || fail "writing did not resume"
[ "$(vx status full --json | jq -r .log_error)" = null ] || fail "log_error not cleared"
[ "$(dropped)" -gt 0 ] || fail "dropped count lost"
t_log "a full disk drops and counts output, the worker runs on, writing resumes"

# Without a master the files are still readable.
vx shutdown >/dev/null || fail "shutdown"
wait_until 10 sh -c '! kill -0 '"$MASTER_PID" || fail "master did not exit"
[ "$(vx logs flood -n 1 --stdout | awk '{ print $3 }')" = 200000 ] ||
    fail "logs without a master"
expect_fail 4 "no master to ask" vx logs nosuch
t_log "logs works without a master"
exit 0
