// Idempotent-producer state across broker restarts: a retry of a batch written before the restart is
// answered as the duplicate it is (its original offsets), not appended again, after a clean stop
// (snapshot at the log end), after a crash (snapshot at the last roll, then the active segment's
// headers) and without any snapshot (the last two segments' headers).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { InitProducerId, Produce } from '../../../electron/kafka/protocol/generated/index';
import { encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { silentLogger } from '../../../electron/broker/server/logger';
import { RawClient } from '../handlers/raw-client';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Restart = 'clean stop' | 'kill' | 'no snapshot';

async function producerAcrossRestart(restart: Restart) {
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-producer-restart-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const cluster = await EmbeddedCluster.start({ brokers: 1, basePort: 0, dataDir, logger: silentLogger });
  cleanups.push(() => cluster.close());
  // Small segments of two batches: the producer's last five batches span three segments, and the
  // last one was appended after the last roll (the crash case's snapshot does not hold it).
  const created = cluster.controller.createTopic({ name: 'idempotent', partitions: 1, replicationFactor: 1, configs: { 'segment.bytes': '1200' } });
  if (isFailure(created)) throw new Error(created.message);
  const brokerId = cluster.brokers()[0]!.id;

  let raw = await RawClient.open(cluster.bootstrapServers());
  const init = await raw.call(InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
  expect(init.errorCode).toBe(0);
  const batchAt = (sequence: number) =>
    encodeRecordBatch({
      baseOffset: 0,
      timestamp: 1_000,
      producerId: Number(init.producerId),
      producerEpoch: init.producerEpoch,
      baseSequence: sequence,
      records: [0, 1, 2].map((i) => ({ key: null, value: Buffer.alloc(150, sequence + i), timestamp: 1_000 + i })),
    });
  const produce = async (sequence: number) => {
    const response = await raw.call(Produce, 8, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5_000,
      topicData: [{ topicId: ZERO_UUID, name: 'idempotent', partitionData: [{ index: 0, records: batchAt(sequence) }] }],
    });
    const partition = response.responses[0]!.partitionResponses[0]!;
    return { errorCode: partition.errorCode, baseOffset: Number(partition.baseOffset) };
  };
  for (let sequence = 0; sequence < 24; sequence += 3) expect(await produce(sequence)).toEqual({ errorCode: 0, baseOffset: sequence });
  raw.close();
  const partitionDir = cluster.broker(brokerId).replica('idempotent', 0)!.log.dir;

  if (restart === 'kill') await cluster.killBroker(brokerId);
  else await cluster.stopBroker(brokerId);
  if (restart === 'no snapshot') rmSync(join(partitionDir, 'producer-state.snapshot'));
  await cluster.startBroker(brokerId);
  raw = await RawClient.open(cluster.bootstrapServers());
  cleanups.push(() => raw.close());
  const log = cluster.broker(brokerId).replica('idempotent', 0)!.log;
  expect(log.segmentCount).toBeGreaterThan(3);
  return { produce, log };
}

describe('PartitionReplica producer state across a restart', () => {
  for (const restart of ['clean stop', 'kill'] as const) {
    it(`recognises retries of the producer's last five batches after a ${restart}, also those in older segments`, async () => {
      const { produce, log } = await producerAcrossRestart(restart);
      for (const sequence of [21, 18, 15, 12, 9]) expect(await produce(sequence)).toEqual({ errorCode: 0, baseOffset: sequence });
      expect(log.logEndOffset).toBe(24);
      // A gap is still refused, and the next sequence goes on from the log end.
      expect((await produce(30)).errorCode).toBe(45); // OUT_OF_ORDER_SEQUENCE_NUMBER
      expect(await produce(24)).toEqual({ errorCode: 0, baseOffset: 24 });
    });
  }

  it('without a snapshot, rebuilds from the last two segments: their batches are duplicates, the sequence goes on', async () => {
    const { produce, log } = await producerAcrossRestart('no snapshot');
    for (const sequence of [21, 18, 15, 12]) expect(await produce(sequence)).toEqual({ errorCode: 0, baseOffset: sequence });
    expect(log.logEndOffset).toBe(24);
    expect(await produce(24)).toEqual({ errorCode: 0, baseOffset: 24 });
  });
});
