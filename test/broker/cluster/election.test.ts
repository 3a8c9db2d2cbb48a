// Leader election rules (election.ts): Kafka's clean election, and what a replica that lost committed
// records may and may not do. The cluster-level scenarios with real clients are in durability.test.ts.
import { describe, expect, it } from 'vitest';
import { electLeader, type ElectionInput, type ReplicaLogInfo } from '../../../electron/broker/cluster/election';

/** A replica log: `epochs` as [epoch, startOffset] pairs; `lostTo` marks committed records lost from its end. */
function log(
  logEndOffset: number,
  options: { hw?: number; lostTo?: number; lostEpoch?: number; epochs?: Array<[number, number]>; storageError?: string } = {},
): ReplicaLogInfo {
  const epochs = options.epochs ?? [[0, 0]];
  const missing = options.lostTo !== undefined ? { from: logEndOffset, to: options.lostTo, epoch: options.lostEpoch ?? epochs.at(-1)![0] } : null;
  return {
    logEndOffset,
    committedOffset: Math.max(options.hw ?? logEndOffset, missing?.to ?? 0),
    missing,
    latestEpoch: epochs.at(-1)?.[0] ?? -1,
    epochAt: (offset) => {
      if (offset >= logEndOffset) return -1;
      let epoch = -1;
      for (const [e, start] of epochs) if (start <= offset) epoch = e;
      return epoch;
    },
    storageError: options.storageError ?? null,
  };
}

function elect(options: {
  replicas?: number[];
  isr: number[];
  elr?: number[];
  lastKnownLeader?: number[];
  live: number[];
  logs: Record<number, ReplicaLogInfo>;
  unclean?: boolean;
}) {
  const input: ElectionInput = {
    replicas: options.replicas ?? [0, 1, 2],
    isr: options.isr,
    elr: options.elr,
    lastKnownLeader: options.lastKnownLeader,
    isLive: (id) => options.live.includes(id),
    replicaLog: (id) => options.logs[id] ?? null,
    uncleanAllowed: options.unclean ?? false,
  };
  return electLeader(input);
}

