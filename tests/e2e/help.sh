# help.sh: --help, help CMD and CMD --help for every subcommand, --version,
# unknown commands, and the bash completion against the CLI's one table.
. "$VECTIS_TESTLIB"

# Every command of SPEC section 6, and the ones added since.
spec_cmds="run start stop restart list status logs history add remove apply
export reload shutdown import-pm2 help"

vx --help >"$T_HOME/help" 2>"$T_HOME/err" || fail "--help failed"
[ -s "$T_HOME/err" ] && fail "--help wrote to stderr"
cmds=$(sed -n 's/^  \([a-z][a-z0-9-]*\).*/\1/p' "$T_HOME/help")
for c in $spec_cmds; do
	printf '%s\n' "$cmds" | grep -qx "$c" || fail "--help lacks $c"
done
vx -h | cmp -s - "$T_HOME/help" || fail "-h differs from --help"
vx help | cmp -s - "$T_HOME/help" || fail "help differs from --help"

n=0
for c in $cmds; do
	vx "$c" --help >"$T_HOME/c1" 2>"$T_HOME/err" ||
	    fail "$c --help exited $?: $(cat "$T_HOME/err")"
	[ -s "$T_HOME/err" ] && fail "$c --help wrote to stderr"
	head -n 1 "$T_HOME/c1" |
	    grep -q "^usage: vectis-supervisor \[--home DIR\] $c\( \|$\)" ||
	    fail "$c --help: $(head -n 1 "$T_HOME/c1")"
	[ "$(wc -l <"$T_HOME/c1")" -ge 2 ] || fail "$c --help: no description"
	vx help "$c" | cmp -s - "$T_HOME/c1" || fail "help $c differs"
	vx "$c" -h | cmp -s - "$T_HOME/c1" || fail "$c -h differs"
	n=$((n + 1))
done
t_log "$n commands: --help, -h and help CMD print the same usage, exit 0"

# Help needs no master and no usable state directory.
VECTIS_HOME=/nonexistent/x vx status --help >/dev/null ||
    fail "status --help needs the state directory"

version=$(sed -n 's/^PACKAGE_VERSION = //p' "$VECTIS_BUILDDIR/Makefile")
[ "$(vx --version)" = "vectis-supervisor $version" ] ||
    fail "--version: '$(vx --version)', wanted $version"
[ "$(vx -V)" = "vectis-supervisor $version" ] || fail "-V"

expect_fail 2 "unknown command 'frob'" vx frob
grep -q '^usage: vectis-supervisor' "$T_HOME/err" || fail "frob: no usage"
[ -s "$T_HOME/out" ] && fail "frob wrote to stdout"
expect_fail 2 "unknown command 'frob'" vx help frob
expect_fail 2 "unexpected argument 'b'" vx help a b
expect_fail 2 "unknown option '--frob'" vx --frob
t_log "--version $version; unknown commands exit 2 with usage on stderr"

# The completion script, run as bash runs it, against the same binary.
comp=$VECTIS_SRCDIR/examples/bash-completion/vectis-supervisor
mkdir -p "$T_HOME/bin"
ln -s "$VECTIS_BIN" "$T_HOME/bin/vectis-supervisor"
complete_words() {
	# complete_words WORD...: the completions of the last word.
	PATH="$T_HOME/bin:$PATH" bash -c '
		. "$1"; shift
		COMP_WORDS=(vectis-supervisor "$@")
		COMP_CWORD=$#
		_vectis_supervisor
		printf "%s\n" "${COMPREPLY[@]}" | sort' sh "$comp" "$@"
}
got=$(complete_words "" | grep -v '^-')
[ "$got" = "$(printf '%s\n' $cmds | sort)" ] ||
    fail "completed commands differ from --help: $got"
complete_words "" | grep -qx -- --version || fail "no --version completion"
[ "$(complete_words help "")" = "$(printf '%s\n' $cmds | sort)" ] ||
    fail "help completes other commands"
for c in $cmds; do
	want=$(vx help "$c" | sed '1s/^.*\[--home DIR\] //' |
	    grep -o -- '--[a-z][a-z-]*' | sort -u)
	[ "$c" = help ] || [ -n "$want" ] || [ "$c" = export ] ||
	    [ "$c" = reload ] || [ "$c" = shutdown ] || [ "$c" = remove ] ||
	    fail "no options found in help $c"
	got=$(complete_words "$c" --)
	for o in $want; do
		printf '%s\n' "$got" | grep -qx -- "$o" ||
		    fail "completion of '$c --' lacks $o: $got"
	done
done
complete_words import-pm2 "$T_HOME/hel" | grep -qx "$T_HOME/help" ||
    fail "import-pm2 does not complete files"
complete_words add x --user roo | grep -qx root || fail "--user: no users"
t_log "completion: the table's commands, every command's options, files"

start_master
vx add alpha --no-autostart -- sleep 100 >/dev/null || fail "add alpha"
vx add beta --no-autostart -- sleep 100 >/dev/null || fail "add beta"
n=0
for c in $cmds; do
	vx help "$c" | head -n 1 | grep -q " $c \[\?NAME" || continue
	[ "$c" = add ] && continue
	got=$(complete_words "$c" "")
	printf '%s\n' "$got" | grep -qx alpha && printf '%s\n' "$got" |
	    grep -qx beta || fail "'$c' does not complete tenant names: $got"
	n=$((n + 1))
done
[ "$n" -ge 7 ] || fail "only $n commands take NAME"
[ "$(complete_words start al)" = alpha ] || fail "start al -> alpha"
got=$(unset VECTIS_HOME; complete_words --home "$T_HOME" status "")
printf '%s\n' "$got" | grep -qx beta || fail "--home DIR: no names: $got"
t_log "completion: tenant names for all $n commands that take NAME"
exit 0
