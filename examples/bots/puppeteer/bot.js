// bot.js: a headless Chromium bot driven by Puppeteer under vectis: it
// starts Debian's chromium with a profile of its own, opens a local page,
// then says READY=1, SESSION=CONNECTED and WATCHDOG=1 on the notify pipe
// (vectis-notify(7)); on SIGTERM it closes its browser and exits 0.
//
// Environment (all optional):
//   CHROMIUM_PATH      the browser [/usr/bin/chromium]
//   BOT_PROFILE_DIR    the browser's userDataDir [./profiles/$VECTIS_NAME]
//   BOT_ALLOC_MB       megabytes the page allocates and keeps [0]
//   BOT_HEARTBEAT_MS   WATCHDOG=1 interval [10000]
//   BOT_LAUNCH_TIMEOUT_MS  how long the browser may take to start [60000]
'use strict';
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const name = process.env.VECTIS_NAME || 'bot';
const fd = process.env.VECTIS_NOTIFY_FD ? Number(process.env.VECTIS_NOTIFY_FD) : null;

function notify(line) {
  if (fd === null) return;           // run by hand: no supervisor
  // One line per message, at most 4096 bytes; no newlines inside values.
  const clean = String(line).replace(/[\r\n]/g, ' ').slice(0, 4000);
  try { fs.writeSync(fd, clean + '\n'); } catch (e) { /* master gone */ }
}

function num(v, dflt) {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) && n >= 0 ? n : dflt;
}

// An absolute path, so that every browser process names it in its argv
// (--user-data-dir=...): that is how an operator finds a tenant's browser.
const profile = path.resolve(process.env.BOT_PROFILE_DIR ||
    path.join('profiles', name));
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const allocMb = num(process.env.BOT_ALLOC_MB, 0);
const heartbeatMs = Math.max(100, num(process.env.BOT_HEARTBEAT_MS, 10000));
const launchTimeoutMs = num(process.env.BOT_LAUNCH_TIMEOUT_MS, 60000);

let browser = null;
let closing = false;

async function shutdown(sig) {
  if (closing) return;
  closing = true;
  notify('STOPPING=1');
  console.log(`${name}: ${sig}: closing the browser`);
  const proc = browser ? browser.process() : null;
  // browser.close() asks Chromium to quit; if it hangs, kill it.
  const timer = setTimeout(() => {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    process.exit(0);
  }, 5000);
  try { if (browser) await browser.close(); } catch (e) { /* gone */ }
  clearTimeout(timer);
  process.exit(0);
}

async function main() {
  notify('STATUS=starting the browser');
  fs.mkdirSync(profile, { recursive: true, mode: 0o700 });
  const args = [
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    // Containers give /dev/shm 64 MB: let Chromium use /tmp instead.
    '--disable-dev-shm-usage',
  ];
  // Chromium's sandbox needs user namespaces, which root does not get.
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  browser = await puppeteer.launch({
    executablePath,
    headless: true,
    userDataDir: profile,
    args,
    timeout: launchTimeoutMs,
    protocolTimeout: Math.max(launchTimeoutMs, 180000),
    // The bot closes its browser itself on SIGTERM (below).
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  browser.on('disconnected', () => {
    if (closing) return;
    // The browser died under us: exit, the supervisor restarts the bot.
    console.error(`${name}: the browser went away`);
    process.exit(1);
  });
  console.log(`${name}: browser pid ${browser.process().pid}, profile ${profile}`);

  // Never the network: a page of our own.
  const page = await browser.newPage();
  await page.goto('data:text/html,<title>' + encodeURIComponent(name) +
      '</title><p>vectis bot</p>', { waitUntil: 'load' });
  if (allocMb > 0) {
    // Memory the renderer keeps and touches: resident, for tests of
    // max_memory_restart_bytes.
    await page.evaluate((mb) => {
      globalThis.hog = [];
      for (let i = 0; i < mb; i++) {
        const a = new Uint8Array(1 << 20);
        a.fill((i % 251) + 1);
        globalThis.hog.push(a);
      }
    }, allocMb);
    console.log(`${name}: the page holds ${allocMb} MB`);
  }
  notify('READY=1');
  notify('SESSION=CONNECTED');
  notify('STATUS=page loaded');
  setInterval(() => {
    if (browser && browser.connected) notify('WATCHDOG=1');
  }, heartbeatMs);
}

process.on('SIGTERM', () => { shutdown('SIGTERM'); });
process.on('SIGINT', () => { shutdown('SIGINT'); });

main().catch((err) => {
  console.error(`${name}: ${err && err.stack ? err.stack : String(err)}`);
  notify('STATUS=' + String(err && err.message ? err.message : err));
  const proc = browser ? browser.process() : null;
  if (proc && proc.exitCode === null) proc.kill('SIGKILL');
  process.exit(1);
});
