/**
 * The share-partition state machine (KIP-932) on its own: acquisition, acknowledgement types, delivery
 * counts and the delivery limit, acquisition locks timing out (a hand-moved clock), the SPSO moving,
 * the in-flight limit, and what is written to the persister (and undone when a write fails). The
 * persister here is the share coordinator's record format round-tripped in memory (combineStateBatches,
 * as the coordinator replays ShareUpdate records); the wire tests (share-fetch-wire.test.ts) run the
 * same paths against the embedded cluster's real share coordinator.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  RecordState,
  SharePartition,
  type BatchInfo,
  type ShareClock,
  type SharePersister,
  type StateBatch,
} from '../../../electron/broker/share/share-partition';
import {
  combineStateBatches,
  decodeShareSnapshotValue,
  decodeShareStateKey,
  decodeShareUpdateValue,
  encodeShareSnapshotValue,
  encodeShareStateKey,
  encodeShareUpdateValue,
  kafkaUuidString,
  partitionForShareKey,
  shareCoordinatorKey,
} from '../../../electron/broker/share/share-state-records';

class HandClock implements ShareClock {
  time = 1_000_000;
  timers = new Map<number, { at: number; callback: () => void }>();
  next = 1;
  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    const id = this.next++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.timers.delete(handle as number);
  };
  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at <= this.time) {
        this.timers.delete(id);
        timer.callback();
      }
    }
  }
}

/** The durable state as the coordinator accumulates it from writes. */
class MemoryPersister implements SharePersister {
  startOffset = -1;
  batches: StateBatch[] = [];
  writes = 0;
  fail = false;
  read = async () => ({ stateEpoch: 0, startOffset: this.startOffset, stateBatches: this.batches });
  write = async (_key: unknown, state: { startOffset: number; stateBatches: StateBatch[] }) => {
    if (this.fail) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    this.writes++;
    this.startOffset = state.startOffset;
    this.batches = combineStateBatches(this.batches, state.stateBatches, state.startOffset);
    return ErrorCode.NONE;
  };
}

const KEY = { groupId: 'g', topicId: '6f0a3a4e-1c56-4f1e-9d2b-3b6a1c9e2f10', topic: 't', partition: 0 };

function make(options: { limit?: number; locks?: number; lockMs?: number; start?: number; batches?: StateBatch[] } = {}) {
  const clock = new HandClock();
  const persister = new MemoryPersister();
  const sp = new SharePartition(
    KEY,
    0,
    { stateEpoch: 0, startOffset: options.start ?? 0, stateBatches: options.batches ?? [] },
    { recordLockDurationMs: () => options.lockMs ?? 30_000, deliveryCountLimit: () => options.limit ?? 5, maxRecordLocks: () => options.locks ?? 2000 },
    persister,
    clock,
  );
  return { sp, clock, persister };
}

const batch = (baseOffset: number, lastOffset: number, extra: Partial<BatchInfo> = {}): BatchInfo => ({
  baseOffset,
  lastOffset,
  control: false,
  aborted: false,
  ...extra,
});

