// Views heal by themselves. A screen whose last load failed, or whose data shows a sick cluster
// (offline partitions, brokers down), loads again on its own, backing off while nothing changes (3 s,
// 6 s, 12 s, then every 30 s); a healthy screen is left alone. On the embedded cluster, broker,
// leader and ISR events reload it at once (once per burst), so a broker restart shows without a click.
import { useEffect, useRef } from 'react';
import { EMBEDDED_CONNECTION_ID } from '../../../shared/model/schemas';
import { useAppStore } from '../store/hooks';

export const FIRST_RETRY_MS = 3_000;
export const MAX_RETRY_MS = 30_000;
const EVENT_QUIET_MS = 400;
const EVENT_MAX_WAIT_MS = 2_000;

/** The delay before the n-th automatic reload (n from 0) of a view that stays sick. */
export function retryDelay(attempt: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
}

export interface LiveViewOptions {
  /** The last load failed (the cluster could not be reached at all). */
  failing: boolean;
  /** What is shown is sick: reloading may show it heal. */
  unhealthy: boolean;
  /** A load is under way: nothing is scheduled meanwhile. */
  busy: boolean;
  /** Changes when what is shown changes (counts of offline partitions, brokers down): the back-off
   * starts over, as the cluster is moving. */
  signature?: string;
  /** Reload on the embedded cluster's broker, leader and ISR events (default true). */
  followEvents?: boolean;
}

export function useLiveView(load: () => void, options: LiveViewOptions): void {
  const { failing, unhealthy, busy, signature = '', followEvents = true } = options;
  const loadRef = useRef(load);
  loadRef.current = load;
  const attempt = useRef(0);
  const lastSignature = useRef(signature);

  useEffect(() => {
    if (signature !== lastSignature.current) {
      lastSignature.current = signature;
      attempt.current = 0;
    }
    if (!failing && !unhealthy) {
      attempt.current = 0;
      return;
    }
    if (busy) return;
    const timer = setTimeout(() => {
      attempt.current += 1;
      loadRef.current();
    }, retryDelay(attempt.current));
    return () => clearTimeout(timer);
  }, [failing, unhealthy, busy, signature]);

  const onEmbedded = useAppStore((state) => state.activeConnectionId === EMBEDDED_CONNECTION_ID);
  const lastEvent = useAppStore((state) => (followEvents && onEmbedded ? (state.clusterEvents.find((event) => event.type !== 'topic') ?? null) : null));
  const burstStart = useRef<number | null>(null);
  // The events before the screen opened are what its first load already shows.
  const initialEvent = useRef(lastEvent);
  useEffect(() => {
    if (!lastEvent || lastEvent === initialEvent.current) return;
    burstStart.current ??= Date.now();
    const wait = Math.max(0, Math.min(EVENT_QUIET_MS, burstStart.current + EVENT_MAX_WAIT_MS - Date.now()));
    const timer = setTimeout(() => {
      burstStart.current = null;
      attempt.current = 0;
      loadRef.current();
    }, wait);
    return () => clearTimeout(timer);
  }, [lastEvent]);
}
