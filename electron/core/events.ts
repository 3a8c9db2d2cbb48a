// The main process's outgoing events (contract `events`): services emit them, and the Electron window
// and every web socket subscribe. Only what the renderer is told travels here; services tell each
// other through typed callbacks that app-core wires.
import { events, type EventName, type EventPayload } from '../../shared/ipc/contract';

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** The main process's outgoing events; the Electron window and every web socket subscribe to it. */
export class EventHub {
  readonly #listeners = new Set<EventListener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    // Validate in the main process so a malformed event is caught where it is made.
    const parsed = events[event].parse(payload) as EventPayload<E>;
    for (const listener of this.#listeners) listener(event, parsed);
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/**
 * A typed signal from one service to others (the embedded cluster's status, the list of
 * connections): app-core and the services subscribe with a callback of the payload's own type.
 */
export class Signal<T> {
  readonly #listeners = new Set<(value: T) => void>();

  subscribe(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(value: T): void {
    for (const listener of this.#listeners) listener(value);
  }
}