describe('SharePartition', () => {
  it('hands distinct records to two members and moves the SPSO once they are acknowledged', async () => {
    const { sp, persister } = make();
    const a = sp.acquire('a', [batch(0, 4), batch(5, 9)], 5);
    expect(a.ranges).toEqual([{ firstOffset: 0, lastOffset: 4, deliveryCount: 1 }]);
    expect(a.batchIndexes).toEqual([0]);
    expect(sp.nextFetchOffset()).toBe(5);
    const b = sp.acquire('b', [batch(5, 9)], 100);
    expect(b.ranges).toEqual([{ firstOffset: 5, lastOffset: 9, deliveryCount: 1 }]);
    // b cannot acknowledge a's records.
    expect(sp.acknowledge('b', [{ firstOffset: 0, lastOffset: 4, acknowledgeTypes: [1] }])).toBe(ErrorCode.INVALID_RECORD_STATE);
    expect(await sp.acknowledge('b', [{ firstOffset: 5, lastOffset: 9, acknowledgeTypes: [1] }])).toBe(ErrorCode.NONE);
    expect(sp.startOffset).toBe(0);
    expect(await sp.acknowledge('a', [{ firstOffset: 0, lastOffset: 4, acknowledgeTypes: [1, 1, 3, 1, 1] }])).toBe(ErrorCode.NONE);
    expect(sp.startOffset).toBe(10);
    expect(sp.endOffset).toBe(10);
    expect(persister.startOffset).toBe(10);
    expect(persister.batches).toEqual([]);
  });

  it('redelivers released records with a higher delivery count and archives them at the limit', async () => {
    const { sp } = make({ limit: 2 });
    sp.acquire('a', [batch(0, 2)], 100);
    expect(await sp.acknowledge('a', [{ firstOffset: 0, lastOffset: 2, acknowledgeTypes: [2] }])).toBe(ErrorCode.NONE);
    const again = sp.acquire('b', [batch(0, 2)], 100);
    expect(again.ranges).toEqual([{ firstOffset: 0, lastOffset: 2, deliveryCount: 2 }]);
    // The second release reaches the limit of 2 deliveries: archived, the SPSO moves past them.
    expect(await sp.acknowledge('b', [{ firstOffset: 0, lastOffset: 2, acknowledgeTypes: [2] }])).toBe(ErrorCode.NONE);
    expect(sp.startOffset).toBe(3);
    expect(sp.acquire('c', [batch(0, 2)], 100).ranges).toEqual([]);
  });

  it('makes records available again when their acquisition lock times out', async () => {
    const { sp, clock, persister } = make({ lockMs: 1000 });
    sp.acquire('a', [batch(0, 1)], 100);
    expect(sp.acquiredBy('a')).toBe(2);
    clock.advance(999);
    expect(sp.acquiredBy('a')).toBe(2);
    clock.advance(1);
    expect(sp.acquiredBy('a')).toBe(0);
    expect(sp.inFlight()).toEqual([{ firstOffset: 0, lastOffset: 1, deliveryState: RecordState.Available, deliveryCount: 1, memberId: null }]);
    expect(sp.nextFetchOffset()).toBe(0);
    // The timeout is written (a record's delivery count survives a restart).
    await new Promise((resolve) => setImmediate(resolve));
    expect(persister.batches).toEqual([{ firstOffset: 0, lastOffset: 1, deliveryState: RecordState.Available, deliveryCount: 1 }]);
    // Acknowledging after the lock expired is refused.
    expect(sp.acknowledge('a', [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [1] }])).toBe(ErrorCode.INVALID_RECORD_STATE);
  });

  it('archives control batches and aborted transactional batches instead of delivering them', () => {
    const { sp } = make();
    const result = sp.acquire('a', [batch(0, 1, { aborted: true }), batch(2, 2, { control: true }), batch(3, 4)], 100);
    expect(result.ranges).toEqual([{ firstOffset: 3, lastOffset: 4, deliveryCount: 1 }]);
    expect(result.batchIndexes).toEqual([2]);
    expect(sp.startOffset).toBe(3);
  });

  it('keeps at most group.share.partition.max.record.locks records in flight', () => {
    const { sp } = make({ locks: 3 });
    expect(sp.acquire('a', [batch(0, 9)], 100).ranges).toEqual([{ firstOffset: 0, lastOffset: 2, deliveryCount: 1 }]);
    expect(sp.canAcquire(10)).toBe(false);
  });

  it('undoes an acknowledgement the share coordinator did not write', async () => {
    const { sp, persister } = make();
    sp.acquire('a', [batch(0, 1)], 100);
    persister.fail = true;
    expect(await sp.acknowledge('a', [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [1] }])).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(sp.startOffset).toBe(0);
    expect(sp.acquiredBy('a')).toBe(2);
    persister.fail = false;
    expect(await sp.acknowledge('a', [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [1] }])).toBe(ErrorCode.NONE);
    expect(sp.startOffset).toBe(2);
  });

  it('starts from its written state: acknowledged records stay done, unacknowledged ones come back with their count', () => {
    const { sp } = make({
      start: 10,
      batches: [
        { firstOffset: 10, lastOffset: 11, deliveryState: RecordState.Available, deliveryCount: 2 },
        { firstOffset: 13, lastOffset: 14, deliveryState: RecordState.Acknowledged, deliveryCount: 1 },
      ],
    });
    expect(sp.startOffset).toBe(10);
    expect(sp.endOffset).toBe(15);
    const result = sp.acquire('a', [batch(10, 14), batch(15, 15)], 100);
    expect(result.ranges).toEqual([
      { firstOffset: 10, lastOffset: 11, deliveryCount: 3 },
      { firstOffset: 12, lastOffset: 12, deliveryCount: 1 },
      { firstOffset: 15, lastOffset: 15, deliveryCount: 1 },
    ]);
  });

  it('refuses malformed acknowledgements as a whole', () => {
    const { sp } = make();
    sp.acquire('a', [batch(0, 3)], 100);
    expect(sp.acknowledge('a', [{ firstOffset: 0, lastOffset: 3, acknowledgeTypes: [1, 1] }])).toBe(ErrorCode.INVALID_REQUEST);
    expect(sp.acknowledge('a', [{ firstOffset: 0, lastOffset: 3, acknowledgeTypes: [7] }])).toBe(ErrorCode.INVALID_REQUEST);
    expect(sp.acknowledge('a', [{ firstOffset: 3, lastOffset: 0, acknowledgeTypes: [1] }])).toBe(ErrorCode.INVALID_REQUEST);
    expect(sp.acknowledge('a', [{ firstOffset: 2, lastOffset: 5, acknowledgeTypes: [1] }])).toBe(ErrorCode.INVALID_RECORD_STATE);
    expect(sp.acquiredBy('a')).toBe(4);
  });
});

