#!/bin/sh
# Install the peer supervisors used by the benchmark (idempotent).
#   supervisord (Debian "supervisor"), s6, runit (Debian), pm2 (npm -g).
# Installing the supervisor/runit packages must not leave a system-wide daemon
# running: we use policy-rc.d to stop dpkg from starting services and stop
# anything that got started anyway (only system services, by their pid files).
set -eu

need_apt=""
command -v supervisord >/dev/null 2>&1 || need_apt="$need_apt supervisor"
command -v s6-svscan   >/dev/null 2>&1 || need_apt="$need_apt s6"
command -v runsvdir    >/dev/null 2>&1 || need_apt="$need_apt runit"
command -v gcc         >/dev/null 2>&1 || need_apt="$need_apt gcc libc6-dev"

if [ -n "$need_apt" ]; then
    export DEBIAN_FRONTEND=noninteractive
    # keep dpkg from starting services on install
    created_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        created_policy=1
    fi
    # shellcheck disable=SC2086
    if ! apt-get install -y --no-install-recommends $need_apt; then
        apt-get update
        # shellcheck disable=SC2086
        apt-get install -y --no-install-recommends $need_apt
    fi
    [ -n "$created_policy" ] && rm -f /usr/sbin/policy-rc.d
fi

if ! command -v pm2 >/dev/null 2>&1; then
    command -v npm >/dev/null 2>&1 || {
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y --no-install-recommends nodejs npm || {
            apt-get update; apt-get install -y --no-install-recommends nodejs npm; }
    }
    npm install -g pm2 --no-audit --no-fund
fi

for p in supervisord supervisorctl s6-svscan s6-supervise s6-svstat s6-svscanctl \
         runsvdir runsv sv pm2 gcc; do
    printf '%-14s %s\n' "$p" "$(command -v "$p" || echo MISSING)"
done
