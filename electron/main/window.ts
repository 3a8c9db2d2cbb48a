// The one window factory: every BrowserWindow gets the same locked-down webPreferences and CSP, and
// may not navigate away from the app or open new windows.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, session } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../web/server';

const here = path.dirname(fileURLToPath(import.meta.url));

export const secureWebPreferences = {
  preload: path.join(here, '../preload/index.cjs'),
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const;

/** The renderer is loaded from the built files; in development, from electron-vite's dev server. */
function rendererTarget(): { kind: 'url'; url: string } | { kind: 'file'; file: string } {
  const devServer = process.env['ELECTRON_RENDERER_URL'];
  return devServer ? { kind: 'url', url: devServer } : { kind: 'file', file: path.join(here, '../renderer/index.html') };
}

let headersInstalled = false;

/** Adds the CSP header to every response the app's session receives (the built index.html also
 * carries it as a meta tag, which is what applies to file:// loads). Denies every permission, both
 * when a page asks for one (request handler) and when it only checks whether it has one (check
 * handler, used by navigator.permissions and some APIs without a prompt): the app needs no camera,
 * notifications, clipboard reads or geolocation. */
function installSessionPolicy(): void {
  if (headersInstalled) return;
  headersInstalled = true;
  const devServer = process.env['ELECTRON_RENDERER_URL'];
  // Vite's dev server needs its HMR socket and inline style injection; production needs neither.
  const policy = devServer
    ? CONTENT_SECURITY_POLICY.replace("connect-src 'self'", `connect-src 'self' ${devServer.replace(/^http/, 'ws')}`).replace(
        "style-src 'self'",
        "style-src 'self' 'unsafe-inline'",
      )
    : CONTENT_SECURITY_POLICY;
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] } });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

/** Whether a URL is the app itself (file:// build or the dev server), the only place a window may go. */
export function isAppUrl(url: string): boolean {
  const target = rendererTarget();
  try {
    const parsed = new URL(url);
    // The dev server: the same origin (scheme, host and port), never a string prefix, which
    // http://localhost:51730 or http://localhost:5173.evil.example would pass.
    if (target.kind === 'url') return parsed.origin === new URL(target.url).origin;
    return parsed.protocol === 'file:' && path.normalize(fileURLToPath(parsed)) === path.normalize(target.file);
  } catch {
    return false;
  }
}

export async function createMainWindow(): Promise<BrowserWindow> {
  installSessionPolicy();
  const window = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Kafka Desk',
    webPreferences: { ...secureWebPreferences },
  });
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // The event carries the URL (the positional url argument is deprecated since Electron 25).
  window.webContents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  window.webContents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  const target = rendererTarget();
  if (target.kind === 'url') await window.loadURL(target.url);
  else await window.loadFile(target.file);
  return window;
}