describe('__share_group_state records', () => {
  it('round-trip in Kafka’s ShareSnapshot and ShareUpdate formats', () => {
    const stateBatches = [{ firstOffset: 5, lastOffset: 9, deliveryState: 2, deliveryCount: 1 }];
    const key = { type: 1, groupId: 'g', topicId: KEY.topicId, partition: 3 };
    expect(decodeShareStateKey(encodeShareStateKey(key))).toEqual(key);
    const snapshot = { snapshotEpoch: 2, stateEpoch: 1, leaderEpoch: 4, startOffset: 5, stateBatches };
    expect(decodeShareSnapshotValue(encodeShareSnapshotValue(snapshot))).toEqual(snapshot);
    const update = { snapshotEpoch: 2, leaderEpoch: 4, startOffset: -1, stateBatches };
    expect(decodeShareUpdateValue(encodeShareUpdateValue(update))).toEqual(update);
  });

  it('combines state batches, later over earlier, and drops what lies below the start offset', () => {
    const current = [{ firstOffset: 0, lastOffset: 9, deliveryState: 0, deliveryCount: 1 }];
    const updates = [{ firstOffset: 3, lastOffset: 5, deliveryState: 2, deliveryCount: 1 }];
    expect(combineStateBatches(current, updates, 2)).toEqual([
      { firstOffset: 2, lastOffset: 2, deliveryState: 0, deliveryCount: 1 },
      { firstOffset: 3, lastOffset: 5, deliveryState: 2, deliveryCount: 1 },
      { firstOffset: 6, lastOffset: 9, deliveryState: 0, deliveryCount: 1 },
    ]);
  });

  it('keys a share-partition as Kafka does: "group:base64 topic id:partition"', () => {
    expect(kafkaUuidString('00000000-0000-0000-0000-000000000001')).toBe('AAAAAAAAAAAAAAAAAAAAAQ');
    expect(shareCoordinatorKey('g', '00000000-0000-0000-0000-000000000001', 2)).toBe('g:AAAAAAAAAAAAAAAAAAAAAQ:2');
    const p = partitionForShareKey('g:AAAAAAAAAAAAAAAAAAAAAQ:2', 50);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(50);
  });
});
