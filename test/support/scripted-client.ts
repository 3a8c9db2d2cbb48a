// An IpcClient for renderer store tests: it answers invokes from a table and lets the test push
// events, as the main process would, and records every call.
import type { Channel, EventName, EventPayload, IpcClient, IpcResult, RequestOf, ResponseOf } from '../../shared/ipc/contract';

export type Answers = { [C in Channel]?: (request: RequestOf<C>) => IpcResult<ResponseOf<C>> };

export function scriptedClient(answers: Answers) {
  const calls: [Channel, unknown][] = [];
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const client: IpcClient = {
    async invoke<C extends Channel>(channel: C, request: RequestOf<C>) {
      calls.push([channel, request]);
      const answer = answers[channel];
      if (!answer) return { ok: false, error: { kind: 'internal', message: `no answer for ${channel}` } };
      return answer(request);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
  const push = <E extends EventName>(event: E, payload: EventPayload<E>) => listeners.get(event)?.forEach((listener) => listener(payload));
  return { client, calls, push };
}
