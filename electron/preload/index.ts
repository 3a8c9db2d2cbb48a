// The preload: exposes exactly the IPC contract to the renderer as window.kafkaDesk. It runs in a
// sandboxed renderer, so it is bundled to CommonJS with its few imports inlined.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  electronChannel,
  electronEvent,
  isChannel,
  isEventName,
  type Channel,
  type EventName,
  type EventPayload,
  type IpcClient,
  type IpcResult,
  type RequestOf,
  type ResponseOf,
} from '../../shared/ipc/contract';

const bridge: IpcClient = {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<IpcResult<ResponseOf<C>>> {
    if (!isChannel(channel)) {
      return Promise.resolve({ ok: false, error: { kind: 'invalid-request', message: `Unknown channel: ${String(channel)}.` } });
    }
    return ipcRenderer.invoke(electronChannel(channel), request) as Promise<IpcResult<ResponseOf<C>>>;
  },
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    if (!isEventName(event)) throw new Error(`Unknown event: ${String(event)}`);
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload as EventPayload<E>);
    ipcRenderer.on(electronEvent(event), handler);
    return () => {
      ipcRenderer.removeListener(electronEvent(event), handler as (...args: unknown[]) => void);
    };
  },
};

contextBridge.exposeInMainWorld('kafkaDesk', bridge);
