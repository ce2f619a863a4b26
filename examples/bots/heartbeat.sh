#!/bin/sh
# heartbeat.sh: a POSIX shell worker speaking the vectis notify protocol
# (vectis-notify(7)).  Use with "notify": "pipe" and a heartbeat timeout.
set -eu
fd=${VECTIS_NOTIFY_FD:-}
notify() {
	# Without the fd (run by hand) the protocol is simply skipped.
	[ -n "$fd" ] && printf '%s\n' "$1" >&"$fd" || true
}
trap 'notify STOPPING=1; exit 0' TERM INT
notify "STATUS=starting"
# ... load configuration, connect ...
notify "READY=1"
notify "SESSION=CONNECTED"
while :; do
	notify "WATCHDOG=1"
	echo "$(date -u +%H:%M:%S) ${VECTIS_NAME:-bot}: alive"
	sleep 5 &
	wait $!
done
