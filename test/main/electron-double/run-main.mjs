// Runs out/main/index.js against the Electron double and prints what it observed as one JSON line.
import { existsSync } from 'node:fs';
import { app } from './electron.mjs';

await import(process.env.MAIN_BUNDLE);
const smoke = globalThis.__smoke;
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
for (let i = 0; i < 150 && !smoke.windows[0]?.shown; i += 1) await wait(100);
const window = smoke.windows[0];
const appFrame = { senderFrame: { url: /^https?:/.test(window.loaded) ? window.loaded : `file://${window.loaded}` } };
const call = (channel, request, frame = appFrame) => smoke.handlers.get(`kafka-desk:${channel}`)(frame, request);
let embedded;
for (let i = 0; i < 150; i += 1) {
  embedded = (await call('embedded.status', {})).value;
  if (embedded?.state === 'running' || embedded?.state === 'failed' || embedded?.state === 'disabled') break;
  await wait(200);
}
let navigationPrevented = false;
// As Electron 45 emits it: the details event (url, isSameDocument, isMainFrame), then deprecated positional arguments.
const navigate = (url, preventDefault) =>
  window.webContents.emit('will-navigate', { url, isSameDocument: false, isMainFrame: true, preventDefault }, url, false, true);
navigate('https://example.com/', () => (navigationPrevented = true));
let csp;
smoke.headers({ url: 'file:///x', responseHeaders: {} }, (response) => (csp = response.responseHeaders['Content-Security-Policy'][0]));
let permission;
smoke.permissions(window.webContents, 'geolocation', (granted) => (permission = granted));
// Permission checks (no prompt): every one denied, for the app's own origin too.
const permissionChecks = smoke.permissionCheck
  ? ['clipboard-read', 'media', 'notifications', 'geolocation'].map((name) => smoke.permissionCheck(window.webContents, name, window.loaded, {}))
  : null;
// Where the window may go and which frames IPC answers, for the URLs the test names (APP_URL_PROBES).
const probes = JSON.parse(process.env.APP_URL_PROBES ?? '[]');
const navigation = {};
const ipcAnswered = {};
for (const url of probes) {
  let prevented = false;
  navigate(url, () => (prevented = true));
  navigation[url] = !prevented;
  ipcAnswered[url] = (await call('app.info', {}, { senderFrame: { url } })).ok;
}
const created = await call('topics.create', { connectionId: 'embedded', topic: 'from-electron-main', partitions: 2, replicationFactor: 1 });
const refused = await call('topics.create', { connectionId: 'embedded', topic: 'bad name', partitions: 2, replicationFactor: 1 });
// A regex filter runs in the bundled message worker (out/main/message-worker.js).
let filtered = null;
if (created.ok) {
  for (const value of ['aaaa', `${'a'.repeat(40)}b`]) {
    await call('produce.send', { connectionId: 'embedded', topic: 'from-electron-main', key: null, value, headers: [], partition: 0 });
  }
  filtered = await call('messages.read', {
    connectionId: 'embedded',
    topic: 'from-electron-main',
    filter: { kind: 'regex', field: 'value', pattern: '(a+)+$', flags: '' },
  });
}
const foreign = await call('app.info', {}, { senderFrame: { url: 'https://example.com/' } });
const info = await call('app.info', {});
const quitEvent = {
  prevented: false,
  preventDefault() {
    this.prevented = true;
  },
};
app.emit('before-quit', quitEvent);
let quitCalled = false;
app.once('quit-called', () => (quitCalled = true));
for (let i = 0; i < 100 && !quitCalled; i += 1) await wait(100);
console.log(
  JSON.stringify({
    shown: window.shown,
    loaded: window.loaded,
    webPreferences: window.options.webPreferences,
    preloadExists: existsSync(window.options.webPreferences.preload),
    openHandler: window.webContents.openHandler({ url: 'https://example.com/' }),
    navigationPrevented,
    channels: [...smoke.handlers.keys()],
    embeddedState: embedded?.state,
    eventsSent: smoke.sent.map(([channel]) => channel),
    csp,
    permission,
    permissionChecks,
    navigation,
    ipcAnswered,
    created,
    refused,
    filtered: filtered && (filtered.ok ? filtered.value.records.map((record) => record.value.text) : filtered.error),
    foreign,
    info: info.value,
    menu: Boolean(smoke.menu),
    quitDeferred: quitEvent.prevented,
    quitCalledAfterClose: quitCalled,
  }),
);
process.exit(0);
