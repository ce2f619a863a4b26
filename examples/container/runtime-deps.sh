#!/bin/sh
# runtime-deps.sh: print the Debian packages that hold the shared libraries
# the given programs load, so the runtime image installs exactly those.
# Usage: runtime-deps.sh PROGRAM...  (exits 1 if a library has no package)
set -eu

[ $# -gt 0 ] || { echo "usage: $0 PROGRAM..." >&2; exit 2; }
libs=$(mktemp)
pkgs=$(mktemp)
trap 'rm -f "$libs" "$pkgs"' EXIT
for prog in "$@"; do
	ldd "$prog" || exit 1
done | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u >"$libs"
status=0
while read -r lib; do
	real=$(readlink -f "$lib")
	found=
	# usrmerge: a package may list the file under /lib or /usr/lib.
	for p in "$lib" "$real" "${lib#/usr}" "/usr$lib" "${real#/usr}" \
	    "/usr$real"; do
		if out=$(dpkg-query -S "$p" 2>/dev/null); then
			found=$(printf '%s\n' "$out" | awk -F'[:,]' 'NR == 1 { print $1 }')
			break
		fi
	done
	if [ -z "$found" ]; then
		echo "runtime-deps: no package holds $lib" >&2
		status=1
	else
		echo "$found" >>"$pkgs"
	fi
done <"$libs"
[ -s "$libs" ] || { echo "runtime-deps: no shared libraries found" >&2; exit 1; }
sort -u "$pkgs"
exit $status
