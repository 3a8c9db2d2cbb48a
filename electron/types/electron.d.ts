// Type declarations for the parts of Electron's API that Kafka Desk uses, for machines where the
// optional `electron` package is not installed (its binary cannot be downloaded everywhere).
// tsconfig.json maps "electron" to node_modules/electron/electron.d.ts first and to this file only
// when that is missing. Signatures are copied from electron 45's electron.d.ts.
import type { EventEmitter } from 'node:events';

export interface Event {
  preventDefault(): void;
}

export interface WebPreferences {
  preload?: string;
  sandbox?: boolean;
  contextIsolation?: boolean;
  nodeIntegration?: boolean;
  nodeIntegrationInWorker?: boolean;
  nodeIntegrationInSubFrames?: boolean;
  webSecurity?: boolean;
  allowRunningInsecureContent?: boolean;
  webviewTag?: boolean;
  spellcheck?: boolean;
}

export interface BrowserWindowConstructorOptions {
  width?: number;
  height?: number;
  minWidth?: number;
  minHeight?: number;
  show?: boolean;
  title?: string;
  backgroundColor?: string;
  autoHideMenuBar?: boolean;
  webPreferences?: WebPreferences;
}

export interface HandlerDetails {
  url: string;
}
export type WindowOpenHandlerResponse = { action: 'deny' } | { action: 'allow' };

/** What will-navigate and will-redirect carry (Electron's Event<WebContentsWillNavigateEventParams>). */
export interface NavigationEvent extends Event {
  url: string;
  isSameDocument: boolean;
  isMainFrame: boolean;
}

export interface WebFrameMain {
  url: string;
}

export declare class WebContents extends EventEmitter {
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  getURL(): string;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: NavigationEvent) => void): this;
  on(event: 'will-attach-webview', listener: (event: Event) => void): this;
  on(event: string, listener: (...args: unknown[]) => void): this;
}

export declare class BrowserWindow extends EventEmitter {
  constructor(options?: BrowserWindowConstructorOptions);
  static getAllWindows(): BrowserWindow[];
  webContents: WebContents;
  loadFile(filePath: string): Promise<void>;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  once(event: 'ready-to-show', listener: () => void): this;
  on(event: 'closed', listener: () => void): this;
  on(event: string, listener: (...args: unknown[]) => void): this;
}

export interface MenuItemConstructorOptions {
  label?: string;
  role?:
    | 'undo'
    | 'redo'
    | 'cut'
    | 'copy'
    | 'paste'
    | 'pasteAndMatchStyle'
    | 'delete'
    | 'selectAll'
    | 'reload'
    | 'forceReload'
    | 'toggleDevTools'
    | 'resetZoom'
    | 'zoomIn'
    | 'zoomOut'
    | 'togglefullscreen'
    | 'window'
    | 'minimize'
    | 'close'
    | 'help'
    | 'about'
    | 'services'
    | 'hide'
    | 'hideOthers'
    | 'unhide'
    | 'quit'
    | 'appMenu'
    | 'fileMenu'
    | 'editMenu'
    | 'viewMenu'
    | 'windowMenu'
    | 'front'
    | 'zoom';
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
  submenu?: MenuItemConstructorOptions[];
  click?: () => void;
  accelerator?: string;
}

// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- declares Electron's class as it is
export declare class Menu {
  static buildFromTemplate(template: MenuItemConstructorOptions[]): Menu;
  static setApplicationMenu(menu: Menu | null): void;
}

export interface IpcMainInvokeEvent {
  senderFrame: WebFrameMain | null;
}

export interface IpcMain {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcRendererEvent {
  sender: unknown;
}

export interface IpcRenderer {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): this;
  removeListener(channel: string, listener: (...args: unknown[]) => void): this;
}

export interface ContextBridge {
  exposeInMainWorld(apiKey: string, api: unknown): void;
}

export interface SafeStorage {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export interface OnHeadersReceivedListenerDetails {
  url: string;
  responseHeaders?: Record<string, string[]>;
}
export interface HeadersReceivedResponse {
  cancel?: boolean;
  responseHeaders?: Record<string, string | string[]>;
}
export interface WebRequest {
  onHeadersReceived(listener: (details: OnHeadersReceivedListenerDetails, callback: (response: HeadersReceivedResponse) => void) => void): void;
}
export declare class Session {
  webRequest: WebRequest;
  setPermissionRequestHandler(handler: ((webContents: WebContents, permission: string, callback: (permissionGranted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(
    handler: ((webContents: WebContents | null, permission: string, requestingOrigin: string, details: Record<string, unknown>) => boolean) | null,
  ): void;
}

export interface App extends EventEmitter {
  whenReady(): Promise<void>;
  quit(): void;
  exit(exitCode?: number): void;
  getPath(name: 'userData' | 'home' | 'appData' | 'temp' | 'logs' | 'downloads'): string;
  getVersion(): string;
  requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean;
  isPackaged: boolean;
  on(event: 'second-instance', listener: (event: Event, argv: string[], workingDirectory: string) => void): this;
  on(event: 'window-all-closed' | 'activate', listener: () => void): this;
  on(event: 'before-quit' | 'will-quit', listener: (event: Event) => void): this;
  on(event: 'web-contents-created', listener: (event: Event, contents: WebContents) => void): this;
  on(event: string, listener: (...args: unknown[]) => void): this;
}

export declare const app: App;
export declare const ipcMain: IpcMain;
export declare const ipcRenderer: IpcRenderer;
export declare const contextBridge: ContextBridge;
export declare const safeStorage: SafeStorage;
export declare const session: { defaultSession: Session };

export interface SaveDialogOptions {
  title?: string;
  defaultPath?: string;
  buttonLabel?: string;
  filters?: { name: string; extensions: string[] }[];
}
export interface SaveDialogReturnValue {
  canceled: boolean;
  filePath: string;
}
export interface OpenDialogOptions {
  title?: string;
  defaultPath?: string;
  buttonLabel?: string;
  filters?: { name: string; extensions: string[] }[];
  properties?: ('openFile' | 'openDirectory' | 'multiSelections' | 'showHiddenFiles')[];
}
export interface OpenDialogReturnValue {
  canceled: boolean;
  filePaths: string[];
}
export declare const dialog: {
  showSaveDialog(window: BrowserWindow, options: SaveDialogOptions): Promise<SaveDialogReturnValue>;
  showSaveDialog(options: SaveDialogOptions): Promise<SaveDialogReturnValue>;
  showOpenDialog(window: BrowserWindow, options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
  showOpenDialog(options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
};
