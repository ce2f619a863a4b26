#!/bin/bash
# shimargs.sh: vectis-worker-shim takes numeric ids from the master (-U -G
# -S -H -L) and refuses anything else with a SETUP report on its status fd,
# before it changes anything; good ids are set and verified.
. "$VECTIS_TESTLIB"

command -v python3 >/dev/null 2>&1 || skip "python3 not installed"

python3 - "$VECTIS_SHIM" "$(id -u)" <<'PY' >"$T_HOME/shim.out" 2>&1 || fail "$(cat "$T_HOME/shim.out")"
import os, struct, subprocess, sys
shim, me = sys.argv[1], int(sys.argv[2])
SETUP, EINVAL = 1, 22

def run(args):
    """Run the shim with notify and status pipes on fds 3 and 4: the
    report it wrote, or None when it exec'd the command."""
    nr, nw = os.pipe()
    sr, sw = os.pipe()
    def fds():
        os.dup2(nw, 3)
        os.dup2(sw, 4)
    # A fresh environment, as the master gives: HOME is only a default.
    p = subprocess.Popen([shim] + args, preexec_fn=fds, close_fds=False, env={},
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    os.close(nw); os.close(sw)
    rep = os.read(sr, 8)
    out = p.stdout.read().decode()
    p.wait()
    os.close(nr); os.close(sr)
    return (struct.unpack("ii", rep) if len(rep) == 8 else None), out

bad = [
    ["-U", "0", "--", "true"],                 # -U without -G
    ["-G", "0", "--", "true"],                 # -G without -U
    ["-U", "x", "-G", "0", "--", "true"],
    ["-U", "-1", "-G", "0", "--", "true"],
    ["-U", "4294967295", "-G", "0", "--", "true"],   # (uid_t)-1
    ["-U", "0", "-G", "0", "-S", "1,,2", "--", "true"],
    ["-U", "0", "-G", "0", "-S", "1,x", "--", "true"],
    ["-U", "0", "-G", "0", "-S", "1,", "--", "true"],
    ["-U", "0", "-G", "0", "-S", "-5", "--", "true"],
    ["-U", "0", "-G", "0", "-S", ",".join(["7"] * 4097), "--", "true"],
    ["-U", "0", "-G", "0"],                    # no command
    ["-u", "root", "--", "true"],              # names are the master's job
]
for a in bad:
    rep, _ = run(a)
    if rep != (SETUP, EINVAL):
        sys.exit("accepted or misreported %r: %r" % (a[:6], rep))
print("%d bad argument lists refused with a SETUP report" % len(bad))

# Good ones: the worker runs with what it was given, verified.
show = ["sh", "-c", 'echo "$(id -u) $(id -g) $(id -G) $HOME $USER"']
rep, out = run(["-H", "/tmp", "-L", "someone", "--"] + show)
if rep is not None or out.split()[-2:] != ["/tmp", "someone"]:
    sys.exit("keep ids: %r %r" % (rep, out))
if me == 0:
    rep, out = run(["-U", "65534", "-G", "65534", "-S", "65534,4", "-H", "/",
                    "-L", "nobody", "--"] + show)
    want = "65534 65534 4 65534 / nobody"
    got = out.split()
    if rep is not None or got[:2] != ["65534", "65534"] or \
       sorted(got[2:4]) != ["4", "65534"] or got[4:] != ["/", "nobody"]:
        sys.exit("as nobody with groups 65534,4: %r %r, want %s" % (rep, out, want))
    rep, out = run(["-U", "65534", "-G", "65534", "-S", "", "--"] + show)
    if rep is not None or out.split()[:3] != ["65534", "65534", "65534"]:
        sys.exit("no supplementary groups: %r %r" % (rep, out))
    print("as root: uid, gid and supplementary groups set as given")
PY
t_log "$(tr '\n' ';' <"$T_HOME/shim.out")"
exit 0
