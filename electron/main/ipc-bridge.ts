// Carries the contract over Electron IPC: one ipcMain handler per channel (no catch-all), answering
// only the app's own window, and the hub's events forwarded to every window.
import { BrowserWindow, ipcMain } from 'electron';
import { channels, electronChannel, electronEvent } from '../../shared/ipc/contract';
import type { Dispatch } from '../ipc/registry';
import type { EventHub } from '../core/events';
import { isAppUrl } from './window';

export function registerIpc(dispatch: Dispatch, hub: EventHub): () => void {
  for (const channel of channels) {
    ipcMain.handle(electronChannel(channel), (event, request: unknown) => {
      const frameUrl = event.senderFrame?.url ?? '';
      if (!isAppUrl(frameUrl)) {
        return { ok: false, error: { kind: 'invalid-request', message: 'Requests are only accepted from Kafka Desk itself.' } };
      }
      return dispatch(channel, request);
    });
  }
  const unsubscribe = hub.subscribe((event, payload) => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed() && !window.webContents.isDestroyed()) window.webContents.send(electronEvent(event), payload);
    }
  });
  return () => {
    unsubscribe();
    for (const channel of channels) ipcMain.removeHandler(electronChannel(channel));
  };
}
