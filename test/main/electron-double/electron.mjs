// A recording double of the Electron main-process API, for machines where Electron's binary cannot be
// installed: it lets the *bundled* main process (out/main/index.js) run in plain Node so the test can
// check what it asks of Electron (window options, navigation rules, IPC handlers, CSP, quit order).
// It implements only what the app calls.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
const handlers = new Map();
globalThis.__smoke = { handlers, windows: [], sent: [] };
class WebContents extends EventEmitter {
  setWindowOpenHandler(h) {
    this.openHandler = h;
  }
  send(channel, payload) {
    globalThis.__smoke.sent.push([channel, payload]);
  }
  isDestroyed() {
    return false;
  }
}
export class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    globalThis.__smoke.windows.push(this);
  }
  static getAllWindows() {
    return globalThis.__smoke.windows;
  }
  async loadFile(file) {
    this.loaded = file;
    if (!existsSync(file)) throw new Error('missing ' + file);
    setTimeout(() => this.emit('ready-to-show'), 0);
  }
  async loadURL(url) {
    this.loaded = url;
    setTimeout(() => this.emit('ready-to-show'), 0);
  }
  show() {
    this.shown = true;
  }
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
  isDestroyed() {
    return false;
  }
}
class App extends EventEmitter {
  isPackaged = false;
  whenReady() {
    return Promise.resolve();
  }
  getPath() {
    return process.env.SMOKE_USER_DATA;
  }
  getVersion() {
    return '0.1.0';
  }
  requestSingleInstanceLock() {
    return true;
  }
  quit() {
    this.emit('quit-called');
  }
  exit(code) {
    process.exit(code);
  }
}
export const app = new App();
export const ipcMain = { handle: (c, h) => handlers.set(c, h), removeHandler: (c) => handlers.delete(c) };
export const Menu = {
  buildFromTemplate: (t) => ({ t }),
  setApplicationMenu: (m) => {
    globalThis.__smoke.menu = m;
  },
};
export const safeStorage = { isEncryptionAvailable: () => false, encryptString: () => Buffer.alloc(0), decryptString: () => '' };
export const session = {
  defaultSession: {
    webRequest: {
      onHeadersReceived: (l) => {
        globalThis.__smoke.headers = l;
      },
    },
    setPermissionRequestHandler: (h) => {
      globalThis.__smoke.permissions = h;
    },
    setPermissionCheckHandler: (h) => {
      globalThis.__smoke.permissionCheck = h;
    },
  },
};
export const contextBridge = {};
export const ipcRenderer = {};
export const dialog = { showSaveDialog: async () => ({ canceled: true }), showOpenDialog: async () => ({ canceled: true, filePaths: [] }) };
export const shell = {};
export default { app, ipcMain, Menu, safeStorage, session, BrowserWindow };
