#!/bin/sh
# run.sh: build every libFuzzer harness and run each for SECONDS seconds.
#
# usage: tests/fuzz/run.sh [-j JOBS] [-k DIR] SECONDS [NAME...]
#        tests/fuzz/run.sh -b -k DIR [NAME...]
#
# The harnesses are the files tests/fuzz/fuzz_NAME.c: a new one runs
# without being listed anywhere.  Each says in its opening comment what
# it is built from, one key per line:
#
#   fuzz-sources: common/spec.c common/name.c   (files linked with it)
#   fuzz-pkgs: jansson libcrypto                (pkg-config modules, optional)
#   fuzz-flags: -max_len=16384                  (libFuzzer flags, optional)
#
# Seeds come from tests/fuzz/corpus/NAME/ (copied: the tree is not
# changed) and a dictionary from tests/fuzz/dict/NAME.dict when there is
# one.  Builds use clang with ASan, UBSan (no recovery) and the fuzzer;
# JOBS harnesses run at once (default 2, one per core of the CI machine).
# One line per harness: executions, rate, coverage, corpus growth, crashes.
# Exits 0 when all ran clean, 1 if any failed to build or found a crash
# (the work directory with logs and crashing inputs is kept then, or
# always with -k DIR), 2 on a usage error, 77 when clang is missing.
#
# -b only builds, into DIR (make with configure --enable-fuzzing does
# that); a harness newer than its sources is not built again, and with -k
# the corpus DIR/NAME/corpus grows from run to run ("make fuzz").
set -u

usage() {
	echo "usage: $0 [-j JOBS] [-k DIR] SECONDS [NAME...]" >&2
	echo "       $0 -b -k DIR [NAME...]" >&2
	exit 2
}

top=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
self=$top/tests/fuzz/run.sh

# Internal: run one built harness; called through xargs, see below.
if [ "${1:-}" = --run-one ]; then
	h=$2
	d=$FUZZ_WORK/$h
	dict=
	[ -f "$top/tests/fuzz/dict/$h.dict" ] &&
	    dict=-dict=$top/tests/fuzz/dict/$h.dict
	# shellcheck disable=SC2046,SC2086
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ASAN_OPTIONS=detect_leaks=1 \
	    "$d/fuzz_$h" -max_total_time="$FUZZ_SECS" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$d/crash/" $dict $(cat "$d/flags") \
	    "$d/corpus" >"$d/fuzz.log" 2>&1
	echo $? >"$d/rc"
	exit 0
fi

jobs=2
keep=
build_only=
while getopts bj:k: o; do
	case $o in
	b)	build_only=1 ;;
	j)	[ "$OPTARG" -gt 0 ] 2>/dev/null || usage
		jobs=$OPTARG ;;
	k)	keep=$OPTARG ;;
	*)	usage ;;
	esac
done
shift $((OPTIND - 1))
if [ -n "$build_only" ]; then
	[ -n "$keep" ] || usage
	secs=0
