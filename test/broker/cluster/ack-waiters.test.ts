/**
 * acks=all appends waiting for their followers (Kafka's delayed produce) on a leader replica whose
 * followers never fetch: each fails with REQUEST_TIMED_OUT after its own timeout (one timer serves
 * them all), completes as soon as the followers' progress moves the high watermark past it, and
 * fails when leadership moves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PartitionMetadata } from '../../../electron/broker/cluster/metadata-store';
import { PartitionReplica, type AppendOutcome, type PartitionError } from '../../../electron/broker/cluster/partition-replica';
import { defaultLogConfig } from '../../../electron/broker/log/log-config';
import { PartitionLog } from '../../../electron/broker/log/partition-log';
import { encodeRecordBatch } from '../../../electron/kafka/records/record-batch';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Broker 0 leading a partition replicated on 0, 1 and 2, all in sync; min.insync.replicas 2. */
function leader(): { replica: PartitionReplica; meta: PartitionMetadata } {
  const dir = mkdtempSync(join(tmpdir(), 'kd-ack-waiters-'));
  const config = defaultLogConfig({ minInsyncReplicas: 2 });
  const log = PartitionLog.openSync(dir, config, { logger: { warn: () => {} } });
  const meta: PartitionMetadata = { partition: 0, replicas: [0, 1, 2], leader: 0, leaderEpoch: 1, isr: [0, 1, 2], partitionEpoch: 1 };
  const replica = new PartitionReplica('t', 0, log, { brokerId: 0, metadata: () => meta, logConfig: () => config, changeIsr: () => false, now: Date.now });
  replica.onMetadataChange();
  cleanups.push(async () => {
    replica.close({ error: 'NOT_LEADER_OR_FOLLOWER', message: 'closed' });
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { replica, meta };
}

const batch = (value: string) => encodeRecordBatch({ records: [{ key: null, value: Buffer.from(value), headers: [] }] });

/** Appends with acks=all; resolves with the outcome and when it came (ms after `since`). */
function append(replica: PartitionReplica, value: string, timeoutMs: number, since: number): Promise<{ result: AppendOutcome | PartitionError; at: number }> {
  const pending = replica.appendAsLeader(batch(value), -1, timeoutMs);
  if (!(pending instanceof Promise)) throw new Error(`did not wait: ${JSON.stringify(pending)}`);
  return pending.then((result) => ({ result, at: performance.now() - since }));
}

describe('acks=all waiters on a leader', () => {
  it('each times out after its own timeout, whatever the order of their deadlines', async () => {
    const { replica } = leader();
    const since = performance.now();
    const [slow, fast, middle] = await Promise.all([append(replica, 'a', 700, since), append(replica, 'b', 100, since), append(replica, 'c', 400, since)]);
    for (const w of [slow, fast, middle]) expect(w.result).toMatchObject({ error: 'REQUEST_TIMED_OUT' });
    expect((fast.result as PartitionError).message).toContain('100 ms');
    expect(fast.at).toBeGreaterThanOrEqual(95);
    expect(middle.at).toBeGreaterThanOrEqual(395);
    expect(slow.at).toBeGreaterThanOrEqual(695);
    // Not all at the last deadline: each at its own.
    expect(fast.at).toBeLessThan(slow.at);
    expect(middle.at).toBeLessThan(slow.at);
  });

  it('complete when the followers have fetched past them, the later ones still waiting', async () => {
    const { replica } = leader();
    const since = performance.now();
    const first = append(replica, 'a', 10_000, since);
    const second = append(replica, 'b', 10_000, since);
    // Both followers report offset 1 (they hold the first record): the high watermark moves to 1.
    for (const follower of [1, 2]) replica.readForFollower(follower, 1, 1 << 20, 1);
    expect(replica.highWatermark).toBe(1);
    expect((await first).result).toMatchObject({ error: null, baseOffset: 0 });
    let secondDone = false;
    void second.then(() => (secondDone = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(secondDone).toBe(false);
    for (const follower of [1, 2]) replica.readForFollower(follower, 2, 1 << 20, 1);
    expect((await second).result).toMatchObject({ error: null, baseOffset: 1 });
  });

  it('fail with NOT_LEADER_OR_FOLLOWER when leadership moves', async () => {
    const { replica, meta } = leader();
    const waiting = append(replica, 'a', 10_000, performance.now());
    meta.leader = 1;
    meta.leaderEpoch = 2;
    replica.onMetadataChange();
    expect((await waiting).result).toMatchObject({ error: 'NOT_LEADER_OR_FOLLOWER' });
  });
});
