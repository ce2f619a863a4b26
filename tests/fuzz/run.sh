#!/bin/sh
# run.sh: build each libFuzzer harness and run it for SECONDS seconds.
#
# usage: tests/fuzz/run.sh SECONDS
# Builds out of tree (a temporary directory), fuzzes a copy of each seed
# corpus, prints one line per harness and exits non-zero if any crashed; the
# temporary directory is kept then, with the crashing inputs.
set -u

if [ $# -ne 1 ] || ! [ "$1" -gt 0 ] 2>/dev/null; then
	echo "usage: $0 SECONDS" >&2
	exit 2
fi
secs=$1
top=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
CC=${CC:-clang}
jansson=$(pkg-config --cflags --libs jansson) || {
	echo "run.sh: jansson not found by pkg-config" >&2
	exit 2
}
work=$(mktemp -d "${TMPDIR:-/tmp}/vectis-fuzz.XXXXXX") || exit 2
failed=0

sources() {
	case $1 in
	spec)	echo common/spec.c common/name.c common/sig.c common/err.c ;;
	kvconf)	echo common/kvconf.c common/err.c ;;
	notify)	echo common/notify.c ;;
	ctlproto) echo common/ctlproto.c common/err.c common/log.c \
	    common/clock.c ;;
	esac
}

cd "$top" || exit 2
for h in spec kvconf notify ctlproto; do
	bin=$work/fuzz_$h
	# shellcheck disable=SC2046,SC2086
	if ! $CC -std=gnu11 -g -O1 -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -D_GNU_SOURCE -I common \
	    "tests/fuzz/fuzz_$h.c" $(sources $h) $jansson -o "$bin" \
	    2>"$work/build_$h.log"; then
		echo "fuzz_$h: build failed:" >&2
		cat "$work/build_$h.log" >&2
		failed=1
		continue
	fi
	mkdir -p "$work/corpus_$h" "$work/crash_$h"
	cp tests/fuzz/corpus/$h/* "$work/corpus_$h/"
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$work/crash_$h/" \
	    "$work/corpus_$h" >"$work/fuzz_$h.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$work/fuzz_$h.log")
	crashes=$(find "$work/crash_$h" -type f | wc -l)
	corpus=$(find "$work/corpus_$h" -type f | wc -l)
	echo "fuzz_$h: ${execs:-0} executions in ${secs} s," \
	    "corpus $corpus, crashes $crashes"
	if [ $rc -ne 0 ] || [ "$crashes" -ne 0 ]; then
		echo "fuzz_$h: failed (exit $rc); log and inputs in $work" >&2
		tail -n 40 "$work/fuzz_$h.log" >&2
		failed=1
	fi
done

if [ $failed -eq 0 ]; then
	rm -rf "$work"
fi
exit $failed
