// Words and numbers for a connection's state, shared by the sidebar, the status bar and the dialog.
import type { ConnectionHealth, PendingWork } from '../../../../shared/model/connections';

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
}

export function formatRtt(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

export function formatClock(at: number): string {
  return new Date(at).toLocaleTimeString();
}

export const stateLabel: Record<ConnectionHealth['state'], string> = {
  idle: 'not checked yet',
  connecting: 'connecting',
  up: 'up',
  degraded: 'degraded',
  down: 'down',
};

/** One line for the sidebar under the active connection. */
export function healthSummary(health: ConnectionHealth | undefined, now: number): string {
  if (!health) return 'Not checked yet';
  switch (health.state) {
    case 'idle':
      return health.checkedAt ? `Last checked ${formatClock(health.checkedAt)}` : 'Not checked yet';
    case 'connecting':
      return 'Connecting…';
    case 'up':
      return `Up · ${formatRtt(health.rttMs)} round trip`;
    case 'degraded': {
      const down = health.brokers.filter((broker) => broker.state !== 'up').length;
      return `Degraded · ${down} of ${health.brokers.length} brokers not answering`;
    }
    case 'down':
      if (health.checking) return 'Down · checking again…';
      return health.nextCheckAt && health.nextCheckAt > now ? `Down · next check in ${formatMs(Math.ceil((health.nextCheckAt - now) / 1000) * 1000)}` : 'Down';
  }
}

/** The full state for a tooltip. */
export function healthTitle(health: ConnectionHealth | undefined): string {
  if (!health) return 'Not checked yet';
  const lines = [`State: ${stateLabel[health.state]} since ${formatClock(health.since)}`];
  if (health.rttMs !== null) lines.push(`Round trip: ${formatRtt(health.rttMs)}`);
  if (health.detail) lines.push(health.detail);
  if (health.lastError) lines.push(`Last error (${formatClock(health.lastError.at)}): ${health.lastError.message}`);
  if (health.checkedAt) lines.push(`Checked ${formatClock(health.checkedAt)}`);
  return lines.join('\n');
}

/** "Connecting to host:port" / "Waiting for the answer to Metadata from host:port". */
export function describePending(work: PendingWork): string {
  return work.kind === 'connect' ? `Connecting to ${work.address}` : `Waiting for the answer to ${work.api ?? 'a request'} from ${work.address}`;
}
