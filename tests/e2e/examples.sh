# examples.sh: the deployment examples are valid and agree with the code:
# the Kubernetes and compose YAML parses and hangs together, the systemd
# unit passes systemd-analyze, the Dockerfile's build stage names a package
# for every library configure.ac requires and its runtime-deps.sh finds the
# packages of the built programs, and every example tenants file is accepted
# by a real master.
. "$VECTIS_TESTLIB"

src=${VECTIS_SRCDIR:?}
command -v python3 >/dev/null || skip "python3 not installed"
python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml not installed"

# YAML: every file parses, and the objects refer to each other correctly.
python3 - "$src" >"$T_HOME/yaml.out" 2>&1 <<'PY' || fail "YAML: $(cat "$T_HOME/yaml.out")"
import os, sys, yaml
src = sys.argv[1]
k8s = os.path.join(src, "examples/kubernetes")
docs = {}
for f in sorted(os.listdir(k8s)):
    if f.endswith(".yaml"):
        for d in yaml.safe_load_all(open(os.path.join(k8s, f))):
            assert isinstance(d, dict) and "kind" in d, "%s: not an object" % f
            docs.setdefault(d["kind"], []).append(d)
def one(kind):
    assert len(docs.get(kind, [])) == 1, "want one %s, got %d" % (kind, len(docs.get(kind, [])))
    return docs[kind][0]
kust = one("Kustomization")
for r in kust["resources"]:
    assert os.path.exists(os.path.join(k8s, r)), "kustomization: no %s" % r
sts, svc, sec, cm = one("StatefulSet"), one("Service"), one("Secret"), one("ConfigMap")
spec, pod = sts["spec"], sts["spec"]["template"]["spec"]
labels = sts["spec"]["template"]["metadata"]["labels"]
assert spec["serviceName"] == svc["metadata"]["name"], "serviceName is not the Service"
assert svc["spec"].get("clusterIP") == "None", "Service is not headless"
for k, v in spec["selector"]["matchLabels"].items():
    assert labels.get(k) == v, "selector does not match the pod labels"
for k, v in svc["spec"]["selector"].items():
    assert labels.get(k) == v, "Service selector does not match the pods"
claims = {c["metadata"]["name"] for c in spec["volumeClaimTemplates"]}
main = [c for c in pod["containers"]]
assert len(main) == 1, "one container per pod: the master"
c = main[0]
assert "command" not in c, "the container must keep the image's entrypoint (vectis-supervisor run)"
ports = {p["name"]: p["containerPort"] for p in c["ports"]}
assert ports.get("http") == 3000, "port 3000 (SYNC_LISTEN) not exposed"
for probe in ("readinessProbe", "livenessProbe"):
    g = c[probe]["httpGet"]
    assert g["path"] == "/healthz" and g["port"] in ("http", 3000), "%s is not GET /healthz on 3000" % probe
svcports = {p["targetPort"] for p in svc["spec"]["ports"]}
assert svcports <= {"http", 3000}, "Service targets an unknown port"
mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
assert mounts.get("/var/lib/vectis") in claims and mounts.get("/etc/vectis") in claims, \
    "state and configuration are not on the claim"
sc = c["securityContext"]
assert sc["capabilities"]["drop"] == ["ALL"], "capabilities not dropped"
assert set(sc["capabilities"]["add"]) == {"SETUID", "SETGID", "SETPCAP", "SYS_CHROOT", "KILL"}, \
    "capabilities: %s" % sc["capabilities"]["add"]
assert sc.get("privileged") is not True, "privileged"
assert pod["terminationGracePeriodSeconds"] > 10, "grace period not above the default stop timeout"
inits = pod["initContainers"]
assert any("vectis-sync" in " ".join(i.get("command", []) + i.get("args", [])) for i in inits), \
    "no init container runs vectis-sync"
env = {}
for i in inits:
    for e in i.get("env", []):
        env[e["name"]] = e
tok = env["VECTIS_TOKEN"]["valueFrom"]["secretKeyRef"]
assert tok["name"] == sec["metadata"]["name"] and tok["key"] in sec["stringData"], \
    "VECTIS_TOKEN does not come from the Secret"