describe('leader election', () => {
  it('picks the first live in-sync replica in assignment order (Kafka)', () => {
    const result = elect({ replicas: [2, 0, 1], isr: [0, 1, 2], live: [0, 1], logs: { 0: log(10), 1: log(10) } });
    expect(result).toMatchObject({ kind: 'clean', leader: 0, isr: [2, 0, 1] });
  });

  it('passes over an in-sync replica that lost committed records and takes it out of the ISR', () => {
    const result = elect({ isr: [0, 1, 2], live: [0, 1, 2], logs: { 0: log(990, { lostTo: 1000 }), 1: log(1000), 2: log(1000) } });
    expect(result).toMatchObject({ kind: 'clean', leader: 1, isr: [1, 2], damaged: [{ brokerId: 0, from: 990, to: 1000 }] });
  });

  it('treats a replica whose log directory vanished as one that lost an unknown amount: never elected cleanly, never matched by a holder', () => {
    const wiped: ReplicaLogInfo = { ...log(0), lostLog: true };
    expect(elect({ isr: [0, 1, 2], live: [0, 1], logs: { 0: wiped, 1: log(1000) } })).toMatchObject({
      kind: 'clean',
      leader: 1,
      isr: [1, 2],
      damaged: [{ brokerId: 0, lostLog: true }],
    });
    expect(elect({ isr: [0, 1, 2], live: [0], logs: { 0: wiped } })).toMatchObject({ kind: 'none', waitingFor: [1, 2] });
    // Alone in the ISR: replicas outside it cannot be shown to hold what it had; only an unclean election is left.
    const alone = { isr: [0], live: [0, 1, 2], logs: { 0: wiped, 1: log(800, { hw: 800 }), 2: log(900, { hw: 900 }) } };
    expect(elect(alone)).toMatchObject({ kind: 'none', waitingFor: [] });
    expect(elect({ ...alone, unclean: true })).toMatchObject({ kind: 'unclean', leader: 2 });
  });

  it('waits for in-sync replicas still to come rather than elect one that lost records', () => {
    const result = elect({ isr: [0, 1], live: [0], logs: { 0: log(990, { lostTo: 1000 }) } });
    expect(result).toMatchObject({ kind: 'none', leader: -1, waitingFor: [1] });
  });

  it('lets a replica outside the ISR lead when every in-sync replica lost records it holds (its high watermark covers them)', () => {
    // The cluster stopped one broker at a time: only broker 0 stayed in the ISR, and it lost its tail.
    const waiting = elect({ isr: [0], live: [0], logs: { 0: log(990, { lostTo: 1000 }) } });
    expect(waiting).toMatchObject({ kind: 'none', waitingFor: [1, 2] });
    const result = elect({ isr: [0], live: [0, 2], logs: { 0: log(990, { lostTo: 1000 }), 2: log(1000, { hw: 1000 }) } });
    expect(result).toMatchObject({ kind: 'recovered', leader: 2, isr: [2] });
  });

  it('accepts a holder whose high watermark lags when its log reaches past the lost records in the same leader epoch', () => {
    const damaged = log(990, {
      lostTo: 1000,
      epochs: [
        [0, 0],
        [3, 500],
      ],
    });
    const sameEpoch = log(1000, {
      hw: 990,
      epochs: [
        [0, 0],
        [3, 500],
      ],
    });
    expect(elect({ isr: [0], live: [0, 1], logs: { 0: damaged, 1: sameEpoch } })).toMatchObject({ kind: 'recovered', leader: 1 });
    // Records at those offsets from another epoch (a former leader's uncommitted tail) are not the same records.
    const otherEpoch = log(1200, {
      hw: 400,
      epochs: [
        [0, 0],
        [2, 450],
      ],
    });
    const result = elect({ isr: [0], live: [0, 1, 2], logs: { 0: damaged, 1: otherEpoch, 2: log(300) } });
    expect(result).toMatchObject({ kind: 'none', waitingFor: [] });
    if (result.kind === 'none') expect(result.reason).toMatch(/unclean\.leader\.election\.enable/);
  });

  it('refuses an unclean election unless the topic allows it, then picks the longest log', () => {
    const logs = {
      0: log(990, {
        lostTo: 1000,
        epochs: [
          [0, 0],
          [4, 900],
        ],
      }),
      1: log(1200, {
        hw: 700,
        epochs: [
          [0, 0],
          [2, 800],
        ],
      }),
      2: log(600),
    };
    expect(elect({ isr: [0], live: [0, 1, 2], logs })).toMatchObject({ kind: 'none', leader: -1 });
    // Latest epoch first (KIP-966's unclean recovery), then log end.
    expect(elect({ isr: [0], live: [0, 1, 2], logs, unclean: true })).toMatchObject({ kind: 'unclean', leader: 0, isr: [0] });
  });

  it('elects an out-of-sync replica when no in-sync replica is live only with unclean elections enabled', () => {
    expect(elect({ isr: [0], live: [1], logs: { 1: log(5) } })).toMatchObject({ kind: 'none', waitingFor: [0] });
    expect(elect({ isr: [0], live: [1], logs: { 1: log(5) }, unclean: true })).toMatchObject({ kind: 'unclean', leader: 1, isr: [1] });
  });

  it('never elects a replica whose log has a storage failure', () => {
    const result = elect({ isr: [0, 1], live: [0, 1], logs: { 0: log(0, { storageError: 'ENOSPC' }), 1: log(10) } });
    expect(result).toMatchObject({ kind: 'clean', leader: 1 });
    expect(elect({ isr: [0], live: [0], logs: { 0: log(0, { storageError: 'ENOSPC' }) } })).toMatchObject({ kind: 'none', waitingFor: [0] });
  });

  describe('eligible leader replicas (KIP-966)', () => {
    it('elects the first live, intact ELR member when the ISR is empty, with an ISR of itself', () => {
      const result = elect({ isr: [], elr: [0, 1], live: [1, 2], logs: { 1: log(100), 2: log(100) } });
      expect(result).toMatchObject({ kind: 'clean', leader: 1, isr: [1], source: 'elr' });
    });

    it('waits for the ELR rather than elect an out-of-sync replica, and passes over an ELR member that lost records', () => {
      expect(elect({ isr: [], elr: [0], live: [1, 2], logs: {} })).toMatchObject({ kind: 'none', waitingFor: [0] });
      const damaged = elect({ isr: [], elr: [0, 1], live: [0, 1], logs: { 0: log(90, { lostTo: 100 }), 1: log(100) } });
      expect(damaged).toMatchObject({ kind: 'clean', leader: 1, isr: [1], damaged: [{ brokerId: 0 }] });
    });

    it('considers the ELR before an unclean election', () => {
      const result = elect({ isr: [], elr: [2], live: [0, 2], logs: { 0: log(500, { epochs: [[5, 0]] }), 2: log(100) }, unclean: true });
      expect(result).toMatchObject({ kind: 'clean', leader: 2 });
    });

    it('elects the last known leader when the ISR and ELR are empty, and only it', () => {
      expect(elect({ isr: [], elr: [], lastKnownLeader: [0], live: [0, 1], logs: { 0: log(100), 1: log(100) } })).toMatchObject({
        kind: 'clean',
        leader: 0,
        isr: [0],
        source: 'last-known-leader',
      });
      expect(elect({ isr: [], lastKnownLeader: [0], live: [1], logs: { 1: log(100) } })).toMatchObject({ kind: 'none', waitingFor: [0] });
    });
  });
});