else
	[ $# -ge 1 ] && [ "$1" -gt 0 ] 2>/dev/null || usage
	secs=$1
	shift
fi

cd "$top" || exit 2
CC=${CC:-clang}
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "SKIP: $CC not installed (apt-get install clang libclang-rt-14-dev)"
	exit 77
fi

if [ $# -gt 0 ]; then
	names=$*
else
	names=$(for f in tests/fuzz/fuzz_*.c; do
		[ -f "$f" ] || continue
		f=${f#tests/fuzz/fuzz_}
		echo "${f%.c}"
	done)
fi
[ -n "$names" ] || { echo "run.sh: no harness in tests/fuzz" >&2; exit 2; }

if [ -n "$keep" ]; then
	mkdir -p "$keep" && work=$(cd "$keep" && pwd) || exit 2
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/vectis-fuzz.XXXXXX") || exit 2
fi
failed=0
rm -f "$work/built"

# key FILE KEY: the values of "KEY:" lines in FILE's comments.
key() {
	sed -n "/^[ /*]*$2:/{ s/^[ /*]*$2: *//; s/ *\*\/.*//; p; }" "$1" |
	    tr '\n' ' '
}

# Build every harness first: a harness that does not build fails the run.
for h in $names; do
	src=tests/fuzz/fuzz_$h.c
	d=$work/$h
	mkdir -p "$d/corpus" "$d/crash"
	if [ -d "tests/fuzz/corpus/$h" ]; then
		cp tests/fuzz/corpus/"$h"/* "$d/corpus/" 2>/dev/null
	fi
	if [ ! -f "$src" ]; then
		echo "fuzz_$h: no $src" >&2
		failed=1
		continue
	fi
	srcs=$(key "$src" fuzz-sources)
	pkgs=$(key "$src" fuzz-pkgs)
	key "$src" fuzz-flags >"$d/flags"
	if [ -z "$srcs" ]; then
		echo "fuzz_$h: $src has no 'fuzz-sources:' line naming the" \
		    "files it links" >&2
		failed=1
		continue
	fi
	pflags=
	if [ -n "$pkgs" ]; then
		# shellcheck disable=SC2086
		pflags=$(pkg-config --cflags --libs $pkgs) || {
			echo "fuzz_$h: pkg-config $pkgs failed" >&2
			failed=1
			continue
		}
	fi
	# shellcheck disable=SC2086
	if [ -x "$d/fuzz_$h" ] &&
	    [ -z "$(find "$src" $srcs -newer "$d/fuzz_$h" 2>/dev/null)" ]; then
		echo "$h" >>"$work/built"
		continue
	fi
	# shellcheck disable=SC2086
	if ! $CC -std=gnu11 -g -O1 -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -D_GNU_SOURCE \
	    -iquote common -iquote supervisor -iquote sync \
	    -iquote worker-shim -DVECTIS_VERSION='"fuzz"' \
	    "$src" $srcs $pflags -o "$d/fuzz_$h" >"$d/build.log" 2>&1; then
		echo "fuzz_$h: build failed:" >&2
		cat "$d/build.log" >&2
		failed=1
		continue
	fi
	echo "$h" >>"$work/built"
done

if [ -n "$build_only" ]; then
	echo "fuzz: $(wc -l <"$work/built" 2>/dev/null || echo 0)" \
	    "harness(es) built in $work"
	rm -f "$work/built"
	exit $failed
fi

# Then run them, JOBS at a time.
if [ -f "$work/built" ]; then
	echo "fuzzing $(wc -l <"$work/built") harness(es) for $secs s each," \
	    "$jobs at a time"
	export FUZZ_WORK=$work FUZZ_SECS=$secs
	xargs -n 1 -P "$jobs" sh "$self" --run-one <"$work/built"
fi

# stat NAME KEY: one of libFuzzer's final stats.
stat() {
	sed -n "s/^stat::$2: *//p" "$work/$1/fuzz.log" | tail -n 1
}

for h in $(cat "$work/built" 2>/dev/null); do
	d=$work/$h
	rc=$(cat "$d/rc" 2>/dev/null || echo 1)
	seeds=$(find "tests/fuzz/corpus/$h" -type f 2>/dev/null | wc -l)
	corpus=$(find "$d/corpus" -type f | wc -l)
	crashes=$(find "$d/crash" -type f | wc -l)
	# The last status line holds the final coverage: "cov: N ft: M".
	cov=$(grep -E '^#[0-9]+.*cov: ' "$d/fuzz.log" | tail -n 1 |
	    sed 's/.*cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1 ft \2/')
	echo "fuzz_$h: $(stat "$h" number_of_executed_units) executions" \
	    "in $secs s ($(stat "$h" average_exec_per_sec)/s), ${cov:-cov ?}," \
	    "corpus $seeds -> $corpus, crashes $crashes"
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
		echo "fuzz_$h: FAILED (exit $rc); log and inputs in $d" >&2
		grep -E -A 30 '^==[0-9]+==|runtime error|^SUMMARY' \
		    "$d/fuzz.log" | head -n 60 >&2
		failed=1
	fi
done

if [ "$failed" -eq 0 ] && [ -z "$keep" ]; then
	rm -rf "$work"
elif [ "$failed" -ne 0 ]; then
	echo "fuzz: failed; reproduce with: $work/NAME/fuzz_NAME CRASH-FILE" >&2
fi
exit $failed