assert "fieldRef" in env["VECTIS_PUBLIC_IP"]["valueFrom"], "VECTIS_PUBLIC_IP not from the downward API"
ref = env["DASHBOARD_URL"]["valueFrom"]["configMapKeyRef"]
assert ref["name"] == cm["metadata"]["name"] and ref["key"] in cm["data"], \
    "DASHBOARD_URL does not come from the ConfigMap"
for i in inits:
    for m in i.get("volumeMounts", []):
        assert m["name"] in claims, "init container mounts %s" % m["name"]

# docker-compose.yml
comp = yaml.safe_load(open(os.path.join(src, "examples/container/docker-compose.yml")))
v = comp["services"]["vectis"]
assert v["init"] is False, "compose adds an init: vectis is PID 1"
gp = v["stop_grace_period"]
assert gp.endswith("s") and int(gp[:-1]) > 10, "stop_grace_period %s not above 10 s" % gp
assert "3000:3000" in v["ports"], "port 3000 not published"
vols = [x.split(":")[1] for x in v["volumes"]]
assert "/etc/vectis" in vols and "/var/lib/vectis" in vols, "volumes: %s" % vols
assert "vectis-supervisor list" in " ".join(v["healthcheck"]["test"]), "healthcheck"
dep = v["depends_on"]["register"]["condition"]
assert dep == "service_completed_successfully", "master does not wait for registration"
build = v["build"]
assert os.path.exists(os.path.join(src, "examples/container", build["context"], build["dockerfile"])), \
    "compose build context/dockerfile do not point at the Dockerfile"
for m in v["volumes"]:
    h = m.split(":")[0]
    if h.startswith("./") and h != "./etc":
        assert os.path.exists(os.path.join(src, "examples/container", h)), "compose mounts missing %s" % h
print("yaml ok: %s" % ", ".join(sorted(docs)))
PY
t_log "$(cat "$T_HOME/yaml.out")"

# kubectl, if installed, renders the kustomization offline.
if command -v kubectl >/dev/null && kubectl kustomize --help >/dev/null 2>&1; then
	kubectl kustomize "$src/examples/kubernetes" >"$T_HOME/k.out" 2>&1 ||
	    fail "kubectl kustomize: $(cat "$T_HOME/k.out")"
	t_log "kubectl kustomize: $(grep -c '^kind:' "$T_HOME/k.out") objects"
fi

# Dockerfile: the entrypoint, and a -dev package for each library that
# configure.ac requires (found through the .pc file or the header).
df="$src/examples/container/Dockerfile"
grep -q '^ENTRYPOINT \["vectis-supervisor", "run"\]$' "$df" || fail "Dockerfile ENTRYPOINT"
grep -q '^FROM debian:bookworm-slim$' "$df" || fail "runtime stage is not bookworm-slim"
grep -q '^STOPSIGNAL SIGTERM$' "$df" || fail "STOPSIGNAL"
grep -q '^HEALTHCHECK ' "$df" || fail "HEALTHCHECK"
build_stage=$(awk '/^FROM .* AS build/ { on = 1 } /^FROM debian:bookworm-slim/ { on = 0 } on' "$df")
mods=$(grep -E '^PKG_CHECK_MODULES\(' "$src/configure.ac" | grep -v 'have_' |
    sed -E 's/^PKG_CHECK_MODULES\(\[[A-Za-z_]+\], *\[([A-Za-z0-9_.+-]+).*/\1/')
