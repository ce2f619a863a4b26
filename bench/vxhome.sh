# vxhome.sh: sourced by the vectis bench scripts.  A private VECTIS_HOME
# below a fresh directory VX_WORK (mktemp prefix $1), and at exit the
# master whose pid the script put in MASTER is stopped (TERM, KILL after
# 30 s) and VX_WORK removed.
VX_WORK=$(mktemp -d "${TMPDIR:-/work/tmp}/$1.XXXXXX" 2>/dev/null || mktemp -d) || exit 1
export VECTIS_HOME=$VX_WORK/home
mkdir -p "$VECTIS_HOME"
MASTER=
vx_cleanup() {
	[ -n "$MASTER" ] && kill -TERM "$MASTER" 2>/dev/null
	for _ in $(seq 1 600); do
		[ -n "$MASTER" ] && kill -0 "$MASTER" 2>/dev/null || break
		sleep 0.05
	done
	[ -n "$MASTER" ] && kill -KILL "$MASTER" 2>/dev/null
	rm -rf "$VX_WORK"
}
trap vx_cleanup EXIT
