// bot.js: a Node.js bot skeleton speaking the vectis notify protocol
// (vectis-notify(7)).  Run it with "notify": "pipe" so that the tenant is
// RUNNING only after READY=1, and "heartbeat": {"timeout_s": 30}.
'use strict';
const fs = require('fs');

const fd = process.env.VECTIS_NOTIFY_FD ? Number(process.env.VECTIS_NOTIFY_FD) : null;

function notify(line) {
  if (fd === null) return;           // run by hand: no supervisor
  // One line per message, at most 4096 bytes; no newlines inside values.
  const clean = String(line).replace(/[\r\n]/g, ' ').slice(0, 4000);
  try { fs.writeSync(fd, clean + '\n'); } catch (e) { /* master gone */ }
}

async function main() {
  notify('STATUS=connecting');
  // ... create the WhatsApp client, start Chromium, ...
  notify('SESSION=QR_READY');
  notify('READY=1');
  setInterval(() => notify('WATCHDOG=1'), 10000).unref();
  // when the session is established:
  notify('SESSION=CONNECTED');
  // on an authentication failure that needs a human, without restarting:
  // notify('LAST_ERROR=auth failed: QR expired');
  process.on('SIGTERM', () => { notify('STOPPING=1'); process.exit(0); });
  setInterval(() => console.log(`${process.env.VECTIS_NAME || 'bot'}: alive`), 30000);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