[ -n "$mods" ] || fail "no PKG_CHECK_MODULES in configure.ac"
for m in $mods; do
	if pc=$(pkg-config --variable=pcfiledir "$m" 2>/dev/null) && [ -n "$pc" ]; then
		f="$pc/$m.pc"
	elif [ "$m" = libev ]; then
		f=/usr/include/ev.h	# Debian's libev ships no .pc file
	else
		fail "cannot tell which package provides $m"
	fi
	pkg=$(dpkg-query -S "$f" 2>/dev/null | awk -F'[:,]' 'NR == 1 { print $1 }')
	[ -n "$pkg" ] || pkg=$(dpkg-query -S "$(readlink -f "$f")" 2>/dev/null | awk -F'[:,]' 'NR == 1 { print $1 }')
	[ -n "$pkg" ] || fail "no Debian package holds $f"
	printf '%s\n' "$build_stage" | grep -qw -- "$pkg" ||
	    fail "configure.ac needs $m ($pkg), the Dockerfile's build stage does not install it"
done
t_log "Dockerfile build stage covers: $(echo $mods)"

# runtime-deps.sh on the programs built here.
progs=
for p in "$VECTIS_BIN" "$VECTIS_SHIM" "${VECTIS_SYNC:-}" "${VECTIS_STATUS:-}" \
    "${VECTIS_LISTENER:-}"; do
	[ -n "$p" ] && [ -x "$p" ] && progs="$progs $p"
done
ldd "$VECTIS_BIN" | grep -q libasan && skip_rd=1 || skip_rd=
if [ -z "$skip_rd" ]; then
	sh "$src/examples/container/runtime-deps.sh" $progs >"$T_HOME/deps" 2>"$T_HOME/deps.err" ||
	    fail "runtime-deps.sh: $(cat "$T_HOME/deps.err")"
	for want in libc6 libev4 libsqlite3-0 libjansson4; do
		grep -qx "$want" "$T_HOME/deps" || fail "runtime-deps.sh misses $want: $(cat "$T_HOME/deps")"
	done
	grep -q -- '-dev$' "$T_HOME/deps" && fail "runtime-deps.sh lists a -dev package: $(cat "$T_HOME/deps")"
	t_log "runtime packages: $(tr '\n' ' ' <"$T_HOME/deps")"
fi

# The systemd unit as make install generates it.
unit="$VECTIS_BUILDDIR/examples/systemd/vectis-supervisor.service"
make -s -C "$VECTIS_BUILDDIR" examples/systemd/vectis-supervisor.service >/dev/null 2>&1 ||
    fail "cannot generate the unit"
grep -q '^Type=notify$' "$unit" || fail "unit: Type=notify"
grep -q '^KillMode=mixed$' "$unit" || fail "unit: KillMode=mixed"
grep -q '^WatchdogSec=' "$unit" || fail "unit: WatchdogSec"
ts=$(sed -n 's/^TimeoutStopSec=//p' "$unit")
[ "${ts:-0}" -gt 10 ] || fail "unit: TimeoutStopSec=$ts not above the default stop timeout"
if command -v systemd-analyze >/dev/null; then
	sed "s|^ExecStart=[^ ]*|ExecStart=$VECTIS_BIN|" "$unit" >"$T_HOME/vectis-supervisor.service"
	systemd-analyze verify --man=no "$T_HOME/vectis-supervisor.service" >"$T_HOME/verify" 2>&1 ||
	    fail "systemd-analyze verify: $(cat "$T_HOME/verify")"
	[ -s "$T_HOME/verify" ] && fail "systemd-analyze verify: $(cat "$T_HOME/verify")"
	t_log "systemd-analyze verify: clean"
fi

# Every example tenants file is accepted by a real master.
start_master
n=0
for f in "$src/examples/tenants.json" "$src/examples/container/tenants.json"; do
	vx apply "$f" >"$T_HOME/apply.out" 2>&1 || fail "apply $f: $(cat "$T_HOME/apply.out")"
	want=$(jq length "$f")
	got=$(grep -c ': created$' "$T_HOME/apply.out")
	[ "$got" = "$want" ] || fail "apply $f created $got of $want: $(cat "$T_HOME/apply.out")"
	n=$((n + want))
done
[ "$(vx list --json | jq length)" = "$n" ] || fail "list does not show the $n tenants"
vx export | jq -e '[.[] | select(.name == "hello-bot") | .user] == ["bot"]' >/dev/null ||
    fail "container tenant lost its user"
t_log "$n example tenants accepted"
exit 0
