// Electron main process: one instance, one window, the embedded cluster started at launch and
// closed cleanly at quit.
import path from 'node:path';
import { app, BrowserWindow, dialog } from 'electron';
import { createAppCore, type AppCore } from '../core/app-core';
import { registerIpc } from './ipc-bridge';
import { installApplicationMenu } from './menu';
import { createElectronSecretStore } from './safe-storage';
import { createMainWindow } from './window';
import { appLogger } from '../core/logger';

let core: AppCore | null = null;
let mainWindow: BrowserWindow | null = null;

async function openWindow(): Promise<void> {
  mainWindow = await createMainWindow();
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
}

async function launch(): Promise<void> {
  await app.whenReady();
  installApplicationMenu();
  core = await createAppCore({
    mode: 'electron',
    version: app.getVersion(),
    dataDir: path.join(app.getPath('userData')),
    secrets: createElectronSecretStore(),
    embeddedStart: 'background',
    // Bundled beside this file by electron-vite (see electron.vite.config.ts).
    messageWorkerScript: new URL('./message-worker.js', import.meta.url),
    // Message exports go where the user says, through the system's save dialog.
    chooseExportFile: async (suggestedName) => {
      const options = { defaultPath: path.join(app.getPath('downloads'), suggestedName) };
      const result = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    // The produce form's file: the user picks it here; the renderer only ever gets a handle to it.
    chooseProduceFile: async () => {
      const options = { title: 'Produce from a file', properties: ['openFile' as const] };
      const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  });
  registerIpc(core.dispatch, core.hub);
  await openWindow();
}

if (!app.requestSingleInstanceLock()) {
  // Another Kafka Desk is running: it gets focus (see 'second-instance') and this one leaves.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (core && BrowserWindow.getAllWindows().length === 0) void openWindow();
  });
  // Stop the embedded brokers before exiting so their logs are closed cleanly.
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !core) return;
    event.preventDefault();
    quitting = true;
    void core.close().finally(() => app.quit());
  });
  launch().catch((error: unknown) => {
    appLogger.error('Kafka Desk failed to start', { error });
    app.exit(1);
  });
}
