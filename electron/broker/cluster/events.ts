/** What the embedded cluster tells the UI: brokers coming and going, leaders moving, ISR changing. */
export type ClusterEvent =
  /** A broker started or stopped; 'added' and 'removed' when the cluster grew or shrank at run time. */
  | { type: 'broker'; brokerId: number; state: 'up' | 'down' | 'added' | 'removed'; at: number }
  | { type: 'leader'; topic: string; partition: number; leader: number; leaderEpoch: number; at: number }
  | { type: 'isr'; topic: string; partition: number; isr: number[]; at: number }
  | { type: 'topic'; topic: string; change: 'created' | 'deleted' | 'partitions'; at: number }
  /** A partition's replica set changed (a reassignment started, completed or was cancelled, KIP-455). */
  | { type: 'replicas'; topic: string; partition: number; replicas: number[]; adding: number[]; removing: number[]; at: number };

export type ClusterEventListener = (event: ClusterEvent) => void;

/** A small synchronous fan-out; a throwing listener is isolated from the others and from the cluster. */
export class ClusterEvents {
  readonly #listeners = new Set<ClusterEventListener>();

  subscribe(listener: ClusterEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: ClusterEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A UI listener's failure must not break the broker that reported the event.
      }
    }
  }
}
