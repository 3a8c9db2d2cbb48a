// The renderer's typed client for the IPC contract. In Electron it is the preload's bridge; in web
// mode it is a WebSocket to the same main-process core. Both have the IpcClient interface.
import {
  contract,
  isEventName,
  MAX_IPC_MESSAGE_BYTES,
  type Channel,
  type EventName,
  type EventPayload,
  type IpcClient,
  type IpcResult,
  type RequestOf,
  type ResponseOf,
} from '../../../shared/ipc/contract';
import { formatByteSize, utf8ByteLength } from '../../../shared/model/schemas';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in web mode. */
    kafkaDesk?: IpcClient;
  }
}

type ServerMessage = { type: 'result'; id: number; result: IpcResult<unknown> } | { type: 'event'; event: string; payload: unknown };

/** A call too large for one frame: the field over its own limit when there is one, else the frame's size. */
function tooLarge(channel: Channel, request: unknown, bytes: number): IpcResult<never> {
  const parsed = contract[channel].request.safeParse(request);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
    return { ok: false, error: { kind: 'invalid-request', message: issues.map((issue) => issue.message).join(' '), issues } };
  }
  return {
    ok: false,
    error: {
      kind: 'invalid-request',
      message: `This request is ${formatByteSize(bytes)} once encoded; web mode carries at most ${formatByteSize(MAX_IPC_MESSAGE_BYTES)} in one call.`,
    },
  };
}

/** WebSocket carrier for web mode. Reconnects after a drop; calls made while offline fail clearly. */
export function createWebSocketClient(url: string, WebSocketImpl: typeof WebSocket = WebSocket): IpcClient & { close(): void } {
  let socket: WebSocket | null = null;
  let nextId = 1;
  let closed = false;
  let retryDelay = 250;
  const pending = new Map<number, (result: IpcResult<unknown>) => void>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let ready: Promise<WebSocket>;

  const offline = (message: string): IpcResult<never> => ({ ok: false, error: { kind: 'unavailable', message } });

  const connect = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocketImpl(url);
      socket = ws;
      ws.onopen = () => {
        retryDelay = 250;
        resolve(ws);
      };
      ws.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as ServerMessage;
        if (data.type === 'result') {
          pending.get(data.id)?.(data.result);
          pending.delete(data.id);
        } else if (isEventName(data.event)) {
          for (const listener of listeners.get(data.event) ?? []) listener(data.payload);
        }
      };
      ws.onclose = () => {
        for (const resolvePending of pending.values()) {
          resolvePending(offline('The connection to Kafka Desk was lost. Is `npm run web` still running?'));
        }
        pending.clear();
        reject(new Error('closed'));
        if (!closed) {
          setTimeout(() => {
            ready = connect();
            ready.catch(() => undefined);
          }, retryDelay);
          retryDelay = Math.min(retryDelay * 2, 5_000);
        }
      };
    });
  ready = connect();
  ready.catch(() => undefined);

  return {
    async invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<IpcResult<ResponseOf<C>>> {
      let ws: WebSocket;
      try {
        ws = await ready;
      } catch {
        return offline('Kafka Desk is not reachable. Is `npm run web` still running?');
      }
      if (ws.readyState !== WebSocketImpl.OPEN) return offline('Kafka Desk is reconnecting; try again in a moment.');
      const id = nextId++;
      const frame = JSON.stringify({ type: 'invoke', id, channel, request });
      // The server closes a socket that sends more than it accepts: refuse here instead, saying why.
      if (frame.length > MAX_IPC_MESSAGE_BYTES / 3 && utf8ByteLength(frame) > MAX_IPC_MESSAGE_BYTES) {
        return tooLarge(channel, request, utf8ByteLength(frame));
      }
      return new Promise((resolve) => {
        pending.set(id, resolve as (result: IpcResult<unknown>) => void);
        ws.send(frame);
      });
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const wrapped = listener as (payload: unknown) => void;
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
    close() {
      closed = true;
      socket?.close();
    },
  };
}

/** The client for this window: Electron's bridge when present, else web mode's socket. */
export function connectApi(location: Location = window.location): IpcClient {
  if (window.kafkaDesk) return window.kafkaDesk;
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return createWebSocketClient(`${protocol}//${location.host}/ipc?token=${encodeURIComponent(token)}`);
}
