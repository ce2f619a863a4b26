#!/bin/sh
# run.sh: the static checks of the tree, cppcheck and clang-tidy, in one place.
#
# usage: tests/static/run.sh [-j JOBS] [FILE.c...]
#
# cppcheck runs over the program directories, clang-tidy (checks and the
# reasons for each exclusion in .clang-tidy at the top of the tree) over
# every .c file of the tree, or over the files given.  Every finding is
# printed as file:line: ... [check]; the last line is a summary.  Exits 0
# when both are clean, 1 on any finding (a file clang cannot compile counts
# as one), 2 on a usage error and 77 when a tool is not installed.
set -u

usage() {
	echo "usage: $0 [-j JOBS] [FILE.c...]" >&2
	exit 2
}

jobs=2
while getopts j: o; do
	case $o in
	j)	[ "$OPTARG" -gt 0 ] 2>/dev/null || usage
		jobs=$OPTARG ;;
	*)	usage ;;
	esac
done
shift $((OPTIND - 1))

top=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
cd "$top" || exit 2

TIDY=${CLANG_TIDY:-}
if [ -z "$TIDY" ]; then
	for t in clang-tidy clang-tidy-14; do
		command -v "$t" >/dev/null 2>&1 && { TIDY=$t; break; }
	done
fi
if ! command -v cppcheck >/dev/null 2>&1 || [ -z "$TIDY" ]; then
	echo "SKIP: cppcheck and clang-tidy are needed" \
	    "(apt-get install cppcheck clang-tidy)"
	exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vectis-static.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM

# The C files of the tree: everything but build directories and dot-dirs.
if [ $# -gt 0 ]; then
	printf '%s\n' "$@" >"$work/files"
else
	find . \( -name '_build*' -o -name 'autom4te.cache' -o \
	    -name 'node_modules' -o \( -name '.?*' -type d \) \) -prune -o -name '*.c' -type f -print |
	    sed 's|^\./||' | LC_ALL=C sort >"$work/files"
fi
nfiles=$(wc -l <"$work/files")

# cppcheck: warnings, portability, performance and style, except
# variableScope (KNF declares at the top of a block).
dirs=
for d in common supervisor worker-shim sync listener; do
	[ -d "$d" ] && dirs="$dirs $d"
done
echo "==> cppcheck:$dirs"
# shellcheck disable=SC2086
cppcheck --quiet --enable=warning,portability,performance,style \
    --error-exitcode=1 --inline-suppr -D_GNU_SOURCE -I common \
    -I supervisor --include=/usr/include/jansson.h \
    --suppress=missingIncludeSystem --suppress=variableScope \
    --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
    $dirs >"$work/cppcheck.out" 2>&1
cc_rc=$?
cat "$work/cppcheck.out"
cc_n=$(grep -c '^[^ ].*: .*\[[A-Za-z0-9_]*\]$' "$work/cppcheck.out")
if [ "$cc_rc" -ne 0 ] && [ "$cc_n" -eq 0 ]; then
	cc_n=1		# cppcheck failed without a finding: count it
fi

# clang-tidy: the compile flags of Makefile.am's AM_CPPFLAGS, with every
# -DVECTIS_NAME='"..."' it sets given a dummy string (a flag of another
# kind that it gains shows up as a clang-diagnostic-error).  -iquote, not
# -I, so that supervisor/spawn.h does not hide <spawn.h>.
TIDY_FLAGS="-std=gnu11 -D_GNU_SOURCE -iquote $top/common
    -iquote $top/supervisor -iquote $top/worker-shim -iquote $top/sync -iquote $top/listener"
for m in $(sed -n 's/.*-D\(VECTIS_[A-Z0-9_]*\)=.*/\1/p' Makefile.am |
    LC_ALL=C sort -u); do
	TIDY_FLAGS="$TIDY_FLAGS -D$m=\"static\""
done
for p in jansson sqlite3 libcurl libmicrohttpd openssl libcap; do
	TIDY_FLAGS="$TIDY_FLAGS $(pkg-config --cflags "$p" 2>/dev/null)"
done
TIDY_CMOCKA=$top/tests/static/cmocka-noreturn.h
TIDY_CONFIG=$top/.clang-tidy
export TIDY TIDY_FLAGS TIDY_CMOCKA TIDY_CONFIG work
echo "==> $TIDY: $nfiles files, $jobs at a time, checks in .clang-tidy"
# One output file per source file, so parallel runs do not interleave.
# shellcheck disable=SC2016
tr '\n' '\0' <"$work/files" | xargs -0 -n 1 -P "$jobs" sh -c '
	out=$work/tidy.$(printf %s "$1" | tr / _).out
	# cmocka tests: tell the analyzer that fail() does not return.
	inc=
	grep -q "<cmocka.h>" "$1" && inc="-include $TIDY_CMOCKA"
	# shellcheck disable=SC2086
	"$TIDY" --quiet --config-file="$TIDY_CONFIG" "$1" -- $TIDY_FLAGS $inc \
	    >"$out" 2>&1
	echo $? >"$out.rc"' sh
# A header finding is reported once per file that includes it: count once.
cat "$work"/tidy.*.out 2>/dev/null |
    grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error): .*\]$' |
    sed "s|^$top/||" | LC_ALL=C sort -u >"$work/tidy.found"
cat "$work/tidy.found"
ct_n=$(wc -l <"$work/tidy.found")
# A file clang-tidy failed on without a finding line (it could not run).
for rc in "$work"/tidy.*.rc; do
	[ -f "$rc" ] || continue
	out=${rc%.rc}
	if [ "$(cat "$rc")" -ne 0 ] && ! grep -qE ': (warning|error): ' \
	    "$out"; then
		echo "clang-tidy failed:"
		cat "$out"
		ct_n=$((ct_n + 1))
	fi
done

bychk=$(sed -n 's/.*\[\([^],]*\).*\]$/\1/p' "$work/tidy.found" |
    LC_ALL=C sort | uniq -c | sort -rn |
    awk '{ printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1 }')
nbad=$(cut -d: -f1 "$work/tidy.found" | LC_ALL=C sort -u | wc -l)
echo "static: cppcheck $cc_n finding(s); clang-tidy $ct_n finding(s)" \
    "in $nbad of $nfiles files${bychk:+ ($bychk)}"
[ "$cc_n" -eq 0 ] && [ "$ct_n" -eq 0 ]
