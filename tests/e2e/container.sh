# container.sh: the image of examples/container/Dockerfile builds; its
# master runs as PID 1 and starts a tenant as the image's user "bot", and
# docker stop makes it stop the tenants gracefully and exit 0.  Building
# downloads Debian images and packages, so it runs only with a Docker
# daemon and VECTIS_TEST_DOCKER=1.
. "$VECTIS_TESTLIB"

src=${VECTIS_SRCDIR:?}
command -v docker >/dev/null || skip "docker not installed"
docker info >/dev/null 2>&1 || skip "no Docker daemon (docker info fails)"
[ "${VECTIS_TEST_DOCKER:-}" = 1 ] ||
    skip "the image build downloads from Debian's mirrors; set VECTIS_TEST_DOCKER=1 to run it"

tag="vectis-test:$$"
name="vectis-test-$$"
docker_cleanup() {
	docker rm -f "$name" >/dev/null 2>&1
	docker rmi -f "$tag" >/dev/null 2>&1
}
trap 'docker_cleanup; t_cleanup' EXIT

docker build -f "$src/examples/container/Dockerfile" -t "$tag" "$src" \
    >"$T_HOME/build.out" 2>&1 || fail "docker build: $(tail -30 "$T_HOME/build.out")"
docker run -d --name "$name" --stop-timeout 30 "$tag" >/dev/null ||
    fail "docker run"
dx() { docker exec "$name" "$@"; }
wait_until 20 dx vectis-supervisor list || fail "master in the container did not come up: $(docker logs "$name" 2>&1 | tail)"
[ "$(dx cat /proc/1/comm)" = vectis-supervis ] || fail "PID 1 is $(dx cat /proc/1/comm)"
docker cp "$src/examples/container/tenants.json" "$name:/tmp/tenants.json" || fail "docker cp"
dx vectis-supervisor apply /tmp/tenants.json >/dev/null || fail "apply in the container"
wait_until 10 sh -c "docker exec $name vectis-supervisor status hello-bot --json | jq -e '.state == \"running\"'" ||
    fail "hello-bot not running: $(dx vectis-supervisor list)"
pid=$(dx vectis-supervisor status hello-bot --json | jq -r .pid)
uid=$(dx sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status")
[ -n "$uid" ] && [ "$uid" = "$(dx id -u bot)" ] || fail "hello-bot runs as uid '$uid', not bot"
docker stop -t 30 "$name" >/dev/null || fail "docker stop"
rc=$(docker inspect -f '{{.State.ExitCode}}' "$name")
[ "$rc" = 0 ] || fail "exit code after docker stop: $rc; $(docker logs "$name" 2>&1 | tail)"
docker logs "$name" 2>&1 | grep -q "all workers stopped; exiting" ||
    fail "no graceful stop in the logs: $(docker logs "$name" 2>&1 | tail)"
t_log "image built, tenant ran as PID 1's child, docker stop -> exit 0"
exit 0
